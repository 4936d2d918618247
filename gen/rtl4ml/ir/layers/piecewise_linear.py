"""Piecewise-linear activations: LeakyReLU, ReLU with max_value/threshold/negative_slope (ReLU6), hard_sigmoid,
hard_tanh, and the step functions of binary and ternary networks (binary_tanh, ternary_tanh, QKeras binary/ternary).

One rule covers them all: thresholds t_1 < ... < t_k split the input line into k + 1 segments, segment j
computes scale_j * x + offset_j, and the result is clipped to [low, high] when given; with a batch normalization
folded in, each channel has its own thresholds and segments (a row). Thresholds are exact: x > t compares the
input code with floor(t * 2^frac), and x >= t with ceil(t * 2^frac) - 1, which are the real comparisons for any
real t. The scales are constants in one signed type (CONSTANT_BITS bits, the finest LSB holding the largest,
rounded to nearest), the offsets are rounded to the exact result's LSB; where a Keras constant is not
representable there (LeakyReLU's 0.3), it is off by at most half that LSB. The arithmetic is then exact and
requantized once to the result type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ...errors import fail
from ...fixed_point import FixedType, finest_type_holding, quantize_float, requantize
from ..value_range import ValueRange
from .base import Layer, layer_class

CONSTANT_BITS = 18  # the constants' type: a DSP's narrow operand, and far below any result LSB in practice
# The functions whose every segment is a constant: they only compare their input with thresholds
STEP_FUNCTIONS = ("binary_tanh", "ternary_tanh", "ternary")


def _rows(values) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(v) for v in row) for row in values)


@layer_class
@dataclass(kw_only=True)
class PiecewiseLinearLayer(Layer):
    """Per channel c (the last axis; one row for all channels when the rows are shared): segment j of row c where
    thresholds[c][j-1] < x <= thresholds[c][j], value scales[c][j] * x + offsets[c][j], clipped, requantized."""

    kind = "piecewise_linear"
    function: str  # its Keras name, for reports and file headers
    input_type: FixedType
    constant_type: FixedType
    thresholds: tuple[tuple[int, ...], ...]  # per row: input codes, increasing
    scales: tuple[tuple[int, ...], ...]  # per row and segment, codes of constant_type
    offsets: tuple[tuple[int, ...], ...]  # per row and segment, codes at exact_frac (rounded to nearest)
    low: int | None = None  # clip bounds, codes at exact_frac
    high: int | None = None

    def __post_init__(self):
        super().__post_init__()
        self.thresholds, self.scales, self.offsets = (_rows(rows) for rows in
                                                      (self.thresholds, self.scales, self.offsets))

    @property
    def rows(self) -> int:
        """1 (every element alike) or the number of channels."""
        return len(self.thresholds)

    @property
    def exact_frac(self) -> int:
        return self.input_type.frac + self.constant_type.frac

    def segment_ends(self, x: ValueRange, row: int) -> list[tuple[int, int, int]]:
        """(segment, lowest code, highest code) of every segment of `row` that codes in `x` (input frac) reach."""
        bounds = [x.low - 1] + [min(max(t, x.low - 1), x.high) for t in self.thresholds[row]] + [x.high]
        return [(j, bounds[j] + 1, bounds[j + 1]) for j in range(len(self.scales[row]))
                if bounds[j] + 1 <= bounds[j + 1]]

    def clip(self, value: int) -> int:
        if self.low is not None:
            value = max(value, self.low)
        return value if self.high is None else min(value, self.high)

    def unclipped_range(self, x: ValueRange) -> ValueRange:
        """The segments' values before the clip, over every row (the hardware's width)."""
        ends = [self.scales[row][j] * code + self.offsets[row][j] for row in range(self.rows)
                for j, first, last in self.segment_ends(x, row) for code in (first, last)]
        return ValueRange(min(ends), max(ends), self.exact_frac)

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        x = inputs[0].at(self.input_type.frac)
        before = self.unclipped_range(x)
        return ValueRange(self.clip(before.low), self.clip(before.high), self.exact_frac)  # the clip is monotone

    @property
    def exact_type(self) -> FixedType:
        """Holds every segment's value for any input code, the clip bounds (compared in it) and the offsets."""
        reach = self.unclipped_range(ValueRange.of_type(self.input_type))
        offsets = tuple(offset for row in self.offsets for offset in row)
        for constant in (self.low, self.high) + offsets:  # the C++ holds the offsets in it too
            if constant is not None:
                reach = reach.hull(ValueRange(constant, constant, self.exact_frac))
        return reach.narrowest_type()

    def exact_values(self, x: np.ndarray) -> np.ndarray:
        by_row = x.astype(np.int64).reshape(len(x), -1, self.rows)  # channels last: the row varies fastest
        values = np.empty_like(by_row)
        for row in range(self.rows):
            codes = by_row[..., row]
            segment = np.searchsorted(np.asarray(self.thresholds[row], dtype=np.int64), codes, side="left")
            values[..., row] = np.asarray(self.scales[row], dtype=np.int64)[segment] * codes + \
                np.asarray(self.offsets[row], dtype=np.int64)[segment]
        if self.low is not None:
            values = np.maximum(values, self.low)
        if self.high is not None:
            values = np.minimum(values, self.high)
        return values.reshape(x.shape)

    def golden(self):
        exact, target = self.exact_type, self.result_type
        return lambda x: requantize(self.exact_values(x), self.exact_frac, target, exact)


