"""rtl4ml report: Yosys resources per layer, the analytic estimate against them, profiling counts, outputs."""

import json
import re

import numpy as np
import pytest

import rtl4ml
from rtl4ml.cli import main as cli_main
from rtl4ml.errors import Rtl4mlError
from rtl4ml.report.analytic import estimate_core
from rtl4ml.report.blocks import block_summaries, pipeline_stages
from rtl4ml.report.parts import find_part
from rtl4ml.report.profiling import profile
from rtl4ml.report.synthesis import count_resources, jobs_for_core, path_ends

from conftest import BUNDLE, JET_CONFIG, make_mlp

# LutsPerDsp 0: every non-power-of-two product on a DSP (by default these 10-bit weights would all
# become shift-add terms, and the DSP side of the report would go untested)
SMALL = {"Model": {"Precision": "ap_fixed<10,4>", "LutsPerDsp": 0}}


def written(keras, tmp_path, name, zero_fraction=0.0, sizes=(8, 6, 3), seed=1, config=SMALL):
    model = make_mlp(keras, list(sizes), ["relu", "linear"][: len(sizes) - 1], seed=seed, weight_scale=0.7,
                     zero_fraction=zero_fraction)
    design = rtl4ml.convert(model, config)
    design.write(tmp_path / name)
    return design


def test_primitive_counts_take_a_lut6_2_as_one_lut():
    counts = count_resources({"LUT6_2": 10, "LUT2": 3, "CARRY8": 2, "FDRE": 4, "RAMB36E2": 1, "SRL16E": 1})
    assert (counts["LUT"], counts["CARRY"], counts["FF"], counts["BRAM_18K"], counts["LUTRAM"]) == (13, 2, 4, 2, 1)


def test_parts_table_and_bad_part():
    assert find_part("xcvu9p-flga2577-2-e").DSP == 6840
    assert find_part(None).name == "xcvu9p"
    with pytest.raises(Rtl4mlError, match="part 'xc9z' is not in rtl4ml's table"):
        find_part("xc9z")


@pytest.mark.synth
def test_report_with_yosys_zero_weights_cost_less(keras, tmp_path):
    dense = written(keras, tmp_path, "dense")
    sparse = written(keras, tmp_path, "sparse", zero_fraction=0.7)
    X = np.random.default_rng(0).normal(0, 1, (200, 8))
    dense.simulate(X[:50])
    full = dense.report(X=X, y=np.random.default_rng(1).integers(0, 3, 200))
    pruned = sparse.report()
    for key in ("LUT", "FF", "DSP", "BRAM_18K", "LatencyMin", "LatencyMax", "IntervalMin", "IntervalMax"):
        assert key in full
    assert full["LatencyMin"] == full["LatencyMax"] == full["LatencyAnalytic"] and full["LatencyAgrees"]
    assert pruned["DSP"] < full["DSP"] and pruned["LUT"] < full["LUT"]
    assert set(full["Yosys"]["per_layer"]) == {"dense0 + dense0_relu", "dense1", "(AXI control)"}
    assert full["Timing"]["worst_logic_depth"] > 0 and len(full["Timing"]["worst_path"]) in (1, 2)
    saved = json.loads((tmp_path / "dense" / "report" / "report.json").read_text())
    assert saved["DSP"] == full["DSP"] and "Accuracy" in saved and "Profiling" in saved
    for name in ("report.md", "report.html", "resources.png", "profiling.png", "roc.png"):
        assert (tmp_path / "dense" / "report" / name).is_file(), name
    # warm: every Yosys job comes from the cache
    assert dense.report()["Yosys"]["all_cached"]


@pytest.mark.synth
@pytest.mark.parametrize("zeros, config", [(0.0, SMALL), (0.5, SMALL),
                                           (0.0, {"Model": {"Precision": "ap_fixed<10,4>"}}),
                                           (0.0, {"Model": {"Precision": "ap_fixed<10,4>", "ReuseFactor": 4}})],
                         ids=["dsp", "dsp_sparse", "shift_add", "reuse4"])
