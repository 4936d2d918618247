"""Merges: layers of two or more input tensors (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot).

The arithmetic is exact, then requantized once to the result type, as hls4ml's merge layers
compute `res_T(a op b)` with ap_fixed's full-precision operators: inputs are aligned to the
larger fractional width, summed (averaged: halved exactly), subtracted, multiplied or compared
with no rounding and no overflow (the exact type is sized from the input types' ranges), and only
the result is rounded and saturated (or wrapped) as the result type says. Dot is the exact sum of the elementwise products (a tensor
with itself: its sum of squares), then the same single requantization.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import numpy as np

from ...fixed_point import FixedType, requantize
from ..value_range import ValueRange
from .base import Layer, layer_class


@dataclass(kw_only=True)
class MergeLayer(Layer):
    """A layer reading several tensors, each with its own type."""

    input_types: tuple[FixedType, ...]

    def __post_init__(self):
        super().__post_init__()
        self.input_types = tuple(self.input_types)


@layer_class
@dataclass(kw_only=True)
class ElementwiseMergeLayer(MergeLayer):
    """out[i] = result_type(x0[i] op x1[i] op ...), op add, subtract (exactly two inputs), multiply, average,
    maximum or minimum. Average is the exact sum with one more fractional bit (halving is exact)."""

    kind = "elementwise_merge"
    operation: str
    luts_per_dsp: int | None = None  # multiply: a product in LUTs where it costs no more (config LutsPerDsp)

    @property
    def combine(self) -> str:
        """How the aligned input codes combine into the exact result's code (average: their sum)."""
        return "add" if self.operation == "average" else self.operation

    @property
    def frac(self) -> int:
        """Fractional bits of the exact result."""
        if self.operation == "multiply":
            return sum(t.frac for t in self.input_types)
        return max(t.frac for t in self.input_types) + (1 if self.operation == "average" else 0)

    def shifts(self) -> list[int]:
        """Left shift aligning each input to the others (0 for products: fractions add up)."""
        if self.operation == "multiply":
            return [0] * len(self.input_types)
        aligned = max(t.frac for t in self.input_types)
        return [aligned - t.frac for t in self.input_types]

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        ends = [(r.at(t.frac).low << s, r.at(t.frac).high << s)
                for r, t, s in zip(inputs, self.input_types, self.shifts())]
        lows, highs = [lo for lo, _ in ends], [hi for _, hi in ends]
        if self.combine == "add":
            low, high = sum(lows), sum(highs)
        elif self.combine == "subtract":
            low, high = ends[0][0] - ends[1][1], ends[0][1] - ends[1][0]
        elif self.combine == "maximum":
            low, high = max(lows), max(highs)
        elif self.combine == "minimum":
            low, high = min(lows), min(highs)
        else:
            def times(a, b):
                products = [x * y for x in a for y in b]
                return min(products), max(products)
            low, high = reduce(times, ends)
        return ValueRange(low, high, self.frac)

    @property
    def exact_type(self) -> FixedType:
        """Type of the exact result for any input codes (the hardware's width); maximum and minimum compare their
        operands in it, so it holds every input too."""
        ranges = [ValueRange.of_type(t) for t in self.input_types]
        if self.combine in ("maximum", "minimum"):
            return reduce(ValueRange.hull, ranges).at(self.frac).narrowest_type()
        return self.value_range(ranges).narrowest_type()

    def exact_values(self, *inputs: np.ndarray) -> np.ndarray:
        """The exact results (codes at exact_type.frac), before the one requantization."""
        terms = [x.astype(np.int64) << s for x, s in zip(inputs, self.shifts())]
        if self.combine == "add":
            return sum(terms[1:], terms[0])
        if self.combine == "subtract":
            return terms[0] - terms[1]
        if self.combine == "maximum":
            return reduce(np.maximum, terms)
        if self.combine == "minimum":
            return reduce(np.minimum, terms)
        return reduce(np.multiply, terms)

    def golden(self):
        exact, target = self.exact_type, self.result_type
        return lambda *inputs: requantize(self.exact_values(*inputs), exact.frac, target, exact)


@layer_class
@dataclass(kw_only=True)
class ConcatenateLayer(MergeLayer):
    """The inputs side by side along `axis` (of the shape without batch axis), each requantized to the result type."""

    kind = "concatenate"
    axis: int  # non-negative, < len(shape)
    input_shapes: tuple[tuple[int, ...], ...]

    def __post_init__(self):
        super().__post_init__()
        self.input_shapes = tuple(tuple(int(n) for n in shape) for shape in self.input_shapes)

    def sources(self) -> list[tuple[int, int]]:
        """(input number, flat element index in it) of every output element, in output order."""
        tagged = [np.stack(np.broadcast_arrays(np.full(shape, k), np.arange(int(np.prod(shape))).reshape(shape)),
                           axis=-1) for k, shape in enumerate(self.input_shapes)]
        joined = np.concatenate(tagged, axis=self.axis).reshape(-1, 2)
        return [(int(k), int(i)) for k, i in joined]

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        return reduce(ValueRange.hull, inputs)

    def golden(self):
        types, target, axis = self.input_types, self.result_type, self.axis

        def run(*inputs):
            parts = [requantize(x, t.frac, target, t) for x, t in zip(inputs, types)]
            return np.concatenate(parts, axis=axis + 1)
        return run


@layer_class
@dataclass(kw_only=True)
class DotLayer(MergeLayer):
    """Exact sum over i of x0[i] * x1[i] (two vectors of one length; the same tensor twice: sum of squares)."""

    kind = "dot"
    input_n: int  # elements of each input

    @property
    def squares(self) -> bool:
        return self.inputs[0] == self.inputs[1]

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        """The product range times the length (squares never go negative)."""
        a, b = (r.at(t.frac) for r, t in zip(inputs, self.input_types))
        n = self.input_n
        if self.squares:
            nearest = 0 if a.low <= 0 <= a.high else min(abs(a.low), abs(a.high))
            return ValueRange(nearest**2 * n, max(abs(a.low), abs(a.high))**2 * n, 2 * a.frac)
        products = [x * y for x in (a.low, a.high) for y in (b.low, b.high)]
        return ValueRange(min(min(products) * n, 0), max(max(products) * n, 0), a.frac + b.frac)

    @property
    def exact_type(self) -> FixedType:
        """Type of the exact sum for any input codes (the hardware's width)."""
        return self.value_range([ValueRange.of_type(t) for t in self.input_types]).narrowest_type()

    @property
    def multipliers(self) -> int:
        return self.input_n

    def exact_values(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The exact sums (codes at exact_type.frac), before the one requantization."""
        return (a.astype(np.int64) * b.astype(np.int64)).reshape(len(a), -1).sum(axis=1, keepdims=True)

    def golden(self):
        exact, target = self.exact_type, self.result_type
        return lambda a, b: requantize(self.exact_values(a, b), exact.frac, target, exact)
