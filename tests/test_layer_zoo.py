"""The Keras layer zoo beyond Dense/Conv/pooling (issue 18): each layer type against Keras on exactly representable
values and against the loop reference (tests/reference_model.py) in narrow types, bit-exact in RTL and csim, and
refused in one line where it cannot be built."""

import numpy as np
import pytest

import reference_model
import rtl4ml
from rtl4ml.errors import Rtl4mlError

WIDE = {"Model": {"Precision": {"default": "ap_fixed<16,16>"}},
        "LayerName": {"x": {"Precision": {"result": "ap_fixed<8,8>"}}}}
NARROW = {"Model": {"Precision": {"default": "ap_fixed<6,3,AP_RND,AP_SAT>"}},
          "LayerName": {"x": {"Precision": {"result": "ap_fixed<8,3>"}}}}


def _keras_and_reference(keras, shape, layers, seed=3):
    """Keras's float output exactly on integer inputs (wide types); the loop reference in narrow types."""
    model = keras.Sequential([keras.Input(shape=shape, name="x")] + [make(keras) for make in layers]
                             + [keras.layers.Flatten(name="flat")])
    rng = np.random.default_rng(seed)
    X = rng.integers(-100, 100, size=(30,) + shape).astype(np.float64)
    assert np.array_equal(rtl4ml.convert(model, WIDE).predict(X), model.predict(X, verbose=0).astype(np.float64))
    design = rtl4ml.convert(model, NARROW)
    X = rng.normal(0, 2, size=(30,) + shape)
    want = [reference_model.run(design.graph, row) for row in X.reshape(30, -1)]
    assert np.array_equal(design.predict_codes(X), np.array(want))
    return design


def _equal_in_every_backend(design, X, tmp_path, vhdl_events: int, idle: float = 0.0) -> dict:
    """Golden = Verilog (20 % backpressure, no protocol error) = VHDL (the first `vhdl_events`) = HLS csim on X;
    returns the Verilog run's figures."""
    design.write(tmp_path / "prj")
    bulk = design.simulate_bulk(X, idle=idle, backpressure=0.2)
    assert bulk["mismatches"] == 0 and not bulk["protocol_errors"]
    assert design.simulate_vhdl(X[:vhdl_events])["mismatches"] == 0
    assert design.csim(X)["mismatches"] == 0
    return bulk


WIRING = [  # (input shape, Keras layer, IR kind)
    ((7, 2), lambda k: k.layers.Cropping1D((1, 2), name="w"), "cropping"),
    ((5, 6, 2), lambda k: k.layers.Cropping2D(((1, 0), (2, 1)), name="w"), "cropping"),
    ((4, 4, 1), lambda k: k.layers.Cropping2D(1, name="w"), "cropping"),
    ((3, 2), lambda k: k.layers.UpSampling1D(3, name="w"), "upsampling"),
    ((2, 3, 2), lambda k: k.layers.UpSampling2D((2, 1), name="w"), "upsampling"),
    ((4, 3), lambda k: k.layers.Permute((2, 1), name="w"), "permute"),
    ((2, 3, 4), lambda k: k.layers.Permute((3, 1, 2), name="w"), "permute"),
    ((2, 3, 4), lambda k: k.layers.Permute((2, 1, 3), name="w"), "permute"),
]


@pytest.mark.parametrize("shape, layer, kind", WIRING)
def test_wiring_layers_equal_keras_and_the_loop_reference(keras, shape, layer, kind):
    design = _keras_and_reference(keras, shape, [layer])
    assert design.graph.layers[0].kind == kind


