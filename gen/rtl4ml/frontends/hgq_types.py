"""What HGQ (v1 proxy models and HGQ2) means by its quantizers, shared by both readers.

Between its quantizers HGQ computes in floating point: the weights are already quantized and every sum is exact.
So a model with HGQ quantizers keeps each weight in the narrowest type that holds it and each intermediate result
(Dense and Conv sums, ReLU, max pooling) in its exact type, whatever the config's default precision is.
"""

from __future__ import annotations

from ..errors import fail
from ..fixed_point import FixedType, exact_type_of
from ..ir.layers.element_quantizer import holding_type
from .spec import BatchNormSpec, ConvSpec, DenseSpec, ElementQuantizerSpec, ModelSpec

MAX_WEIGHT_FRAC = 40
ROUNDING = {"TRN": "AP_TRN", "RND": "AP_RND", "RND_CONV": "AP_RND_CONV", "TRN_ZERO": "AP_TRN_ZERO",
            "RND_ZERO": "AP_RND_ZERO", "RND_MIN_INF": "AP_RND_MIN_INF", "RND_INF": "AP_RND_INF"}
OVERFLOW = {"WRAP": "AP_WRAP", "SAT": "AP_SAT", "SAT_SYM": "AP_SAT_SYM", "SAT_ZERO": "AP_SAT_ZERO"}


def element_type(keep_negative: int, width: int, integer: int, rounding: str, overflow: str,
                 where: str) -> FixedType | None:
    """ap_fixed<width, integer> (signed when keep_negative) in HGQ's modes; None for an element of no bits."""
    if width <= 0:
        return None
    if rounding not in ROUNDING or overflow not in OVERFLOW:
        raise fail(f"{where}: round mode {rounding!r} / overflow mode {overflow!r} is not supported "
                   f"({', '.join(ROUNDING)} / {', '.join(OVERFLOW)})")
    if keep_negative and width < 2:
        raise fail(f"{where}: an element of sign only (1 signed bit) has no ap_fixed type")
    return FixedType(width, integer, bool(keep_negative), ROUNDING[rounding], OVERFLOW[overflow])


def exact_between_quantizers(spec: ModelSpec, source: str) -> ModelSpec:
    """Weights in their exact types, every result exact, and an input quantizer's finest type on the input bus."""
    for layer in spec.layers:
        if hasattr(layer, "exact_result"):
            layer.exact_result = True
        if isinstance(layer, BatchNormSpec):
            layer.scale_type = layer.scale_type or exact_type_of(layer.scale, MAX_WEIGHT_FRAC)
            layer.shift_type = layer.shift_type or exact_type_of(layer.shift, MAX_WEIGHT_FRAC)
            if layer.scale_type is None or layer.shift_type is None:
                raise fail(f"{source}: layer {layer.name}: its scale and shift are not quantized (they need more "
                           f"than {MAX_WEIGHT_FRAC} fractional bits)")
        if isinstance(layer, (DenseSpec, ConvSpec)):
            layer.kernel_type = layer.kernel_type or exact_type_of(layer.kernel, MAX_WEIGHT_FRAC)
            layer.bias_type = layer.bias_type or exact_type_of(layer.bias, MAX_WEIGHT_FRAC)
            if layer.kernel_type is None or layer.bias_type is None:
                raise fail(f"{source}: layer {layer.name}: its weights are not quantized (they need more than "
                           f"{MAX_WEIGHT_FRAC} fractional bits)")
    first = spec.layers[0] if spec.layers else None
    if isinstance(first, ElementQuantizerSpec) and first.inputs in ((), (spec.input.name,)):
        spec.input.result_type = input_type(first.types)
    return spec


def input_type(types) -> FixedType:
    """The input bus in front of an input quantizer: one fractional bit finer than its finest element, so that real
    inputs truncated to it and then rounded per element (TRN, RND) are what HGQ gives; RND_CONV ties are exact for
    inputs on that grid. Saturating; with wrapping elements 8 integer bits more, so that inputs up to 256 times
    their trained range wrap as HGQ wraps them."""
    holding = holding_type(set(types))
    extra = 8 if any(t is not None and t.overflow == "AP_WRAP" for t in types) else 0
    return FixedType(holding.width + 1 + extra, holding.integer + extra, True, "AP_TRN", "AP_SAT")
