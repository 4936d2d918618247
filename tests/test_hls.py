"""HLS C++ backend: the generated project C-simulates bit-exactly against the golden model, and reads well."""

import re
import warnings

import numpy as np
import pytest

import rtl4ml
from rtl4ml.errors import Rtl4mlError

from conftest import BUNDLE, JET_CONFIG, ROOT
from designs import DESIGNS, build_design
from test_core_simulation import stimulus

BUILD_ROOT = ROOT / "sim" / "build" / "pytest_hls"


def written(design, name):
    design.write(BUILD_ROOT / name, force=True)
    return design


def test_jet_tagger_csim_is_bit_exact():
    design = written(rtl4ml.convert(BUNDLE / "model.h5", JET_CONFIG), "jet_tagger_csim")
    results = design.csim(np.load(BUNDLE / "test_vectors.npz")["X"])
    assert results["passed"] and results["mismatches"] == 0 and results["events"] == 3000, results["problems"]
    # build_prj.tcl's vectors are untouched by csim: its inputs still match its golden outputs
    tb_data = BUILD_ROOT / "jet_tagger_csim" / "hls" / "tb_data"
    from rtl4ml.golden.model import run_codes

    inputs = np.loadtxt(tb_data / "inputs.txt", dtype=np.int64, ndmin=2)
    assert sorted(p.name for p in tb_data.iterdir()) == ["golden_outputs.txt", "inputs.txt"]
    assert np.array_equal(run_codes(design.graph, inputs), np.loadtxt(tb_data / "golden_outputs.txt", dtype=np.int64))


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_small_networks_csim_bit_exact_including_saturation_and_wrap(keras, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, design = build_design(keras, name)
    design = written(design, name)
    results = design.csim(stimulus(design, 500))
    assert results["passed"], results["problems"]


def test_io_stream_top_packs_like_the_verilog_core(keras):
    _, design = build_design(keras, "softmax_tanh_fixed12")
    design.config.project["IOType"] = "io_stream"
    design = written(design, "stream")
    text = (BUILD_ROOT / "stream" / "hls" / "firmware" / "myproject.cpp").read_text()
    assert "#pragma HLS INTERFACE axis port=input_stream" in text
    assert design.csim(stimulus(design, 300))["passed"]


def test_generated_project_is_readable():
    design = written(rtl4ml.convert(BUNDLE / "model.h5", JET_CONFIG), "jet_tagger_readable")
    hls = BUILD_ROOT / "jet_tagger_readable" / "hls"
    generated = [p for p in hls.rglob("*") if p.suffix in (".h", ".cpp", ".tcl") and "nnet_utils" not in p.parts]
    too_long = [(p.name, n) for p in generated for n, line in enumerate(p.read_text().splitlines(), 1) if len(line) > 120]
    assert not too_long
    top = (hls / "firmware" / "myproject.cpp").read_text()
    assert len(re.findall(r"rtl4ml::\w+<", top)) == len(design.graph.layers)  # one call per layer
    weights = sorted(p.name for p in (hls / "firmware" / "weights").iterdir())
    assert {"fc1_w.h", "fc1_b.h", "output_softmax_tables.h"} <= set(weights)
    assert "csim_design" in (hls / "build_prj.tcl").read_text() and "export_design" in (hls / "build_prj.tcl").read_text()


def test_missing_ap_types_headers_give_a_clear_message(monkeypatch, tmp_path):
    from rtl4ml.simulation import csim

    monkeypatch.setenv(csim.AP_TYPES_ENV, str(tmp_path))
    monkeypatch.setattr(csim.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(Rtl4mlError, match="ap_types headers not found: install them with pip install 'rtl4ml\\[hls\\]'"):
        csim.find_ap_types()


def test_reuse_factor_sets_hls4ml_style_pragmas_and_keeps_the_bits(keras, tmp_path):
    from conftest import make_mlp
    from rtl4ml.backends.hls.writer import plan_project, write_project
    from rtl4ml.config import load_config
    from rtl4ml.frontends.keras_file import from_keras_object
    from rtl4ml.frontends.keras_model import build_model_spec
    from rtl4ml.golden.model import quantize_inputs, run_codes
    from rtl4ml.ir.builder import build_ir
    from rtl4ml.simulation.csim import _run_in_parallel, compile_testbench

    model = make_mlp(keras, [8, 6, 3], ["relu", "linear"], seed=9)
    graph = build_ir(build_model_spec(from_keras_object(model)),
                     load_config({"Model": {"Precision": "ap_fixed<12,4>", "ReuseFactor": 3, "Strategy": "Resource"}}))
    hls = write_project(plan_project(graph, "myproject"), tmp_path / "hls")
    assert "#pragma HLS PIPELINE II=3" in (hls / "firmware" / "myproject.cpp").read_text()
    assert "static const int multiplier_limit = 16;" in (hls / "firmware" / "parameters.h").read_text()  # 48 / 3
    binary, _ = compile_testbench(hls, "myproject", tmp_path / "cache")
    codes = quantize_inputs(graph, np.random.default_rng(4).normal(size=(200, 8)) * 3)
    assert np.array_equal(_run_in_parallel(binary, codes, tmp_path), run_codes(graph, codes))
