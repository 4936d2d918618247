"""Exact value ranges of tensors, as integer codes at a number of fractional bits (interval arithmetic).

Every IR layer says, in its `value_range`, which values the exact result it requantizes can take
given its inputs' ranges; `Precision: auto` (ir/auto_types.py) sizes result types from them. One
interval per tensor (the hull over its elements): coarse where elements differ, never unsafe.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..fixed_point import FixedType, type_holding


@dataclass(frozen=True)
class ValueRange:
    """Every value lies in [low, high] * 2**-frac."""

    low: int
    high: int
    frac: int

    @classmethod
    def of_type(cls, t: FixedType) -> "ValueRange":
        return cls(t.min_code, t.max_code, t.frac)

    def at(self, frac: int) -> "ValueRange":
        """The smallest range of codes at `frac` holding this one (low floored, high ceiled)."""
        shift = frac - self.frac
        if shift >= 0:
            return ValueRange(self.low << shift, self.high << shift, frac)
        return ValueRange(self.low >> -shift, -((-self.high) >> -shift), frac)

    def within(self, t: FixedType) -> bool:
        codes = self.at(t.frac)
        return t.min_code <= codes.low and codes.high <= t.max_code

    def stored_in(self, t: FixedType) -> "ValueRange":
        """The range after requantizing to `t`: every rounding mode lands between floor and ceiling; a value
        that overflows saturates to the type's ends (AP_SAT, AP_SAT_SYM), or becomes 0 (AP_SAT_ZERO), or may
        become any code of the type (AP_WRAP)."""
        codes = self.at(t.frac)
        if self.within(t):
            return codes
        if t.overflow == "AP_WRAP":
            return ValueRange.of_type(t)
        low = -t.max_code if t.overflow == "AP_SAT_SYM" and t.signed else t.min_code
        clipped = ValueRange(min(max(codes.low, low), t.max_code), min(max(codes.high, low), t.max_code), t.frac)
        return clipped.hull(ValueRange(0, 0, t.frac)) if t.overflow == "AP_SAT_ZERO" else clipped

    def narrowest_type(self, rounding: str = "AP_TRN", overflow: str = "AP_WRAP") -> FixedType:
        """The narrowest type at this range's fractional bits that holds every value of it."""
        return type_holding(self.low, self.high, self.frac, rounding, overflow)

    def hull(self, other: "ValueRange") -> "ValueRange":
        frac = max(self.frac, other.frac)
        a, b = self.at(frac), other.at(frac)
        return ValueRange(min(a.low, b.low), max(a.high, b.high), frac)

    def __str__(self) -> str:
        return f"[{self.low * 2.0**-self.frac:.6g}, {self.high * 2.0**-self.frac:.6g}]"


ZERO = ValueRange(0, 0, 0)


def linear_range(weight: np.ndarray, bias: np.ndarray, x: ValueRange, shift: int) -> tuple[int, int]:
    """Lowest and highest x @ weight + bias over every output, each x element in [x.low, x.high] (codes).

    weight [n_in, n_out] and bias [n_out] are codes; products are shifted left by `shift` to the bias's
    fractional bits. Python integers: the bounds must not overflow.
    """
    w = weight.astype(object)
    ends = np.stack([w * x.low, w * x.high]) * (1 << shift)
    low = ends.min(axis=0).sum(axis=0) + bias.astype(object)
    high = ends.max(axis=0).sum(axis=0) + bias.astype(object)
    return int(min(low)), int(max(high))
