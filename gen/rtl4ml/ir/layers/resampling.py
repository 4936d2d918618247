"""UpSampling1D/2D (nearest: each element repeated along each spatial axis) and Permute (axes reordered)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import layer_class
from .wiring import WiringLayer


@layer_class
@dataclass(kw_only=True)
class UpSamplingLayer(WiringLayer):
    kind = "upsampling"
    description = "Nearest up-sampling"
    size: tuple[int, ...]  # repeats per spatial axis

    def __post_init__(self):
        super().__post_init__()
        self.size = tuple(int(n) for n in self.size)

    def rearrange(self, x):
        for axis, repeats in enumerate(self.size):
            x = np.repeat(x, repeats, axis=axis + 1)
        return x


@layer_class
@dataclass(kw_only=True)
class PermuteLayer(WiringLayer):
    kind = "permute"
    description = "Permute"
    axes: tuple[int, ...]  # output axis k is input axis axes[k] (no batch axis, from 0)

    def __post_init__(self):
        super().__post_init__()
        self.axes = tuple(int(n) for n in self.axes)

    def rearrange(self, x):
        return np.transpose(x, (0,) + tuple(a + 1 for a in self.axes))