@pytest.mark.sim
def test_wiring_layers_are_bit_exact_in_verilog_vhdl_and_csim(keras, tmp_path):
    """Cropping2D -> Conv2D -> UpSampling2D -> Permute -> Flatten -> Dense, and an UpSampling1D/Cropping1D side
    branch concatenated: golden = Verilog (with stalls) = VHDL = HLS C++."""
    x = keras.Input(shape=(6, 5, 2), name="x")
    h = keras.layers.Cropping2D(((1, 0), (0, 2)), name="crop")(x)
    h = keras.layers.Conv2D(3, 2, activation="relu", name="conv")(h)
    h = keras.layers.UpSampling2D((1, 2), name="up")(h)
    h = keras.layers.Permute((2, 1, 3), name="swap")(h)
    main = keras.layers.Flatten(name="flat")(h)
    side = keras.layers.Reshape((30, 2), name="seq")(x)
    side = keras.layers.Flatten(name="side_flat")(keras.layers.UpSampling1D(2, name="up1")(
        keras.layers.Cropping1D((3, 20), name="crop1")(side)))
    out = keras.layers.Dense(3, name="out")(keras.layers.Concatenate(name="both")([main, side]))
    model = keras.Model(x, out)
    design = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<12,5>"}}})
    kinds = {layer.kind for layer in design.graph.layers}
    assert {"cropping", "upsampling", "permute"} <= kinds
    X = np.random.default_rng(9).normal(0, 1, size=(200, 6, 5, 2))
    bulk = _equal_in_every_backend(design, X, tmp_path, vhdl_events=50, idle=0.2)
    assert bulk["events"] == 200
    assert bulk["LatencyMin"] == design.latency and bulk["IntervalMin"] == design.interval == 1


@pytest.mark.parametrize("shape, layer, message", [
    ((4, 4, 2), lambda k: k.layers.UpSampling2D(2, interpolation="bilinear", name="w"),
     "layer w \\(UpSampling2D\\): interpolation 'bilinear' is not supported \\(only 'nearest'\\)"),
    ((2, 4, 4), lambda k: k.layers.Cropping2D(1, data_format="channels_first", name="w"),
     "layer w \\(Cropping2D\\): data_format 'channels_first' is not supported"),
])
def test_wiring_layers_it_cannot_build_are_refused_in_one_line(keras, shape, layer, message):
    model = keras.Sequential([keras.Input(shape=shape, name="x"), layer(keras), keras.layers.Flatten(name="f")])
    with pytest.raises(Rtl4mlError, match=message) as error:
        rtl4ml.convert(model)
    assert "\n" not in str(error.value)


def test_a_precision_on_a_wiring_layer_is_refused(keras):
    model = keras.Sequential([keras.Input(shape=(4, 3), name="x"), keras.layers.Permute((2, 1), name="swap"),
                              keras.layers.Flatten(name="f")])
    with pytest.raises(Rtl4mlError, match="layer swap \\(Permute\\): Precision result is not used, permute keeps its "
                                          "input's type \\(ap_fixed<16,6>\\)"):
        rtl4ml.convert(model, {"LayerName": {"swap": {"Precision": {"result": "ap_fixed<8,3>"}}}})


def test_a_cropping_that_leaves_nothing_is_refused(keras, tmp_path):
    """Keras refuses to build it; a hand-edited model file can still hold it."""
    model = keras.Sequential([keras.Input(shape=(4, 2), name="x"), keras.layers.Cropping1D((1, 1), name="w"),
                              keras.layers.Flatten(name="f"), keras.layers.Dense(1, name="d")])
    (tmp_path / "m.json").write_text(model.to_json().replace('"cropping": [1, 1]', '"cropping": [2, 2]'))
    model.save_weights(str(tmp_path / "w.h5"))
    with pytest.raises(Rtl4mlError, match="layer w \\(Cropping1D\\): cropping \\[2, 2\\] leaves nothing of its "
                                          "input \\[4, 2\\]"):
        rtl4ml.convert(tmp_path / "m.json", None, tmp_path / "w.h5")


def _two_branch_model(keras, merge):
    x = keras.Input(shape=(6,), name="x")
    a = keras.layers.Dense(4, name="a")(x)
    b = keras.layers.Dense(4, activation="relu", name="b")(x)
    return keras.Model(x, merge(keras)([a, b]))


MERGES = [(lambda k: k.layers.Average(name="m"), "average"), (lambda k: k.layers.Maximum(name="m"), "maximum"),
          (lambda k: k.layers.Minimum(name="m"), "minimum")]


