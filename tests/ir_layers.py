"""IR layers built directly (no frontend), for tests of the graph, the registry and the backends."""

from __future__ import annotations

import numpy as np

from rtl4ml.fixed_point import FixedType
from rtl4ml.ir.layers import ActivationLayer, DenseLayer, Layer
from rtl4ml.ir.layers.linear import choose_accumulator

X_TYPE = FixedType(8, 3)


def dense(name: str, source: Layer, units: int, seed: int, result: FixedType = X_TYPE) -> DenseLayer:
    """A Dense layer of random 6-bit weights and biases with an exact accumulator."""
    rng = np.random.default_rng(seed)
    weight_type = bias_type = FixedType(6, 2)
    weight = rng.integers(-32, 32, size=(source.n_out, units))
    bias = rng.integers(-32, 32, size=units)
    accum, exact = choose_accumulator(name, weight, bias, source.result_type, weight_type, bias_type, None)
    return DenseLayer(name=name, inputs=(source.name,), shape=(units,), input_type=source.result_type,
                      weight=weight, weight_type=weight_type, bias=bias, bias_type=bias_type, accum_type=accum,
                      accum_is_exact=exact, result_type=result)


def relu(name: str, source: Layer, result: FixedType = X_TYPE) -> ActivationLayer:
    return ActivationLayer(name=name, inputs=(source.name,), shape=source.shape, function="relu",
                           input_type=source.result_type, result_type=result)
