"""ZeroPadding1D/2D and Cropping1D/2D: zeros added around the spatial axes, or elements cut from their ends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .base import layer_class
from .wiring import WiringLayer


@dataclass(kw_only=True)
class _SpatialEnds(WiringLayer):
    grows: ClassVar[int]  # +1: the ends are added (padding), -1: they are cut (cropping)
    before: tuple[int, ...]  # per spatial axis
    after: tuple[int, ...]

    @property
    def origin(self) -> tuple[int, ...]:
        """Per spatial axis, the output position of the input's first element (negative: cropped away)."""
        return tuple(self.grows * n for n in self.before)

    def __post_init__(self):
        super().__post_init__()
        self.before, self.after = tuple(int(n) for n in self.before), tuple(int(n) for n in self.after)

    def problem(self) -> str | None:
        spatial = len(self.input_shape) - 1
        if len(self.before) != spatial:
            return f"works on {len(self.before)} spatial axes, its input {list(self.input_shape)} has {spatial}"
        return None


@layer_class
@dataclass(kw_only=True)
class ZeroPaddingLayer(_SpatialEnds):
    kind = "zero_padding"
    description = "Zero padding"
    grows = 1

    def rearrange(self, x):
        return np.pad(x, [(0, 0)] + list(zip(self.before, self.after)) + [(0, 0)])


@layer_class
@dataclass(kw_only=True)
class CroppingLayer(_SpatialEnds):
    kind = "cropping"
    description = "Cropping"
    grows = -1

    def problem(self) -> str | None:
        mismatch = super().problem()
        if mismatch:
            return mismatch
        kept = [n - a - b for n, a, b in zip(self.input_shape[:-1], self.before, self.after)]
        if min(kept) < 1:
            return f"cropping {list(zip(self.before, self.after))} leaves nothing of its input {list(self.input_shape)}"
        return None

    def rearrange(self, x):
        kept = tuple(slice(b, n - a) for b, a, n in zip(self.before, self.after, self.input_shape[:-1]))
        return x[(slice(None),) + kept]
