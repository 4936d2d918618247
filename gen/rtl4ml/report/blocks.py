"""What the report needs to know of each generated module (one per block of the RTL core)."""

from __future__ import annotations

import numpy as np


def block_summaries(core) -> list[dict]:
    """Per block: display name, module name, bus widths, neuron count, non-zero products, sliceable."""
    summaries = []
    for block in core.blocks:
        first = block.layers[0]
        dense = first.kind == "dense"
        summaries.append({
            "name": " + ".join(layer.name for layer in block.layers),
            "identifier": block.identifier,
            "module": f"{core.top}_{block.identifier}",
            "kind": first.kind,
            "in_width": block.n_in * block.in_type.width,
            "out_width": block.n_out * block.out_type.width,
            "element_width": block.out_type.width,
            "n_out": block.n_out,
            # multipliers to synthesize: one per non-zero weight, or per ReuseFactor of them
            "products": (len(block.values["multipliers"]) if block.sequential else
                         int(np.count_nonzero(first.weight))) if dense else 0,
            # a dense layer's neurons share no logic (a time-multiplexed one only its small phase
            # control), so slices of them synthesize independently
            "sliceable": dense,
            "sequential": block.sequential,
            "latency": block.latency,
        })
    return summaries
