"""Layers over shaped tensors: convolutions (Conv1D/Conv2D, their QKeras twins, QConv2DBatchnorm), average and max
pooling (windows and global), zero padding, standalone BatchNormalization and Flatten/Reshape. Keras's own float
output on exactly representable models, an independent loop reference, bit-exact RTL and HLS C++, and one-line
refusals."""

import json
import warnings

import numpy as np
import pytest

import reference_model
import rtl4ml
from rtl4ml.errors import Rtl4mlError

# integer inputs and weights, sums far below 2**24: Keras's float32 arithmetic is exact
EXACT_CONFIG = {"Model": {"Precision": {"default": "ap_fixed<24,24>", "weight": "ap_fixed<4,4>",
                                        "bias": "ap_fixed<6,6>"}},
                "LayerName": {"image": {"Precision": {"result": "ap_fixed<6,6>"}}}}


def _integer_weights(model, seed: int):
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            layer.set_weights([rng.integers(-8, 8, size=w.shape).astype(np.float32) for w in weights])


CONVOLUTIONS = [  # (input shape, Keras layer arguments)
    ((9, 3), dict(kind="Conv1D", filters=4, kernel_size=3, strides=1, padding="valid")),
    ((9, 3), dict(kind="Conv1D", filters=2, kernel_size=4, strides=2, padding="same")),  # even kernel, odd pad after
    ((8, 2), dict(kind="Conv1D", filters=3, kernel_size=1, strides=1, padding="valid", use_bias=False)),  # pointwise
    ((6, 5, 2), dict(kind="Conv2D", filters=3, kernel_size=(2, 3), strides=(1, 2), padding="same")),
    ((7, 6, 1), dict(kind="Conv2D", filters=4, kernel_size=2, strides=2, padding="valid", use_bias=False)),
    ((5, 5, 3), dict(kind="Conv2D", filters=2, kernel_size=(4, 2), strides=(3, 1), padding="same")),
]


def _conv_model(keras, shape, arguments, seed=0):
    arguments = dict(arguments)
    layer = getattr(keras.layers, arguments.pop("kind"))(name="conv", activation="relu", **arguments)
    model = keras.Sequential([keras.Input(shape=shape, name="image"), layer, keras.layers.Flatten(name="flat"),
                              keras.layers.Dense(3, name="out")])
    _integer_weights(model, seed)
    return model


@pytest.mark.parametrize("shape, arguments", CONVOLUTIONS)
def test_convolutions_equal_keras_exactly_on_representable_models(keras, shape, arguments):
    model = _conv_model(keras, shape, arguments)
    design = rtl4ml.convert(model, EXACT_CONFIG)
    assert [layer.kind for layer in design.graph.layers] == ["conv", "activation", "reshape", "dense"]
    X = np.random.default_rng(1).integers(-32, 32, size=(64,) + shape).astype(np.float64)
    assert np.array_equal(design.predict(X), model.predict(X, verbose=0).astype(np.float64))
    # and the flattened batch is the same batch (row-major over the spatial axes, then channels)
    assert np.array_equal(design.predict(X.reshape(64, -1)), design.predict(X))


@pytest.mark.parametrize("shape, arguments", CONVOLUTIONS)
def test_convolutions_equal_an_independent_loop_reference_in_narrow_types(keras, shape, arguments):
    model = _conv_model(keras, shape, arguments, seed=3)
    model.layers[0].set_weights([w * 0.37 for w in model.layers[0].get_weights()])
    narrow = {"Model": {"Precision": {"default": "ap_fixed<8,3,AP_RND_CONV,AP_SAT>", "result": "ap_fixed<7,2>",
                                      "accum": "ap_fixed<12,4>"}}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the narrow accumulator may wrap: that is what is checked
        design = rtl4ml.convert(model, narrow)
    X = np.random.default_rng(2).normal(0, 2, size=(20,) + shape)
    want = [reference_model.run(design.graph, row) for row in X.reshape(20, -1)]
    assert np.array_equal(design.predict_codes(X), np.array(want))


def test_qkeras_convolutions_take_their_quantizers_and_equal_qkeras(qkeras_layers, keras):
    quantizers = qkeras_layers.quantizers
    model = keras.Sequential([
        keras.Input(shape=(6, 6, 2), name="image"),
        qkeras_layers.QConv2D(3, 3, padding="same", name="qconv",
                              kernel_quantizer=quantizers.quantized_bits(5, 0, alpha=1),
                              bias_quantizer=quantizers.quantized_bits(5, 0, alpha=1)),
        keras.layers.Flatten(name="flat")])
    rng = np.random.default_rng(4)
    model.layers[0].set_weights([rng.uniform(-1, 1, (3, 3, 2, 3)), rng.uniform(-1, 1, 3)])
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<24,12>"},
                                    "LayerName": {"image": {"Precision": {"result": "ap_fixed<8,4>"}}}})
    conv = design.graph.layers[0]
    assert str(conv.weight_type).startswith("ap_fixed<5,1,") and conv.kernel_size == (3, 3)
    X = np.clip(np.round(rng.normal(0, 2, size=(32, 6, 6, 2)) * 16) / 16, -8, 7.9375)  # codes of ap_fixed<8,4>
    assert np.array_equal(design.predict(X), model.predict(X, verbose=0).astype(np.float64))


