"""Bad inputs not covered elsewhere: each gets one clear line naming the culprit (see docs/bad_inputs.md)."""

import json

import numpy as np
import pytest

import rtl4ml
from rtl4ml.errors import Rtl4mlError

from conftest import BUNDLE, make_mlp


def test_truncated_h5_file(tmp_path):
    data = (BUNDLE / "model.h5").read_bytes()
    (tmp_path / "cut.h5").write_bytes(data[: len(data) // 2])
    with pytest.raises(Rtl4mlError, match="cut.h5: cannot read HDF5"):
        rtl4ml.convert(tmp_path / "cut.h5")


def test_architecture_and_weights_of_different_models(keras, tmp_path):
    make_mlp(keras, [4, 6, 3], ["relu", "linear"]).save_weights(str(tmp_path / "other.h5"))
    (tmp_path / "m.json").write_text(make_mlp(keras, [4, 5, 3], ["relu", "linear"]).to_json())
    with pytest.raises(Rtl4mlError, match="layer dense0 \\(Dense\\): kernel shape \\(4, 6\\) does not match"):
        rtl4ml.convert(tmp_path / "m.json", None, tmp_path / "other.h5")


def test_a_masking_layer_is_refused_by_name(keras):
    model = keras.Sequential([keras.Input(shape=(5, 3)), keras.layers.Masking(name="mask"),
                              keras.layers.LSTM(4, name="lstm"), keras.layers.Dense(2, name="d")])
    with pytest.raises(Rtl4mlError, match="layer mask \\(Masking\\): unsupported layer type 'Masking'"):
        rtl4ml.convert(model)


def test_reuse_factor_that_does_not_divide(keras):
    with pytest.raises(Rtl4mlError, match="layer dense0: ReuseFactor 7 does not divide its 12 multiplications"
                                          ".*nearest valid values: 3, 4, 6"):
        rtl4ml.convert(make_mlp(keras, [3, 4], ["linear"]), {"Model": {"ReuseFactor": 7}})


def test_very_large_model_is_refused_before_generation(keras):
    from rtl4ml.config import load_config
    from rtl4ml.frontends.spec import DenseSpec, InputSpec, ModelSpec
    from rtl4ml.ir.builder import build_ir

    spec = ModelSpec("big", InputSpec("x", 512), [DenseSpec("huge", "Dense", np.full((512, 256), 0.5), np.zeros(256))])
    graph = build_ir(spec, load_config(None))
    from rtl4ml.design import Design

    with pytest.raises(Rtl4mlError, match="model needs 131,072 parallel multipliers .*layer huge"):
        Design(graph).core
    # the same layer with each multiplier serving two weights is within the limit
    assert Design(build_ir(spec, load_config({"Model": {"ReuseFactor": 2}}))).core.interval == 2


@pytest.mark.parametrize("layer, message", [
    ("dense", r"layer d \(Dense\): its kernel has 5 rows, its input x has 4 values"),
    ("conv", r"layer c \(Conv1D\): its kernel \(3, 2, 1\) .* does not fit its input x of shape \(4,\)"),
    ("batchnorm", r"layer n \(BatchNormalization\): 3 scales and 3 shifts for the 4 channels of x"),
])
def test_a_layer_whose_weights_do_not_fit_its_input_is_refused(layer, message):
    """A framework-neutral spec is checked against its input's shape, not trusted (the golden model would fail
    later with a numpy error, or the hardware be built for other shapes)."""
    from rtl4ml.config import load_config
    from rtl4ml.frontends.spec import BatchNormSpec, ConvSpec, DenseSpec, InputSpec, ModelSpec
    from rtl4ml.ir.builder import build_ir

    specs = {"dense": DenseSpec("d", "Dense", np.ones((5, 2)), np.zeros(2)),
             "conv": ConvSpec("c", "Conv1D", np.ones((3, 2, 1)), np.zeros(1), (1,), "valid"),
             "batchnorm": BatchNormSpec("n", "BatchNormalization", np.ones(3), np.zeros(3))}
    with pytest.raises(Rtl4mlError, match=message):
        build_ir(ModelSpec("m", InputSpec("x", 4), [specs[layer]]), load_config(None))


@pytest.mark.sim
def test_layer_names_crafted_to_inject_code_stay_inert(keras, tmp_path):
    from rtl4ml.simulation.lint import lint_core

    evil = "a */ module evil; endmodule /*\n#include </etc/passwd>\n"
    model = make_mlp(keras, [3, 2], ["linear"])
    config = json.loads(model.to_json())
    config["config"]["layers"][1]["config"]["name"] = evil
    (tmp_path / "m.json").write_text(json.dumps(config))
    import h5py

    with h5py.File(tmp_path / "w.h5", "w") as handle:
        handle.attrs["layer_names"] = [evil.encode()]
        group = handle.create_group(evil.replace("/", "_"))
        group.attrs["weight_names"] = [b"k", b"b"]
        group["k"], group["b"] = np.ones((3, 2)), np.zeros(2)
        del handle.attrs["layer_names"]
        handle.attrs["layer_names"] = [evil.replace("/", "_").encode()]
    config["config"]["layers"][1]["config"]["name"] = evil.replace("/", "_")
    (tmp_path / "m.json").write_text(json.dumps(config))
    design = rtl4ml.convert(tmp_path / "m.json", None, tmp_path / "w.h5")
    design.write(tmp_path / "out")
    generated = [p for p in (tmp_path / "out").rglob("*") if p.suffix in (".v", ".h", ".cpp", ".tcl")]
    text = "".join(p.read_text() for p in generated)
    assert "*/ module evil" not in text and "\n#include </etc" not in text  # the comment cannot be closed
    assert lint_core(tmp_path / "out") == []  # and Verilator sees no extra module


def test_a_softmax_table_smaller_than_its_classes_is_refused(keras):
    model = make_mlp(keras, [4, 12], ["softmax"])
    with pytest.raises(Rtl4mlError, match="layer dense0_softmax: table_size 8 is smaller than the 12 values the "
                                          "softmax sums; give at least 16"):
        rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<16,6>"},
                               "LayerName": {"dense0_softmax": {"table_size": 8}}})


@pytest.mark.parametrize("activation, message", [
    ("softmax", r"layer act: its softmax log2 of the sum table of 8192 entries x 16 bits \(131072 bits\) is larger "
                r"than one Verilog constant may be \(65536 bits, Verilator's limit\)"),
    ("tanh", r"layer act: its tanh table of 8192 entries x 18 bits \(147456 bits\) is larger than one Verilog")])
def test_a_table_too_large_for_one_verilog_constant_is_refused_at_convert(keras, activation, message):
    model = keras.Sequential([keras.Input(shape=(4,), name="x"), keras.layers.Activation(activation, name="act")])
    config = {"Model": {"Precision": "ap_fixed<18,6>"}, "LayerName": {"act": {"table_size": 8192}}}
    with pytest.raises(Rtl4mlError, match=message):
        rtl4ml.convert(model, config)
