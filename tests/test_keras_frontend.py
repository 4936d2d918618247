"""The Keras/QKeras frontend reads every container format, matches Keras numerically, and refuses what it cannot build."""

import json

import numpy as np
import pytest

import rtl4ml
from rtl4ml.errors import Rtl4mlError
from rtl4ml.fixed_point import FixedType, quantize_float, to_float
from rtl4ml.frontends.keras_model import load_keras_model
from rtl4ml.frontends.spec import DenseSpec
from rtl4ml.frontends.qkeras_quantizers import activation_quantizer, weight_quantizer_type
from rtl4ml.ir.layers.table_activation import TABLE_RANGE

from conftest import make_mlp

WIDE = {"Model": {"Precision": "ap_fixed<32,12,AP_RND_CONV,AP_SAT>"}}  # close to float, to compare with Keras


def test_reference_float_model_converts_from_keras2_json(shared_models):
    spec = load_keras_model(shared_models / "keras_3layer/KERAS_3layer.json",
                            shared_models / "keras_3layer/KERAS_3layer_weights.h5")
    assert spec.input.size == 16
    assert [type(layer).__name__ for layer in spec.layers] == ["DenseSpec", "ActivationSpec"] * 4
    assert [layer.kernel.shape for layer in spec.layers if isinstance(layer, DenseSpec)] == \
        [(16, 64), (64, 32), (32, 32), (32, 5)]


def test_reference_qkeras_model_gets_its_quantizer_types(shared_models):
    spec = load_keras_model(shared_models / "qkeras_3layer/qkeras_3layer.json",
                            shared_models / "qkeras_3layer/qkeras_3layer_weights.h5")
    dense = [layer for layer in spec.layers if isinstance(layer, DenseSpec)]
    assert all(layer.kernel_type == FixedType(6, 1, True, "AP_RND_CONV", "AP_SAT") for layer in dense)
    relu = spec.layers[1]
    assert relu.function == "relu" and relu.result_type == FixedType(6, 0, False, "AP_RND_CONV", "AP_SAT")


@pytest.mark.parametrize("spec, expected", [
    ({"class_name": "quantized_bits", "config": {"bits": 6, "integer": 0, "alpha": 1}}, FixedType(6, 1, True, "AP_RND_CONV", "AP_SAT")),
    ("quantized_bits(4,1,1,alpha=1)", FixedType(4, 2, True, "AP_RND_CONV", "AP_SAT_SYM")),
    ("quantized_bits(8, 3, keep_negative=False)", FixedType(8, 3, False, "AP_RND_CONV", "AP_SAT")),
])
def test_quantized_bits_maps_to_exact_fixed_point_type(spec, expected):
    assert weight_quantizer_type(spec, "layer q") == expected


def test_quantizer_emulation_is_bit_exact_with_qkeras():
    qkeras = pytest.importorskip("qkeras")
    values = np.linspace(-2.2, 2.2, 4001).astype(np.float32)
    for bits, integer in ((6, 0), (4, 1), (8, 2)):
        ours = to_float(quantize_float(values, weight_quantizer_type(f"quantized_bits({bits},{integer},alpha=1)", "q")),
                        bits - 1 - integer)
        assert np.array_equal(ours, np.asarray(qkeras.quantized_bits(bits, integer, alpha=1)(values)))
        function, _, relu_type = activation_quantizer(f"quantized_relu({bits},{integer})", "r")
        ours = to_float(quantize_float(np.maximum(values, 0), relu_type), relu_type.frac)
        assert function == "relu"
        assert np.array_equal(ours, np.asarray(qkeras.quantized_relu(bits, integer)(values)))


