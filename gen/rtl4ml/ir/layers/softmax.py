"""Softmax on integer codes, in base 2, through lookup tables computed once into the IR.

The recipe (all integers; the golden model, the HLS C++ and the RTL follow it step by step).
It works in base 2 so that it needs no multiplier: exp(-d) = 2**-y with y = d * log2(e), and
dividing by the sum is subtracting its logarithm.
  d_i   = min((max_j x_j - x_i) >> d_shift, 2**d_bits - 1)       distance from the max (D fraction bits)
  y_i   = log_hi[d_i >> lo_bits] + log_lo[d_i & lo_mask]          ~ d_i * log2(e), Y fraction bits
  e_i   = pow2[y_i & (2**Y - 1)] >> (y_i >> Y)                     ~ 2**-y_i * 2**E
  s     = sum_i e_i                                               in [2**E, n * 2**E]
  L     = log_sum[min((s - 2**E) >> sum_shift, last)]              ~ log2(s / 2**E), Y fraction bits
  z_i   = y_i + L
  out_i = requantize(pow2[z_i & (2**Y - 1)] >> (z_i >> Y), frac = E, result type)   ~ exp(-d_i) / sum
Splitting y over two tables (high and low bits of d) keeps the distance resolution fine (2**-10)
with two small ROMs, so classes whose logits differ by a hair are not merged into a tie; pow2
and log_sum have 2**Y = 1024 entries. The shifts are multiplexers: no DSP anywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...config import DEFAULT_TABLE_STYLE
from ...errors import fail
from ...fixed_point import FixedType, requantize
from ..value_range import ValueRange
from .base import Layer, layer_class
from .tables import power_of_two, round_half_up

EXP_FRAC = 17  # E: exp values and the output before requantization carry E fraction bits
LOG_FRAC = 10  # Y: fraction bits of the base-2 exponents y, L and z (pow2 has 2**Y entries)
EXP_RANGE_BITS = 4  # exp(-16) ~ 1e-7: distances beyond 16 count as exp = 0
MAX_D_FRAC = 10  # finest distance resolution used for exp
DEFAULT_SUM_TABLE_SIZE = 1024


@layer_class
@dataclass(kw_only=True)
class SoftmaxLayer(Layer):
    """Numerically stable softmax over the last axis (the module docstring gives the recipe)."""

    kind = "softmax"
    is_class_distribution = True
    input_type: FixedType
    d_shift: int  # right shift applied to (max - x) before the table lookup
    d_bits: int  # bits of the clamped distance
    lo_bits: int  # low bits index log_lo; the rest index log_hi
    log_frac: int  # Y: fraction bits of the base-2 exponents y, L, z (pow2 has 2**Y entries)
    exp_frac: int  # E: fraction bits of exp values (exp(0) == 1 << E)
    log_hi: np.ndarray  # y part for the high bits of d
    log_lo: np.ndarray  # y part for the low bits of d
    pow2: np.ndarray  # pow2[k] ~ 2**E * 2**(-k / 2**Y)
    sum_shift: int  # (sum - (1 << E)) >> sum_shift indexes log_sum (clamped to its last entry)
    log_sum: np.ndarray  # ~ log2(sum / 2**E) * 2**Y
    table_style: str = DEFAULT_TABLE_STYLE  # where the RTL keeps the pow2 tables (config.TABLE_STYLES)

    @property
    def classes(self) -> int:
        """Entries the softmax normalizes over (the last axis)."""
        return self.shape[-1]

    @property
    def exp_bits(self) -> int:
        return self.exp_frac + 1

    @property
    def sum_bits(self) -> int:
        return self.exp_bits + max(1, (self.classes - 1).bit_length())

    @property
    def sum_index_max(self) -> int:
        """Largest (s - 2**E) >> sum_shift; indices past the table's end read its last entry."""
        return ((self.classes - 1) << self.exp_frac) >> self.sum_shift

    @property
    def y_max(self) -> int:
        """Largest y = log_hi + log_lo."""
        return int(self.log_hi.max() + self.log_lo.max())

    @property
    def y_bits(self) -> int:
        """Bits of y (unsigned)."""
        return max(self.log_frac + 1, self.y_max.bit_length())

    @property
    def z_bits(self) -> int:
        """Bits of z = y + L (unsigned)."""
        return max(self.y_bits + 1, (self.y_max + int(self.log_sum.max())).bit_length())

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        return ValueRange(0, 1, 0)  # each output is at most exp(0) / exp(0): 2**E >> 0 at E fractional bits

    def golden(self):
        return self._run

    def _run(self, x: np.ndarray) -> np.ndarray:
        distance = (x.max(axis=-1, keepdims=True) - x) >> self.d_shift
        distance = np.minimum(distance, (1 << self.d_bits) - 1)
        y = self.log_hi[distance >> self.lo_bits] + self.log_lo[distance & ((1 << self.lo_bits) - 1)]
        total = self._pow2(y).sum(axis=-1, keepdims=True)
        index = np.minimum((total - (1 << self.exp_frac)) >> self.sum_shift, len(self.log_sum) - 1)
        z = y + self.log_sum[index]
        return requantize(self._pow2(z), self.exp_frac, self.result_type)

    def _pow2(self, exponent: np.ndarray) -> np.ndarray:
        """pow2[fraction] >> integer part: 2**E * 2**-(exponent / 2**Y), floored."""
        return self.pow2[exponent & ((1 << self.log_frac) - 1)] >> (exponent >> self.log_frac)


