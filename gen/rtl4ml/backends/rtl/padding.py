"""RTL block of zero padding: wiring only, each output element an input element or a constant zero."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...ir.layers import ZeroPaddingLayer
from .block import RTL_BLOCKS, Block
from .pipeline import Step


@dataclass(frozen=True)
class PaddingPlan:
    width: int  # bits of one element (the type is kept)
    elements: tuple[int | None, ...]  # per output element: the lsb in in_data of the element it copies, None: zero


@RTL_BLOCKS.register(ZeroPaddingLayer)
def zero_padding_block(identifier: str, layer: ZeroPaddingLayer, fused: None = None) -> Block:
    width = layer.result_type.width
    plan = PaddingPlan(width, tuple(None if source is None else source * width for source in layer.sources()))
    return Block(identifier, "zero_padding_layer", [layer], math.prod(layer.input_shape), layer.result_type,
                 layer.n_out, layer.result_type, [Step("output", 0)], plan, sliceable=True)
