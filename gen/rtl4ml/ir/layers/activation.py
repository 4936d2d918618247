"""Elementwise relu or linear (identity), then requantization to the result type."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...fixed_point import FixedType, requantize
from ..value_range import ValueRange
from .base import Layer, layer_class


@layer_class
@dataclass(kw_only=True)
class ActivationLayer(Layer):
    kind = "activation"
    function: str  # "relu" | "linear"
    input_type: FixedType

    @property
    def relu(self) -> bool:
        return self.function == "relu"

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        x = inputs[0]
        return ValueRange(max(x.low, 0), max(x.high, 0), x.frac) if self.relu else x

    def golden(self):
        relu, source, target = self.relu, self.input_type, self.result_type
        return lambda x: requantize(np.maximum(x, 0) if relu else x, source.frac, target, source)
