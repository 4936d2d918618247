"""ZeroPadding1D/2D: zeros added around the spatial axes; the codes keep their type (hls4ml's too).

No arithmetic: a backend builds it as wiring, each output element an input element or the constant 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..value_range import ValueRange, ZERO
from .base import Layer, layer_class


@layer_class
@dataclass(kw_only=True)
class ZeroPaddingLayer(Layer):
    kind = "zero_padding"
    input_shape: tuple[int, ...]  # [*spatial, channels]
    pad_before: tuple[int, ...]
    pad_after: tuple[int, ...]

    def __post_init__(self):
        super().__post_init__()
        for name in ("input_shape", "pad_before", "pad_after"):
            setattr(self, name, tuple(int(n) for n in getattr(self, name)))

    def _widths(self) -> list[tuple[int, int]]:
        """np.pad widths of a [batch, *spatial, channels] array."""
        return [(0, 0)] + list(zip(self.pad_before, self.pad_after)) + [(0, 0)]

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        return inputs[0].hull(ZERO)

    def golden(self):
        widths = self._widths()
        return lambda x: np.pad(x, widths)

    def sources(self) -> list[int | None]:
        """Per output element (row-major), the flat index of the input element it copies; None: a zero."""
        index = np.arange(math.prod(self.input_shape)).reshape((1,) + self.input_shape)
        padded = np.pad(index, self._widths(), constant_values=-1).reshape(-1)
        return [None if i < 0 else int(i) for i in padded]
