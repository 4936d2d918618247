"""Per-element types (HGQ's per-element bit widths, QONNX per-channel activation scales): each element quantized to
its own type, equal to an independent float computation, and bit-exact in the Verilog and VHDL cores and the HLS
C++; the design file loads again."""

import numpy as np
import pytest

import rtl4ml
from rtl4ml.fixed_point import FixedType, quantize_float, to_float
from rtl4ml.frontends.spec import DenseSpec, ElementQuantizerSpec, InputSpec, ModelSpec

# every rounding and overflow family, signed and unsigned, LSBs from 2^-1 to 2^-6, one element twice
TYPES = (FixedType(4, 2, True, "AP_RND_CONV", "AP_SAT"), FixedType(6, 1, True, "AP_TRN", "AP_WRAP"),
         FixedType(3, 1, False, "AP_RND", "AP_SAT"), FixedType(8, 2, True, "AP_RND_ZERO", "AP_SAT_SYM"),
         FixedType(5, 4, True, "AP_TRN_ZERO", "AP_SAT"), FixedType(4, 2, True, "AP_RND_CONV", "AP_SAT"),
         FixedType(7, 3, False, "AP_RND_INF", "AP_WRAP"), FixedType(2, 2, True, "AP_RND_MIN_INF", "AP_SAT"))
CONFIG = {"Model": {"Precision": "ap_fixed<18,8>"}}


def model() -> ModelSpec:
    rng = np.random.default_rng(4)
    return ModelSpec("eq", InputSpec("x", 5), [
        DenseSpec("fc1", "Dense", np.round(rng.normal(0, 1, (5, 8)) * 16) / 16, np.round(rng.normal(0, 1, 8) * 8) / 8),
        ElementQuantizerSpec("q", "Quant", TYPES),
        DenseSpec("fc2", "Dense", np.round(rng.normal(0, 1, (8, 3)) * 16) / 16, np.zeros(3))])


def test_each_element_gets_its_own_type_and_the_next_layer_its_range():
    design = rtl4ml.convert(model(), CONFIG)
    layer = design.graph.layers[1]
    assert layer.kind == "element_quantizer" and len(layer.element_types) == 7
    assert layer.result_type.frac == 6 and layer.result_type.signed
    X = np.random.default_rng(5).normal(0, 2, (400, 5))
    _, trace = design.predict_codes(X, trace=True)
    fc1 = to_float(trace["fc1"], design.graph.layers[0].result_type.frac)
    expected = np.stack([to_float(quantize_float(fc1[:, e], t), t.frac) for e, t in enumerate(TYPES)], axis=1)
    assert np.array_equal(to_float(trace["q"], layer.result_type.frac), expected)


def test_one_type_for_every_element_is_a_plain_quantizing_activation():
    spec = model()
    spec.layers[1] = ElementQuantizerSpec("q", "Quant", (TYPES[0],) * 8)
    assert rtl4ml.convert(spec, CONFIG).graph.layers[1].kind == "activation"


@pytest.mark.sim
def test_element_quantizers_are_bit_exact_in_verilog_vhdl_and_csim(tmp_path):
    design = rtl4ml.convert(model(), CONFIG)
    design.write(tmp_path / "prj")
    X = np.random.default_rng(6).normal(0, 3, (300, 5))
    assert design.simulate_bulk(X, backpressure=0.2)["mismatches"] == 0
    assert design.csim(X)["mismatches"] == 0
    vhdl = design.simulate_vhdl(X[:100])
    assert vhdl["passed"] and vhdl["mismatches"] == 0
    assert np.array_equal(rtl4ml.load_design(tmp_path / "prj").predict(X), design.predict(X))


def _pruned_design():
    spec = model()
    spec.layers[1] = ElementQuantizerSpec("q", "Quant", (None, *TYPES[1:4], None, *TYPES[5:]))
    return rtl4ml.convert(spec, CONFIG)


def test_elements_of_no_bits_are_zero_in_the_golden_model():
    X = np.random.default_rng(7).normal(0, 3, (200, 5))
    _, trace = _pruned_design().predict_codes(X, trace=True)
    assert not trace["q"][:, [0, 4]].any() and trace["q"][:, [1, 2, 3]].any()


def test_a_per_element_quantizer_over_a_tensor_keeps_its_shape():
    """Per-element types over a 2 x 3 x 2 tensor (channels last): element (i, j, c) quantized to its own type."""
    types = [TYPES[k % len(TYPES)] for k in range(12)]
    spec = ModelSpec("eq3", InputSpec("x", (2, 3, 2)), [ElementQuantizerSpec("q", "Quant", tuple(types))])
    design = rtl4ml.convert(spec, CONFIG)
    X = np.random.default_rng(8).normal(0, 2, (50, 2, 3, 2))
    x = to_float(quantize_float(X, design.graph.input.result_type), design.graph.input.result_type.frac)
    flat = x.reshape(len(x), -1)
    expected = np.stack([to_float(quantize_float(flat[:, e], t), t.frac) for e, t in enumerate(types)], axis=1)
    layer = design.graph.layer("q")
    out = layer.golden()(quantize_float(X, design.graph.input.result_type))
    assert out.shape == (50, 2, 3, 2)  # the layer's tensor, as a next layer reads it
    assert np.array_equal(to_float(out.reshape(50, -1), layer.result_type.frac), expected)


@pytest.mark.sim
def test_elements_of_no_bits_are_zero_everywhere(tmp_path):
    """An element of no bits (HGQ's pruned inputs) is 0 in the golden model, the Verilog and VHDL cores, the HLS
    C++ and the IP's lint."""
    design = _pruned_design()
    X = np.random.default_rng(7).normal(0, 3, (200, 5))
    design.write(tmp_path / "prj")
    assert design.simulate_bulk(X)["mismatches"] == 0
    assert design.csim(X)["mismatches"] == 0
    assert design.simulate_vhdl(X[:50])["mismatches"] == 0
