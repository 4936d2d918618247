"""The fixed-point golden model: every layer's golden computation, run over a batch in graph order.

It is the reference the RTL and the HLS C++ must equal bit for bit. The arithmetic lives in
the IR layer classes (ir/layers/): integer codes in, integer codes out, every rounding done by
fixed_point.requantize, floating point only where float64 is provably exact (integer dot
products below 2**53). This module checks and quantizes the inputs and walks the graph.
"""

from __future__ import annotations

import numpy as np

from ..arrays import input_batch
from ..fixed_point import quantize_float
from ..ir.graph import ModelGraph


def quantize_inputs(graph: ModelGraph, X) -> np.ndarray:
    """Check the batch and convert real-valued features to input codes [events, n_in] (tensors flattened row-major).

    A batch is [events, n_in] or [events, *input shape] (e.g. images [events, H, W, C]).
    """
    return quantize_float(input_batch(X, graph.input.shape, "input array", f"model {graph.name}"),
                          graph.input.result_type)


# Events per slice: small enough that every intermediate array stays in the CPU cache,
# which makes the batch ~3x faster than one pass over a large array.
CHUNK_EVENTS = 1024


def layer_functions(graph: ModelGraph) -> list:
    """One function per layer (codes -> codes), with the layer's constants prepared once."""
    return [layer.golden() for layer in graph.layers]


def _run_chunk(graph: ModelGraph, functions: list, codes: np.ndarray) -> dict[str, np.ndarray]:
    values = {graph.input.name: codes.reshape((len(codes),) + graph.input.shape)}
    for layer, function in zip(graph.layers, functions):
        values[layer.name] = function(*(values[name] for name in layer.inputs))
        if values[layer.name].shape != (len(codes),) + layer.shape:  # the contract every next layer relies on
            raise AssertionError(f"layer {layer.name}: golden output of shape {values[layer.name].shape}, "
                                 f"not {(len(codes),) + layer.shape}")
    return values


def output_codes(graph: ModelGraph, values: dict[str, np.ndarray]) -> np.ndarray:
    """The model outputs of one run, each flattened (row-major), side by side in graph.outputs order."""
    return np.concatenate([values[name].reshape(len(values[name]), -1) for name in graph.outputs], axis=1)


def run_codes(graph: ModelGraph, codes: np.ndarray, trace: bool = False):
    """Propagate input codes through every layer; with trace, also return {layer name: codes [events, n]}."""
    functions = layer_functions(graph)
    chunks = [_run_chunk(graph, functions, codes[start:start + CHUNK_EVENTS])
              for start in range(0, max(len(codes), 1), CHUNK_EVENTS)]
    outputs = np.concatenate([output_codes(graph, chunk) for chunk in chunks])
    if not trace:
        return outputs
    traces = {layer.name: np.concatenate([chunk[layer.name].reshape(len(chunk[layer.name]), -1)
                                          for chunk in chunks]) for layer in graph.all_layers()}
    return outputs, traces


def predict_codes(graph: ModelGraph, X, trace: bool = False):
    return run_codes(graph, quantize_inputs(graph, X), trace)


def predict(graph: ModelGraph, X) -> np.ndarray:
    """Real-valued outputs of the fixed-point model."""
    return predict_codes(graph, X) * graph.output_scale
