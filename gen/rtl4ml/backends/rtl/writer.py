"""Write the Verilog core of a model: generated modules, the hand-written primitives, a filelist, metadata.

The writer renders jinja2 templates from rtl/templates with each block's typed plan (backends/rtl/
<block type>.py: numbers, names and tuples, no HDL text); Verilog's sized literals are printed by the
`literal` / `table_literal` filters, so a VHDL emitter can print the same plans. Its metadata (core.json) is what the
simulation flow reads: bus layout, latency, and the pipeline stage of every layer output.
"""

from __future__ import annotations

import functools
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ... import __version__
from ...errors import fail
from ...ir.graph import ModelGraph
from ...resources import rtl_dir, rtl_templates_dir
from ..identifiers import check_project_name, comment_text, unique_identifiers
from .block import literal, table_literal
from .blocks import Block, block_signal, build_blocks, schedule_graph
from .lut_multiplier import LUT_MULTIPLIER_SOURCES, products_in_luts
from .pipeline import DEFAULT_BUDGET, mask_literal
from .schedule import Schedule

PRIMITIVES = ("pipe_reg.v", "reduction_tree.v", "requantize.v", "lookup_table.v", "block_rom.v", "add3.v",
              "axis_pipeline_control.v")


@dataclass
class RtlCore:
    """A planned core: blocks with registers placed and the graph's wiring scheduled, ready to render."""

    top: str
    graph: ModelGraph
    blocks: list[Block]
    input_identifier: str
    budget: int
    schedule: Schedule
    carry_chain: int = 8  # bits per carry primitive of the target device (add3.v's CARRY_CHAIN)

    @property
    def latency(self) -> int:
        return self.schedule.latency

    @property
    def interval(self) -> int:
        """Cycles between accepted events: the largest ReuseFactor (1 when fully parallel)."""
        return max([block.interval for block in self.blocks] + [1])

    def stages(self) -> list[int]:
        """Pipeline stage (registers since the input) at each block's output."""
        return [self.schedule.output_stage[block_signal(block.identifier)] for block in self.blocks]

    @property
    def s_width(self) -> int:
        return byte_padded(self.graph.n_in * self.graph.input.result_type.width)

    @property
    def out_bits(self) -> int:
        """Bits of all outputs side by side in m_axis_tdata, before the byte padding."""
        return sum(output.bits for output in self.graph.output_fields)

    @property
    def m_width(self) -> int:
        return byte_padded(self.out_bits)

    @property
    def input_widths(self) -> list[int]:
        """Bits of each input element in an s_axis beat, element 0 first."""
        return [self.graph.input.result_type.width] * self.graph.n_in

    @property
    def output_widths(self) -> list[int]:
        """Bits of each output element in an m_axis beat, element 0 first."""
        return [t.width for t in self.graph.output_types]

    def metadata(self) -> dict:
        in_type, graph = self.graph.input.result_type, self.graph
        layers = [{"name": graph.input.name, "identifier": self.input_identifier, "stage": 0,
                   "n": graph.n_in, "width": in_type.width, "frac": in_type.frac, "signed": in_type.signed,
                   "ir_layers": [graph.input.name]}]
        for block, stage in zip(self.blocks, self.stages()):
            layers.append({"name": block.layers[-1].name, "identifier": block.identifier, "stage": stage,
                           "n": block.n_out, "width": block.out_type.width, "frac": block.out_type.frac,
                           "signed": block.out_type.signed, "ir_layers": [layer.name for layer in block.layers]})
        outputs = [{"name": field.name, "shape": list(field.shape), "type": str(field.type), "lsb": field.lsb,
                    "n": field.n, "width": field.type.width, "frac": field.type.frac, "signed": field.type.signed}
                   for field in graph.output_fields]
        types = {field.type for field in graph.output_fields}
        return {
            "top": self.top, "latency": self.latency, "interval": self.interval, "pipeline_budget": self.budget,
            "n_in": graph.n_in, "n_out": graph.n_out,
            "input_type": str(in_type), "output_type": str(types.pop()) if len(types) == 1 else None,
            "s_axis_data_width": self.s_width, "m_axis_data_width": self.m_width,
            "layers": layers, "outputs": outputs,
        }


def byte_padded(bits: int) -> int:
    """An AXI-stream tdata width: `bits` rounded up to whole bytes."""
    return (bits + 7) // 8 * 8


# Cores beyond this many multipliers take hours to build and simulate, and do not fit a device:
# refuse up front with the estimate instead.
MAX_PARALLEL_PRODUCTS = 100_000


def check_size(counts: dict[str, int]) -> None:
    """Refuse cores whose multipliers (non-zero weights / ReuseFactor, per layer name) are beyond any device."""
    total = sum(counts.values())
    if total > MAX_PARALLEL_PRODUCTS:
        largest = max(counts, key=counts.get)
        raise fail(f"model needs {total:,} parallel multipliers at its ReuseFactors (largest: layer {largest} with "
                   f"{counts[largest]:,}); rtl4ml refuses more than {MAX_PARALLEL_PRODUCTS:,} (hours of build, "
                   "larger than any FPGA); prune the model or raise the ReuseFactor")