def test_qkeras_conv2d_batchnorm_is_folded_as_qkeras_infers_and_equals_it(qkeras_layers, keras, tmp_path):
    """QConv2DBatchnorm outside training: the batch norm's moving statistics folded into kernel and bias, which
    the layer's quantizers then quantize; from the model in memory and from its files alike."""
    quantizers = qkeras_layers.quantizers
    model = keras.Sequential([
        keras.Input(shape=(5, 5, 2), name="image"),
        qkeras_layers.QConv2DBatchnorm(3, 2, name="qconvbn", kernel_quantizer=quantizers.quantized_bits(6, 1, alpha=1),
                                       bias_quantizer=quantizers.quantized_bits(8, 3, alpha=1)),
        keras.layers.Flatten(name="flat")])
    layer = model.layers[0]
    rng = np.random.default_rng(5)
    # kernel, bias, gamma, beta, iteration, moving mean, moving variance (variances make 1/sqrt exact: 2, 1, 0.5)
    layer.set_weights([rng.uniform(-1, 1, (2, 2, 2, 3)), rng.uniform(-1, 1, 3), np.array([1.0, 0.5, 2.0]),
                       np.array([0.25, -0.5, 0.0]), np.array(0), np.array([0.5, -1.0, 0.25]),
                       np.array([0.25, 1.0, 4.0]) - 1e-3])
    config = {"Model": {"Precision": "ap_fixed<24,12>"},
              "LayerName": {"image": {"Precision": {"result": "ap_fixed<8,4>"}}}}
    design = rtl4ml.convert(model, config)
    conv = design.graph.layers[0]
    assert conv.kind == "conv" and str(conv.weight_type).startswith("ap_fixed<6,2,")
    X = np.clip(np.round(rng.normal(0, 2, size=(32, 5, 5, 2)) * 16) / 16, -8, 7.9375)  # codes of ap_fixed<8,4>
    want = model.predict(X, verbose=0).astype(np.float64)
    assert np.array_equal(design.predict(X), want)
    (tmp_path / "m.json").write_text(model.to_json())
    model.save_weights(str(tmp_path / "w.h5"))
    assert np.array_equal(rtl4ml.convert(tmp_path / "m.json", config, tmp_path / "w.h5").predict(X), want)


@pytest.fixture(scope="module")
def qkeras_layers(keras):
    return pytest.importorskip("qkeras")


