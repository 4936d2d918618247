"""sigmoid / tanh through a table: index = clamp((code + offset) >> shift, 0, len-1), or << -shift."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...errors import fail
from ...fixed_point import FixedType, quantize_float
from ..value_range import ValueRange
from .base import Layer, layer_class
from .tables import power_of_two

DEFAULT_ACTIVATION_TABLE_SIZE = 1024
TABLE_RANGE = {"sigmoid": 8, "tanh": 4}  # inputs beyond +-R saturate the function
# the functions' bounds; rounding a table entry never crosses them (they are representable at any LSB)
FUNCTION_RANGE = {"sigmoid": ValueRange(0, 1, 0), "tanh": ValueRange(-1, 1, 0)}


@layer_class
@dataclass(kw_only=True)
class TableActivationLayer(Layer):
    kind = "table_activation"
    function: str  # "sigmoid" | "tanh"
    input_type: FixedType
    table: np.ndarray  # int64 result codes
    index_offset: int
    index_shift: int  # > 0: right shift, < 0: left shift

    @property
    def index_width(self) -> int:
        """Signed bits that hold code + offset and its left shift (the RTL and the C++ compute in it)."""
        return max(self.input_type.width + 1, self.index_offset.bit_length() + 1) + 1 + max(0, -self.index_shift)

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        return FUNCTION_RANGE[self.function]

    def golden(self):
        def run(x):
            shifted = x + self.index_offset
            index = shifted >> self.index_shift if self.index_shift >= 0 else shifted << -self.index_shift
            return self.table[np.clip(index, 0, len(self.table) - 1)]
        return run


def build_table_activation(name: str, inputs: tuple[str, ...], shape: tuple[int, ...], function: str,
                           input_type: FixedType, result_type: FixedType,
                           table_size: int | None = None) -> TableActivationLayer:
    size = table_size or DEFAULT_ACTIVATION_TABLE_SIZE
    index_bits = power_of_two(size, f"layer {name}, table_size")
    range_bits = int(math.log2(TABLE_RANGE[function]))
    frac = input_type.frac
    if frac + range_bits < 0:
        raise fail(f"layer {name}: input type {input_type} is too coarse for a {function} table "
                   f"(needs at least {-range_bits} fractional bits)")
    # index = floor((x + R) * size / 2R) with x = code * 2**-frac
    offset = 1 << (range_bits + frac)
    shift = frac + range_bits + 1 - index_bits
    centers = -TABLE_RANGE[function] + (np.arange(size) + 0.5) * (2.0 * TABLE_RANGE[function] / size)
    values = 1.0 / (1.0 + np.exp(-centers)) if function == "sigmoid" else np.tanh(centers)
    table = quantize_float(values, result_type)
    return TableActivationLayer(name=name, inputs=inputs, shape=shape, function=function, input_type=input_type,
                                result_type=result_type, table=table, index_offset=offset, index_shift=shift)
