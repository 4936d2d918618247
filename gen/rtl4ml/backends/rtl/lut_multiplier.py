"""Generic (variable x variable) products in LUTs: rtl/lut_multiplier.v's shape, its price and the DSP-or-LUT choice.

A time-multiplexed multiplier's weight changes from cycle to cycle, so it is no constant product for shift-add;
synthesis puts a `*` in a DSP slice. lut_multiplier.v builds it in the fabric instead: ceil(B / 2) radix-4 Booth
rows of an A + B-bit product and a correction word, summed by a balanced tree. Whether that is worth it is the
same exchange rate as for constant products (config LutsPerDsp: what a DSP is worth in LUTs).
"""

from __future__ import annotations

import math

from .shift_add import LUTS_PER_DSP

LUT_MULTIPLIER_SOURCES = ("lut_multiplier.v",)  # written into cores whose blocks use it (after reduction_tree)

# LUTs per (row x product bit) of lut_multiplier.v in the flat Yosys flow (synth_xilinx, xcup), measured on the
# module alone between registers: 7 x 6 bits 43 LUTs (3 rows x 13 bits: 1.10 per row-bit), 9 x 6 53 (1.18),
# 9 x 4 31 (1.19), 9 x 8 67 (0.99), 13 x 8 87 (1.04), 17 x 6 85 (1.23), 24 x 4 61 (1.09), 12 x 12 130 (0.90),
# 16 x 16 220 (0.86), 5 x 3 14 (0.88); the price takes the most per row-bit, so it never undercounts these.
ROW_BIT_LUTS = 1.25


def booth_rows(b_width: int) -> int:
    return (b_width + 1) // 2


def lut_multiplier_levels(b_width: int) -> int:
    """Adder levels of the tree over the rows and the correction word (the module's LEVELS parameter)."""
    return max(1, math.ceil(math.log2(booth_rows(b_width) + 1)))


def lut_multiplier_luts(a_width: int, b_width: int) -> int:
    """The LUTs one lut_multiplier of these operand widths costs (at most; see ROW_BIT_LUTS)."""
    return math.ceil(ROW_BIT_LUTS * booth_rows(b_width) * (a_width + b_width))


def use_lut_multiplier(a_width: int, b_width: int, luts_per_dsp: int | None = None) -> bool:
    """True when a generic product of these widths costs no more LUTs than a DSP is worth."""
    rate = LUTS_PER_DSP if luts_per_dsp is None else luts_per_dsp
    return lut_multiplier_luts(a_width, b_width) <= rate


def products_in_luts(block) -> bool:
    """The block, or a module it instantiates (a recurrent cell's), builds generic products as lut_multipliers."""
    return getattr(block.plan, "lut_levels", 0) > 0 or any(products_in_luts(part) for part in block.parts)