def plan_core(graph: ModelGraph, top: str, budget: int | None = None, carry_chain: int = 8) -> RtlCore:
    check_size({layer.name: layer.multipliers for layer in graph.layers})
    names = [graph.input.name] + [layer.name for layer in graph.layers]
    identifiers = dict(zip(names, unique_identifiers(names)))
    blocks = build_blocks(graph, identifiers)
    budget = budget or DEFAULT_BUDGET
    input_identifier = identifiers[graph.input.name]
    inputs = {graph.input.name: (block_signal(input_identifier), graph.n_in * graph.input.result_type.width, 0)}
    schedule = schedule_graph(graph, blocks, inputs, budget)
    return RtlCore(check_project_name(top), graph, blocks, input_identifier, budget, schedule, carry_chain)


@functools.lru_cache(maxsize=None)  # one per process: jinja2 compiles each template once per environment
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(rtl_templates_dir())),
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=False, lstrip_blocks=False)
    env.filters["comment"] = comment_text  # names from user files never reach code unescaped
    env.filters["literal"] = literal  # plans hold numbers; Verilog's sized literals are printed here
    env.filters["table_literal"] = table_literal
    env.filters["mask"] = mask_literal
    return env


def _output_lines(core: RtlCore) -> list[str]:
    fields = core.graph.output_fields
    lines = []
    for field in fields:
        where = f"output {field.name} " if len(fields) > 1 else "output "
        offset = f"{field.lsb} + " if field.lsb else ""
        lines.append(f"m_axis_tdata: {where}j ({field.type}) at bits [{offset}j*{field.type.width} +: "
                     f"{field.type.width}], j = 0..{field.n - 1};")
    lines[-1] += " padding bits are zero."
    return lines


def header_lines(core: RtlCore) -> list[str]:
    in_type, graph = core.graph.input.result_type, core.graph
    return [
        f"Latency {core.latency} cycles from input handshake to output handshake with m_axis_tready high.",
        f"Initiation interval {core.interval}: s_axis_tready is low for {core.interval - 1} cycles after each accepted"
        " event." if core.interval > 1 else "Initiation interval 1: one event per cycle.",
        f"s_axis_tdata: input i ({in_type}) at bits [i*{in_type.width} +: {in_type.width}], i = 0..{graph.n_in - 1};"
        " padding bits are ignored.",
        *_output_lines(core),
        "One event per beat; tlast is carried through unchanged. Synchronous active-high rst.",
        f"Pipeline: at most {core.budget} logic levels between registers.",
    ]


def write_block(block: Block, top: str, out_dir: Path, common: dict) -> Path:
    """Render one block's module as `<top>_<identifier>.v` in out_dir; return its path."""
    module_name = f"{top}_{block.identifier}"
    text = environment().get_template(f"{block.template}.v.j2").render(
        block=block, p=block.plan, module_name=module_name, top=top, **block.register_context(), **common)
    target = out_dir / f"{module_name}.v"
    target.write_text(text)
    return target


def copy_primitives(names, out_dir: Path) -> list[Path]:
    """The hand-written modules `names` copied into out_dir, in order."""
    targets = []
    for name in names:
        targets.append(out_dir / name)
        shutil.copyfile(rtl_dir() / name, targets[-1])
    return targets


def core_primitives(core: RtlCore) -> tuple[str, ...]:
    """The hand-written modules an io_parallel core instantiates (Verilog names; the VHDL twins share their stems)."""
    return PRIMITIVES + (LUT_MULTIPLIER_SOURCES if any(products_in_luts(block) for block in core.blocks) else ())


def write_core(core: RtlCore, out_dir: Path) -> list[Path]:
    """Render the core into out_dir; return the Verilog sources in compile order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    env = environment()
    common = {"version": __version__, "model_name": core.graph.name, "carry_chain": core.carry_chain}
    sources = copy_primitives(core_primitives(core), out_dir)
    for block in core.blocks:
        sources.append(write_block(block, core.top, out_dir, common))
    fields = core.graph.output_fields
    top_text = env.get_template("top.v.j2").render(
        top=core.top, blocks=core.blocks, schedule=core.schedule, latency=core.latency, interval=core.interval,
        n_in=core.graph.n_in, n_out=core.graph.n_out, in_type=core.graph.input.result_type,
        out_bits=core.out_bits,
        output_summary=" + ".join(f"{field.n} x {field.type.width}" for field in fields),
        s_width=core.s_width, m_width=core.m_width, input_identifier=core.input_identifier,
        header_lines=header_lines(core), **common)
    return write_top(out_dir, core.top, top_text, sources, core.metadata())


def write_top(out_dir: Path, top: str, text: str, sources: list[Path], metadata: dict) -> list[Path]:
    """The top module, the filelist (compile order, the top last) and core.json; return the sources."""
    top_file = out_dir / f"{top}.v"
    top_file.write_text(text)
    sources = sources + [top_file]
    (out_dir / f"{top}.f").write_text("".join(f"{path.name}\n" for path in sources))
    (out_dir / "core.json").write_text(json.dumps(metadata, indent=2) + "\n")
    return sources