@pytest.mark.parametrize("merge, operation", MERGES)
def test_average_maximum_minimum_equal_keras_and_the_loop_reference(keras, merge, operation):
    model = _two_branch_model(keras, merge)
    rng = np.random.default_rng(5)
    model.set_weights([rng.integers(-3, 4, w.shape).astype(np.float32) for w in model.get_weights()])
    X = rng.integers(-20, 20, size=(40, 6)).astype(np.float64)
    exact = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<20,16>"}}})  # an average's half
    assert exact.graph.layers[-1].operation == operation
    assert np.array_equal(exact.predict(X), model.predict(X, verbose=0).astype(np.float64))
    design = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<7,3,AP_RND,AP_SAT>"}},
                                    "LayerName": {"b": {"Precision": {"result": "ap_ufixed<5,2>"}}}})
    X = rng.normal(0, 1, size=(40, 6))
    want = [reference_model.run(design.graph, row) for row in X]
    assert np.array_equal(design.predict_codes(X), np.array(want))


@pytest.mark.sim
def test_average_maximum_minimum_are_bit_exact_in_verilog_vhdl_and_csim(keras, tmp_path):
    """Signed and unsigned operands of different fractions: an unsigned maximum compares unsigned."""
    x = keras.Input(shape=(6,), name="x")
    a = keras.layers.Dense(4, name="a")(x)
    b = keras.layers.Dense(4, activation="relu", name="b")(x)
    c = keras.layers.Dense(4, activation="relu", name="c")(x)
    heads = [keras.layers.Average(name="avg")([a, b]), keras.layers.Maximum(name="max")([b, c]),
             keras.layers.Minimum(name="min")([a, c])]
    model = keras.Model(x, heads)
    config = {"Model": {"Precision": {"default": "ap_fixed<10,4,AP_RND,AP_SAT>"}},
              "LayerName": {"b_relu": {"Precision": {"result": "ap_ufixed<8,3>"}},
                            "c_relu": {"Precision": {"result": "ap_ufixed<6,4>"}}}}
    design = rtl4ml.convert(model, config)
    X = np.random.default_rng(2).normal(0, 1.5, size=(200, 6))
    bulk = _equal_in_every_backend(design, X, tmp_path, vhdl_events=50)
    assert bulk["events"] == 200


def binary_tanh(x):
    """The legacy binary networks' sign activation, with hls4ml's reading: 1 at and above 0, else -1."""
    import tensorflow as tf
    return tf.where(x >= 0, 1.0, -1.0)


def ternary_tanh(x):
    """hls4ml's ternary_tanh: 1 above 0.5, -1 at and below -0.5, 0 between."""
    import tensorflow as tf
    return tf.where(x > 0.5, 1.0, tf.where(x <= -0.5, -1.0, 0.0))


PIECEWISE = [  # Keras layers whose constants are exact in binary: Keras's float output equals ours exactly
    lambda k: k.layers.LeakyReLU(alpha=0.25, name="act"),
    lambda k: k.layers.ReLU(max_value=6.0, name="act"),
    lambda k: k.layers.ReLU(max_value=4.0, threshold=1.0, negative_slope=0.5, name="act"),
    lambda k: k.layers.ReLU(threshold=2.0, name="act"),
    lambda k: k.layers.ThresholdedReLU(theta=1.5, name="act"),
    lambda k: k.layers.Activation(binary_tanh, name="act"),
    lambda k: k.layers.Activation(ternary_tanh, name="act"),
]


def _dense_then(keras, activation, n_in=5, units=6, seed=4):
    model = keras.Sequential([keras.Input(shape=(n_in,), name="x"), keras.layers.Dense(units, name="fc"),
                              activation(keras)])
    rng = np.random.default_rng(seed)
    model.set_weights([rng.integers(-3, 4, w.shape).astype(np.float32) for w in model.get_weights()])
    return model


@pytest.mark.parametrize("activation", PIECEWISE)
def test_piecewise_linear_activations_equal_keras_and_the_loop_reference(keras, activation):
    model = _dense_then(keras, activation)
    rng = np.random.default_rng(6)
    X = rng.integers(-6, 7, size=(60, 5)).astype(np.float64) / 2  # halves: thresholds and ties are hit
    exact = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<24,12>"}}})
    assert exact.graph.layers[-1].kind == "piecewise_linear"
    assert np.array_equal(exact.predict(X), model.predict(X, verbose=0).astype(np.float64))
    design = rtl4ml.convert(model, NARROW)
    X = rng.normal(0, 3, size=(60, 5))
    want = [reference_model.run(design.graph, row) for row in X]
    assert np.array_equal(design.predict_codes(X), np.array(want))


