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
from ..fixed_point import MAX_ACCUM_WIDTH, MAX_TYPE_WIDTH, FixedType, bits_for_range, quantize_float
from .layers import InputLayer, Layer
from .value_range import ValueRange

CALIBRATION_MARGIN = 0.25  # observed extremes are widened by this fraction of the larger magnitude


def _type_for(codes: ValueRange, auto: FixedType, overflow: str) -> FixedType:
    width, signed = bits_for_range(codes.low, codes.high)
    return FixedType(width, width - codes.frac, signed, auto.rounding, overflow)


class TypeDeriver:
    """Tracks every built layer's value range (and its codes on the calibration data) in graph order."""

    def __init__(self, calibration: np.ndarray | None = None, source: str = "calibration data"):
        self.calibration, self.source = calibration, source
        self.ranges: dict[str, ValueRange] = {}
        self.codes: dict[str, np.ndarray] = {}
        self.notes: dict[str, str] = {}  # layer -> how its type was derived (for the report)

    @property
    def calibrating(self) -> bool:
        return self.calibration is not None

    def interval_type(self, layer: Layer) -> FixedType:
        """The narrowest type at the auto LSB that no input can overflow; while calibrating, a provisional one."""
        auto = layer.result_type
        if isinstance(layer, InputLayer):
            if not self.calibrating:
                raise fail(f"layer {layer.name}: Precision result auto needs a range, and the model input has none "
                           f"without calibration data; give it a type (config LayerName {layer.name}: Precision: "
                           "{result: ap_fixed<16,6>}) or calibrate (--calibrate X.npy)")
            values = self.calibration * 2.0**auto.frac
            return self._widest(layer, ValueRange(math.floor(values.min()), math.ceil(values.max()), auto.frac))
        exact = layer.value_range([self.ranges[name] for name in layer.inputs])
        derived = self._widest(layer, exact.at(auto.frac))
        self.notes[layer.name] = (f"auto: values {exact} by interval arithmetic from the inputs' ranges -> {derived} "
                                  "(cannot overflow)")
        return derived

    def _widest(self, layer: Layer, codes: ValueRange) -> FixedType:
        derived = _type_for(codes, layer.result_type, layer.result_type.overflow)
        limit = MAX_ACCUM_WIDTH if self.calibrating else MAX_TYPE_WIDTH  # calibration narrows it afterwards
        if derived.width > limit:
            raise fail(f"layer {layer.name}: Precision result auto needs {derived.width} bits for the values "
                       f"{codes} at {codes.frac} fractional bits (> {MAX_TYPE_WIDTH} supported); state a narrower "
                       "input type or a coarser LSB, or calibrate (--calibrate X.npy)")
        return derived

    def calibrated_type(self, layer: Layer, auto: FixedType) -> FixedType:
        """The observed range of `layer` (built with its interval type) on the calibration data, plus the margin."""
        if isinstance(layer, InputLayer):
            values = self.calibration * 2.0**auto.frac
            low, high = math.floor(values.min()), math.ceil(values.max())
            bound = ValueRange(-(1 << MAX_ACCUM_WIDTH), 1 << MAX_ACCUM_WIDTH, auto.frac)  # no range but the data's
        else:
            codes = layer.golden()(*(self.codes[name] for name in layer.inputs))
            low, high = int(codes.min()), int(codes.max())
            bound = layer.value_range([self.ranges[name] for name in layer.inputs]).at(auto.frac)
        observed = ValueRange(low, high, auto.frac)
        pad = math.ceil(CALIBRATION_MARGIN * max(abs(low), abs(high)))
        derived = _type_for(ValueRange(max(low - pad, bound.low), min(high + pad, bound.high), auto.frac), auto,
                            "AP_SAT")
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
        if isinstance(layer, InputLayer):
            exact = ValueRange.of_type(layer.result_type)
        else:
            exact = layer.value_range([self.ranges[name] for name in layer.inputs])
        self.ranges[layer.name] = exact.stored_in(layer.result_type)
        if self.calibrating:
            if isinstance(layer, InputLayer):
                codes = quantize_float(self.calibration, layer.result_type).reshape((-1,) + layer.shape)
            else:
                codes = layer.golden()(*(self.codes[name] for name in layer.inputs))
            self.codes[layer.name] = codes


def is_auto(layer: Layer) -> bool:
    return isinstance(layer.result_type, AutoType)
