"""What Dense and convolution layers share: integer weights times inputs plus a bias, summed in an accumulator.

A linear layer is a constant matrix times the flattened input (Dense: its kernel; a convolution:
its kernel placed at every output position). The accumulator is exact (sized from the real
weights) unless the user chose one, and the golden arithmetic below is the one every backend must
reproduce bit for bit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ...errors import fail
from ...fixed_point import MAX_ACCUM_WIDTH, FixedType, bits_for_range, requantize
from ..value_range import ValueRange, linear_range
from .base import Layer

_FLOAT64_EXACT_BITS = 52


@dataclass(kw_only=True)
class LinearLayer(Layer):
    input_type: FixedType
    weight: np.ndarray  # int64 codes; the layer class says its layout
    weight_type: FixedType
    bias: np.ndarray  # int64 codes [output channels]
    bias_type: FixedType
    accum_type: FixedType
    accum_is_exact: bool  # True when accum_type was derived so that no sum can overflow or round
    reuse_factor: int = 1
    # reuse_factor was given for this layer (LayerType or LayerName), not only in Model (hls4ml's default config
    # writes ReuseFactor 1 there): a streamed Dense given 1 keeps one pixel per cycle instead of being folded
    reuse_chosen: bool = False
    strategy: str = "Latency"
    luts_per_dsp: int | None = None  # RTL: LUTs a DSP is worth when choosing shift-add (None: backend default)

    @property
    def product_frac(self) -> int:
        return self.input_type.frac + self.weight_type.frac

    @property
    def exact_products(self) -> bool:
        """Every product lands in the accumulator unrounded (its LSB is at most the products')."""
        return self.accum_type.frac >= self.product_frac

    def accumulator_bias(self) -> np.ndarray:
        """Bias codes in the accumulator format (the sum starts from them)."""
        accum = self.accum_type
        if self.accum_is_exact:
            return self.bias << (accum.frac - self.bias_type.frac)
        # an explicit accumulator: the bias is cast to it (rounded, wrapped) like every product
        return requantize(self.bias, self.bias_type.frac, accum.with_modes(overflow="AP_WRAP"))

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        dense = self.as_dense()
        frac = max(self.product_frac, self.bias_type.frac)
        low, high = linear_range(dense.weight, dense.bias << (frac - self.bias_type.frac),
                                 inputs[0].at(self.input_type.frac), frac - self.product_frac)
        exact = ValueRange(low, high, frac)
        if self.accum_is_exact:
            return exact
        # a chosen accumulator: each product and the bias are cast to it (at most one LSB off each), sums wrap
        codes, slack = exact.at(self.accum_type.frac), dense.n_in + 1
        cast = ValueRange(codes.low - slack, codes.high + slack, codes.frac)
        return cast if cast.within(self.accum_type) else ValueRange.of_type(self.accum_type)

    def matrix_product(self, matrix: np.ndarray, bias: np.ndarray):
        """x [rows, k] -> result codes [rows, n]: x @ matrix + bias (bias in accumulator codes), then requantized."""
        accum = self.accum_type
        if self.accum_is_exact:
            weight = matrix << (accum.frac - self.product_frac)
            if accum.width <= _FLOAT64_EXACT_BITS:
                # Every partial sum is an integer below 2**52, so BLAS float64 is exact and fast.
                weight_float, bias_float = weight.astype(np.float64), bias.astype(np.float64)

                def run(x):
                    acc = (x.astype(np.float64) @ weight_float + bias_float).astype(np.int64)
                    return requantize(acc, accum.frac, self.result_type, accum)
            else:
                def run(x):
                    return requantize(x @ weight + bias, accum.frac, self.result_type, accum)
            return run
        # A user-chosen accumulator: each product and the bias are cast to accum_t, then summed with wrap.
        wrapping = accum.with_modes(overflow="AP_WRAP")

        def run_narrow(x):
            products = requantize(x[:, :, None] * matrix[None, :, :], self.product_frac, wrapping)
            acc = requantize(products.sum(axis=1) + bias, accum.frac, accum.with_modes(rounding="AP_TRN"))
            return requantize(acc, accum.frac, self.result_type)
        return run_narrow

    def exact_matrix_sum(self, x: np.ndarray, matrix: np.ndarray) -> tuple[np.ndarray, int]:
        """x @ matrix + b with no rounding or overflow anywhere, and its fractional bits (for profiling)."""
        frac = max(self.product_frac, self.bias_type.frac)
        weight = matrix.astype(object) << (frac - self.product_frac)
        bias = self.bias.astype(object) << (frac - self.bias_type.frac)
        bound = int(np.abs(x).max(initial=0)) * int(np.abs(weight).sum(axis=0).max()) + int(np.abs(bias).max())
        if bound < 2**_FLOAT64_EXACT_BITS:  # every partial sum is an integer float64 holds exactly (BLAS speed)
            exact = x.astype(np.float64) @ weight.astype(np.float64) + bias.astype(np.float64)
        else:
            exact = x.astype(object) @ weight + bias
        return np.asarray(exact, dtype=np.int64), frac


def accumulator_bounds(weight: np.ndarray, bias_aligned: np.ndarray, x_type: FixedType, shift: int) -> tuple[int, int]:
    """Range that holds every partial sum of any subset of the products and the bias (codes at accum frac).

    Each product lies between min and max of w*x_min, w*x_max, and both ends straddle 0,
    so summing the negative ends and the positive ends bounds every adder-tree node.
    """
    w = weight.astype(object)  # Python ints: the bound itself must not overflow
    ends = np.stack([w * x_type.min_code, w * x_type.max_code])
    low = (ends.min(axis=0) * (1 << shift)).sum(axis=0) + np.minimum(bias_aligned.astype(object), 0)
    high = (ends.max(axis=0) * (1 << shift)).sum(axis=0) + np.maximum(bias_aligned.astype(object), 0)
    return int(min(low)), int(max(high))


def check_reuse_factor(name: str, reuse: int, n_in: int, n_out: int) -> None:
    """hls4ml's rule: the multiplications (n_in * n_out, of the kernel) split evenly over the reuse factor."""
    products = n_in * n_out
    if reuse > products or products % reuse:
        valid = [r for r in range(1, products + 1) if products % r == 0]
        nearest = sorted(valid, key=lambda r: abs(r - reuse))[:3]
        raise fail(f"layer {name}: ReuseFactor {reuse} does not divide its {products} multiplications "
                   f"({n_in} x {n_out}); nearest valid values: {', '.join(map(str, sorted(nearest)))}")


def choose_accumulator(name: str, weight: np.ndarray, bias: np.ndarray, input_type: FixedType,
                       weight_type: FixedType, bias_type: FixedType,
                       requested: FixedType | None) -> tuple[FixedType, bool]:
    """(accum_type, exact): the narrowest exact accumulator, or the user's with a check that it cannot overflow.

    An explicit accumulator that can overflow is accepted only with AP_WRAP (modulo sums are
    order-independent, so the hardware's tree equals the golden model), with a warning.
    """
    product_frac = input_type.frac + weight_type.frac
    exact_frac = max(product_frac, bias_type.frac)
    low, high = accumulator_bounds(weight, bias << (exact_frac - bias_type.frac), input_type,
                                   exact_frac - product_frac)
    width, signed = bits_for_range(low, high)
    where = f"layer {name}"
    if requested is None:
        if width > MAX_ACCUM_WIDTH:
            raise fail(f"{where}: accumulator needs {width} bits (> {MAX_ACCUM_WIDTH} supported); "
                       f"narrow the input ({input_type}) or weight ({weight_type}) precision")
        return FixedType(width, width - exact_frac, signed), True
    if requested.width > MAX_ACCUM_WIDTH:
        raise fail(f"{where}: accum precision {requested} is wider than {MAX_ACCUM_WIDTH} bits")
    shift_to_accum = requested.frac - exact_frac
    scaled = (low << shift_to_accum, high << shift_to_accum) if shift_to_accum >= 0 else \
        (low >> -shift_to_accum, high >> -shift_to_accum)
    if scaled[0] < requested.min_code or scaled[1] > requested.max_code:
        message = (f"{where}: accum precision {requested} can overflow (worst-case sums need {width} bits "
                   f"at {exact_frac} fractional bits)")
        if requested.overflow != "AP_WRAP":
            raise fail(message + f"; {requested.overflow} accumulation is order-dependent, use AP_WRAP or "
                       "remove accum to get an exact accumulator")
        warnings.warn(message, stacklevel=4)
    return requested, False