ROUNDED = [  # (activation, largest |Keras - ours| allowed on inputs within the table's range)
    (lambda k: k.layers.Activation("hard_sigmoid", name="act"), 2.0**-10),  # 0.2 rounded to 17 fractional bits
    (lambda k: k.layers.Activation("elu", name="act"), 2.0**-5),  # table steps of 1/64 (slope <= 1)
    (lambda k: k.layers.ELU(alpha=0.5, name="act"), 2.0**-5),
    (lambda k: k.layers.Activation("selu", name="act"), 2.0**-4),
    (lambda k: k.layers.Activation("softplus", name="act"), 2.0**-5),
    (lambda k: k.layers.Activation("softsign", name="act"), 2.0**-5),
]


@pytest.mark.parametrize("activation, tolerance", ROUNDED)
def test_rounded_activations_follow_keras_and_equal_the_loop_reference(keras, activation, tolerance):
    """Constants or tables that binary cannot hold exactly: within the stated tolerance of Keras (10 fractional
    result bits), and bit for bit the loop reference, tails included (elu/selu above 0, softplus above 8)."""
    model = _dense_then(keras, activation)
    rng = np.random.default_rng(7)
    X = rng.uniform(-0.3, 0.3, size=(200, 5))  # the Dense's outputs stay within the tables' +-8
    design = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<22,10,AP_RND,AP_SAT>"}}})
    assert np.max(np.abs(design.predict(X) - model.predict(X, verbose=0))) <= tolerance
    X = rng.normal(0, 4, size=(60, 5))
    want = [reference_model.run(design.graph, row) for row in X]
    assert np.array_equal(design.predict_codes(X), np.array(want))


@pytest.mark.sim
def test_new_activations_are_bit_exact_in_verilog_vhdl_and_csim(keras, tmp_path):
    """LeakyReLU, ReLU6 with a threshold, hard_sigmoid, binary and ternary tanh, and the tailed tables elu, selu and
    softplus, nine outputs of one Dense, in narrow rounding types: golden = Verilog = VHDL = HLS C++."""
    x = keras.Input(shape=(5,), name="x")
    h = keras.layers.Dense(6, name="fc")(x)
    heads = [keras.layers.LeakyReLU(alpha=0.3, name="leaky")(h),
             keras.layers.ReLU(max_value=6.0, threshold=0.5, negative_slope=0.25, name="relu6")(h),
             keras.layers.Activation("hard_sigmoid", name="hsig")(h),
             keras.layers.Activation(binary_tanh, name="bin")(h), keras.layers.Activation(ternary_tanh, name="ter")(h),
             keras.layers.Activation("elu", name="elu")(h), keras.layers.Activation("selu", name="selu")(h),
             keras.layers.Activation("softplus", name="softplus")(h), keras.layers.Activation("softsign", name="ss")(h)]
    model = keras.Model(x, heads)
    config = {"Model": {"Precision": {"default": "ap_fixed<12,5,AP_RND,AP_SAT>"}, "TableSize": 256},
              "LayerName": {"fc": {"Precision": {"result": "ap_fixed<10,5>"}}}}
    design = rtl4ml.convert(model, config)
    X = np.random.default_rng(3).normal(0, 2, size=(300, 5))
    bulk = _equal_in_every_backend(design, X, tmp_path, vhdl_events=60)
    assert bulk["events"] == 300


def _legacy_dense_class(keras, kind):
    """BinaryDense / TernaryDense as the published binary and ternary jet taggers define them (Keras 2 custom layers
    after BinaryNet): the kernel binarized or ternarized with scale H at call time, the bias added as it is."""
    import tensorflow as tf

    class Legacy(keras.layers.Dense):
        def __init__(self, units, H=1.0, **kwargs):
            super().__init__(units, **kwargs)
            self.H = H

        def call(self, inputs):
            w = self.kernel
            if kind == "BinaryDense":
                q = tf.where(w >= 0, self.H, -self.H)
            else:
                q = tf.where(w > self.H / 2, self.H, tf.where(w <= -self.H / 2, -self.H, 0.0))
            out = tf.matmul(inputs, q)
            return out + self.bias if self.use_bias else out

        def get_config(self):
            return dict(super().get_config(), H=self.H)

    Legacy.__name__ = kind
    return keras.utils.register_keras_serializable("test_layer_zoo", kind)(Legacy)


