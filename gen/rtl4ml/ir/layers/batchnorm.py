"""Standalone BatchNormalization: y = x * scale + shift per channel (the last axis), in the types of a linear layer.

Where it directly follows a Dense or convolution the frontend folds it into that layer's weights;
elsewhere (e.g. on the model input) it is this node. Scale and shift are quantized to the layer's
weight and bias types; the accumulator is exact unless the config sets one, as for Dense. A backend may
build it as the Dense it equals over the flattened tensor (`as_dense`): one product per element.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .base import layer_class
from .dense import DenseLayer, dense_from
from .linear import LinearLayer


@layer_class
@dataclass(kw_only=True)
class BatchNormLayer(LinearLayer):
    kind = "batchnorm"
    # weight: scale codes [channels]; bias: shift codes [channels]

    @property
    def multipliers(self) -> int:
        return self.as_dense().multipliers

    def golden(self):
        # per channel, a 1 x 1 linear layer: the same product, bias and accumulator rules as Dense
        bias = self.accumulator_bias()
        runs = [self.matrix_product(self.weight[c:c + 1].reshape(1, 1), bias[c:c + 1])
                for c in range(self.weight.shape[0])]

        def scale_shift(x):
            columns = [run(x[..., c].reshape(-1, 1))[:, 0] for c, run in enumerate(runs)]
            return np.stack(columns, axis=-1).reshape((len(x),) + self.shape)
        return scale_shift

    def exact_sum(self, x: np.ndarray) -> tuple[np.ndarray, int]:
        return self.as_dense().exact_sum(x)

    def as_dense(self) -> DenseLayer:
        positions = math.prod(self.shape) // self.weight.shape[0]
        n = math.prod(self.shape)
        weight = np.zeros((n, n), dtype=np.int64)
        weight[np.arange(n), np.arange(n)] = np.tile(self.weight, positions)
        return dense_from(self, weight, np.tile(self.bias, positions))
