"""hls4ml-format configs: precedence, whole-project files, and clear refusals."""

import numpy as np
import pytest
import yaml

import rtl4ml
from rtl4ml.config import load_config
from rtl4ml.errors import Rtl4mlError
from rtl4ml.fixed_point import FixedType

from conftest import make_mlp


def test_precedence_is_model_then_layer_type_then_layer_name():
    config = load_config({"Model": {"Precision": "ap_fixed<16,6>"},
                          "LayerType": {"Dense": {"Precision": {"weight": "ap_fixed<8,2>"}}},
                          "LayerName": {"fc2": {"Precision": {"weight": "ap_fixed<4,1>", "result": "ap_fixed<10,4>"}}}})
    fc1 = config.resolve("fc1", ("Dense",))
    fc2 = config.resolve("fc2", ("Dense",))
    assert fc1.precision["weight"] == FixedType(8, 2) and fc1.precision["result"] == FixedType(16, 6)
    assert fc2.precision["weight"] == FixedType(4, 1) and fc2.precision["result"] == FixedType(10, 4)
    assert "accum" not in fc1.precision  # no accum given: the builder derives an exact one


def test_whole_hls4ml_project_config_is_accepted(shared_models):
    config = load_config(shared_models / "qkeras_3layer/qkeras_3layer_config.yml")
    assert config.project["ClockPeriod"] == 5 and config.project_name == "myproject"
    softmax = config.resolve("softmax", ("Softmax",))
    assert softmax.table_size == 1024


def test_qkeras_types_beat_model_defaults_but_not_explicit_layer_names(shared_models):
    models = shared_models / "qkeras_3layer"
    design = rtl4ml.convert(models / "qkeras_3layer.json", models / "qkeras_3layer_config.yml",
                            models / "qkeras_3layer_weights.h5")
    layers = {layer.name: layer for layer in design.graph.layers}
    assert layers["fc1"].weight_type == FixedType(6, 1)  # LayerName in the config (ap_fixed<6,1>)
    assert layers["relu1"].result_type == FixedType(7, 1, True, "AP_RND_CONV", "AP_SAT")
    assert design.graph.input.result_type == FixedType(16, 6)


@pytest.mark.parametrize("config, fragment", [
    ({"Model": {"Precision": "ap_fixed<0,0>"}}, "config Model, Precision: width 0"),
    ({"Model": {"ReuseFactor": 0}}, "config Model, ReuseFactor: 0 must be a positive"),
    ({"Model": {"Strategy": "Fastest"}}, "unknown strategy 'Fastest'"),
    ({"LayerName": {"fc1": {"Precision": {"weigth": "ap_fixed<8,2>"}}}}, "unknown precision field 'weigth'"),
    ({"Modle": {}}, "unknown section 'Modle'"),
    ({"LayerName": {"fc2": {"PipelineBudget": 0}}}, "config LayerName fc2, PipelineBudget: 0 must be a positive"),
    ({"Model": {"LutsPerDsp": -5}}, "config Model, LutsPerDsp: -5 must be a whole number >= 0"),
    ({"LayerType": {"Softmax": {"TableStyle": "sram"}}},
     "config LayerType Softmax, TableStyle: unknown table style 'sram'; use bram"),
    ([1, 2], "must be a mapping"),
    ({"Model": {"Precision": {"result": "ap_fixed<40,20>"}}},
     "config Model, Precision result: width 40 in 'ap_fixed<40,20>' is out of range; rtl4ml supports 1 to 32 bits"),
    ({"Model": {"Precision": {"accum": "ap_fixed<63,20>"}}}, "Precision accum: width 63 .* supports 1 to 62 bits"),
])
def test_bad_configs_name_the_field(config, fragment):
    with pytest.raises(Rtl4mlError, match=fragment):
        load_config(config)


def test_yaml_with_python_tags_is_refused(tmp_path):
    path = tmp_path / "evil.yml"
    path.write_text("Model: !!python/object/apply:os.system ['echo owned']\n")
    with pytest.raises(Rtl4mlError, match="not valid YAML"):
        load_config(path)


def test_config_that_names_no_layer_warns(keras):
    model = make_mlp(keras, [3, 2], ["linear"])
    with pytest.warns(UserWarning, match="LayerName 'dense9' matches no layer"):
        rtl4ml.convert(model, {"LayerName": {"dense9": {"Precision": "ap_fixed<8,3>"}}})


def test_config_from_keras_model_round_trips_through_yaml(keras, tmp_path):
    model = make_mlp(keras, [4, 3, 2], ["relu", "softmax"])
    config = rtl4ml.config_from_keras_model(model, granularity="name", precision="ap_fixed<12,4>")
    path = tmp_path / "c.yml"
    path.write_text(yaml.safe_dump(config))
    design = rtl4ml.convert(model, path)
    assert {layer.result_type for layer in design.graph.layers} == {FixedType(12, 4)}


def test_user_accumulator_that_can_overflow_is_refused_when_saturating(keras):
    model = make_mlp(keras, [8, 2], ["linear"], weight_scale=3)
    narrow = {"Model": {"Precision": {"default": "ap_fixed<8,3>", "accum": "ap_fixed<8,3,AP_TRN,AP_SAT>"}}}
    with pytest.raises(Rtl4mlError, match="layer dense0: accum precision .* can overflow"):
        rtl4ml.convert(model, narrow)
    wrapping = {"Model": {"Precision": {"default": "ap_fixed<8,3>", "accum": "ap_fixed<8,3>"}}}
    with pytest.warns(UserWarning, match="can overflow"):
        design = rtl4ml.convert(model, wrapping)
    assert design.predict(np.ones((1, 8))).shape == (1, 2)


def test_hls4ml_project_files_with_their_keras_model_tag_and_stable_softmax_are_read(tmp_path, keras):
    """hls4ml 1.x writes `KerasModel: !keras_model '...'` and `Strategy: Stable` on softmax layers."""
    path = tmp_path / "hls4ml_config.yml"
    path.write_text("KerasModel: !keras_model 'model.h5'\nIOType: io_parallel\nHLSConfig:\n"
                    "  Model: {Precision: 'fixed<16,6>', ReuseFactor: 1, Strategy: Latency}\n"
                    "  LayerName: {dense0_softmax: {Strategy: Stable}}\n")
    config = load_config(path)
    assert config.project["KerasModel"] == "model.h5"
    design = rtl4ml.convert(make_mlp(keras, [3, 4], ["softmax"]), config)
    assert design.graph.layers[-1].kind == "softmax"
    path.write_text("KerasModel: !keras_layer 'model.h5'\nHLSConfig: {Model: {Precision: 'ap_fixed<16,6>'}}\n")
    with pytest.raises(Rtl4mlError, match="not valid YAML"):  # every other tag stays refused
        load_config(path)
