"""The model input: a tensor of codes of one fixed-point type."""

from __future__ import annotations

from dataclasses import dataclass

from ..value_range import ValueRange
from .base import Layer, layer_class


@layer_class
@dataclass(kw_only=True)
class InputLayer(Layer):
    kind = "input"

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        return ValueRange.of_type(self.result_type)  # any code of its type (calibration data may narrow it)

    def golden(self):
        return lambda x: x