@pytest.mark.sim
def test_a_calorimeter_cnn_is_bit_exact_in_rtl_and_csim_at_ii_1(keras, tmp_path):
    """The shape of the Level-1 calorimeter anomaly detector, on a smaller image: unsigned 10-bit input,
    Conv2D 2x2 stride 2 without bias -> ReLU -> Flatten -> Dense -> ReLU -> Dense 1."""
    model = keras.Sequential([
        keras.Input(shape=(6, 4, 1), name="image"),
        keras.layers.Conv2D(4, 2, strides=2, use_bias=False, name="conv"), keras.layers.ReLU(name="relu1"),
        keras.layers.Flatten(name="flat"), keras.layers.Dense(8, name="fc1"), keras.layers.ReLU(name="relu2"),
        keras.layers.Dense(1, name="score")])
    config = {"Model": {"Precision": {"default": "ap_fixed<16,6>", "weight": "ap_fixed<12,4>",
                                      "bias": "ap_fixed<12,4>", "result": "ap_ufixed<10,6>"}},
              "LayerName": {"image": {"Precision": {"result": "ap_ufixed<10,10>"}},
                            "score": {"Precision": {"result": "ap_fixed<16,8>"}}}}
    design = rtl4ml.convert(model, config)
    assert design.interval == 1 and design.latency <= 6
    rng = np.random.default_rng(5)
    X = rng.integers(0, 1024, size=(400, 6, 4, 1)).astype(np.float64)
    X[rng.random(X.shape) < 0.6] = 0  # sparse deposits
    design.write(tmp_path / "calo")
    bulk = design.simulate_bulk(X, idle=0.2, backpressure=0.2)
    assert bulk["events"] == 400 and bulk["mismatches"] == 0 and not bulk["protocol_errors"]
    assert bulk["LatencyMin"] == design.latency and bulk["IntervalMin"] == 1  # (backpressure stretches the max)
    assert design.csim(X)["mismatches"] == 0
    meta = json.loads((tmp_path / "calo" / "rtl" / "core.json").read_text())
    assert meta["n_in"] == 24 and [layer["name"] for layer in meta["layers"]] == \
        ["image", "relu1", "relu2", "score"]  # conv + relu fused; Flatten is wiring, no module


@pytest.mark.parametrize("layer, fragment", [
    (dict(kind="Conv1D", filters=2, kernel_size=2, padding="causal"), "layer conv \\(Conv1D\\): padding 'causal' is "
     "not supported; use 'valid' or 'same'"),
    (dict(kind="Conv1D", filters=2, kernel_size=2, dilation_rate=2),
     "layer conv \\(Conv1D\\): dilation_rate \\[2\\] is not supported"),
    (dict(kind="Conv1D", filters=2, kernel_size=2, groups=2), "layer conv \\(Conv1D\\): groups 2 is not supported"),
    (dict(kind="Conv1D", filters=2, kernel_size=2, data_format="channels_first"), "layer conv \\(Conv1D\\): "
     "data_format 'channels_first' is not supported; rtl4ml takes channels_last"),
])
def test_convolutions_it_cannot_build_are_refused_in_one_line(keras, tmp_path, layer, fragment):
    arguments = dict(layer)
    conv = getattr(keras.layers, arguments.pop("kind"))(name="conv", **arguments)
    model = keras.Sequential([keras.Input(shape=(8, 2), name="x"), conv, keras.layers.Flatten(name="flat"),
                              keras.layers.Dense(1, name="out")]) if "channels_first" not in str(layer) else None
    if model is None:  # Keras cannot run channels_first on CPU; the file is what a user would bring
        model = keras.Sequential([keras.Input(shape=(2, 8), name="x"), conv])
    (tmp_path / "m.json").write_text(model.to_json())
    model.save_weights(str(tmp_path / "w.h5"))
    with pytest.raises(Rtl4mlError, match=fragment) as error:
        rtl4ml.convert(tmp_path / "m.json", None, tmp_path / "w.h5")
    assert "\n" not in str(error.value)


POOLINGS = [  # (input shape, Keras layer)
    ((8, 3), lambda k: k.layers.GlobalAveragePooling1D(name="pool")),
    ((6, 5, 2), lambda k: k.layers.GlobalAveragePooling2D(name="pool")),
    ((6, 5, 2), lambda k: k.layers.GlobalAveragePooling2D(name="pool", keepdims=True)),
    ((9, 2), lambda k: k.layers.AveragePooling1D(3, name="pool")),
    ((7, 2), lambda k: k.layers.AveragePooling1D(2, strides=1, padding="same", name="pool")),
    ((6, 6, 2), lambda k: k.layers.AveragePooling2D(2, name="pool")),
    ((5, 7, 1), lambda k: k.layers.AveragePooling2D((2, 3), strides=(2, 2), padding="same", name="pool")),
]


