"""`Precision: auto`: result types derived from value ranges (interval arithmetic) or calibration data."""

import json
import warnings

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rtl4ml
from rtl4ml.cli import main
from rtl4ml.config import load_config
from rtl4ml.design import convert
from rtl4ml.errors import Rtl4mlError
from rtl4ml.fixed_point import parse_precision
from rtl4ml.frontends.spec import ActivationSpec, DenseSpec, InputSpec, ModelSpec
from rtl4ml.ir.auto_types import TypeDeriver
from rtl4ml.verification.random_designs import design_strategy, realize, stimulus

from conftest import BUNDLE

AUTO = {"default": "ap_fixed<16,6>", "result": "auto", "accum": "auto"}


def all_results_auto(config: dict) -> dict:
    """The random design's config with every layer's result type left to auto (not the input's), and a recurrent
    layer's ("rnn") every data tensor."""
    names = config["HLSConfig"]["LayerName"]
    for name, entry in names.items():
        if name != "x":
            entry["Precision"]["result"] = "auto"
        if name == "rnn":
            entry["Precision"].update({tensor: "auto" for tensor in ("preactivation", "gate", "candidate", "cell")})
    return config


def recorded_ranges(graph) -> dict:
    """Every layer's output range, walked again over the final graph."""
    deriver = TypeDeriver(None, "no data")
    for layer in graph.all_layers():
        deriver.record(layer)
    return deriver.ranges


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(design_strategy(max_width=6, max_depth=3), st.integers(0, 2**31))
def test_every_layer_stays_inside_its_derived_range(spec, seed):
    """Interval arithmetic is sound for every layer type: on inputs at and beyond the input type's limits, no
    layer's output leaves its range, so no auto type ever overflows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, config = realize(spec)
        try:
            design = convert(model, all_results_auto(config))
        except Rtl4mlError as error:  # a range wider than 32 bits is refused, with the layer named
            assert "auto needs" in str(error) and "bits" in str(error)
            return
    ranges = recorded_ranges(design.graph)
    _, trace = design.predict_codes(stimulus(spec, 64, seed), trace=True)
    for layer in design.graph.all_layers():
        codes, bounds = trace[layer.name], ranges[layer.name].at(layer.result_type.frac)
        assert bounds.low <= codes.min() and codes.max() <= bounds.high, (layer.name, json.dumps(spec))
        # an auto type holds its range; a recurrent layer's ("rnn_t<step>_<tensor>") each of its steps' too
        if layer.name in design.graph.derived_types or layer.name.startswith("rnn"):
            assert layer.result_type.min_code <= bounds.low and bounds.high <= layer.result_type.max_code, \
                (layer.name, json.dumps(spec))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(design_strategy(max_width=6, max_depth=3), st.integers(0, 2**31))
def test_every_tensor_stays_inside_its_stored_range(spec, seed):
    """The ranges the RTL sizes its adder graphs by (ModelGraph.stored_ranges: saturating types clip, wrapping ones
    may hold any code) hold every value each layer stores, on inputs at and beyond the input type's limits."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, config = realize(spec)
        design = convert(model, config)
    ranges = design.graph.stored_ranges()
    _, trace = design.predict_codes(stimulus(spec, 64, seed), trace=True)
    for layer in design.graph.all_layers():
        codes, bounds = trace[layer.name], ranges[layer.name].at(layer.result_type.frac)
        assert bounds.low <= codes.min() and codes.max() <= bounds.high, (layer.name, json.dumps(spec))


def dense_model(weights, bias, activation=None) -> ModelSpec:
    layers = [DenseSpec("fc", "Dense", np.asarray(weights, dtype=float), np.asarray(bias, dtype=float))]
    if activation:
        layers.append(ActivationSpec("act", "Activation", activation))
    return ModelSpec("m", InputSpec("x", (len(weights),)), layers)


def test_a_dense_result_is_the_narrowest_type_that_holds_its_extremes():
    # x in ap_fixed<8,3>: [-4, 3.96875]; fc = 1.5 x0 - 2 x1 + 0.25: extremes -13.6875 and 14.203125
    model = dense_model([[1.5], [-2.0]], [0.25], "relu")
    design = convert(model, {"Model": {"Precision": AUTO}, "LayerName": {"x": {"Precision": {"result": "ap_fixed<8,3>"}}}})
    fc, act = design.graph.layer("fc"), design.graph.layer("act")
    assert fc.result_type == parse_precision("ap_fixed<15,5>")  # 10 fractional bits (the default's); +-16
    assert act.result_type == parse_precision("ap_ufixed<14,4>")  # ReLU: [0, 14.2], no sign bit
    assert "interval arithmetic" in design.graph.derived_types["fc"]
    assert design.graph.derived_types["fc"].endswith("-> ap_fixed<15,5> (cannot overflow)")
    extremes = np.array([[-4.0, 3.96875], [3.96875, -4.0]])
    out = design.predict_codes(extremes, trace=True)[1]["fc"][:, 0] * 2.0**-10
    assert out.tolist() == [-13.6875, 14.203125]  # both reached: one bit less would not hold them


