"""What the report needs to know of each generated module (one per block of the RTL core)."""

from __future__ import annotations

# What the report calls the top's own logic: the flow control (and a streaming top's window and skid buffers)
PARALLEL_GLUE = "(AXI control)"
STREAM_GLUE = "(window buffers, FIFOs, skid buffers, control)"


def block_summaries(core) -> list[dict]:
    """Per block: display name, module name, bus widths, neuron count, non-zero products, sliceable."""
    summaries = []
    for block in core.blocks:
        first = block.layers[0]
        summaries.append({
            "name": " + ".join(layer.name for layer in block.layers),
            "identifier": block.identifier,
            "module": f"{core.top}_{block.identifier}",
            "kind": first.kind,
            "in_width": block.n_in * block.in_type.width,
            "out_width": block.n_out * block.out_type.width,
            "element_width": block.out_type.width,
            "n_out": block.n_out,
            "products": block.multipliers,
            "sliceable": block.sliceable,
            "sequential": block.sequential,
            "latency": block.latency,
            "parts": [f"{core.top}_{part.identifier}" for part in block.parts],  # modules it instantiates
        })
    return summaries


def pipeline_stages(core) -> list[dict]:
    """The planner's stages: the steps between two registers and their logic levels (pipeline.py costs).

    Stage k ends at the k-th register of the data path; a time-multiplexed layer's own registers
    (input latch, accumulator) end stages too. Levels are the planner's unit (about one carry-chain
    adder), to read next to the worst path Yosys finds in each layer.
    """
    stages, current = [], {"layers": [], "steps": [], "levels": 0, "budget": core.budget}
    for block in core.blocks:
        name = " + ".join(layer.name for layer in block.layers)
        for step in block.steps:
            if name not in current["layers"]:
                current["layers"].append(name)
            current["steps"].append(step.name)
            current["levels"] += step.cost
            current["budget"] = step.budget or core.budget
            if step.register_after:
                stages.append({"stage": len(stages) + 1, **current})
                current = {"layers": [], "steps": [], "levels": 0, "budget": core.budget}
    return stages
