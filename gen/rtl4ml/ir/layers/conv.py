"""Convolution over 1 or 2 spatial axes (channels last), any kernel size and stride, explicit zero padding.

The golden model computes it as patches of the padded input times the kernel. A backend may instead
build it as a Dense layer over the flattened tensors whose weight matrix holds the kernel at every
output position (`as_dense`): zero entries cost nothing in the RTL, so each output position costs
what one Dense neuron over its window costs, and the arithmetic (types, accumulator) is the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

import numpy as np

from .base import layer_class
from .dense import DenseLayer, dense_from
from .linear import LinearLayer


@layer_class
@dataclass(kw_only=True)
class ConvLayer(LinearLayer):
    kind = "conv"
    # weight: kernel codes [*kernel_size, in_channels, out_channels]
    input_shape: tuple[int, ...]  # [*spatial, in_channels]
    strides: tuple[int, ...]
    pad_before: tuple[int, ...]  # zeros added before each spatial axis (Keras 'same' puts the odd one after)
    pad_after: tuple[int, ...]

    def __post_init__(self):
        super().__post_init__()
        self.input_shape, self.strides = tuple(self.input_shape), tuple(self.strides)
        self.pad_before, self.pad_after = tuple(self.pad_before), tuple(self.pad_after)

    @property
    def kernel_size(self) -> tuple[int, ...]:
        return tuple(self.weight.shape[:-2])

    @property
    def rank(self) -> int:
        return len(self.kernel_size)

    @property
    def kernel_matrix(self) -> np.ndarray:
        """[window elements (kernel positions x in channels, row-major), out channels]."""
        return self.weight.reshape(-1, self.weight.shape[-1])

    @property
    def multipliers(self) -> int:
        return self.as_dense().multipliers

    def _patches(self, x: np.ndarray) -> np.ndarray:
        """[batch, *spatial, C] -> [batch * output positions, window elements], in kernel_matrix order."""
        rank = self.rank
        padded = np.pad(x, [(0, 0)] + list(zip(self.pad_before, self.pad_after)) + [(0, 0)])
        windows = np.lib.stride_tricks.sliding_window_view(padded, self.kernel_size, axis=tuple(range(1, rank + 1)))
        windows = windows[(slice(None),) + tuple(slice(None, None, s) for s in self.strides)]
        # [batch, *out, C, *kernel] -> [batch, *out, *kernel, C]
        order = (0,) + tuple(range(1, rank + 1)) + tuple(range(rank + 2, 2 * rank + 2)) + (rank + 1,)
        return windows.transpose(order).reshape(-1, math.prod(self.kernel_size) * self.input_shape[-1])

    def golden(self):
        run = self.matrix_product(self.kernel_matrix, self.accumulator_bias())
        return lambda x: run(self._patches(x)).reshape((len(x),) + self.shape)

    def exact_sum(self, x: np.ndarray) -> tuple[np.ndarray, int]:
        """The convolution with no rounding or overflow anywhere, flattened per event, and its fractional bits."""
        exact, frac = self.exact_matrix_sum(self._patches(x), self.kernel_matrix)
        return exact.reshape(len(x), -1), frac

    def as_dense(self) -> DenseLayer:
        """The same layer as a Dense over the flattened input and output (row-major, channels last)."""
        spatial_in, spatial_out = self.input_shape[:-1], self.shape[:-1]
        weight = np.zeros((math.prod(self.input_shape), math.prod(self.shape)), dtype=np.int64)
        in_index = np.arange(weight.shape[0]).reshape(self.input_shape)
        out_index = np.arange(weight.shape[1]).reshape(self.shape)
        for position in product(*(range(n) for n in spatial_out)):
            for offset, source in window(position, self.kernel_size, self.strides, self.pad_before, spatial_in):
                weight[in_index[source][:, None], out_index[position][None, :]] = self.weight[offset]
        return dense_from(self, weight, np.tile(self.bias, math.prod(spatial_out)))


def window(position: tuple[int, ...], size: tuple[int, ...], strides: tuple[int, ...], pad_before: tuple[int, ...],
           spatial_in: tuple[int, ...]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """(offset in the window, input position) of the window at output `position`; padding positions left out."""
    pairs = []
    for offset in product(*(range(k) for k in size)):
        source = tuple(p * s + o - pad for p, s, o, pad in zip(position, strides, offset, pad_before))
        if all(0 <= i < n for i, n in zip(source, spatial_in)):  # padding zeros contribute nothing
            pairs.append((offset, source))
    return pairs


def output_geometry(input_size: int, kernel: int, stride: int, padding: str) -> tuple[int, int, int]:
    """(output size, zeros before, zeros after) along one axis, exactly as Keras places them."""
    if padding == "valid":
        return (input_size - kernel) // stride + 1, 0, 0
    out = -(-input_size // stride)
    total = max((out - 1) * stride + kernel - input_size, 0)
    return out, total // 2, total - total // 2
