"""RTL block of a wiring layer (zero padding, cropping, up-sampling, permute, steps reversed): each output element an
input element or a constant zero, no logic."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...ir.layers import CroppingLayer, PermuteLayer, ReverseLayer, UpSamplingLayer, WiringLayer, ZeroPaddingLayer
from ...ir.value_range import ValueRange
from .block import RTL_BLOCKS, Block
from .pipeline import Step


@dataclass(frozen=True)
class WiringPlan:
    title: str  # what the layer does, for the file header
    width: int  # bits of one element (the type is kept)
    elements: tuple[int | None, ...]  # per output element: the lsb in in_data of the element it copies, None: zero


@RTL_BLOCKS.register(ZeroPaddingLayer, CroppingLayer, UpSamplingLayer, PermuteLayer, ReverseLayer)
def wiring_block(identifier: str, layer: WiringLayer, fused: None, input_ranges: list[ValueRange]) -> Block:
    width = layer.result_type.width
    plan = WiringPlan(layer.description, width,
                      tuple(None if source is None else source * width for source in layer.sources()))
    return Block(identifier, "wiring_layer", [layer], math.prod(layer.input_shape), layer.result_type,
                 layer.n_out, layer.result_type, [Step("output", 0)], plan, sliceable=True)