# ----------------------------------------------------------------------------- the functions as real segments


def _relu_segments(max_value, threshold: float, negative_slope: float, where: str):
    """tf_keras's relu(x, alpha, max_value, threshold): x > t: x, clipped to [0, max_value] when it is given;
    x <= t: negative_slope * (x - t)."""
    if negative_slope < 0 or negative_slope > 1:
        raise fail(f"{where}: negative_slope {negative_slope} is not supported (0 to 1)")
    if max_value is not None and max_value < 0:
        raise fail(f"{where}: max_value {max_value} is negative")
    t, a = threshold, negative_slope
    thresholds, segments = [(t, True)], [(a, -a * t)]
    if max_value is None:
        return thresholds, segments + [(1.0, 0.0)], None
    if t < 0:  # x in (t, 0] is clipped to 0
        thresholds.append((0.0, True))
        segments.append((0.0, 0.0))
    if max_value > max(t, 0.0):
        thresholds.append((float(max_value), True))
        segments.append((1.0, 0.0))
    segments.append((0.0, float(max_value)))
    return thresholds, segments, None


def function_segments(function: str, parameters: dict, where: str):
    """([(threshold, strict) ...], [(scale, offset) per segment], (low, high) clip or None) of a piecewise-linear
    function: segment j + 1 starts where x > t_j (strict) or x >= t_j."""
    if function == "leaky_relu":
        alpha = float(parameters.get("alpha", 0.3))
        thresholds, segments, clip = _relu_segments(None, 0.0, alpha, where)
        if parameters.get("min_input") is not None:  # QKeras's leaky quantized_relu: a * x down to a * min_input
            bottom = float(parameters["min_input"])
            thresholds, segments = [(bottom, False)] + thresholds, [(0.0, alpha * bottom)] + segments
        return thresholds, segments, clip
    if function == "relu":
        return _relu_segments(parameters.get("max_value"), float(parameters.get("threshold", 0.0) or 0.0),
                              float(parameters.get("negative_slope", 0.0) or 0.0), where)
    if function in ("hard_sigmoid", "hard_tanh"):
        slope, shift = float(parameters.get("slope", 0.2)), float(parameters.get("shift", 0.5))
        if function == "hard_sigmoid":
            return [], [(slope, shift)], (0, 1)
        return [], [(2 * slope, 2 * shift - 1)], (-1, 1)  # 2 * hard_sigmoid - 1, clipped in one step
    scale = float(parameters.get("alpha") or 1.0)  # QKeras binary/ternary: -alpha, (0,) alpha
    if function == "binary_tanh":  # hls4ml's and QKeras's binary: 1 at and above 0 (strict: above), else -1 (or 0)
        low = 0.0 if parameters.get("use_01") else -scale
        return [(0.0, bool(parameters.get("strict")))], [(0.0, low), (0.0, scale)], None
    if function == "ternary_tanh":  # hls4ml's: 1 above 0.5, -1 at and below -0.5, else 0
        return [(-0.5, True), (0.5, True)], [(0.0, -1.0), (0.0, 0.0), (0.0, 1.0)], None
    if function == "ternary":  # QKeras's ternary activation: alpha at and above the threshold, -alpha at and below -it
        threshold = float(parameters.get("threshold") or 0.33)
        return [(-threshold, True), (threshold, False)], [(0.0, -scale), (0.0, 0.0), (0.0, scale)], None
    raise AssertionError(f"no piecewise-linear function {function!r}")


