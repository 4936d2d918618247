"""sigmoid, tanh, softsign, softplus, elu, selu through a table: index = clamp((code + offset) >> shift, 0, len-1)
(or << -shift), the table spanning [-R, R). Where the function grows without bound (elu, selu, softplus), inputs
at and above a point take a linear tail instead, scale * x requantized to the result type (exact: the tail's scale
is a constant of its own type): elu and selu from 0 (as hls4ml's), softplus from R (|softplus(x) - x| < 2^-11
there; hls4ml saturates). softsign saturates beyond +-R, as hls4ml's does."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ...errors import fail
from ...fixed_point import FixedType, quantize_float, requantize
from ..value_range import ValueRange
from .base import Layer, layer_class
from .piecewise_linear import constant_type
from .tables import power_of_two

DEFAULT_ACTIVATION_TABLE_SIZE = 1024
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805  # Keras's constants
TABLE_FUNCTIONS = ("sigmoid", "tanh", "softsign", "softplus", "elu", "selu")
TABLE_RANGE = {"sigmoid": 8, "tanh": 4, "softsign": 8, "softplus": 8, "elu": 8, "selu": 8}  # the table's +-R


def _function(function: str, x: np.ndarray, alpha: float) -> np.ndarray:
    if function == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    if function == "tanh":
        return np.tanh(x)
    if function == "softsign":
        return x / (1.0 + np.abs(x))
    if function == "softplus":
        return np.logaddexp(0.0, x)
    if function == "elu":
        return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0)))
    return SELU_SCALE * np.where(x >= 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))


def _table_bounds(function: str, alpha: float) -> ValueRange:
    """Bounds of the table's entries (integers or powers of two, so rounding an entry never crosses them)."""
    if function == "sigmoid":
        return ValueRange(0, 1, 0)
    if function in ("tanh", "softsign"):
        return ValueRange(-1, 1, 0)
    if function == "softplus":
        return ValueRange(0, 16, 0)  # softplus(8) = 8.0003
    low = -math.ceil(SELU_SCALE * SELU_ALPHA if function == "selu" else abs(alpha))
    return ValueRange(low, math.ceil(TABLE_RANGE[function] * (SELU_SCALE if function == "selu" else 1.0)), 0)


# where a linear tail takes over (x >= start) and its scale
_TAILS = {"softplus": (8.0, 1.0), "elu": (0.0, 1.0), "selu": (0.0, SELU_SCALE)}


@layer_class
@dataclass(kw_only=True)
class TableActivationLayer(Layer):
    kind = "table_activation"
    function: str  # one of TABLE_FUNCTIONS
    input_type: FixedType
    table: np.ndarray  # int64 result codes
    index_offset: int
    index_shift: int  # > 0: right shift, < 0: left shift
    table_range: ValueRange  # bounds of the table's entries
    tail_start: int | None = None  # input code from which the linear tail gives the result (None: no tail)
    tail_scale: int = 1  # the tail's scale, a code of tail_type
    tail_type: FixedType | None = None

    def __post_init__(self):
        super().__post_init__()
        if isinstance(self.table_range, (list, tuple)):  # from JSON
            self.table_range = ValueRange(*self.table_range)

    @property
    def index_width(self) -> int:
        """Signed bits that hold code + offset and its left shift (the RTL and the C++ compute in it)."""
        return max(self.input_type.width + 1, self.index_offset.bit_length() + 1) + 1 + max(0, -self.index_shift)

    @property
    def tail_frac(self) -> int:
        return self.input_type.frac + self.tail_type.frac

    def tail_range(self, x: ValueRange) -> ValueRange | None:
        """The tail's exact values for inputs in `x` at and above tail_start (None: no tail, or none reach it)."""
        x = x.at(self.input_type.frac)
        if self.tail_start is None or x.high < self.tail_start:
            return None
        return ValueRange(self.tail_scale * max(x.low, self.tail_start), self.tail_scale * x.high, self.tail_frac)

    @property
    def tail_exact_type(self) -> FixedType:
        """The tail's exact product for any input code at or above tail_start (the hardware's width)."""
        reach = self.tail_range(ValueRange.of_type(self.input_type)) or ValueRange(0, 0, self.tail_frac)
        return reach.narrowest_type()

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        tail = self.tail_range(inputs[0])
        return self.table_range if tail is None else self.table_range.hull(tail)

    def golden(self):
        def run(x):
            shifted = x + self.index_offset
            index = shifted >> self.index_shift if self.index_shift >= 0 else shifted << -self.index_shift
            values = self.table[np.clip(index, 0, len(self.table) - 1)]
            if self.tail_start is None:
                return values
            tail = requantize(x.astype(np.int64) * self.tail_scale, self.tail_frac, self.result_type,
                              self.tail_exact_type)
            return np.where(x >= self.tail_start, tail, values)
        return run