def build_softmax(name: str, inputs: tuple[str, ...], shape: tuple[int, ...], input_type: FixedType,
                  result_type: FixedType, sum_table_size: int | None = None,
                  table_style: str | None = None) -> SoftmaxLayer:
    n = shape[-1]
    size = sum_table_size or DEFAULT_SUM_TABLE_SIZE
    sum_index_bits = power_of_two(size, f"layer {name}, table_size")
    if size < n:  # coarser bins than exp(0) itself; and sum_shift stays <= E (the RTL indexes by s >> sum_shift)
        raise fail(f"layer {name}: table_size {size} is smaller than the {n} values the softmax sums; "
                   f"give at least {1 << (n - 1).bit_length()}")
    d_shift = max(0, input_type.frac - MAX_D_FRAC)
    d_frac = input_type.frac - d_shift
    d_bits = max(2, EXP_RANGE_BITS + d_frac)  # >= 2 so both log tables have an address bit
    lo_bits = d_bits // 2
    hi_bits = d_bits - lo_bits
    y_per_d = math.log2(math.e) * 2.0**(LOG_FRAC - d_frac)  # y units per unit of d
    log_hi = round_half_up(np.arange(1 << hi_bits) * ((1 << lo_bits) * y_per_d))
    log_lo = round_half_up(np.arange(1 << lo_bits) * y_per_d)
    pow2 = round_half_up(2.0**(EXP_FRAC - np.arange(1 << LOG_FRAC) / 2.0**LOG_FRAC))
    sum_span = (n - 1) << EXP_FRAC  # s - 2**E lies in [0, sum_span]
    # the finest shift whose bins cover the span with the table's entries; the index of a sum at the
    # very top (all inputs equal, when the span is a power of two) is clamped into the last bin
    sum_shift = max(0, (sum_span - 1).bit_length() - sum_index_bits)
    entries = min((sum_span >> sum_shift) + 1, 1 << sum_index_bits)
    bin_lo = (1 << EXP_FRAC) + (np.arange(entries, dtype=np.float64) * (1 << sum_shift))
    bin_mid = bin_lo + ((1 << sum_shift) - 1) / 2.0
    log_sum = round_half_up(np.log2(bin_mid / 2.0**EXP_FRAC) * 2.0**LOG_FRAC)
    return SoftmaxLayer(name=name, inputs=inputs, shape=shape, input_type=input_type, result_type=result_type,
                        d_shift=d_shift, d_bits=d_bits, lo_bits=lo_bits, log_frac=LOG_FRAC, exp_frac=EXP_FRAC,
                        log_hi=log_hi, log_lo=log_lo, pow2=pow2, sum_shift=sum_shift, log_sum=log_sum,
                        table_style=table_style or DEFAULT_TABLE_STYLE)