@pytest.mark.parametrize("container", ["h5", "keras", "json"])
def test_every_container_format_gives_the_same_design(keras, tmp_path, container):
    model = make_mlp(keras, [5, 7, 3], ["relu", "softmax"], seed=3)
    if container == "json":
        (tmp_path / "m.json").write_text(model.to_json())
        model.save_weights(str(tmp_path / "w.h5"))
        design = rtl4ml.convert(tmp_path / "m.json", WIDE, tmp_path / "w.h5")
    else:
        model.save(str(tmp_path / f"m.{container}"))
        design = rtl4ml.convert(tmp_path / f"m.{container}", WIDE)
    X = np.random.default_rng(0).normal(size=(200, 5))
    np.testing.assert_allclose(design.predict(X), model.predict(X, verbose=0), atol=2e-3)
    in_memory = rtl4ml.convert(model, WIDE)
    assert np.array_equal(in_memory.predict_codes(X), design.predict_codes(X))


def test_batchnorm_is_folded_into_the_dense_before_it(keras):
    model = make_mlp(keras, [4, 6, 3], ["relu", "linear"], seed=5, batchnorm=True)
    design = rtl4ml.convert(model, WIDE)
    assert [layer.kind for layer in design.graph.layers] == ["dense", "activation", "dense", "activation"]
    X = np.random.default_rng(1).normal(size=(300, 4))
    np.testing.assert_allclose(design.predict(X), model.predict(X, verbose=0), atol=2e-3)


def test_functional_model_with_dropout_and_relu_layer(keras):
    inputs = keras.Input(shape=(3,))
    x = keras.layers.Dense(4, name="d1")(inputs)
    x = keras.layers.ReLU(name="r1")(x)
    x = keras.layers.Dropout(0.5)(x)
    outputs = keras.layers.Dense(2, activation="sigmoid", name="d2")(x)
    model = keras.Model(inputs, outputs)
    design = rtl4ml.convert(model, WIDE)
    assert [layer.kind for layer in design.graph.layers] == ["dense", "activation", "dense", "table_activation"]
    X = np.random.default_rng(2).normal(size=(100, 3))
    np.testing.assert_allclose(design.predict(X), model.predict(X, verbose=0), atol=5e-3)


def test_lambda_layers_are_refused_without_loading_them(keras, tmp_path):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, name="d"),
                              keras.layers.Lambda(lambda t: t * 2, name="double")])
    (tmp_path / "m.json").write_text(model.to_json())
    model.save_weights(str(tmp_path / "w.h5"))
    with pytest.raises(Rtl4mlError, match="layer double \\(Lambda\\).*execute code"):
        rtl4ml.convert(tmp_path / "m.json", None, tmp_path / "w.h5")


@pytest.mark.parametrize("layer_json, fragment", [
    ({"class_name": "Conv3D", "config": {"name": "conv"}}, "layer conv \\(Conv3D\\): unsupported layer type"),
    ({"class_name": "Conv2D", "config": {"name": "conv"}}, "layer conv \\(Conv2D\\): input shape \\[2\\] does not have 2 "
     "spatial axes"),
    ({"class_name": "Activation", "config": {"name": "act", "activation": "swish"}}, "unsupported activation 'swish'"),
    ({"class_name": "MyCustomLayer", "config": {"name": "mine"}}, "unsupported layer type 'MyCustomLayer'"),
])
def test_unsupported_layers_are_named_in_the_error(tmp_path, layer_json, fragment):
    architecture = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [None, 3]}},
        {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "linear", "use_bias": True}},
        layer_json]}}
    (tmp_path / "m.json").write_text(json.dumps(architecture))
    import h5py

    with h5py.File(tmp_path / "w.h5", "w") as handle:
        handle.attrs["layer_names"] = [b"d"]
        group = handle.create_group("d")
        group.attrs["weight_names"] = [b"d/kernel:0", b"d/bias:0"]
        group["d/kernel:0"] = np.ones((3, 2))
        group["d/bias:0"] = np.zeros(2)
    with pytest.raises(Rtl4mlError, match=fragment):
        rtl4ml.convert(tmp_path / "m.json", None, tmp_path / "w.h5")


