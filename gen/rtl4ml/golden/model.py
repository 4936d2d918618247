"""The fixed-point golden model: vectorized integer arithmetic over a whole batch.

It is the reference the RTL and the HLS C++ must equal bit for bit, so it follows the
IR literally: integer codes in, integer codes out, every rounding done by
fixed_point.requantize. It must never use floating point for a value that reaches an
output, except where float64 is provably exact (integer dot products below 2**53).
"""

from __future__ import annotations

import numpy as np

from ..errors import fail
from ..fixed_point import quantize_float, requantize
from ..ir.layers import ActivationLayer, DenseLayer, ModelGraph, SoftmaxLayer, TableActivationLayer

_FLOAT64_EXACT_BITS = 52


def dense(layer: DenseLayer):
    """Dense layer as a function of input codes x [batch, n_in] -> result codes [batch, n_out]."""
    accum = layer.accum_type
    product_frac = layer.product_frac
    if layer.accum_is_exact:
        weight = layer.weight << (accum.frac - product_frac)
        bias = layer.bias << (accum.frac - layer.bias_type.frac)
        if accum.width <= _FLOAT64_EXACT_BITS:
            # Every partial sum is an integer below 2**52, so BLAS float64 is exact and fast.
            weight_float = weight.astype(np.float64)
            bias_float = bias.astype(np.float64)

            def run(x):
                acc = (x.astype(np.float64) @ weight_float + bias_float).astype(np.int64)
                return requantize(acc, accum.frac, layer.result_type, accum)
        else:
            def run(x):
                return requantize(x @ weight + bias, accum.frac, layer.result_type, accum)
        return run
    # A user-chosen accumulator: each product and the bias are cast to accum_t, then summed with wrap.
    wrapping = accum.with_modes(overflow="AP_WRAP")
    bias = requantize(layer.bias, layer.bias_type.frac, wrapping)

    def run_narrow(x):
        products = requantize(x[:, :, None] * layer.weight[None, :, :], product_frac, wrapping)
        acc = requantize(products.sum(axis=1) + bias, accum.frac, accum.with_modes(rounding="AP_TRN"))
        return requantize(acc, accum.frac, layer.result_type)
    return run_narrow


def activation(layer: ActivationLayer):
    relu = layer.function == "relu"
    return lambda x: requantize(np.maximum(x, 0) if relu else x, layer.input_type.frac, layer.result_type,
                                layer.input_type)


def table_activation(layer: TableActivationLayer):
    def run(x):
        shifted = x + layer.index_offset
        index = shifted >> layer.index_shift if layer.index_shift >= 0 else shifted << -layer.index_shift
        return layer.table[np.clip(index, 0, len(layer.table) - 1)]
    return run


def softmax(layer: SoftmaxLayer):
    return lambda x: _softmax(layer, x)


def _softmax(layer: SoftmaxLayer, x: np.ndarray) -> np.ndarray:
    distance = (x.max(axis=1, keepdims=True) - x) >> layer.d_shift
    distance = np.minimum(distance, (1 << layer.d_bits) - 1)
    y = layer.log_hi[distance >> layer.lo_bits] + layer.log_lo[distance & ((1 << layer.lo_bits) - 1)]
    total = _pow2(layer, y).sum(axis=1, keepdims=True)
    index = np.minimum((total - (1 << layer.exp_frac)) >> layer.sum_shift, len(layer.log_sum) - 1)
    z = y + layer.log_sum[index]
    return requantize(_pow2(layer, z), layer.exp_frac, layer.result_type)


def _pow2(layer: SoftmaxLayer, exponent: np.ndarray) -> np.ndarray:
    """pow2[fraction] >> integer part: 2**E * 2**-(exponent / 2**Y), floored."""
    return layer.pow2[exponent & ((1 << layer.log_frac) - 1)] >> (exponent >> layer.log_frac)


_LAYER_FUNCTIONS = {"dense": dense, "activation": activation, "table_activation": table_activation,
                    "softmax": softmax}


def quantize_inputs(graph: ModelGraph, X) -> np.ndarray:
    """Check the batch and convert real-valued features to input codes."""
    X = np.asarray(X)
    if X.dtype == object or not np.issubdtype(X.dtype, np.number):
        raise fail(f"input array has dtype {X.dtype}; expected a numeric array")
    if X.ndim == 1 and X.shape[0] == graph.n_in:
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != graph.n_in:
        raise fail(f"input array has shape {tuple(X.shape)}; model {graph.name} expects (events, {graph.n_in})")
    bad = ~np.isfinite(X.astype(np.float64))
    if bad.any():
        event, feature = (int(v) for v in np.argwhere(bad)[0])
        raise fail(f"input array has {int(bad.sum())} NaN/Inf values (first at event {event}, "
                   f"feature {feature}: {X[event, feature]})")
    return quantize_float(X, graph.input.result_type)


# Events per slice: small enough that every intermediate array stays in the CPU cache,
# which makes the batch ~3x faster than one pass over a large array.
CHUNK_EVENTS = 1024


def layer_functions(graph: ModelGraph) -> list:
    """One function per layer (codes -> codes), with the layer's constants prepared once."""
    return [_LAYER_FUNCTIONS[layer.kind](layer) for layer in graph.layers]


def _run_chunk(functions: list, codes: np.ndarray) -> list[np.ndarray]:
    outputs = [codes]
    for function in functions:
        outputs.append(function(outputs[-1]))
    return outputs


def run_codes(graph: ModelGraph, codes: np.ndarray, trace: bool = False):
    """Propagate input codes through every layer; with trace, also return {layer name: codes}."""
    functions = layer_functions(graph)
    chunks = [_run_chunk(functions, codes[start:start + CHUNK_EVENTS])
              for start in range(0, max(len(codes), 1), CHUNK_EVENTS)]
    names = [graph.input.name] + [layer.name for layer in graph.layers]
    if not trace:
        return np.concatenate([chunk[-1] for chunk in chunks])
    traces = {name: np.concatenate([chunk[i] for chunk in chunks]) for i, name in enumerate(names)}
    return traces[names[-1]], traces


def predict_codes(graph: ModelGraph, X, trace: bool = False):
    return run_codes(graph, quantize_inputs(graph, X), trace)


def predict(graph: ModelGraph, X) -> np.ndarray:
    """Real-valued outputs of the fixed-point model."""
    return predict_codes(graph, X).astype(np.float64) * 2.0**-graph.output_type.frac
