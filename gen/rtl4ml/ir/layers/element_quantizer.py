"""Each element quantized to its own type, then held in one type that holds all of them exactly.

The layer of high-granularity quantization (HGQ's per-element bit widths) and of per-channel activation scales
(QONNX): element e is requantized from the input type to element_types[group[e]] with that type's rounding and
overflow, then converted exactly to result_type. An element of fewer bits costs less downstream, because the
constant adder graphs of the next layer see its actual range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...fixed_point import FixedType, requantize, type_holding
from ..value_range import ValueRange
from .base import Layer, layer_class


def holding_type(types) -> FixedType:
    """The narrowest type that holds every code of each of `types` exactly (the finest LSB among them); None (an
    element that is always 0) needs nothing."""
    types = [t for t in types if t is not None] or [FixedType(1, 1, False)]
    frac = max(t.frac for t in types)
    low = min(t.min_code << (frac - t.frac) for t in types)
    high = max(t.max_code << (frac - t.frac) for t in types)
    return type_holding(low, high, frac, "AP_TRN", "AP_WRAP")


@layer_class
@dataclass(kw_only=True)
class ElementQuantizerLayer(Layer):
    kind = "element_quantizer"
    input_type: FixedType
    element_types: tuple[FixedType | None, ...]  # the distinct types; None: the element is always 0 (no bits)
    groups: tuple[int, ...]  # per element of the flattened tensor (row-major, channels last): its element type

    def __post_init__(self):
        super().__post_init__()
        self.element_types = tuple(self.element_types)
        self.groups = tuple(int(g) for g in self.groups)

    def members(self, group: int) -> np.ndarray:
        """The flat indices of the elements of type element_types[group]."""
        return np.flatnonzero(np.asarray(self.groups) == group)

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        ranges = [inputs[0].stored_in(t) if t is not None else ValueRange(0, 0, 0) for t in self.element_types]
        hull = ranges[0]
        for other in ranges[1:]:
            hull = hull.hull(other)
        return hull

    def golden(self):
        source, target, shape = self.input_type, self.result_type, self.shape
        parts = [(self.members(g), t) for g, t in enumerate(self.element_types)]

        def run(x):
            flat = x.reshape(len(x), -1)
            out = np.empty_like(flat)
            for members, t in parts:
                out[:, members] = 0 if t is None else \
                    requantize(requantize(flat[:, members], source.frac, t, source), t.frac, target, t)
            return out.reshape((len(x),) + shape)

        return run
