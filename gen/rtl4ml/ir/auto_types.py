"""`Precision: auto`: each auto result type is the narrowest that holds its layer's values, at the stated LSB.

Without calibration data the values are bounded by interval arithmetic from the input type through
every layer (each layer's `value_range`): such a type can never overflow. With calibration data
(`--calibrate X.npy`) the observed range on that data, widened by CALIBRATION_MARGIN, is used instead
(never wider than the interval type); such a type saturates (AP_SAT) where other data exceeds it, and
the report's profiling counts show how often. The model input can only be auto with calibration data.
"""

from __future__ import annotations

import math

import numpy as np

from ..config import AutoType
from ..errors import fail
from ..fixed_point import MAX_ACCUM_WIDTH, MAX_TYPE_WIDTH, FixedType, quantize_float
from .layers import InputLayer, Layer
from .value_range import ValueRange

# What to do instead, in the words of both ways in: the command that has the option, and the API's argument
CALIBRATE_HINT = "calibrate on real inputs (rtl4ml convert --calibrate X.npy, or rtl4ml.convert(..., calibrate=X))"
CALIBRATION_MARGIN = 0.25  # observed extremes are widened by this fraction of the larger magnitude


class TypeDeriver:
    """Tracks every built layer's value range (and its codes on the calibration data) in graph order."""

    def __init__(self, calibration: np.ndarray | None, source: str):
        """calibration: real input values [events, *input shape] (None: interval arithmetic only); source: what
        they are called in messages."""
        self.calibration, self.source = calibration, source
        self.ranges: dict[str, ValueRange] = {}
        self.codes: dict[str, np.ndarray] = {}
        self.notes: dict[str, str] = {}  # layer -> how its type was derived (for the report)

    @property
    def calibrating(self) -> bool:
        return self.calibration is not None

    def _input_ranges(self, layer: Layer) -> list[ValueRange]:
        return [self.ranges[name] for name in layer.inputs]

    def _observed_input(self, frac: int) -> ValueRange:
        """The calibration data's extremes as codes at `frac`."""
        values = self.calibration * 2.0**frac
        return ValueRange(math.floor(values.min()), math.ceil(values.max()), frac)

    def interval_type(self, layer: Layer) -> FixedType:
        """The narrowest type at the auto LSB that no input can overflow; while calibrating, a provisional one."""
        auto = layer.result_type
        if isinstance(layer, InputLayer):
            if not self.calibrating:
                raise fail(f"layer {layer.name}: Precision result auto needs a range, and the model input has none "
                           f"without calibration data; give it a type (config LayerName {layer.name}: Precision: "
                           "{result: ap_fixed<16,6>}) or " + CALIBRATE_HINT)
            return self._widest(layer, self._observed_input(auto.frac))
        exact = layer.value_range(self._input_ranges(layer))
        derived = self._widest(layer, exact.at(auto.frac))
        self.notes[layer.name] = (f"auto: values {exact} by interval arithmetic from the inputs' ranges -> {derived} "
                                  "(cannot overflow)")
        return derived

    def _widest(self, layer: Layer, codes: ValueRange) -> FixedType:
        derived = codes.narrowest_type(layer.result_type.rounding, layer.result_type.overflow)
        limit = MAX_ACCUM_WIDTH if self.calibrating else MAX_TYPE_WIDTH  # calibration narrows it afterwards
        if derived.width > limit:
            raise fail(f"layer {layer.name}: Precision result auto needs {derived.width} bits for the values "
                       f"{codes} at {codes.frac} fractional bits (> {limit} supported); state a narrower "
                       "input type or a coarser LSB, or " + CALIBRATE_HINT)
        return derived

    def calibrated_type(self, layer: Layer, auto: FixedType) -> FixedType:
        """The observed range of `layer` (built with its interval type) on the calibration data, plus the margin."""
        if isinstance(layer, InputLayer):
            observed = self._observed_input(auto.frac)
        else:
            codes = layer.golden()(*(self.codes[name] for name in layer.inputs))
            observed = ValueRange(int(codes.min()), int(codes.max()), auto.frac)
        pad = math.ceil(CALIBRATION_MARGIN * max(abs(observed.low), abs(observed.high)))
        low, high = observed.low - pad, observed.high + pad
        if not isinstance(layer, InputLayer):  # never wider than the interval bound (the input has none)
            bound = layer.value_range(self._input_ranges(layer)).at(auto.frac)
            low, high = max(low, bound.low), min(high, bound.high)
        derived = ValueRange(low, high, auto.frac).narrowest_type(auto.rounding, "AP_SAT")
        if derived.width > MAX_TYPE_WIDTH:
            raise fail(f"layer {layer.name}: Precision result auto needs {derived.width} bits for the values "
                       f"observed on {self.source} (> {MAX_TYPE_WIDTH} supported); state a coarser LSB")
        events = len(self.calibration)
        self.notes[layer.name] = (f"auto, calibrated on {self.source} ({events} events): observed "
                                  f"{observed} with a {CALIBRATION_MARGIN:.0%} margin -> "
                                  f"{derived} (saturates on data beyond it: see the profiling counts)")
        return derived

    def record(self, layer: Layer) -> None:
        """Note the final layer's output range (and its codes on the calibration data)."""
        self.ranges[layer.name] = layer.stored_range(self._input_ranges(layer))
        if self.calibrating:
            if isinstance(layer, InputLayer):  # the calibration array is [events, *input shape] already
                codes = quantize_float(self.calibration, layer.result_type)
            else:
                codes = layer.golden()(*(self.codes[name] for name in layer.inputs))
            self.codes[layer.name] = codes


def is_auto(layer: Layer) -> bool:
    return isinstance(layer.result_type, AutoType)
