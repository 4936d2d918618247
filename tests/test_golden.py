"""The golden model: exact integer arithmetic, traces, input checks, and agreement with Keras."""

import numpy as np
import pytest

import rtl4ml
from rtl4ml.errors import Rtl4mlError
from rtl4ml.fixed_point import requantize

from conftest import BUNDLE, JET_CONFIG, make_mlp


def test_dense_accumulator_is_exact_at_the_extremes_of_the_input_type(keras):
    model = make_mlp(keras, [6, 4], ["linear"], seed=1, weight_scale=4)
    design = rtl4ml.convert(model, {"Model": {"Precision": {"default": "ap_fixed<10,4>",
                                                            "result": "ap_fixed<24,14>"}}})
    dense = design.graph.layers[0]
    x_type = dense.input_type
    X = np.array([[x_type.max_value] * 6, [x_type.min_value] * 6,
                  [x_type.max_value, x_type.min_value] * 3])
    codes = design.predict_codes(X)
    # Exact reference with Python integers: no rounding until the final requantization.
    x = [[int(v) for v in row] for row in design.predict_codes(X, trace=True)[1][design.graph.input.name]]
    acc_frac = dense.accum_type.frac
    for row, got in zip(x, codes):
        exact = [sum(row[i] * int(dense.weight[i, j]) << (acc_frac - dense.product_frac) for i in range(6))
                 + (int(dense.bias[j]) << (acc_frac - dense.bias_type.frac)) for j in range(4)]
        assert got.tolist() == requantize(np.array(exact), acc_frac, dense.result_type).tolist()


def test_trace_returns_every_layer_and_ends_with_the_output(keras):
    design = rtl4ml.convert(make_mlp(keras, [3, 4, 2], ["relu", "softmax"]))
    X = np.random.default_rng(0).normal(size=(10, 3))
    out, traces = design.predict_codes(X, trace=True)
    assert list(traces) == ["features", "dense0", "dense0_relu", "dense1", "dense1_softmax"]
    assert np.array_equal(traces["dense1_softmax"], out)
    assert (traces["dense0_relu"] >= 0).all()


def test_softmax_outputs_sum_to_one_within_one_percent(keras):
    design = rtl4ml.convert(make_mlp(keras, [4, 8, 5], ["relu", "softmax"], seed=2))
    y = design.predict(np.random.default_rng(3).normal(size=(5000, 4)) * 3)
    assert np.all(np.abs(y.sum(axis=1) - 1) < 0.01)


@pytest.mark.parametrize("X, fragment", [
    (np.zeros((4, 5)), "shape \\(4, 5\\); model .* expects \\(events, 3\\)"),
    (np.array([[0.0, np.nan, 1.0]]), "NaN/Inf values \\(first at event 0, feature 1"),
    (np.array([["a", "b", "c"]]), "dtype"),
])
def test_bad_input_arrays_are_refused(keras, X, fragment):
    design = rtl4ml.convert(make_mlp(keras, [3, 2], ["linear"]))
    with pytest.raises(Rtl4mlError, match=fragment):
        design.predict(X)


def test_bundled_jet_tagger_agrees_with_keras():
    bundle = np.load(BUNDLE / "test_vectors.npz")
    design = rtl4ml.convert(BUNDLE / "model.h5", JET_CONFIG)
    y = design.predict(bundle["X"])
    agreement = (y.argmax(1) == bundle["keras_output"].argmax(1)).mean()
    assert agreement >= 0.995
    assert np.all(np.abs(y.sum(axis=1) - 1) < 0.01)


def test_bundled_keras_outputs_are_what_keras_computes(keras):
    bundle = np.load(BUNDLE / "test_vectors.npz")
    model = keras.models.load_model(str(BUNDLE / "model.h5"))
    np.testing.assert_allclose(model.predict(bundle["X"][:500], verbose=0), bundle["keras_output"][:500], atol=1e-6)


def test_pooling_over_many_windows_and_a_concatenation_along_rows_match_the_scalar_reference(keras):
    """Max and average pooling with several windows per channel (strided, a batch of events), their maps joined
    along the row axis (not the channels): the golden model equals the scalar reference event by event."""
    import reference_model

    layers = keras.layers
    image = keras.Input(shape=(4, 6, 2), name="image")
    peak = layers.MaxPooling2D((2, 3), strides=(2, 2), name="peak")(image)
    mean = layers.AveragePooling2D((2, 2), strides=(2, 3), name="mean")(image)
    joined = layers.Concatenate(axis=1, name="rows")([peak, mean])
    model = keras.Model(image, joined)
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<10,4>"}})
    assert design.graph.layer("peak").shape == (2, 2, 2) and design.graph.layer("rows").shape == (4, 2, 2)
    X = np.random.default_rng(9).normal(0, 3, (40, 4, 6, 2))
    want = np.array([reference_model.run(design.graph, row) for row in X.reshape(40, -1)])
    assert np.array_equal(design.predict_codes(X), want)


def _dense_spec(weights, bias):
    from rtl4ml.frontends.spec import DenseSpec, InputSpec, ModelSpec

    weights = np.asarray(weights, dtype=float)
    return ModelSpec("m", InputSpec("x", (weights.shape[0],)), [DenseSpec("fc", "Dense", weights, np.asarray(bias))])


