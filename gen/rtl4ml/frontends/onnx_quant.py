"""QONNX quantizers (Quant, BipolarQuant, Trunc) as exact fixed-point types.

A Quant node with a power-of-two scale 2**-f and a zero point of 0 is exactly an ap_fixed type: b bits, f of them
fractional, its rounding mode one of ap_fixed's, saturating (to the symmetric range when `narrow`). Any other scale
has no exact fixed-point form and is refused, naming the node and the scale.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import fail
from ..fixed_point import FixedType, exact_type_of, quantize_float

# QONNX rounding modes (qonnx.custom_op.general.intquant.resolve_rounding_mode) and the ap_fixed mode equal to each
ROUNDING = {"ROUND": "AP_RND_CONV", "HALF_EVEN": "AP_RND_CONV", "FLOOR": "AP_TRN", "DOWN": "AP_TRN_ZERO",
            "HALF_UP": "AP_RND_INF", "HALF_DOWN": "AP_RND_ZERO"}
# fractional bits a per-channel weight scale may reach
MAX_WEIGHT_FRAC = 40


def power_of_two_exponents(scale: np.ndarray, where: str) -> np.ndarray:
    """log2 of each scale, which must be an exact power of two."""
    scale = np.asarray(scale, dtype=np.float64).reshape(-1)
    if scale.size == 0 or not np.all(np.isfinite(scale)) or np.any(scale <= 0):
        raise fail(f"{where}: scale {scale.tolist()} is not a positive number")
    mantissa, exponent = np.frexp(scale)
    if not np.all(mantissa == 0.5):
        bad = float(scale[mantissa != 0.5][0])
        raise fail(f"{where}: scale {bad!r} is not a power of two; rtl4ml reads a QONNX quantizer exactly only with "
                   "power-of-two scales (Brevitas: the *FixedPoint quantizers, e.g. Int8ActPerTensorFixedPoint)")
    return (exponent - 1).astype(np.int64)


def _check_zero_point(zero_point: np.ndarray, where: str) -> None:
    if np.any(np.asarray(zero_point) != 0):
        raise fail(f"{where}: zero point {np.asarray(zero_point).reshape(-1).tolist()} is not 0; asymmetric "
                   "quantization has no exact fixed-point type")


def _rounding(mode: str, where: str) -> str:
    mode = mode.upper()
    if mode not in ROUNDING:
        raise fail(f"{where}: rounding mode {mode!r} has no ap_fixed equal; use one of {', '.join(ROUNDING)}")
    return ROUNDING[mode]


def _bit_width(bits: np.ndarray, where: str) -> int:
    bits = np.asarray(bits, dtype=np.float64).reshape(-1)
    if bits.size != 1 or bits[0] != int(bits[0]) or not 1 <= bits[0] <= 32:
        raise fail(f"{where}: bit width {bits.tolist()} is not one whole number from 1 to 32")
    return int(bits[0])


def quant_types(scale, zero_point, bits, signed: bool, narrow: bool, rounding_mode: str,
                where: str) -> list[FixedType]:
    """The ap_fixed type a QONNX Quant on an activation equals, one per scale (per tensor, or per channel)."""
    _check_zero_point(zero_point, where)
    return [_quant_type(int(exponent), bits, signed, narrow, rounding_mode, where)
            for exponent in power_of_two_exponents(scale, where)]


def _quant_type(exponent: int, bits, signed: bool, narrow: bool, rounding_mode: str, where: str) -> FixedType:
    width = _bit_width(bits, where)
    if width == 1 and signed:
        raise fail(f"{where}: a signed 1-bit Quant is bipolar; export it as BipolarQuant")
    if narrow and not signed:
        raise fail(f"{where}: an unsigned narrow-range Quant (0 to 2^b - 2) has no ap_fixed type")
    frac = -exponent
    overflow = "AP_SAT_SYM" if narrow else "AP_SAT"
    return FixedType(width, width - frac, bool(signed), _rounding(rounding_mode, where), overflow)


def quantized_constant(values: np.ndarray, scale, zero_point, bits, signed: bool, narrow: bool,
                       rounding_mode: str, where: str) -> tuple[np.ndarray, FixedType]:
    """A weight tensor through its Quant node (per-tensor or per-channel power-of-two scales): the quantized values
    and the narrowest type holding them exactly."""
    _check_zero_point(zero_point, where)
    width = _bit_width(bits, where)
    if width == 1 and signed:
        raise fail(f"{where}: a signed 1-bit Quant is bipolar; export it as BipolarQuant")
    scale = np.asarray(scale, dtype=np.float64)
    exponents = power_of_two_exponents(scale, where).reshape(scale.shape)
    if narrow and not signed:
        raise fail(f"{where}: an unsigned narrow-range Quant (0 to 2^b - 2) has no ap_fixed type")
    low = 0 if not signed else -(1 << (width - 1)) + int(narrow)
    high = (1 << width) - 1 if not signed else (1 << (width - 1)) - 1
    # quantize_float applies ap_fixed's rounding to each value / scale, exactly; the clamp is QONNX's
    integer = FixedType(62, 62, True, _rounding(rounding_mode, where), "AP_SAT")
    codes = np.clip(quantize_float(np.asarray(values, dtype=np.float64) / scale, integer), low, high)
    quantized = codes * np.power(2.0, exponents)
    exact = exact_type_of(quantized, MAX_WEIGHT_FRAC)
    if exact is None:
        raise fail(f"{where}: the quantized weights need more than {MAX_WEIGHT_FRAC} fractional bits")
    return quantized, exact


def bipolar_constant(values: np.ndarray, scale, where: str) -> tuple[np.ndarray, FixedType]:
    """A weight tensor through BipolarQuant: +scale at and above 0, -scale below."""
    scale = np.asarray(scale, dtype=np.float64)
    power_of_two_exponents(scale, where)
    quantized = np.where(np.asarray(values) >= 0, 1.0, -1.0) * scale
    return quantized, exact_type_of(quantized, MAX_WEIGHT_FRAC)


def bipolar_activation(scale, where: str) -> tuple[str, dict, FixedType]:
    """(function, parameters, result type) of BipolarQuant on activations: +scale at and above 0, -scale below."""
    exponents = power_of_two_exponents(scale, where)
    if exponents.size != 1:
        raise fail(f"{where}: per-channel bipolar scales on an activation are not supported")
    alpha = math.ldexp(1.0, int(exponents[0]))
    return "binary_tanh", {"alpha": alpha, "use_01": False}, exact_type_of([-alpha, alpha], MAX_WEIGHT_FRAC)


def trunc_types(scale, zero_point, input_bits, output_bits, rounding_mode: str, where: str, output_scale,
                signed: bool, narrow: bool) -> tuple[FixedType, FixedType]:
    """The two steps of a QONNX Trunc (opset 2): the input rounded half to even onto its scale's grid (the identity
    on an input already on it, as a quantized layer's output is), then the truncation to the output type."""
    _check_zero_point(zero_point, where)
    exponent = int(power_of_two_exponents(scale, where)[0])
    in_width, width = _bit_width(input_bits, where), _bit_width(output_bits, where)
    on_grid = FixedType(in_width + 1, in_width + 1 + exponent, True, "AP_RND_CONV", "AP_SAT")
    out_exponent = int(power_of_two_exponents(output_scale, where)[0])
    overflow = "AP_SAT_SYM" if narrow and signed else "AP_SAT"
    return on_grid, FixedType(width, width + out_exponent, bool(signed), _rounding(rounding_mode, where), overflow)
