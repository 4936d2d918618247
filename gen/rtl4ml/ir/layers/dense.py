"""Dense: y = x @ weight + bias over the flattened input, accumulated in accum_type, requantized to result_type."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .base import layer_class
from .linear import LinearLayer


@layer_class
@dataclass(kw_only=True)
class DenseLayer(LinearLayer):
    kind = "dense"
    # weight: [n_in, n_out]

    @property
    def n_in(self) -> int:
        return int(self.weight.shape[0])

    @property
    def multipliers(self) -> int:
        """One per non-zero weight, or one per ReuseFactor of them (time-multiplexed)."""
        return -(-int(np.count_nonzero(self.weight)) // self.reuse_factor)

    def as_dense(self) -> "DenseLayer":
        return self

    def golden(self):
        run = self.matrix_product(self.weight, self.accumulator_bias())
        return lambda x: run(x.reshape(len(x), -1))

    def exact_sum(self, x: np.ndarray) -> tuple[np.ndarray, int]:
        """x @ W + b with no rounding or overflow anywhere, and its fractional bits (for profiling)."""
        return self.exact_matrix_sum(x.reshape(len(x), -1), self.weight)


def dense_from(layer: LinearLayer, weight: np.ndarray, bias: np.ndarray) -> DenseLayer:
    """The Dense layer over the flattened tensors with this weight matrix and bias, and `layer`'s name, inputs,
    types, accumulator and settings (a convolution or batch norm as the Dense it equals)."""
    shared = {field.name: getattr(layer, field.name) for field in dataclasses.fields(LinearLayer)}
    return DenseLayer(**dict(shared, shape=(weight.shape[1],), weight=weight, bias=bias))