def test_analytic_estimate_is_within_25_percent_of_yosys(keras, tmp_path, zeros, config):
    design = written(keras, tmp_path, "d", zero_fraction=zeros, sizes=(12, 8, 4), seed=7 + int(zeros > 0),
                     config=config)
    report = design.report()
    # LUT and DSP meet the 25 % target on these designs; FF is looser on tiny layers, and the report
    # states the error it measured (bench/NOTES.md lists them).
    errors = report["AnalyticError"]
    assert abs(errors["LUT"]) <= 0.25 and abs(errors.get("DSP", 0)) <= 0.25, (zeros, errors)
    assert abs(errors["FF"]) <= 0.30, (zeros, errors)
    assert report["Analytic"]["total"]["DSP"] == 0 or report["DSP"] > 0


@pytest.mark.synth
def test_max_pooling_estimate_is_within_10_percent_of_yosys(keras, tmp_path):
    model = keras.Sequential([keras.Input(shape=(6, 6, 2)), keras.layers.MaxPooling2D(3, name="pool"),
                              keras.layers.Flatten()])
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<12,4>"}})
    design.write(tmp_path / "pool")
    report = design.report()
    yosys, analytic = report["Yosys"]["per_layer"]["pool"], report["Analytic"]["per_layer"]["pool"]
    assert abs(analytic["LUT"] / yosys["LUT"] - 1) <= 0.10, (analytic, yosys)
    assert analytic["FF"] == yosys["FF"]


@pytest.mark.synth
@pytest.mark.parametrize("activation", ["binary(alpha=1)", "ternary(alpha=1, threshold=0.5)"],
                         ids=["binary", "ternary"])
def test_step_activation_estimate_is_within_25_percent_of_yosys(tmp_path, activation):
    """Binary and ternary activations (after a batch normalization: per-channel thresholds, as the bundled taggers
    have them) are compares with constant thresholds, not adders (once estimated ~4x). Measured -13 % / -8 %; the
    bundled taggers' layers -18 %..+21 %: a compare's LUTs also depend on its threshold's bit pattern."""
    qkeras = pytest.importorskip("qkeras")
    from tf_keras import Input, Sequential, layers

    model = Sequential([Input(shape=(16,)), qkeras.QDense(32, kernel_quantizer="ternary(alpha=1)", name="fc"),
                        layers.BatchNormalization(name="bn"), qkeras.QActivation(activation, name="act")])
    rng = np.random.default_rng(5)
    model.get_layer("fc").set_weights([rng.normal(0, 1, (16, 32)), rng.normal(0, 1, 32)])
    model.get_layer("bn").set_weights([rng.uniform(0.5, 2, 32), rng.normal(0, 1, 32), rng.normal(0, 2, 32),
                                       rng.uniform(0.5, 2, 32)])
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<16,6>"}})
    assert design.graph.layers[-1].kind == "piecewise_linear"
    design.write(tmp_path / "step")
    report = design.report()
    yosys, analytic = report["Yosys"]["per_layer"]["act"], report["Analytic"]["per_layer"]["act"]
    assert abs(analytic["LUT"] / yosys["LUT"] - 1) <= 0.25, (analytic, yosys)
    assert analytic["FF"] == yosys["FF"]


@pytest.mark.synth
def test_fast_and_thorough_lut_mapping_agree_on_everything_but_luts(keras, tmp_path, monkeypatch):
    monkeypatch.setenv("RTL4ML_CACHE_DIR", str(tmp_path / "cache"))  # both flows run, none from an earlier test
    design = written(keras, tmp_path, "d", sizes=(12, 8, 4), seed=3, config={"Model": {"Precision": "ap_fixed<10,4>"}})
    fast, thorough = design.report(), design.report(thorough=True)
    assert "fast LUT mapping" in fast["ResourceSource"] and "fast" not in thorough["ResourceSource"]
    assert not fast["Yosys"]["all_cached"] and not thorough["Yosys"]["all_cached"]  # one cache entry per flow
    assert fast["DSP"] == thorough["DSP"] and fast["BRAM_18K"] == thorough["BRAM_18K"]
    assert 0 < thorough["LUT"] <= fast["LUT"] * 1.05


