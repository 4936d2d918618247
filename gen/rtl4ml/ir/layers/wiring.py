"""Wiring layers: every output element is one input element or a constant zero, the type is kept (hls4ml's too).

ZeroPadding, Cropping, UpSampling (nearest) and Permute are this. Each class says how it rearranges
a [batch, *input_shape] array (numpy, the golden model); which input element feeds each output
element follows from that rearrangement, so the hardware's wiring and the golden model cannot
disagree, and the per-layer references (Keras, the loop model in the tests, the C++ loops) check
the rearrangement itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..value_range import ValueRange, ZERO
from .base import Layer


@dataclass(kw_only=True)
class WiringLayer(Layer):
    description: ClassVar[str]  # what the layer does, for generated file headers
    input_shape: tuple[int, ...]

    def __post_init__(self):
        super().__post_init__()
        self.input_shape = tuple(int(n) for n in self.input_shape)

    def rearrange(self, x: np.ndarray) -> np.ndarray:
        """[batch, *input_shape] -> [batch, *shape]; a new element is 0."""
        raise NotImplementedError

    def problem(self) -> str | None:
        """What makes this layer impossible on its input (None: nothing); checked before `rearrange` is used."""
        return None

    def rearranged_shape(self) -> tuple[int, ...]:
        """The output shape, as the rearrangement gives it (the builder sets `shape` from it)."""
        return self.rearrange(np.zeros((1,) + self.input_shape, dtype=np.int64)).shape[1:]

    def golden(self):
        return self.rearrange

    def sources(self) -> list[int | None]:
        """Per output element (row-major), the flat index of the input element it copies; None: a zero."""
        numbers = np.arange(1, math.prod(self.input_shape) + 1).reshape((1,) + self.input_shape)
        return [None if n == 0 else int(n) - 1 for n in self.rearrange(numbers).reshape(-1)]

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        return inputs[0].hull(ZERO) if None in self.sources() else inputs[0]
