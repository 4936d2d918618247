"""The IR: a chain of layers holding integer weights, fixed-point types and lookup tables.

Every number the hardware uses lives here as an integer code, so the golden model, the
RTL and the HLS C++ read one definition. The IR never refers to Keras or to a backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..fixed_point import FixedType


@dataclass
class InputLayer:
    name: str
    size: int
    result_type: FixedType
    kind: str = "input"

    @property
    def n_out(self) -> int:
        return self.size


@dataclass
class DenseLayer:
    """y = x @ weight + bias, accumulated in accum_type, requantized to result_type."""

    name: str
    n_in: int
    n_out: int
    input_type: FixedType
    weight: np.ndarray  # int64 codes [n_in, n_out]
    weight_type: FixedType
    bias: np.ndarray  # int64 codes [n_out]
    bias_type: FixedType
    accum_type: FixedType
    accum_is_exact: bool  # True when accum_type was derived so that no sum can overflow or round
    result_type: FixedType
    reuse_factor: int = 1
    strategy: str = "Latency"
    pipeline_budget: int | None = None  # RTL: logic levels between registers in this layer (None: model default)
    luts_per_dsp: int | None = None  # RTL: LUTs a DSP is worth when choosing shift-add (None: backend default)
    kind: str = "dense"

    @property
    def product_frac(self) -> int:
        return self.input_type.frac + self.weight_type.frac


@dataclass
class ActivationLayer:
    """Elementwise relu or linear (identity), then requantization to result_type."""

    name: str
    n_out: int
    function: str  # "relu" | "linear"
    input_type: FixedType
    result_type: FixedType
    pipeline_budget: int | None = None  # RTL: logic levels between registers in this layer (None: model default)
    kind: str = "activation"


@dataclass
class TableActivationLayer:
    """sigmoid / tanh through a table: index = clamp((code + offset) >> shift, 0, len-1), or << -shift."""

    name: str
    n_out: int
    function: str  # "sigmoid" | "tanh"
    input_type: FixedType
    result_type: FixedType
    table: np.ndarray  # int64 result codes
    index_offset: int
    index_shift: int  # > 0: right shift, < 0: left shift
    pipeline_budget: int | None = None  # RTL: logic levels between registers in this layer (None: model default)
    kind: str = "table_activation"


@dataclass
class SoftmaxLayer:
    """Numerically stable softmax on integer codes, in base 2; see ir/tables.py for the exact recipe."""

    name: str
    n_out: int
    input_type: FixedType
    result_type: FixedType
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
    pipeline_budget: int | None = None  # RTL: logic levels between registers in this layer (None: model default)
    kind: str = "softmax"

    @property
    def exp_bits(self) -> int:
        return self.exp_frac + 1

    @property
    def sum_bits(self) -> int:
        return self.exp_bits + max(1, (self.n_out - 1).bit_length())

    @property
    def sum_index_max(self) -> int:
        """Largest (s - 2**E) >> sum_shift; indices past the table's end read its last entry."""
        return ((self.n_out - 1) << self.exp_frac) >> self.sum_shift

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


@dataclass
class ModelGraph:
    """The whole model: an input layer followed by computing layers in data-flow order."""

    name: str
    input: InputLayer
    layers: list = field(default_factory=list)

    @property
    def output_type(self) -> FixedType:
        return self.layers[-1].result_type if self.layers else self.input.result_type

    @property
    def n_in(self) -> int:
        return self.input.size

    @property
    def n_out(self) -> int:
        return self.layers[-1].n_out

    def all_layers(self) -> list:
        return [self.input] + list(self.layers)