def test_the_top_glue_job_has_every_module_the_top_instantiates(keras, tmp_path):
    """A branched, two-output core delays a path in pipe_reg lines of its top: Yosys needs that source too."""
    x = keras.Input(shape=(4,), name="x")
    hidden = keras.layers.Dense(6, activation="relu", name="hidden")(x)
    short = keras.layers.Dense(2, name="short")(x)
    model = keras.Model(x, [keras.layers.Dense(3, name="long")(hidden), short])
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<12,4>"}})
    rtl = design.write(tmp_path / "two") / "rtl"
    meta = json.loads((rtl / "core.json").read_text())
    glue = next(job for job in jobs_for_core(rtl, meta, block_summaries(design.core)) if job.layer == "(AXI control)")
    top_text = (rtl / f"{design.core.top}.v").read_text()
    instantiated = set(re.findall(r"^\s*(\w+) (?:#\(|\w+ \()", top_text, flags=re.M)) - {"module", "wire", "reg"}
    provided = {path.stem for path in glue.sources + glue.blackboxes}
    assert "pipe_reg" in instantiated and instantiated <= provided, instantiated - provided


def test_planned_stages_are_the_latency_and_respect_the_budget():
    design = rtl4ml.convert(BUNDLE / "model.h5", JET_CONFIG)
    stages = pipeline_stages(design.core)
    assert len(stages) == design.latency  # fully parallel: one register per cycle of latency
    assert all(0 < stage["levels"] <= stage["budget"] for stage in stages)
    assert [step for stage in stages for step in stage["steps"]] == \
        [step.name for block in design.core.blocks for step in block.steps]


def test_longest_path_ends_are_read_from_ltp():
    text = ("Longest topological path in top (length=3):\n    0: \\layer.n3_tree.g_reg.value_reg [4]\n"
            "    1: $abc$1$aiger$o5 (via $auto$x)\n    2: \\out_data [7] (via $abc$2)\n")
    assert path_ends(text) == ["n3_tree.g_reg.value_reg", "out_data"]
    assert path_ends("    0: \\in_data [1]\n    1: $abc$3 (via $x)\n") == ["in_data"]
    assert path_ends("nothing") == []


def test_profiling_counts_on_crafted_inputs(keras):
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1, name="identity")])
    model.layers[0].set_weights([np.ones((1, 1)), np.zeros(1)])
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<8,3>"}})  # range -4 .. 3.96875, LSB 1/32
    X = np.array([[0.5], [3.0], [5.0], [-6.0], [0.001], [0.01]])
    rows = {(row["layer"], row["quantity"]): row for row in profile(design.graph, X)}
    inputs = rows[(design.graph.input.name, "input")]
    assert (inputs["overflow"], inputs["underflow"], inputs["overflow_effect"]) == (2, 2, "wrapped")
    assert inputs["min"] == -6.0 and inputs["max"] == 5.0
    result = rows[("identity", "result")]
    assert result["overflow"] == 0 and result["values"] == 6


def test_analytic_estimate_counts_dsps_only_for_many_digit_weights(keras):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2, name="d")])
    # at 4 LUTs per DSP: 181/256 and -173/256 have 5 signed digits (4 x 12 input bits x 0.1 > 4: DSP);
    # 0.75 = 1 - 1/4 is two digits (shift-add); 0.5 and 0.25 are shifts; zeros are nothing
    weights = np.array([[181 / 256, 0.0], [0.5, 0.0], [-173 / 256, 0.25], [0.75, 0.0]])
    model.layers[0].set_weights([weights, np.zeros(2)])
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<12,4>", "LutsPerDsp": 4}})
    estimate = estimate_core(design.core)["d"]
    assert estimate["DSP"] == 2


def test_cli_report_without_synthesis_and_parts(keras, tmp_path, capsys):
    written(keras, tmp_path, "prj")
    assert cli_main(["report", str(tmp_path / "prj"), "--no-synth", "--part", "xcku115"]) == 0
    out = capsys.readouterr().out
    assert "on xcku115" in out and "analytic estimate" in out and "no simulation yet" in out
    assert cli_main(["report", "--list-parts"]) == 0 and "xcvu13p" in capsys.readouterr().out
    assert cli_main(["report", str(tmp_path / "prj"), "--no-synth", "--part", "nope"]) == 2
    assert "part 'nope'" in capsys.readouterr().err