def test_missing_weights_and_bad_files_give_one_line_errors(keras, tmp_path):
    model = make_mlp(keras, [3, 2], ["linear"])
    (tmp_path / "m.json").write_text(model.to_json())
    with pytest.raises(Rtl4mlError, match="needs its weights file"):
        rtl4ml.convert(tmp_path / "m.json")
    import h5py

    with h5py.File(tmp_path / "empty.h5", "w") as handle:
        handle.attrs["layer_names"] = []
    with pytest.raises(Rtl4mlError, match="layer dense0 \\(Dense\\): expected 2 weight arrays, found 0"):
        rtl4ml.convert(tmp_path / "m.json", None, tmp_path / "empty.h5")
    (tmp_path / "broken.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"garbage" * 10)
    with pytest.raises(Rtl4mlError, match="cannot read HDF5"):
        rtl4ml.convert(tmp_path / "broken.h5")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(Rtl4mlError, match="not valid Keras JSON"):
        rtl4ml.convert(tmp_path / "bad.json", None, tmp_path / "empty.h5")


def test_functional_models_with_merges_and_two_outputs_equal_keras_exactly(keras):
    """Branches, Add/Subtract/Multiply/Concatenate/Dot and two outputs, on integer weights and inputs."""
    rng = np.random.default_rng(4)
    inputs = keras.Input(shape=(4,), name="x")
    a = keras.layers.Dense(3, activation="relu", name="a")(inputs)
    b = keras.layers.Dense(3, name="b")(inputs)
    c = keras.layers.Dense(3, name="c")(keras.layers.Dropout(0.5)(a))
    total = keras.layers.Add(name="total")([a, b])
    diff = keras.layers.Subtract(name="diff")([total, c])
    prod = keras.layers.Multiply(name="prod")([diff, b])
    joined = keras.layers.Concatenate(name="joined")([prod, inputs])
    head = keras.layers.Dense(2, name="head")(joined)
    score = keras.layers.Dot(axes=1, name="score")([diff, diff])
    model = keras.Model(inputs, [head, score])
    for layer in model.layers:
        if layer.get_weights():
            layer.set_weights([rng.integers(-3, 4, size=w.shape).astype(np.float32) for w in layer.get_weights()])
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<24,24>"}})  # integers, exactly
    graph = design.graph
    assert graph.outputs == ("head", "score")
    assert dict((layer.name, layer.inputs) for layer in graph.layers)["diff"] == ("total", "c")
    X = rng.integers(-4, 5, size=(200, 4)).astype(np.float64)
    head_keras, score_keras = model.predict(X, verbose=0)
    assert np.array_equal(design.predict(X), np.concatenate([head_keras, score_keras], axis=1).astype(np.float64))


@pytest.mark.parametrize("build, fragment", [
    (lambda k, x: k.layers.Average(name="avg")([k.layers.Dense(2)(x), k.layers.Dense(2)(x), k.layers.Dense(2)(x)]),
     r"layer avg \(Average\): has 3 inputs; merges of exactly two inputs are supported"),
    (lambda k, x: k.layers.Dot(axes=1, normalize=True, name="cos")([k.layers.Dense(2)(x), k.layers.Dense(2)(x)]),
     r"layer cos \(Dot\): normalize=True"),
])
def test_unsupported_or_incompatible_merges_are_refused_in_one_line(keras, build, fragment):
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, build(keras, inputs))
    with pytest.raises(Rtl4mlError, match=fragment):
        rtl4ml.convert(model)