def constant_type(values: list[float]) -> FixedType:
    """The finest CONSTANT_BITS-bit signed type, rounded to nearest, holding every value (all zero: an integer
    type, so constant segments keep the exact fraction at the input's)."""
    largest = max((abs(v) for v in values), default=0.0)
    if largest == 0:
        return FixedType(2, 2, True, "AP_RND_CONV", "AP_SAT")
    return finest_type_holding(largest, CONSTANT_BITS)


def _through_affine(thresholds, segments, scale: float, shift: float):
    """The function of y = scale * x + shift as a function of x: thresholds moved, strictness and segment order
    flipped where the scale is negative, segments composed (a zero scale leaves the one segment shift falls in)."""
    if scale == 0:
        inside = sum(shift > t if strict else shift >= t for t, strict in thresholds)
        a, b = segments[inside]
        return [(0.0, True)] * len(thresholds), [(0.0, a * shift + b)] * len(segments)
    moved = [((Fraction(t) - Fraction(shift)) / Fraction(scale), strict) for t, strict in thresholds]
    composed = [(a * scale, a * shift + b) for a, b in segments]
    if scale > 0:
        return moved, composed
    # y > t <=> x < T: going up in x the segments come in reverse, and x >= T starts the next one
    return [(t, not strict) for t, strict in reversed(moved)], list(reversed(composed))


def build_piecewise_linear(name: str, inputs: tuple[str, ...], shape: tuple[int, ...], function: str,
                           parameters: dict, input_type: FixedType, result_type: FixedType) -> PiecewiseLinearLayer:
    """The layer of `function`; with parameters channel_scale and channel_shift (a batch normalization folded in),
    of function(channel_scale[c] * x + channel_shift[c]) per channel c, its thresholds exact in x."""
    where = f"layer {name} ({function})"
    thresholds, segments, clip = function_segments(function, parameters, where)
    rows = [(thresholds, segments)]
    if "channel_scale" in parameters:
        rows = [_through_affine(thresholds, segments, float(a), float(b))
                for a, b in zip(parameters["channel_scale"], parameters["channel_shift"])]
    constants = constant_type([scale for _, row in rows for scale, _ in row])
    frac = input_type.frac
    if frac + constants.frac < 0:  # keep the exact fraction non-negative so integer clip bounds are codes
        constants = FixedType(constants.width, constants.width + frac, True, "AP_RND_CONV", "AP_SAT")
    exact_frac = frac + constants.frac
    offset_type = FixedType(exact_frac + 32, 32, True, "AP_RND_CONV", "AP_SAT")

    def codes(row_thresholds):
        # for an integer code, x > t <=> code > floor(t * 2^frac) and x >= t <=> code > ceil(t * 2^frac) - 1
        scaled = [(Fraction(t) * Fraction(2) ** frac, strict) for t, strict in row_thresholds]
        return tuple(math.floor(t) if strict else math.ceil(t) - 1 for t, strict in scaled)

    low, high = (None, None) if clip is None else (clip[0] << exact_frac, clip[1] << exact_frac)
    return PiecewiseLinearLayer(
        name=name, inputs=inputs, shape=shape, function=function, input_type=input_type, result_type=result_type,
        constant_type=constants, thresholds=tuple(codes(t) for t, _ in rows),
        scales=tuple(tuple(quantize_float(np.array([a for a, _ in row]), constants)) for _, row in rows),
        offsets=tuple(tuple(quantize_float(np.array([float(b) for _, b in row]), offset_type)) for _, row in rows),
        low=low, high=high)