def build_table_activation(name: str, inputs: tuple[str, ...], shape: tuple[int, ...], function: str,
                           input_type: FixedType, result_type: FixedType, table_size: int | None = None,
                           parameters: dict | None = None,
                           table_type: FixedType | None = None) -> TableActivationLayer:
    size = table_size or DEFAULT_ACTIVATION_TABLE_SIZE
    alpha = float((parameters or {}).get("alpha", 1.0))
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
    values = _function(function, centers, alpha)
    if table_type is None:
        table = quantize_float(values, result_type)
    else:  # hls4ml's table_t: the entries in the table type, then converted to the result type
        table = requantize(quantize_float(values, table_type), table_type.frac, result_type, table_type)
    tail = {}
    if function in _TAILS:
        start, scale = _TAILS[function]
        tail_type = constant_type([scale])
        # x >= start <=> code >= ceil(start * 2^frac)
        tail = dict(tail_start=math.ceil(Fraction(start) * Fraction(2) ** frac),
                    tail_scale=int(quantize_float(np.array([scale]), tail_type)[0]), tail_type=tail_type)
    return TableActivationLayer(name=name, inputs=inputs, shape=shape, function=function, input_type=input_type,
                                result_type=result_type, table=table, index_offset=offset, index_shift=shift,
                                table_range=_table_bounds(function, alpha), **tail)


def build_lookup_table(name: str, inputs: tuple[str, ...], shape: tuple[int, ...], values: np.ndarray,
                       table_kif: tuple[int, int, int], input_type: FixedType,
                       result_type: FixedType) -> TableActivationLayer:
    """A table over every code of a (k, i, f) input (HGQ's UnaryLUT: entry j is the output for the input whose
    two's-complement code at f fractional bits is j), read by the input code as any table activation is."""
    keep_negative, integer, frac = (int(n) for n in table_kif)
    size = 1 << (keep_negative + integer + frac)
    if len(values) != size:
        raise fail(f"layer {name}: a table of {len(values)} entries for an input of {size} codes ({table_kif})")
    shift = input_type.frac - frac
    low, high = (-(size >> 1), (size >> 1) - 1) if keep_negative else (0, size - 1)
    reach = ValueRange.of_type(input_type).at(frac) if shift >= 0 else None
    if reach is None or reach.low < low or reach.high > high:
        raise fail(f"layer {name}: its input type {input_type} is not within the table's input "
                   f"(k, i, f) = {table_kif}; the table would be read out of its range")
    # the table in the order of code - low: a signed table's negative half first
    ordered = np.roll(np.asarray(values, dtype=np.float64), -low)
    table = quantize_float(ordered, result_type)
    return TableActivationLayer(name=name, inputs=inputs, shape=shape, function="lookup", input_type=input_type,
                                result_type=result_type, table=table, index_offset=-low << shift,
                                index_shift=shift,
                                table_range=ValueRange(int(table.min()), int(table.max()), result_type.frac))
