"""Lookup tables for softmax, sigmoid and tanh, computed once into the IR.

Softmax recipe (all integers; the golden model, the HLS C++ and the RTL follow it step by step).
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

import numpy as np

from ..errors import fail
from ..fixed_point import FixedType, quantize_float
from .layers import SoftmaxLayer, TableActivationLayer

EXP_FRAC = 17  # E: exp values and the output before requantization carry E fraction bits
LOG_FRAC = 10  # Y: fraction bits of the base-2 exponents y, L and z (pow2 has 2**Y entries)
EXP_RANGE_BITS = 4  # exp(-16) ~ 1e-7: distances beyond 16 count as exp = 0
MAX_D_FRAC = 10  # finest distance resolution used for exp
DEFAULT_SUM_TABLE_SIZE = 1024
DEFAULT_ACTIVATION_TABLE_SIZE = 1024
TABLE_RANGE = {"sigmoid": 8, "tanh": 4}  # inputs beyond +-R saturate the function


def _round_half_up(values: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(values, dtype=np.float64) + 0.5).astype(np.int64)


def _power_of_two(value: int, where: str) -> int:
    if value < 1 or value & (value - 1):
        raise fail(f"{where}: table size {value} must be a power of two")
    return value.bit_length() - 1


def build_softmax(name: str, n: int, input_type: FixedType, result_type: FixedType,
                  sum_table_size: int | None = None) -> SoftmaxLayer:
    sum_index_bits = _power_of_two(sum_table_size or DEFAULT_SUM_TABLE_SIZE, f"layer {name}, table_size")
    d_shift = max(0, input_type.frac - MAX_D_FRAC)
    d_frac = input_type.frac - d_shift
    d_bits = max(2, EXP_RANGE_BITS + d_frac)  # >= 2 so both log tables have an address bit
    lo_bits = d_bits // 2
    hi_bits = d_bits - lo_bits
    y_per_d = math.log2(math.e) * 2.0**(LOG_FRAC - d_frac)  # y units per unit of d
    log_hi = _round_half_up(np.arange(1 << hi_bits) * ((1 << lo_bits) * y_per_d))
    log_lo = _round_half_up(np.arange(1 << lo_bits) * y_per_d)
    pow2 = _round_half_up(2.0**(EXP_FRAC - np.arange(1 << LOG_FRAC) / 2.0**LOG_FRAC))
    sum_span = (n - 1) << EXP_FRAC  # s - 2**E lies in [0, sum_span]
    # the finest shift whose bins cover the span with the table's entries; the index of a sum at the
    # very top (all inputs equal, when the span is a power of two) is clamped into the last bin
    sum_shift = max(0, (sum_span - 1).bit_length() - sum_index_bits)
    entries = min((sum_span >> sum_shift) + 1, 1 << sum_index_bits)
    bin_lo = (1 << EXP_FRAC) + (np.arange(entries, dtype=np.float64) * (1 << sum_shift))
    bin_mid = bin_lo + ((1 << sum_shift) - 1) / 2.0
    log_sum = _round_half_up(np.log2(bin_mid / 2.0**EXP_FRAC) * 2.0**LOG_FRAC)
    return SoftmaxLayer(name, n, input_type, result_type, d_shift, d_bits, lo_bits, LOG_FRAC, EXP_FRAC,
                        log_hi, log_lo, pow2, sum_shift, log_sum)


def build_table_activation(name: str, n: int, function: str, input_type: FixedType, result_type: FixedType,
                           table_size: int | None = None) -> TableActivationLayer:
    size = table_size or DEFAULT_ACTIVATION_TABLE_SIZE
    index_bits = _power_of_two(size, f"layer {name}, table_size")
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
    return TableActivationLayer(name, n, function, input_type, result_type, table, offset, shift)
