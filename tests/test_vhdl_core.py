"""The native VHDL core (OUTDIR/vhdl): elaborates warning-free in GHDL, its VUnit testbench fails on a planted bug
in the data path and in the AXI-stream behaviour, and `rtl4ml sim --hdl vhdl` writes the Verilog run's keys.
(Bit-exactness on many designs: every random-design batch runs the VHDL cores too, tests/test_random_designs.py.)"""

import json
import re
import shutil
import subprocess
import warnings

import numpy as np
import pytest

import rtl4ml
from rtl4ml.backends.vhdl.writer import VHDL_PRIMITIVES
from rtl4ml.cli import main

from conftest import make_mlp

pytestmark = pytest.mark.skipif(not shutil.which("ghdl"), reason="GHDL is not installed")


def written_design(keras, tmp_path, reuse=1):
    model = make_mlp(keras, [6, 5, 4], ["relu", "softmax"], seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        design = rtl4ml.convert(model, {"HLSConfig": {"Model": {"Precision": "ap_fixed<10,4>", "ReuseFactor": reuse}}})
    design.write(tmp_path / "prj")
    return design


def inputs(design, events=40):
    return np.random.default_rng(1).normal(size=(events, design.graph.n_in))


@pytest.mark.parametrize("reuse", [1, 2])
def test_vhdl_core_elaborates_without_warnings_and_streams_bit_exactly(keras, tmp_path, reuse):
    design = written_design(keras, tmp_path, reuse)
    vhdl = tmp_path / "prj" / "vhdl"
    sources = (vhdl / "compile_order.txt").read_text().split()
    assert sources[-1] == "myproject.vhd" and len(sources) == len(VHDL_PRIMITIVES) + 1 + len(design.core.blocks) + 1
    for step in (["ghdl", "-a", "--std=08", *sources], ["ghdl", "-e", "--std=08", "myproject"]):
        done = subprocess.run(step, cwd=vhdl, capture_output=True, text=True)
        assert done.returncode == 0 and not done.stdout + done.stderr, done.stderr[-3000:]
    results = design.simulate_vhdl(inputs(design), idle=0.2, backpressure=0.3, seed=2)
    assert results["passed"] and results["vunit_passed"] and results["mismatches"] == 0, results["problems"]
    assert results["events"] == results["compared"] == 40
    assert results["LatencyMin"] == design.latency and results["IntervalMin"] == design.interval
    assert results["LatencyMax"] > design.latency  # the backpressure was real


def test_vunit_testbench_fails_on_a_wrong_constant(keras, tmp_path):
    design = written_design(keras, tmp_path)
    entity = tmp_path / "prj" / "vhdl" / f"myproject_{design.core.blocks[0].identifier}.vhd"
    text = entity.read_text()
    # every neuron's constant off by 2.0: survives the requantization (a higher bit could wrap away)
    flip = 1 << (design.core.blocks[0].linear.accum_type.frac + 1)

    def planted_constant(match):
        return f'{match[1]}{match[2]}x"{int(match[3], 16) ^ flip:x}";'
    planted = re.sub(r'(\s+c\d+ <= )(\d+)x"([0-9a-f]+)";', planted_constant, text)
    assert planted != text
    entity.write_text(planted)
    results = design.simulate_vhdl(inputs(design))
    assert not results["passed"] and not results["vunit_passed"] and results["mismatches"] > 0


def test_vunit_testbench_fails_when_a_refused_beat_changes(keras, tmp_path):
    design = written_design(keras, tmp_path)
    top = tmp_path / "prj" / "vhdl" / "myproject.vhd"
    text = top.read_text()
    # the output data now flips while m_axis_tready is low: an AXI-stream violation
    planted = text.replace("    m_axis_tdata <= ",
                           "    m_axis_tdata <= (m_axis_tdata'range => not m_axis_tready) xor (")
    planted = planted.replace(";\nend architecture rtl;", ");\nend architecture rtl;")
    assert planted != text
    top.write_text(planted)
    results = design.simulate_vhdl(inputs(design), backpressure=0.5)
    assert not results["passed"] and not results["vunit_passed"]
    assert any("changed or dropped before it was accepted" in error for error in results["protocol_errors"])


def test_cli_sim_hdl_vhdl_writes_the_verilog_runs_keys(keras, tmp_path, capsys):
    design = written_design(keras, tmp_path)
    np.save(tmp_path / "x.npy", inputs(design, 20))
    assert main(["sim", str(tmp_path / "prj"), "--hdl", "vhdl", "--input", str(tmp_path / "x.npy"),
                 "--output", str(tmp_path / "y.npy")]) == 0
    out = capsys.readouterr().out
    assert "PASS: bit-exact" in out and "GHDL (VUnit)" in out
    results = json.loads((tmp_path / "prj" / "sim" / "vhdl" / "results.json").read_text())
    for key in ("events", "mismatches", "LatencyMin", "LatencyMax", "LatencyAvg", "IntervalMin", "IntervalMax",
                "IntervalAvg", "protocol_errors"):
        assert key in results
    assert results["events"] == 20 and results["mismatches"] == 0 and results["LatencyMax"] == design.latency
    np.testing.assert_array_equal(np.load(tmp_path / "y.npy"), design.predict(inputs(design, 20)))
    assert main(["sim", str(tmp_path / "prj"), "--hdl", "vhdl", "--waves", "--input", str(tmp_path / "x.npy")]) == 2


@pytest.mark.sim
def test_softmax_tables_in_block_ram_on_request_stream_bit_exactly_in_verilog_and_vhdl(keras, tmp_path):
    model = make_mlp(keras, [6, 5, 4], ["relu", "softmax"], seed=3)
    designs = {}
    for style in ("lut", "bram"):
        config = {"Model": {"Precision": "ap_fixed<10,4>"}, "LayerType": {"Softmax": {"TableStyle": style.upper()}}}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            designs[style] = rtl4ml.convert(model, {"HLSConfig": config})
        designs[style].write(tmp_path / style)
    softmax = {style: (tmp_path / style / "rtl" / f"myproject_{d.core.blocks[-1].identifier}.v").read_text()
               for style, d in designs.items()}
    assert "block_rom" in softmax["bram"] and "pow2_y_rom" not in softmax["bram"]
    assert "block_rom" not in softmax["lut"] and "pow2_y_rom" in softmax["lut"]
    # the RAM's read register is a fixed register: never a shorter pipeline than the LUT tables'
    assert designs["bram"].latency >= designs["lut"].latency
    bram = designs["bram"]
    x = inputs(bram, events=200)
    verilog = bram.simulate_bulk(x, backpressure=0.2, seed=4)
    vhdl = bram.simulate_vhdl(x[:40], idle=0.2, backpressure=0.3, seed=2)
    assert verilog["passed"] and verilog["mismatches"] == 0 and verilog["LatencyMin"] == bram.latency
    assert vhdl["passed"], vhdl
