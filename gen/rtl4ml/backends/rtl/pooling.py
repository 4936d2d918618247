"""RTL block of max pooling: one pipelined comparator tree per output element, then its conversion.

(Average pooling is built as the Dense it equals: dense.py.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...ir.layers import MaxPoolingLayer
from ...ir.value_range import ValueRange
from .block import RTL_BLOCKS, Block, Requantize, levels_for, requantize_params
from .pipeline import COMPARE_LEVEL_COST, REQUANTIZE_COST, Step


@dataclass(frozen=True)
class MaxPoolingPlan:
    operation: str  # reduction_tree's MAX (signed codes) or MAXU (unsigned)
    width: int  # bits of one input element
    windows: tuple[tuple[int, ...], ...]  # per output element (row-major, channels last): its terms' lsbs in in_data
    levels: int  # every tree has this many levels (the largest window's), so all outputs share one latency
    requantize: Requantize  # input type -> result type


@RTL_BLOCKS.register(MaxPoolingLayer)
def max_pooling_block(identifier: str, layer: MaxPoolingLayer, fused: None, input_ranges: list[ValueRange]) -> Block:
    x_type = layer.input_type
    index = np.arange(math.prod(layer.input_shape)).reshape(layer.input_shape)
    windows = tuple(tuple(int(index[source][channel]) * x_type.width for source in sources)
                    for sources in layer.windows() for channel in range(layer.input_shape[-1]))
    levels = levels_for(max(len(terms) for terms in windows))
    plan = MaxPoolingPlan("MAX" if x_type.signed else "MAXU", x_type.width, windows, levels,
                          requantize_params(x_type, layer.result_type))
    converts = x_type != layer.result_type
    steps = [Step(f"max{k}", COMPARE_LEVEL_COST) for k in range(levels)] + \
        [Step("requantize", REQUANTIZE_COST if converts else 0)]
    return Block(identifier, "max_pooling_layer", [layer], math.prod(layer.input_shape), x_type, layer.n_out,
                 layer.result_type, steps, plan, sliceable=True)
