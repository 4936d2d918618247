"""UpSampling1D/2D (nearest: each element repeated along each spatial axis), Permute (axes reordered) and the steps of a
sequence reversed (a backward recurrent layer's reading order, when the steps stream one per beat)."""

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

    def problem(self) -> str | None:
        spatial = len(self.input_shape) - 1
        if len(self.size) != spatial:
            return f"works on {len(self.size)} spatial axes, its input {list(self.input_shape)} has {spatial}"
        return None

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

    def problem(self) -> str | None:
        rank = len(self.input_shape)
        if sorted(self.axes) != list(range(rank)):
            return (f"dims {[a + 1 for a in self.axes]} is not a permutation of its input's axes 1..{rank} "
                    f"(shape {list(self.input_shape)})")
        return None

    def rearrange(self, x):
        return np.transpose(x, (0,) + tuple(a + 1 for a in self.axes))


@layer_class
@dataclass(kw_only=True)
class ReverseLayer(WiringLayer):
    """The first axis read last to first: a [steps, features] sequence's steps reversed. The streamed form of a
    backward recurrent layer (go_backwards, a Bidirectional's backward direction) reads its steps through it, as the
    unrolled form reads them from the other end."""

    kind = "reverse"
    description = "Steps reversed"

    def problem(self) -> str | None:
        if len(self.input_shape) != 2:
            return f"reverses the steps of a [steps, features] sequence, its input is {list(self.input_shape)}"
        return None

    def rearrange(self, x):
        return x[:, ::-1]