@pytest.mark.parametrize("shape, pooling", POOLINGS)
def test_average_pooling_equals_keras_exactly_where_the_windows_are_powers_of_two(keras, shape, pooling):
    """Keras divides by the number of real (not padded) inputs in each window; so does rtl4ml, exactly when that
    number is a power of two (1/n has 18 fractional bits), and to about n * 2**-19 relative otherwise."""
    model = keras.Sequential([keras.Input(shape=shape, name="image"), pooling(keras),
                              keras.layers.Flatten(name="flat")])
    config = {"Model": {"Precision": {"default": "ap_fixed<32,9,AP_RND>"}},
              "LayerName": {"image": {"Precision": {"result": "ap_fixed<8,8>"}}}}
    design = rtl4ml.convert(model, config)
    X = np.random.default_rng(6).integers(-100, 100, size=(40,) + shape).astype(np.float64)
    want = model.predict(X, verbose=0).astype(np.float64)
    got = design.predict(X)
    assert np.all(np.abs(got - want) <= np.abs(want) * 2.0**-12 + 2.0**-20)  # windows of <= 30: |1/n error| <= 2**-19
    windows = design.graph.layers[0].reciprocals()
    exact = np.isin(windows, [2**18 >> k for k in range(19)])  # 1/1, 1/2, 1/4, ...
    per_output = np.repeat(exact, shape[-1])
    assert np.array_equal(got[:, per_output], want[:, per_output])


def test_standalone_batchnorm_on_the_input_equals_keras_and_folds_after_a_dense(keras):
    inputs = keras.Input(shape=(8, 3), name="constituents")
    model = keras.Sequential([inputs, keras.layers.BatchNormalization(name="norm"),
                              keras.layers.Conv1D(4, 1, name="phi"), keras.layers.BatchNormalization(name="folded"),
                              keras.layers.GlobalAveragePooling1D(name="pool")])
    model.layers[0].set_weights([np.array([1.0, 2.0, 0.5]), np.array([0.0, 1.0, -1.0]), np.array([1.0, 0.0, 2.0]),
                                 np.array([1.0, 4.0, 0.25]) - 1e-3])  # scale 1, 1, 1 and shift -1, 1, -3
    model.layers[1].set_weights([np.full((1, 3, 4), 1.0), np.zeros(4)])
    model.layers[2].set_weights([np.full(4, 2.0), np.zeros(4), np.zeros(4), np.full(4, 1.0 - 1e-3)])
    design = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<24,12,AP_RND>"}},
                                    "LayerName": {"constituents": {"Precision": {"result": "ap_fixed<8,8>"}}}})
    assert [layer.kind for layer in design.graph.layers] == ["batchnorm", "conv", "average_pooling"]
    X = np.random.default_rng(7).integers(-50, 50, size=(30, 8, 3)).astype(np.float64)
    assert np.array_equal(design.predict(X), model.predict(X, verbose=0).astype(np.float64))


MAX_POOLINGS_AND_PADDINGS = [  # (input shape, Keras layer)
    ((9, 2), lambda k: k.layers.MaxPooling1D(3, name="pool")),
    ((7, 2), lambda k: k.layers.MaxPooling1D(2, strides=1, padding="same", name="pool")),
    ((6, 6, 2), lambda k: k.layers.MaxPooling2D(2, name="pool")),
    ((5, 7, 1), lambda k: k.layers.MaxPooling2D((2, 3), strides=(2, 2), padding="same", name="pool")),
    ((8, 3), lambda k: k.layers.GlobalMaxPooling1D(name="pool")),
    ((4, 5, 2), lambda k: k.layers.GlobalMaxPooling2D(name="pool", keepdims=True)),
    ((5, 2), lambda k: k.layers.ZeroPadding1D((1, 2), name="pad")),
    ((3, 4, 2), lambda k: k.layers.ZeroPadding2D(((1, 0), (2, 1)), name="pad")),
    ((3, 3, 1), lambda k: k.layers.ZeroPadding2D(1, name="pad")),
]


@pytest.mark.parametrize("shape, layer", MAX_POOLINGS_AND_PADDINGS)
def test_max_pooling_and_zero_padding_equal_keras_and_the_loop_reference(keras, shape, layer):
    """Keras's float output exactly on integer inputs; the loop reference in a narrow rounding, saturating result type
    (max pooling converts the window's maximum; padding keeps the input type)."""
    model = keras.Sequential([keras.Input(shape=shape, name="image"), layer(keras), keras.layers.Flatten(name="flat")])
    rng = np.random.default_rng(8)
    wide = {"Model": {"Precision": {"default": "ap_fixed<16,16>"}},
            "LayerName": {"image": {"Precision": {"result": "ap_fixed<8,8>"}}}}
    X = rng.integers(-100, 100, size=(40,) + shape).astype(np.float64)
    assert np.array_equal(rtl4ml.convert(model, wide).predict(X), model.predict(X, verbose=0).astype(np.float64))
    narrow = {"Model": {"Precision": {"default": "ap_ufixed<5,2,AP_RND,AP_SAT>"}},
              "LayerName": {"image": {"Precision": {"result": "ap_fixed<8,3>"}}}}
    design = rtl4ml.convert(model, narrow)
    X = rng.normal(0, 2, size=(40,) + shape)
    want = [reference_model.run(design.graph, row) for row in X.reshape(40, -1)]
    assert np.array_equal(design.predict_codes(X), np.array(want))


