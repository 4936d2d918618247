"""Constant multiplication as shift-and-add: canonical signed digits and the DSP-or-LUT choice.

w * x = sum over digits of +-(x << k). Canonical signed-digit (CSD) recoding gives the fewest
non-zero digits (no two adjacent), e.g. 7 = 8 - 1: two digits instead of three. The digits of a
layer's shift-add products are summed by one adder graph that shares subexpressions (cmvm.py).
The choice below prices a product's digits as if nothing were shared (d - 1 adders of accumulator
width): an upper bound on its LUT cost.
"""

from __future__ import annotations

# Default exchange rate used to choose per product (config key LutsPerDsp): a DSP is worth this
# many LUTs. UltraScale+ parts have ~170 LUTs per DSP, but DSPs also absorb the product registers
# and route better, so a product moves to LUTs only when it is clearly cheap there (low-bit
# weights, few digits). LutsPerDsp 0 keeps every non-power-of-two product on a DSP.
LUTS_PER_DSP = 64


def csd_digits(value: int) -> list[tuple[int, int]]:
    """Canonical signed digits of `value` as (sign, shift) pairs: value == sum(sign << shift)."""
    digits = []
    shift = 0
    while value != 0:
        if value & 1:
            digit = 2 - (value & 3)  # +1 when value = 1 mod 4, -1 when value = 3 mod 4
            digits.append((digit, shift))
            value -= digit
        value >>= 1
        shift += 1
    return digits


def use_shift_add(value: int, accum_width: int, luts_per_dsp: int | None = None) -> bool:
    """True when adding the digits of `value` to the tree costs no more LUTs than a DSP is worth."""
    rate = LUTS_PER_DSP if luts_per_dsp is None else luts_per_dsp
    return (len(csd_digits(value)) - 1) * accum_width <= rate
