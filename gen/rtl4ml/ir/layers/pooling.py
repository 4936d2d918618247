"""Pooling over windows of the spatial axes (Average/MaxPooling1D/2D) or over all of them (Global...Pooling).

Windows never include padding (Keras and hls4ml alike): a window at the border of a 'same' layer
holds fewer input positions. Maximum: the largest input code of the window (all share the input
type, so codes compare as values), converted once to the result type with its rounding and
overflow modes (hls4ml's res_T(max)).

Average, how the division is done (the same in the golden model, the RTL and the HLS C++): the window's sum
is exact; it is multiplied by 1/n, n the number of input positions in the window (padding excluded,
as Keras counts them), rounded to RECIPROCAL_TYPE (18 fractional bits: exact when n is a power of
two); the product is exact, then rounded and saturated (or wrapped) to the result type once. A
backend may build the layer as the Dense it equals (`as_dense`): each output reads its window with
the weight 1/n, every other weight is zero and costs nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

import numpy as np

from ...fixed_point import FixedType, quantize_float, requantize
from ..value_range import ValueRange
from .base import Layer, layer_class
from .conv import window
from .dense import DenseLayer
from .linear import choose_accumulator

RECIPROCAL_TYPE = FixedType(19, 1, False, "AP_RND", "AP_SAT")


@dataclass(kw_only=True)
class WindowPooling(Layer):
    """What average and max pooling share: the input tensor and the placement of the windows."""

    input_type: FixedType
    input_shape: tuple[int, ...]  # [*spatial, channels]
    pool_size: tuple[int, ...]
    strides: tuple[int, ...]
    pad_before: tuple[int, ...]
    pad_after: tuple[int, ...]

    def __post_init__(self):
        super().__post_init__()
        for name in ("input_shape", "pool_size", "strides", "pad_before", "pad_after"):
            setattr(self, name, tuple(int(n) for n in getattr(self, name)))

    @property
    def output_spatial(self) -> tuple[int, ...]:
        return tuple((n + before + after - k) // s + 1 for n, k, s, before, after in
                     zip(self.input_shape[:-1], self.pool_size, self.strides, self.pad_before, self.pad_after))

    def windows(self) -> list[list[tuple[int, ...]]]:
        """Per output position (row-major), the input positions of its window (padding left out)."""
        spatial_in = self.input_shape[:-1]
        return [[source for _, source in window(position, self.pool_size, self.strides, self.pad_before, spatial_in)]
                for position in product(*(range(n) for n in self.output_spatial))]


@layer_class
@dataclass(kw_only=True)
class MaxPoolingLayer(WindowPooling):
    kind = "max_pooling"

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        return inputs[0]  # windows hold no padding

    def maxima(self, x: np.ndarray, windows: list | None = None) -> np.ndarray:
        """[batch, output positions, channels]: each window's largest code, in the input type."""
        return np.stack([np.max(np.stack([x[(slice(None),) + source] for source in sources]), axis=0)
                         for sources in windows or self.windows()], axis=1)

    def golden(self):
        windows = self.windows()
        return lambda x: requantize(self.maxima(x, windows), self.input_type.frac, self.result_type,
                                    self.input_type).reshape((len(x),) + self.shape)


@layer_class
@dataclass(kw_only=True)
class AveragePoolingLayer(WindowPooling):
    kind = "average_pooling"

    def reciprocals(self) -> np.ndarray:
        """Codes (in RECIPROCAL_TYPE) of 1/n per output position, row-major."""
        counts = [len(sources) for sources in self.windows()]
        return quantize_float(1.0 / np.array(counts, dtype=np.float64), RECIPROCAL_TYPE)

    @property
    def accum_type(self) -> FixedType:
        """Exact type of sum * 1/n (the widest window)."""
        largest = max(len(sources) for sources in self.windows())
        weight = np.full((largest, 1), int(self.reciprocals().max()))
        accum, _ = choose_accumulator(self.name, weight, np.zeros(1, dtype=np.int64), self.input_type,
                                      RECIPROCAL_TYPE, RECIPROCAL_TYPE, None)
        return accum

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        return self.as_dense().value_range(inputs)  # 1/n is rounded: the mean may leave the inputs' range

    def golden(self):
        accum = self.accum_type
        shift = accum.frac - (self.input_type.frac + RECIPROCAL_TYPE.frac)
        windows = self.windows()
        reciprocal = self.reciprocals()

        def run(x):
            sums = np.stack([sum(x[(slice(None),) + source] for source in sources) for sources in windows], axis=1)
            exact = (sums * reciprocal[None, :, None]) << shift  # [batch, positions, channels]
            return requantize(exact, accum.frac, self.result_type, accum).reshape((len(x),) + self.shape)
        return run

    def as_dense(self) -> DenseLayer:
        channels = self.input_shape[-1]
        weight = np.zeros((math.prod(self.input_shape), math.prod(self.shape)), dtype=np.int64)
        in_index = np.arange(weight.shape[0]).reshape(self.input_shape)
        for k, (sources, code) in enumerate(zip(self.windows(), self.reciprocals())):
            for source in sources:
                weight[in_index[source], k * channels + np.arange(channels)] = code
        return DenseLayer(name=self.name, inputs=self.inputs, shape=(weight.shape[1],), input_type=self.input_type,
                          weight=weight, weight_type=RECIPROCAL_TYPE, bias=np.zeros(weight.shape[1], dtype=np.int64),
                          bias_type=RECIPROCAL_TYPE, accum_type=self.accum_type, accum_is_exact=True,
                          result_type=self.result_type, pipeline_budget=self.pipeline_budget)

    @property
    def multipliers(self) -> int:
        return self.as_dense().multipliers