@pytest.mark.sim
def test_zero_padding_convolution_and_max_pooling_are_bit_exact_in_rtl_and_csim(keras, tmp_path):
    """ZeroPadding2D -> Conv2D -> ReLU -> MaxPooling2D 'same' (border windows of fewer inputs), then a global
    max and an overlapping 3x3 max side by side (Concatenate) -> Dense: golden = Verilog (with stalls) = HLS C++."""
    x = keras.Input(shape=(5, 4, 2), name="image")
    h = keras.layers.ZeroPadding2D(((1, 0), (2, 1)), name="pad")(x)
    h = keras.layers.Conv2D(3, 2, activation="relu", name="conv")(h)
    h = keras.layers.MaxPooling2D(2, padding="same", name="pool")(h)
    glob = keras.layers.GlobalMaxPooling2D(name="global")(h)
    local = keras.layers.Flatten(name="flat")(keras.layers.MaxPooling2D(2, strides=1, name="overlap")(h))
    model = keras.Model(x, keras.layers.Dense(2, name="out")(keras.layers.Concatenate(name="both")([glob, local])))
    config = {"Model": {"Precision": {"default": "ap_fixed<12,5>"}},
              "LayerName": {"pool": {"Precision": {"result": "ap_ufixed<6,3,AP_RND,AP_SAT>"}}}}
    design = rtl4ml.convert(model, config)
    assert [layer.kind for layer in design.graph.layers][:4] == ["zero_padding", "conv", "activation", "max_pooling"]
    X = np.random.default_rng(9).normal(0, 1, size=(300, 5, 4, 2))
    design.write(tmp_path / "prj")
    bulk = design.simulate_bulk(X, idle=0.2, backpressure=0.2)
    assert bulk["events"] == 300 and bulk["mismatches"] == 0 and not bulk["protocol_errors"]
    assert bulk["LatencyMin"] == design.latency and bulk["IntervalMin"] == design.interval == 1
    assert design.csim(X)["mismatches"] == 0


def test_zero_padding_it_cannot_build_is_refused_in_one_line(keras, tmp_path):
    model = keras.Sequential([keras.Input(shape=(2, 4, 4), name="x"),
                              keras.layers.ZeroPadding2D(1, data_format="channels_first", name="pad")])
    (tmp_path / "m.json").write_text(model.to_json())
    model.save_weights(str(tmp_path / "w.h5"))
    with pytest.raises(Rtl4mlError, match="layer pad \\(ZeroPadding2D\\): data_format 'channels_first' is not "
                                          "supported; rtl4ml takes channels_last") as error:
        rtl4ml.convert(tmp_path / "m.json", None, tmp_path / "w.h5")
    assert "\n" not in str(error.value)
    padded = keras.Sequential([keras.Input(shape=(4, 4, 2), name="x"), keras.layers.ZeroPadding2D(1, name="pad")])
    config = {"LayerName": {"pad": {"Precision": {"result": "ap_fixed<8,3>"}}}}
    with pytest.raises(Rtl4mlError, match="layer pad \\(ZeroPadding2D\\): Precision result is not used, zero "
                                          "padding keeps its input's type \\(ap_fixed<16,6>\\)"):
        rtl4ml.convert(padded, config)


def test_a_keras_file_that_is_really_hdf5_loads_like_an_h5(keras, tmp_path):
    model = _conv_model(keras, (9, 3), CONVOLUTIONS[0][1])
    model.save(str(tmp_path / "model.h5"))
    (tmp_path / "model.keras").write_bytes((tmp_path / "model.h5").read_bytes())  # as some published models are
    X = np.random.default_rng(8).integers(-32, 32, size=(10, 9, 3)).astype(np.float64)
    expected = rtl4ml.convert(tmp_path / "model.h5", EXACT_CONFIG).predict(X)
    assert np.array_equal(rtl4ml.convert(tmp_path / "model.keras", EXACT_CONFIG).predict(X), expected)
