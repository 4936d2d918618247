"""Lookup tables for softmax, sigmoid and tanh, computed once into the IR.

Softmax recipe (all integers; the golden model and the RTL follow it step by step):
  d_i   = min((max_j x_j - x_i) >> d_shift, 2**d_bits - 1)        distance from the max
  e_i   = (exp_hi[d_i >> lo_bits] * exp_lo[d_i & lo_mask] + 2**(E-1)) >> E   ~ exp(-d) * 2**E
  s     = sum_i e_i                                               in [2**E, n * 2**E]
  inv   = inv_table[(s - 2**E) >> inv_shift]                      ~ 2**G / (s / 2**E)
  out_i = requantize(e_i * inv, frac = E + G, result type)
Splitting exp into two tables keeps the argument resolution fine (2**-10) with two
small ROMs, so classes whose logits differ by a hair are not merged into a tie.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import fail
from ..fixed_point import FixedType, quantize_float
from .layers import SoftmaxLayer, TableActivationLayer

EXP_FRAC = 17  # E
INV_FRAC = 17  # G
EXP_RANGE_BITS = 4  # exp(-16) ~ 1e-7: distances beyond 16 count as exp = 0
MAX_D_FRAC = 10  # finest distance resolution used for exp
DEFAULT_INV_TABLE_SIZE = 1024
DEFAULT_ACTIVATION_TABLE_SIZE = 1024
TABLE_RANGE = {"sigmoid": 8, "tanh": 4}  # inputs beyond +-R saturate the function


def _round_half_up(values: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(values, dtype=np.float64) + 0.5).astype(np.int64)


def _power_of_two(value: int, where: str) -> int:
    if value < 1 or value & (value - 1):
        raise fail(f"{where}: table size {value} must be a power of two")
    return value.bit_length() - 1


def build_softmax(name: str, n: int, input_type: FixedType, result_type: FixedType,
                  inv_table_size: int | None = None) -> SoftmaxLayer:
    inv_index_bits = _power_of_two(inv_table_size or DEFAULT_INV_TABLE_SIZE, f"layer {name}, table_size")
    d_shift = max(0, input_type.frac - MAX_D_FRAC)
    d_frac = input_type.frac - d_shift
    d_bits = max(2, EXP_RANGE_BITS + d_frac)  # >= 2 so both exp tables have an address bit
    lo_bits = d_bits // 2
    hi_bits = d_bits - lo_bits
    step = 2.0**-d_frac  # real distance of one unit of d
    exp_hi = _round_half_up(np.exp(-np.arange(1 << hi_bits) * (step * (1 << lo_bits))) * 2.0**EXP_FRAC)
    exp_lo = _round_half_up(np.exp(-np.arange(1 << lo_bits) * step) * 2.0**EXP_FRAC)
    sum_span = (n - 1) << EXP_FRAC  # s - 2**E lies in [0, sum_span]
    inv_shift = max(0, sum_span.bit_length() - inv_index_bits)
    entries = (sum_span >> inv_shift) + 1
    bin_lo = (1 << EXP_FRAC) + (np.arange(entries, dtype=np.float64) * (1 << inv_shift))
    bin_mid = bin_lo + ((1 << inv_shift) - 1) / 2.0
    inv_table = np.minimum(_round_half_up(2.0**(INV_FRAC + EXP_FRAC) / bin_mid), 1 << INV_FRAC)
    return SoftmaxLayer(name, n, input_type, result_type, d_shift, d_bits, lo_bits, EXP_FRAC,
                        exp_hi, exp_lo, inv_shift, INV_FRAC, inv_table)


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
