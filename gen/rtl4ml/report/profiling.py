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
from ..ir.graph import ModelGraph
from ..ir.handlers import HandlerTable
from ..ir.layers import (
    ActivationLayer, AveragePoolingLayer, BatchNormLayer, ConcatenateLayer, ConvLayer, CroppingLayer, DenseLayer,
    DotLayer, ElementQuantizerLayer, ElementwiseMergeLayer, MaxPoolingLayer, PermuteLayer, PiecewiseLinearLayer,
    RecurrentLayer, ReshapeLayer, ReverseLayer, SoftmaxLayer, TableActivationLayer, UpSamplingLayer,
    ZeroPaddingLayer)

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


PROFILES = HandlerTable("profiling report")


@PROFILES.register(DenseLayer, ConvLayer, BatchNormLayer)
def _linear(layer, x: np.ndarray, outputs: np.ndarray) -> list[dict]:
    exact, frac = layer.exact_sum(x)
    return [_summary(layer.name, "weight", layer.weight, layer.weight_type.frac, layer.weight_type),
            _summary(layer.name, "bias", layer.bias, layer.bias_type.frac, layer.bias_type),
            _summary(layer.name, "result", exact, frac, layer.result_type)]


@PROFILES.register(ActivationLayer)
def _activation(layer: ActivationLayer, x: np.ndarray, outputs: np.ndarray) -> list[dict]:
    relu = np.maximum(x, 0) if layer.relu else x
    return [_summary(layer.name, "result", relu, layer.input_type.frac, layer.result_type)]


@PROFILES.register(ElementQuantizerLayer)
def _element_quantizer(layer: ElementQuantizerLayer, x: np.ndarray, outputs: np.ndarray) -> list[dict]:
    flat = x.reshape(len(x), -1)
    return [_summary(f"{layer.name}[{t}]", "result", flat[:, layer.members(g)], layer.input_type.frac, t)
            for g, t in enumerate(layer.element_types) if t is not None]


@PROFILES.register(PiecewiseLinearLayer)
def _piecewise_linear(layer: PiecewiseLinearLayer, x: np.ndarray, outputs: np.ndarray) -> list[dict]:
    return [_summary(layer.name, "result", layer.exact_values(x), layer.exact_frac, layer.result_type)]


@PROFILES.register(SoftmaxLayer, TableActivationLayer)
def _table_output(layer, x: np.ndarray, outputs: np.ndarray) -> list[dict]:
    # Table outputs are in range by construction; their distribution is still worth seeing.
    return [_summary(layer.name, "result", outputs, layer.result_type.frac, layer.result_type)]


@PROFILES.register(AveragePoolingLayer)
def _average(layer: AveragePoolingLayer, x: np.ndarray, outputs: np.ndarray) -> list[dict]:
    exact, frac = layer.as_dense().exact_sum(x)  # the window sums times 1/n, before the result's rounding
    return [_summary(layer.name, "result", exact, frac, layer.result_type)]


@PROFILES.register(MaxPoolingLayer)
def _max(layer: MaxPoolingLayer, x: np.ndarray, outputs: np.ndarray) -> list[dict]:
    return [_summary(layer.name, "result", layer.maxima(x), layer.input_type.frac, layer.result_type)]


@PROFILES.register(ElementwiseMergeLayer, DotLayer)
def _merge(layer, a: np.ndarray, b: np.ndarray, outputs: np.ndarray) -> list[dict]:
    return [_summary(layer.name, "result", layer.exact_values(a, b), layer.exact_type.frac, layer.result_type)]


@PROFILES.register(ConcatenateLayer)
def _concatenate(layer: ConcatenateLayer, a: np.ndarray, b: np.ndarray, outputs: np.ndarray) -> list[dict]:
    frac = max(t.frac for t in layer.input_types)  # both inputs exactly, before their conversion
    parts = [x.reshape(len(x), -1).astype(np.int64) << (frac - t.frac) for x, t in zip((a, b), layer.input_types)]
    return [_summary(layer.name, "result", np.concatenate(parts, axis=1), frac, layer.result_type)]


@PROFILES.register(ReshapeLayer, ZeroPaddingLayer, CroppingLayer, UpSamplingLayer, PermuteLayer,
                   ReverseLayer)
def _wiring(layer, x: np.ndarray, outputs: np.ndarray) -> list[dict]:
    return []  # the codes of its input (and zeros), unchanged


@PROFILES.register(RecurrentLayer)
def _recurrent(layer: RecurrentLayer, x: np.ndarray, outputs: np.ndarray) -> list[dict]:
    """Each layer of the cell over the values of every step (the steps side by side), named as in the cell."""
    steps = list(layer.cell.run(x, layer.steps))
    rows = []
    for part in layer.cell.layers:
        inputs = [np.concatenate([values[name] for values in steps]) for name in part.inputs]
        rows.extend(PROFILES(part)(part, *inputs, np.concatenate([values[part.name] for values in steps])))
    return rows


def profile(graph: ModelGraph, X: np.ndarray) -> list[dict]:
    """Per layer (inputs, weights, biases, results): value ranges and overflow/underflow counts."""
    X = np.asarray(X, dtype=np.float64)
    X = X.reshape(len(X), -1)
    in_type = graph.input.result_type
    scale_frac = 52 - max(0, int(np.ceil(np.log2(np.abs(X).max() + 1))))  # exact in float64
    rows = [_summary(graph.input.name, "input", np.round(X * 2.0**scale_frac).astype(np.int64), scale_frac,
                     in_type)]
    values = {graph.input.name: quantize_float(X, in_type).reshape((len(X),) + graph.input.shape)}
    for layer, function in zip(graph.layers, layer_functions(graph)):
        handler = PROFILES(layer)
        inputs = [values[name] for name in layer.inputs]
        values[layer.name] = function(*inputs)
        rows.extend(handler(layer, *inputs, values[layer.name]))
    return rows