@pytest.mark.parametrize("kind, H", [("BinaryDense", 1.0), ("TernaryDense", 1.0), ("BinaryDense", 0.5),
                                     ("TernaryDense", 2.0)])
def test_legacy_binary_and_ternary_dense_equal_keras(keras, kind, H):
    layer = _legacy_dense_class(keras, kind)
    model = keras.Sequential([keras.Input(shape=(8,), name="x"), layer(6, H=H, name="fc"),
                              keras.layers.Activation(binary_tanh, name="act"), layer(3, H=H, name="out")])
    rng = np.random.default_rng(8)
    model.set_weights([rng.normal(0, 1, w.shape).astype(np.float32) if w.ndim == 2 else
                       rng.integers(-4, 5, w.shape).astype(np.float32) / 4 for w in model.get_weights()])
    X = rng.integers(-8, 8, size=(50, 8)).astype(np.float64) / 4
    design = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<16,8>"}}})
    magnitudes = np.abs(design.graph.layers[0].weight)
    assert np.all(magnitudes & (magnitudes - 1) == 0)  # +-H a power of two: an add or a subtract (shifted), or none
    assert np.array_equal(design.predict(X), model.predict(X, verbose=0).astype(np.float64))


QKERAS_LEVELS = [  # (kernel quantizer, activation quantizer)
    ("binary(alpha=1)", "binary(alpha=1)"), ("ternary(alpha=1)", "ternary(alpha=1, threshold=0.5)"),
    ("stochastic_binary(alpha=1)", "binary(use_01=True)"), ("ternary(alpha=0.5, threshold=0.25)", "ternary()"),
]


@pytest.mark.parametrize("kernel, activation", QKERAS_LEVELS)
def test_qkeras_binary_and_ternary_quantizers_equal_qkeras(kernel, activation):
    """Weights and activations at inference: QKeras's own output on exactly representable inputs."""
    qkeras = pytest.importorskip("qkeras")
    from tf_keras import Input, Sequential

    model = Sequential([Input(shape=(8,), name="x"),
                        qkeras.QDense(6, kernel_quantizer=kernel, bias_quantizer="quantized_bits(6,2,alpha=1)",
                                      name="fc"),
                        qkeras.QActivation(activation, name="act"),
                        qkeras.QDense(3, kernel_quantizer=kernel, use_bias=False, name="out")])
    rng = np.random.default_rng(9)
    model.set_weights([rng.normal(0, 0.6, w.shape).astype(np.float32) for w in model.get_weights()])
    X = rng.integers(-8, 8, size=(60, 8)).astype(np.float64) / 4
    design = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<16,8>"}}})
    assert all(layer.weight_type.width <= 3 for layer in design.graph.layers if layer.kind == "dense")
    assert np.array_equal(design.predict(X), model.predict(X, verbose=0).astype(np.float64))


@pytest.mark.parametrize("activation", ["binary(alpha=1)", "ternary(alpha=1, threshold=0.5)"])
def test_a_batch_normalization_before_a_step_activation_becomes_exact_thresholds(activation):
    """BatchNormalization -> binary/ternary is folded into per-channel thresholds on the Dense output (negative,
    tiny and ordinary scales): no batch-norm layer, no product, and QKeras's own outputs."""
    qkeras = pytest.importorskip("qkeras")
    from tf_keras import Input, Sequential, layers

    model = Sequential([Input(shape=(8,), name="x"),
                        qkeras.QDense(6, kernel_quantizer="binary(alpha=1)", use_bias=False, name="fc"),
                        layers.BatchNormalization(name="bn"), qkeras.QActivation(activation, name="act"),
                        qkeras.QDense(3, kernel_quantizer="ternary(alpha=1)", use_bias=False, name="out")])
    rng = np.random.default_rng(10)
    gamma = np.array([1.3, -0.7, 1e-3, 2.0, -2.5, 0.4], dtype=np.float32)
    model.get_layer("bn").set_weights([gamma, rng.normal(0, 1, 6), rng.normal(0, 2, 6), rng.uniform(0.5, 2, 6)])
    model.get_layer("fc").set_weights([rng.normal(0, 1, (8, 6))])
    model.get_layer("out").set_weights([rng.normal(0, 1, (6, 3))])
    design = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<16,8>"}}})
    assert [layer.kind for layer in design.graph.layers] == ["dense", "piecewise_linear", "dense"]
    assert design.graph.layers[1].rows == 6 and all(block.multipliers == 0 for block in design.core.blocks)
    X = rng.integers(-8, 8, size=(400, 8)).astype(np.float64) / 4
    assert np.array_equal(design.predict(X), model.predict(X, verbose=0).astype(np.float64))


