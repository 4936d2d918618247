"""Constant multiplication as shift-and-add: canonical signed digits and the DSP-or-LUT choice.

w * x = sum over digits of +-(x << k). Canonical signed-digit (CSD) recoding gives the fewest
non-zero digits (no two adjacent), e.g. 7 = 8 - 1: two digits instead of three. The digits of a
layer's shift-add products are summed by one adder graph that shares subexpressions (cmvm.py).
The choice below prices a product's digits at their measured margin in that graph (see use_shift_add).
"""

from __future__ import annotations

# Default exchange rate used to choose per product (config key LutsPerDsp): a DSP is worth this
# many LUTs. UltraScale+ parts have ~170 LUTs per DSP, but DSPs also absorb the product registers
# and route better, so a product moves to LUTs only when it is clearly cheap there. LutsPerDsp 0
# keeps every non-power-of-two product on a DSP.
LUTS_PER_DSP = 64
# LUTs per input bit that each signed digit after the first adds to a layer's adder graph, at the margin.
# Measured (Yosys, fast mapping, per layer) on the bundled 16-bit jet tagger: moving its 1,682 DSP products
# (85,024 digit-bits beyond their first digits) into the graph cost 7,962 LUTs, 0.094 per digit-bit: the
# digits share adders across neurons, and a DSP product too costs a graph input at accumulator width.
DIGIT_BIT_LUTS = 0.1


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


def use_shift_add(value: int, input_width: int, luts_per_dsp: int | None = None) -> bool:
    """True when the digits of `value` times an `input_width`-bit input cost the adder graph no more LUTs than a
    DSP is worth (a power of two costs nothing: it is wiring)."""
    rate = LUTS_PER_DSP if luts_per_dsp is None else luts_per_dsp
    extra = len(csd_digits(value)) - 1
    return extra == 0 or (rate > 0 and extra * input_width * DIGIT_BIT_LUTS <= rate)