def test_auto_accumulators_are_the_exact_ones():
    model = dense_model([[1.5], [-2.0]], [0.25])
    exact = convert(model, {"Model": {"Precision": "ap_fixed<16,6>"}}).graph.layer("fc")
    auto = convert(model, {"Model": {"Precision": {"default": "ap_fixed<16,6>", "accum": "auto"}}}).graph.layer("fc")
    assert auto.accum_is_exact and auto.accum_type == exact.accum_type
    assert auto.result_type == parse_precision("ap_fixed<16,6>")  # only the accumulator was auto


def test_calibrated_types_are_narrower_and_saturate():
    model = dense_model([[1.5], [-2.0]], [0.25], "relu")
    rng = np.random.default_rng(0)
    data = rng.uniform(-0.5, 0.5, size=(500, 2))
    config = {"Model": {"Precision": AUTO}}
    design = convert(model, config, calibrate=data)
    graph = design.graph
    interval = convert(model, {"Model": {"Precision": AUTO}, "LayerName": {
        "x": {"Precision": {"result": str(graph.input.result_type)}}}}).graph
    for name in ("x", "fc", "act"):
        assert graph.layer(name).result_type.overflow == "AP_SAT"
        assert "calibrated on calibration data (500 events)" in graph.derived_types[name]
    assert not graph.layer("act").result_type.signed  # the margin below 0 is cut at ReLU's interval bound
    assert graph.input.result_type == parse_precision("ap_fixed<11,1,AP_TRN,AP_SAT>")  # |x| < 0.5 (+25 %) < 1
    assert graph.layer("fc").result_type.width <= interval.layer("fc").result_type.width
    # data beyond the calibration range saturates instead of wrapping
    assert design.predict(np.array([[-100.0, 100.0]]))[0, 0] == 0.0
    assert design.predict(np.array([[100.0, -100.0]]))[0, 0] > 2.0


def test_the_report_lists_each_derived_type_and_why(tmp_path):
    model = dense_model([[1.5], [-2.0]], [0.25], "relu")
    design = convert(model, {"Model": {"Precision": AUTO}, "LayerName": {"x": {"Precision": {"result": "ap_fixed<8,3>"}}}})
    design.write(tmp_path / "prj")
    loaded = rtl4ml.load_design(tmp_path / "prj")
    assert loaded.graph.derived_types == design.graph.derived_types  # kept in the IR file
    loaded.report(run_synthesis=False)
    text = (tmp_path / "prj" / "report" / "report.md").read_text()
    assert "## Types" in text and "ap_fixed<15,5>" in text and "interval arithmetic" in text


@pytest.mark.parametrize("config, message", [
    ({"Model": {"Precision": AUTO}}, r"layer x: Precision result auto needs a range, and the model input has none "
     r"without calibration data; give it a type \(config LayerName x: Precision: \{result: ap_fixed<16,6>\}\) or "
     r"calibrate on real inputs \(rtl4ml convert --calibrate X.npy"),
    ({"Model": {"Precision": {"weight": "auto"}}},
     "config Model, Precision weight: auto applies to result, accum, preactivation, gate, candidate and cell only"),
])
def test_auto_without_a_range_or_on_weights_is_refused(config, message):
    with pytest.raises(Rtl4mlError, match=message):
        convert(dense_model([[1.0]], [0.0]), config)


@pytest.mark.parametrize("data, message", [
    (np.zeros((10, 3)), r"calibration data has shape \(10, 3\); model input x expects \(events, 2\)"),
    (np.array([[0.0, np.nan]]), "calibration data has 1 NaN/Inf values"),
    (np.zeros((0, 2)), "calibration data holds no events"),
])
def test_bad_calibration_data_is_refused(data, message):
    with pytest.raises(Rtl4mlError, match=message):
        convert(dense_model([[1.0], [1.0]], [0.0]), {"Model": {"Precision": AUTO}}, calibrate=data)


def test_a_result_wider_than_32_bits_is_refused_naming_the_layer():
    model = dense_model([[1000.0]] * 2, [0.0])
    config = {"Model": {"Precision": {"default": "ap_fixed<30,6>", "weight": "ap_fixed<16,12>", "result": "auto"}},
              "LayerName": {"x": {"Precision": {"result": "ap_fixed<30,6>"}}}}
    with pytest.raises(Rtl4mlError, match=r"layer fc: Precision result auto needs \d+ bits for the values .* "
                                          r"\(> 32 supported\); state a narrower input type or a coarser LSB, or "
                                          r"calibrate on real inputs"):
        convert(model, config)
    # calibration data bound the values instead: the interval type may be wider while the data narrows it
    data = np.random.default_rng(1).uniform(-0.001, 0.001, size=(100, 2))  # fc within +-2 (41 bits by intervals)
    calibrated = convert(model, config, calibrate=data).graph.layer("fc").result_type
    assert calibrated.width <= 32 and calibrated.overflow == "AP_SAT"