def test_an_exact_accumulator_wider_than_float64_matches_the_scalar_reference():
    """Exact sums past float64's 53 exact bits take the integer path (not the BLAS one): still equal to the reference."""
    import reference_model

    rng = np.random.default_rng(11)
    weights = (rng.integers(-2**24, 2**24, size=(6, 3)) * 2 + 1) / 2**12  # odd 26-bit codes: every bit counts
    precision = {"default": "ap_fixed<32,16>", "weight": "ap_fixed<26,14>", "bias": "ap_fixed<26,14>"}
    design = rtl4ml.convert(_dense_spec(weights, rng.normal(0, 4, 3)), {"Model": {"Precision": precision}})
    fc = design.graph.layer("fc")
    assert fc.accum_is_exact and fc.accum_type.width > 53
    X = rng.normal(0, 3000, size=(300, 6))
    want = np.array([reference_model.run(design.graph, row) for row in X])
    assert np.array_equal(design.predict_codes(X), want)


def test_average_pooling_of_a_type_with_negative_fractional_bits_matches_the_scalar_reference(keras):
    """Input codes in units of 4 (ap_fixed<6,8>): the window sums are shifted up to the reciprocal's fraction."""
    import reference_model

    model = keras.Sequential([keras.Input(shape=(3, 4, 1), name="image"),
                              keras.layers.AveragePooling2D((2, 3), strides=1, name="mean")])
    config = {"Model": {"Precision": "ap_fixed<16,8>"}, "LayerName": {"image": {"Precision": {"result": "ap_fixed<6,8>"}}}}
    design = rtl4ml.convert(model, config)
    mean = design.graph.layer("mean")
    assert mean.input_type.frac < 0 and mean.accum_type.frac > mean.input_type.frac + 18
    X = np.random.default_rng(12).normal(0, 60, (50, 3, 4, 1))
    want = np.array([reference_model.run(design.graph, row) for row in X.reshape(50, -1)])
    assert np.array_equal(design.predict_codes(X), want)


def test_a_dot_of_wide_codes_wraps_its_exact_62_bit_product():
    """x0 * x1 of 31-bit integers is exact in 62 bits; a 32-bit wrapping result keeps its low bits, where float64
    (53 bits) would already have rounded: (2**30 - 1) * (2**30 - 3) = 2**60 - 2**32 + 3 wraps to 3, not 0."""
    import reference_model
    from rtl4ml.frontends.spec import DenseSpec, InputSpec, MergeSpec, ModelSpec

    pick = [DenseSpec(name, "Dense", np.array(kernel, dtype=float), np.zeros(1), inputs=("x",))
            for name, kernel in (("a", [[1.0], [0.0]]), ("b", [[0.0], [1.0]]))]
    spec = ModelSpec("wide_dot", InputSpec("x", (2,)), pick + [MergeSpec("dot", "Dot", "dot", ("a", "b"))])
    config = {"Model": {"Precision": "ap_fixed<31,31>"},
              "LayerName": {"dot": {"Precision": {"result": "ap_fixed<32,32>"}}}}
    design = rtl4ml.convert(spec, config)
    X = np.array([[2.0**30 - 1, 2.0**30 - 3], [-(2.0**30) + 3, 2.0**30 - 5], [12345.0, -67891.0]])
    got = design.predict_codes(X)
    assert got[0, 0] == 3
    assert np.array_equal(got, np.array([reference_model.run(design.graph, row) for row in X]))


def test_a_softmax_over_coarse_codes_clamps_distances_at_its_table_range(keras):
    """Inputs in units of 4 (ap_fixed<8,10>): the distance table spans codes 0..3 (0 to 12); a distance beyond it is
    clamped to 12, where exp(-12) underflows the 17-bit exponentials to 0, not to 8, where it would not."""
    import reference_model

    model = keras.Sequential([keras.Input(shape=(2,), name="x"), keras.layers.Activation("softmax", name="p")])
    config = {"Model": {"Precision": "ap_fixed<8,10>"}, "LayerName": {"p": {"Precision": {"result": "ap_ufixed<16,0>"}}}}
    design = rtl4ml.convert(model, config)
    assert design.graph.layer("p").d_bits == 2
    X = np.array([[0.0, -12.0], [0.0, -16.0], [4.0, -20.0], [0.0, -8.0], [0.0, 0.0]])
    got = design.predict_codes(X)
    assert got[0, 1] == got[1, 1] == got[2, 1] == 0 and got[3, 1] > 0
    assert np.array_equal(got, np.array([reference_model.run(design.graph, row) for row in X]))


@pytest.mark.parametrize("function", ["leaky_relu", "selu"])
def test_activations_of_inputs_as_wide_as_a_design_file_allows_stay_exact(function):
    """A 44-bit input and an 18-bit constant make an exact product of up to 62 bits (the widest the golden model's
    int64 holds); a wrapping result at the exact LSB keeps the low bits that float64 (53 bits) would have rounded away."""
    import reference_model
    from rtl4ml.fixed_point import FixedType
    from rtl4ml.ir.layers.piecewise_linear import build_piecewise_linear
    from rtl4ml.ir.layers.table_activation import build_table_activation

    x_type, shape = FixedType(44, 20), (5,)
    if function == "leaky_relu":
        layer = build_piecewise_linear("act", ("x",), shape, function, {"alpha": 0.3}, x_type, FixedType(8, 8))
        frac, exact_width = layer.exact_frac, layer.exact_type.width
    else:
        layer = build_table_activation("act", ("x",), shape, function, x_type, FixedType(8, 8))
        frac, exact_width = layer.tail_frac, layer.tail_exact_type.width
    assert 53 < exact_width <= 62
    layer.result_type = FixedType(32, 32 - frac)  # AP_WRAP at the exact LSB: every low bit shows
    rng = np.random.default_rng(5)
    x = rng.integers(x_type.min_code, x_type.max_code, size=(40, *shape), endpoint=True)
    x[0] = [x_type.min_code, x_type.max_code, 2**43 - 3, -(2**43) + 7, 0]
    want = [reference_model.SINGLE_INPUT[layer.kind](layer, [int(v) for v in row]) for row in x]
    assert layer.golden()(x).tolist() == want
