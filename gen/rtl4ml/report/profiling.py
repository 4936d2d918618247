"""Numerical profiling: where each layer's values fall against the range of its fixed-point type.

For every layer the user's inputs are propagated exactly as the hardware does (golden model),
and the value each layer produces *before* its final rounding and overflow handling is compared
with the result type: how many values overflowed (saturated or wrapped, by the type's mode) and
how many non-zero values underflowed to zero. Weights and biases are profiled from their codes
(values at the type's limits are the ones that saturated when the model was quantized).
"""

from __future__ import annotations

import numpy as np

from ..fixed_point import FixedType, quantize_float, requantize
from ..golden.model import layer_functions
from ..ir.layers import ModelGraph

# Wide enough that rounding to it never overflows: exposes the value before overflow handling.
_UNBOUNDED_BITS = 62


def _unbounded(target: FixedType) -> FixedType:
    return FixedType(_UNBOUNDED_BITS, _UNBOUNDED_BITS - target.frac, True, target.rounding, "AP_WRAP")


def _summary(name: str, quantity: str, exact: np.ndarray, exact_frac: int, target: FixedType) -> dict:
    """Counts of overflow and underflow when `exact` codes (at exact_frac) are cast to `target`."""
    rounded = requantize(exact, exact_frac, _unbounded(target))
    overflow = (rounded < target.min_code) | (rounded > target.max_code)
    underflow = (exact != 0) & (rounded == 0)
    at_limit = (np.clip(rounded, target.min_code, target.max_code) == target.min_code) | \
        (np.clip(rounded, target.min_code, target.max_code) == target.max_code)
    values = exact.astype(np.float64) * 2.0**-exact_frac
    nonzero = np.abs(values[values != 0])
    return {
        "layer": name, "quantity": quantity, "type": str(target), "values": int(exact.size),
        "min": float(values.min()) if values.size else 0.0, "max": float(values.max()) if values.size else 0.0,
        "type_min": target.min_code * 2.0**-target.frac, "type_max": target.max_code * 2.0**-target.frac,
        "type_lsb": 2.0**-target.frac,
        "overflow": int(overflow.sum()),
        "overflow_effect": "wrapped" if target.overflow == "AP_WRAP" else "saturated",
        "underflow": int(underflow.sum()),
        "at_limit": int(at_limit.sum()),  # for constants: the ones that saturated when quantized
        "log2_abs_percentiles": [float(v) for v in np.percentile(np.log2(nonzero), [0, 25, 50, 75, 100])]
        if nonzero.size else [],
    }


def _dense_exact(layer, x: np.ndarray) -> tuple[np.ndarray, int]:
    """x @ W + b with no rounding or overflow anywhere, at the product's fractional bits."""
    frac = max(layer.product_frac, layer.bias_type.frac)
    weight = layer.weight.astype(object) << (frac - layer.product_frac)
    bias = layer.bias.astype(object) << (frac - layer.bias_type.frac)
    bound = int(np.abs(x).max(initial=0)) * int(np.abs(weight).sum(axis=0).max()) + int(np.abs(bias).max())
    if bound < 2**52:  # every partial sum is an integer float64 holds exactly (BLAS speed)
        exact = x.astype(np.float64) @ weight.astype(np.float64) + bias.astype(np.float64)
    else:
        exact = x.astype(object) @ weight + bias
    return np.asarray(exact, dtype=np.int64), frac


def profile(graph: ModelGraph, X: np.ndarray) -> list[dict]:
    """Per layer (inputs, weights, biases, results): value ranges and overflow/underflow counts."""
    X = np.asarray(X, dtype=np.float64)
    in_type = graph.input.result_type
    scale_frac = 52 - max(0, int(np.ceil(np.log2(np.abs(X).max() + 1))))  # exact in float64
    rows = [_summary(graph.input.name, "input", np.round(X * 2.0**scale_frac).astype(np.int64), scale_frac,
                     in_type)]
    codes = quantize_float(X, in_type)
    for layer, function in zip(graph.layers, layer_functions(graph)):
        if layer.kind == "dense":
            rows.append(_summary(layer.name, "weight", layer.weight, layer.weight_type.frac, layer.weight_type))
            rows.append(_summary(layer.name, "bias", layer.bias, layer.bias_type.frac, layer.bias_type))
            exact, frac = _dense_exact(layer, codes)
            rows.append(_summary(layer.name, "result", exact, frac, layer.result_type))
        elif layer.kind == "activation":
            relu = np.maximum(codes, 0) if layer.function == "relu" else codes
            rows.append(_summary(layer.name, "result", relu, layer.input_type.frac, layer.result_type))
        outputs = function(codes)
        if layer.kind in ("softmax", "table_activation"):
            # Table outputs are in range by construction; their distribution is still worth seeing.
            rows.append(_summary(layer.name, "result", outputs, layer.result_type.frac, layer.result_type))
        codes = outputs
    return rows