DEPTHWISE = [  # (input shape, Keras layer)
    ((7, 3), lambda k: k.layers.DepthwiseConv1D(3, depth_multiplier=2, name="dw")),
    ((5, 6, 2), lambda k: k.layers.DepthwiseConv2D((2, 3), strides=2, padding="same", name="dw")),
    ((8, 3), lambda k: k.layers.SeparableConv1D(4, 3, depth_multiplier=2, activation="relu", name="dw")),
    ((5, 5, 2), lambda k: k.layers.SeparableConv2D(3, 2, strides=2, name="dw")),
]


@pytest.mark.parametrize("shape, layer", DEPTHWISE)
def test_depthwise_and_separable_convolutions_equal_keras_and_the_loop_reference(keras, shape, layer):
    model = keras.Sequential([keras.Input(shape=shape, name="x"), layer(keras), keras.layers.Flatten(name="flat")])
    rng = np.random.default_rng(11)
    model.set_weights([rng.integers(-3, 4, w.shape).astype(np.float32) for w in model.get_weights()])
    X = rng.integers(-20, 20, size=(30,) + shape).astype(np.float64)
    assert np.array_equal(rtl4ml.convert(model, WIDE).predict(X), model.predict(X, verbose=0).astype(np.float64))
    design = rtl4ml.convert(model, NARROW)
    X = rng.normal(0, 2, size=(30,) + shape)
    want = [reference_model.run(design.graph, row) for row in X.reshape(30, -1)]
    assert np.array_equal(design.predict_codes(X), np.array(want))


@pytest.mark.sim
def test_depthwise_and_separable_convolutions_are_bit_exact_in_verilog_vhdl_and_csim(keras, tmp_path):
    x = keras.Input(shape=(6, 5, 2), name="x")
    h = keras.layers.DepthwiseConv2D(2, depth_multiplier=2, activation="relu", name="dw")(x)
    h = keras.layers.SeparableConv2D(3, (2, 1), name="sep")(h)
    model = keras.Model(x, keras.layers.Dense(2, name="out")(keras.layers.Flatten(name="flat")(h)))
    design = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<12,5>"}}})
    assert [layer.name for layer in design.graph.layers][:4] == ["dw", "dw_relu", "sep_depthwise", "sep"]
    X = np.random.default_rng(12).normal(0, 1, size=(200, 6, 5, 2))
    bulk = _equal_in_every_backend(design, X, tmp_path, vhdl_events=40)
    assert bulk["events"] == 200


def test_a_softmax_over_another_axis_is_refused_in_one_line(keras):
    other_axis = keras.Sequential([keras.Input(shape=(4, 3), name="x"), keras.layers.Conv1D(3, 1, name="fc"),
                                   keras.layers.Softmax(axis=1, name="sm")])
    with pytest.raises(Rtl4mlError, match="layer sm \\(Softmax\\): softmax over axis 1 is not supported \\(only the "
                                          "last axis"):
        rtl4ml.convert(other_axis)


@pytest.mark.sim
def test_a_softmax_over_rows_is_bit_exact_and_follows_keras(keras, tmp_path):
    """Softmax over the last axis of a 4 x 3 tensor (each row its own distribution), as a per-constituent head
    needs it: Keras within the softmax's resolution, golden = loop reference = Verilog = VHDL = HLS C++."""
    model = keras.Sequential([keras.Input(shape=(4, 2), name="x"), keras.layers.Conv1D(3, 1, name="fc"),
                              keras.layers.Softmax(axis=-1, name="sm"), keras.layers.Flatten(name="flat")])
    rng = np.random.default_rng(15)
    design = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<16,6>"}},
                                    "LayerName": {"sm": {"Precision": {"result": "ap_ufixed<12,0,AP_RND,AP_SAT>"}}}})
    X = rng.normal(0, 1, size=(300, 4, 2))
    assert np.max(np.abs(design.predict(X) - model.predict(X, verbose=0))) < 2.0**-6
    rows = design.predict(X).reshape(300, 4, 3).sum(axis=-1)
    assert np.all(np.abs(rows - 1) < 0.02)
    want = [reference_model.run(design.graph, row) for row in X[:40].reshape(40, -1)]
    assert np.array_equal(design.predict_codes(X[:40]), np.array(want))
    bulk = _equal_in_every_backend(design, X, tmp_path, vhdl_events=40)
    assert bulk["events"] == 300