def test_auto_types_keep_the_stated_modes_and_reach_exactly_32_bits():
    # x in ap_fixed<32,6>, fc = 1.0 x: the interval type at 26 fractional bits is 32 bits wide, the widest allowed
    config = {"Model": {"Precision": {"default": "ap_fixed<32,6,AP_RND,AP_SAT>", "weight": "ap_fixed<4,2>",
                                      "result": "auto"}},
              "LayerName": {"x": {"Precision": {"result": "ap_fixed<32,6>"}}}}
    fc = convert(dense_model([[1.0]], [0.0]), config).graph.layer("fc").result_type
    assert (fc.width, fc.rounding, fc.overflow) == (32, "AP_RND", "AP_SAT")


def test_calibrated_types_hold_the_margin_below_the_data_and_reach_exactly_32_bits():
    config = {"Model": {"Precision": {"default": "ap_fixed<32,6>", "result": "auto"}}}
    # data in [-1.9, 0.1]: with the 25 % margin the low end is -2.375, which needs 3 integer bits (with the sign)
    data = np.random.default_rng(2).uniform(-1.9, 0.1, size=(400, 1))
    data[0, 0], data[1, 0] = -1.9, 0.1
    x = convert(dense_model([[1.0]], [0.0]), config, calibrate=data).graph.input.result_type
    assert x.min_value <= -2.375 and x.integer == 3
    # data up to +-20 (+25 %: 25) at 26 fractional bits: exactly 32 bits
    wide = np.array([[-20.0], [20.0]])
    assert convert(dense_model([[1.0]], [0.0]), config, calibrate=wide).graph.input.result_type.width == 32
    with pytest.raises(Rtl4mlError, match=r"layer x: Precision result auto needs 33 bits for the values observed on "
                                          r"calibration data \(> 32 supported\); state a coarser LSB"):
        convert(dense_model([[1.0]], [0.0]), config, calibrate=wide * 2)


def test_cli_config_precision_auto_then_convert_with_calibration(tmp_path, capsys):
    model_path = BUNDLE / "model.h5"
    assert main(["config", str(model_path), "--precision", "auto", "-o", str(tmp_path / "auto.yml")]) == 0
    written = yaml.safe_load((tmp_path / "auto.yml").read_text())
    precision = written["Model"]["Precision"]
    assert precision["result"] == precision["accum"] == "auto" and "AP_RND_CONV" in precision["weight"]
    load_config(written)  # a valid config
    rng = np.random.default_rng(1)
    np.save(tmp_path / "cal.npy", rng.standard_normal((200, 16)))
    np.save(tmp_path / "bad.npy", rng.standard_normal((200, 15)))
    args = ["convert", str(model_path), "-c", str(tmp_path / "auto.yml"), "-o", str(tmp_path / "prj")]
    assert main(args + ["--calibrate", str(tmp_path / "cal.npy")]) == 0
    graph = rtl4ml.load_design(tmp_path / "prj").graph
    assert "calibrated on calibration file cal.npy (200 events)" in graph.derived_types["fc1"]
    assert main(args + ["--calibrate", str(tmp_path / "bad.npy"), "--force"]) == 2
    assert "calibration file bad.npy has shape (200, 15)" in capsys.readouterr().err


@pytest.mark.sim
def test_auto_types_are_bit_exact_in_rtl_and_csim(tmp_path):
    """The derived types (interval and calibrated: narrow, unsigned, saturating) are ordinary types to every
    backend: the harness and the C++ agree with the golden model, also on data beyond the calibration."""
    rng = np.random.default_rng(3)
    layers = [DenseSpec("fc1", "Dense", rng.normal(0, 0.6, (6, 8)), rng.normal(0, 0.3, 8)),
              ActivationSpec("relu1", "Activation", "relu"),
              DenseSpec("fc2", "Dense", rng.normal(0, 0.6, (8, 3)), rng.normal(0, 0.3, 3)),
              ActivationSpec("out", "Activation", "softmax")]
    model = ModelSpec("m", InputSpec("x", (6,)), layers)
    config = {"Model": {"Precision": {"default": "ap_fixed<14,4>", "weight": "ap_fixed<12,2,AP_RND_CONV>",
                                      "bias": "ap_fixed<12,2,AP_RND_CONV>", "result": "auto", "accum": "auto"}}}
    X = rng.normal(0, 2, size=(600, 6))
    for name, calibration in (("interval", None), ("calibrated", rng.normal(0, 1, size=(300, 6)))):
        named = {"LayerName": {"x": {"Precision": {"result": "ap_fixed<10,4>"}}}} if calibration is None else {}
        design = convert(model, config | named, calibrate=calibration)
        assert design.graph.derived_types["fc1"]
        design.write(tmp_path / name)
        assert design.simulate_bulk(X)["passed"], name
        assert design.csim(X)["passed"], name
