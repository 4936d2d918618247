"""Write the Verilog core of a model: generated modules, the hand-written primitives, a filelist, metadata.

The writer renders jinja2 templates from rtl/templates with values computed in
blocks.py; it never computes arithmetic itself. Its metadata (core.json) is what the
simulation flow reads: bus layout, latency, and the pipeline stage of every layer output.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import jinja2
import numpy as np

from ... import __version__
from ...errors import fail
from ...ir.graph import ModelGraph
from ...resources import rtl_dir, rtl_templates_dir
from ..identifiers import check_project_name, comment_text, unique_identifiers
from .blocks import Block, build_blocks
from .pipeline import DEFAULT_BUDGET, mask_literal, place_registers

PRIMITIVES = ("pipe_reg.v", "reduction_tree.v", "requantize.v", "lookup_table.v", "axis_pipeline_control.v")


@dataclass
class RtlCore:
    """A planned core: blocks with registers placed, ready to render."""

    top: str
    graph: ModelGraph
    blocks: list[Block]
    input_identifier: str
    budget: int

    @property
    def latency(self) -> int:
        return sum(block.latency for block in self.blocks)

    @property
    def interval(self) -> int:
        """Cycles between accepted events: the largest ReuseFactor (1 when fully parallel)."""
        return max([block.interval for block in self.blocks] + [1])

    def stages(self) -> list[int]:
        """Pipeline stage (registers since the input) at each block's output."""
        result, total = [], 0
        for block in self.blocks:
            total += block.latency
            result.append(total)
        return result

    @property
    def s_width(self) -> int:
        return _bytes(self.graph.n_in * self.graph.input.result_type.width)

    @property
    def m_width(self) -> int:
        return _bytes(self.graph.n_out * self.graph.output_type.width)

    def metadata(self) -> dict:
        in_type, out_type = self.graph.input.result_type, self.graph.output_type
        layers = [{"name": self.graph.input.name, "identifier": self.input_identifier, "stage": 0,
                   "n": self.graph.n_in, "width": in_type.width, "frac": in_type.frac, "signed": in_type.signed,
                   "ir_layers": [self.graph.input.name]}]
        for block, stage in zip(self.blocks, self.stages()):
            layers.append({"name": block.layers[-1].name, "identifier": block.identifier, "stage": stage,
                           "n": block.n_out, "width": block.out_type.width, "frac": block.out_type.frac,
                           "signed": block.out_type.signed, "ir_layers": [layer.name for layer in block.layers]})
        return {
            "top": self.top, "latency": self.latency, "interval": self.interval, "pipeline_budget": self.budget,
            "n_in": self.graph.n_in, "n_out": self.graph.n_out,
            "input_type": str(in_type), "output_type": str(out_type),
            "s_axis_data_width": self.s_width, "m_axis_data_width": self.m_width,
            "layers": layers,
        }


def _bytes(bits: int) -> int:
    return (bits + 7) // 8 * 8


# Cores beyond this many multipliers take hours to build and simulate, and do not fit a device:
# refuse up front with the estimate instead.
MAX_PARALLEL_PRODUCTS = 100_000


def check_size(graph: ModelGraph) -> None:
    """Refuse models whose multipliers (non-zero weights / ReuseFactor per layer) are beyond any device."""
    counts = {layer.name: layer.multipliers for layer in graph.layers}
    total = sum(counts.values())
    if total > MAX_PARALLEL_PRODUCTS:
        largest = max(counts, key=counts.get)
        raise fail(f"model needs {total:,} parallel multipliers at its ReuseFactors (largest: layer {largest} with "
                   f"{counts[largest]:,}); rtl4ml refuses more than {MAX_PARALLEL_PRODUCTS:,} (hours of build, "
                   "larger than any FPGA); prune the model or raise the ReuseFactor")


def plan_core(graph: ModelGraph, top: str, budget: int | None = None) -> RtlCore:
    if not graph.is_chain():
        raise fail(f"model {graph.name}: the Verilog backend builds chains of layers only so far "
                   "(this model has branches, merges or several outputs)")
    check_size(graph)
    names = [graph.input.name] + [layer.name for layer in graph.layers]
    identifiers = dict(zip(names, unique_identifiers(names)))
    blocks = build_blocks(graph, identifiers)
    budget = budget or DEFAULT_BUDGET
    place_registers([step for block in blocks for step in block.steps], budget)
    return RtlCore(check_project_name(top), graph, blocks, identifiers[graph.input.name], budget)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(rtl_templates_dir())),
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=False, lstrip_blocks=False)
    env.filters["comment"] = comment_text  # names from user files never reach code unescaped
    return env


def _block_context(block: Block) -> dict:
    max_regs, sum_regs, add_regs = block.registers("max"), block.registers("sum"), block.registers("add")
    multiply_regs = [step.register_after for step in block.steps if step.name == "multiply"]  # dense blocks only
    return {
        "tree_mask": mask_literal(add_regs),
        "product_delay": sum(multiply_regs) + sum(add_regs),
        "max_mask": mask_literal(max_regs), "max_delay": sum(max_regs),
        "sum_mask": mask_literal(sum_regs), "sum_delay": sum(sum_regs),
    }


def _header_lines(core: RtlCore) -> list[str]:
    in_type, out_type, graph = core.graph.input.result_type, core.graph.output_type, core.graph
    return [
        f"Latency {core.latency} cycles from input handshake to output handshake with m_axis_tready high.",
        f"Initiation interval {core.interval}: s_axis_tready is low for {core.interval - 1} cycles after each accepted"
        " event." if core.interval > 1 else "Initiation interval 1: one event per cycle.",
        f"s_axis_tdata: input i ({in_type}) at bits [i*{in_type.width} +: {in_type.width}], i = 0..{graph.n_in - 1};"
        " padding bits are ignored.",
        f"m_axis_tdata: output j ({out_type}) at bits [j*{out_type.width} +: {out_type.width}], j = 0..{graph.n_out - 1};"
        " padding bits are zero.",
        "One event per beat; tlast is carried through unchanged. Synchronous active-high rst.",
        f"Pipeline: at most {core.budget} logic levels between registers.",
    ]


def write_core(core: RtlCore, out_dir: Path) -> list[Path]:
    """Render the core into out_dir; return the Verilog sources in compile order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    env = _environment()
    common = {"version": __version__, "model_name": core.graph.name}
    sources = []
    for primitive in PRIMITIVES:
        target = out_dir / primitive
        shutil.copyfile(rtl_dir() / primitive, target)
        sources.append(target)
    for block in core.blocks:
        module_name = f"{core.top}_{block.identifier}"
        text = env.get_template(block.template).render(
            block=block, v=block.values, module_name=module_name, **_block_context(block), **common)
        target = out_dir / f"{module_name}.v"
        target.write_text(text)
        sources.append(target)
    top_text = env.get_template("top.v.j2").render(
        top=core.top, blocks=core.blocks, stages=core.stages(), latency=core.latency, interval=core.interval,
        n_in=core.graph.n_in, n_out=core.graph.n_out, in_type=core.graph.input.result_type,
        out_type=core.graph.output_type, s_width=core.s_width, m_width=core.m_width,
        input_identifier=core.input_identifier, header_lines=_header_lines(core), **common)
    top_file = out_dir / f"{core.top}.v"
    top_file.write_text(top_text)
    sources.append(top_file)
    (out_dir / f"{core.top}.f").write_text("".join(f"{path.name}\n" for path in sources))
    (out_dir / "core.json").write_text(json.dumps(core.metadata(), indent=2) + "\n")
    return sources