@pytest.mark.parametrize("name", ["jet_tagger_binary", "jet_tagger_ternary"])
def test_bundled_binary_and_ternary_taggers_have_no_multiplier(name):
    """The bundled binary/ternary 16-64-32-32-5 taggers: no product anywhere (every weight +-1 or 0, the batch norms
    before the sign activations folded into thresholds), their latencies, and Keras's argmax on the stored vectors."""
    from conftest import ROOT

    bundle = ROOT / "sim" / "models" / name
    design = rtl4ml.convert(bundle / "model.h5", ROOT / "sim" / "configs" / "jet_tagger_binary.yml")
    dense = [layer for layer in design.graph.layers if layer.kind == "dense"]
    assert len(dense) == 4 and all(set(np.unique(layer.weight)) <= {-1, 0, 1} for layer in dense)
    assert "batchnorm" not in [layer.kind for layer in design.graph.layers[:-2]]  # only the output's is left
    assert all(block.multipliers == 0 for block in design.core.blocks)
    # the binary one's softmax starts 4 logic levels after a register: its block-RAM reads cost a cycle
    assert design.latency == {"jet_tagger_binary": 9, "jet_tagger_ternary": 8}[name]
    vectors = np.load(bundle / "test_vectors.npz")
    agreement = (design.predict(vectors["X"]).argmax(1) == vectors["keras_output"].argmax(1)).mean()
    assert agreement >= 0.99, agreement


@pytest.mark.parametrize("kernel", ["quantized_bits(4,0,alpha='auto_po2')", "binary(alpha='auto_po2')",
                                    "ternary(alpha='auto_po2')"])
def test_power_of_two_scaled_quantizers_fold_exactly(kernel):
    """alpha='auto_po2': a power-of-two scale per output channel, folded into exact codes; QKeras's own outputs."""
    qkeras = pytest.importorskip("qkeras")
    from tf_keras import Input, Sequential

    model = Sequential([Input(shape=(8,), name="x"),
                        qkeras.QDense(6, kernel_quantizer=kernel, bias_quantizer="quantized_bits(8,3,alpha=1)",
                                      name="fc")])
    rng = np.random.default_rng(13)
    scales = np.array([0.02, 0.3, 1.0, 4.0, 0.7, 9.0])  # channels of very different magnitudes
    model.set_weights([rng.normal(0, 1, (8, 6)) * scales, rng.normal(0, 1, 6)])
    design = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<32,16>"}}})
    X = rng.integers(-8, 8, size=(60, 8)).astype(np.float64) / 4
    assert np.array_equal(design.predict(X), model.predict(X, verbose=0).astype(np.float64))
    assert all(block.multipliers == 0 for block in design.core.blocks)  # power-of-two scales: shifts


def test_qkeras_depthwise_and_separable_convolutions_equal_qkeras():
    qkeras = pytest.importorskip("qkeras")
    from tf_keras import Input, Model, layers

    x = Input(shape=(6, 6, 2), name="x")
    h = qkeras.QDepthwiseConv2D(2, depth_multiplier=2, depthwise_quantizer="quantized_bits(4,0,alpha=1)",
                                bias_quantizer="quantized_bits(6,2,alpha=1)", name="dw")(x)
    h = qkeras.QSeparableConv2D(3, 2, depthwise_quantizer="quantized_bits(4,1,alpha=1)",
                                pointwise_quantizer="ternary(alpha=1)", bias_quantizer="quantized_bits(6,2,alpha=1)",
                                name="sep")(h)
    model = Model(x, layers.Flatten(name="flat")(h))
    rng = np.random.default_rng(14)
    model.set_weights([rng.normal(0, 1, w.shape) for w in model.get_weights()])
    design = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<24,12>"}}})
    X = rng.integers(-8, 8, size=(40, 6, 6, 2)).astype(np.float64) / 4
    assert np.array_equal(design.predict(X), model.predict(X, verbose=0).astype(np.float64))