def test_a_qactivation_quantizing_the_input_gives_the_input_its_type_and_qkeras_outputs():
    """A QKeras model whose first layer quantizes the input (QActivation(quantized_bits)) converts: the input bus
    gets the quantizer's type (unless the config names the input's type), so real inputs give QKeras's outputs."""
    qkeras = pytest.importorskip("qkeras")
    from tf_keras import Input, Sequential

    model = Sequential([Input(shape=(8,), name="x"), qkeras.QActivation("quantized_bits(8,2,alpha=1)", name="qin"),
                        qkeras.QDense(4, kernel_quantizer="quantized_bits(6,0,alpha=1)",
                                      bias_quantizer="quantized_bits(6,2,alpha=1)", name="fc"),
                        qkeras.QActivation("quantized_relu(6,2)", name="relu")])
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(0, 0.6, w.shape).astype(np.float32) for w in model.get_weights()])
    X = rng.normal(0, 3, size=(400, 8)).astype(np.float32).astype(np.float64)
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<16,6>"}})
    assert design.graph.input.result_type == FixedType(8, 3, True, "AP_RND_CONV", "AP_SAT")
    assert np.array_equal(design.predict(X), model.predict(X, verbose=0).astype(np.float64))
    named = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<16,6>"},
                                   "LayerName": {"x": {"Precision": {"result": "ap_fixed<12,4>"}}}})
    assert named.graph.input.result_type == FixedType(12, 4)
    assert [layer.kind for layer in named.graph.layers][0] == "activation"  # the quantizer stays a layer


def test_an_activation_may_read_the_model_input(keras):
    model = keras.Sequential([keras.Input(shape=(6,), name="x"), keras.layers.Activation("relu", name="r"),
                              keras.layers.Dense(3, name="d")])
    design = rtl4ml.convert(model, WIDE)
    X = np.random.default_rng(2).normal(size=(50, 6))
    assert np.allclose(design.predict(X), model.predict(X, verbose=0), atol=1e-4)


def test_relu1_is_relu_clipped_at_one(keras, tmp_path):
    """relu1 (hls4ml's name) in a model file: ReLU with max_value 1."""
    model = keras.Sequential([keras.Input(shape=(4,), name="x"), keras.layers.Dense(4, activation="relu6", name="d")])
    model.set_weights([np.eye(4, dtype=np.float32) * 3, np.zeros(4, np.float32)])
    (tmp_path / "m.json").write_text(model.to_json().replace('"relu6"', '"relu1"'))
    model.save_weights(tmp_path / "m.weights.h5")
    design = rtl4ml.convert(str(tmp_path / "m.json"), WIDE, weights=str(tmp_path / "m.weights.h5"))
    X = np.array([[-1.0, 0.125, 0.25, 2.0]])
    assert np.array_equal(design.predict(X), np.clip(3 * X, 0, 1))


def test_hls4ml_table_precision_rounds_the_entries_before_the_result_type(keras):
    """hls4ml's `table` precision (table_t): each sigmoid entry rounded to the table type first, then converted to
    the result type; layers without a table accept and ignore it, as hls4ml does."""
    model = keras.Sequential([keras.Input(shape=(4,), name="x"), keras.layers.Dense(4, activation="relu", name="d"),
                              keras.layers.Activation("sigmoid", name="s")])
    plain = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<16,6>"}})
    tabled = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<16,6>", "table": "ap_fixed<6,1>"}}})
    before, after = (next(layer for layer in d.graph.layers if layer.kind == "table_activation")
                     for d in (plain, tabled))
    size, reach = len(before.table), TABLE_RANGE["sigmoid"]
    sigmoid = 1 / (1 + np.exp(-(-reach + (np.arange(size) + 0.5) * 2 * reach / size)))
    assert np.array_equal(before.table, np.floor(sigmoid * 2 ** 10).astype(np.int64))  # once, to the result type
    # the table type ap_fixed<6,1> truncates to 5 fractional bits; the 10-bit result holds that exactly
    assert np.array_equal(after.table, (np.floor(sigmoid * 2 ** 5) * 2 ** 5).astype(np.int64))
    with pytest.raises(Rtl4mlError, match="auto applies to result, accum, .* only"):
        rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<16,6>", "table": "auto"}}})
