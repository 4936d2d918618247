"""Write the Verilog of a streaming core: its blocks (the io_parallel templates), the primitives, the top, core.json.

The top (rtl/templates/stream_top.v.j2) prints the plan's units; nothing here computes a width or a latency.
"""

from __future__ import annotations

from pathlib import Path

from ... import __version__
from ..rtl.lut_multiplier import LUT_MULTIPLIER_SOURCES, products_in_luts
from ..rtl.writer import copy_primitives, environment, write_block, write_top
from .plan import Reverse, StreamCore, Upsample

PRIMITIVES = ("pipe_reg.v", "reduction_tree.v", "requantize.v", "lookup_table.v", "block_rom.v", "add3.v",
              "axis_pipeline_control.v", "axis_skid_buffer.v", "window_buffer.v")
FORK_PRIMITIVES = ("axis_fifo.v",)  # only in cores with FIFOs
BUFFER_PRIMITIVES = tuple(f"{buffer.module}.v" for buffer in (Upsample, Reverse))  # only in cores that use them
ALL_PRIMITIVES = PRIMITIVES + FORK_PRIMITIVES + BUFFER_PRIMITIVES + LUT_MULTIPLIER_SOURCES  # any core's


def buffer_primitives(modules) -> tuple[str, ...]:
    """The frame buffers' sources, of the `modules` a core's units name (core.json's too)."""
    used = {f"{module}.v" for module in modules}
    return tuple(source for source in BUFFER_PRIMITIVES if source in used)


def primitives(core: StreamCore) -> tuple[str, ...]:
    """The primitives a core instantiates (Verilog names; the VHDL twins share their stems)."""
    lut_products = any(products_in_luts(unit.block) for unit in core.units if unit.block)
    return PRIMITIVES + (FORK_PRIMITIVES if core.fifos else ()) + \
        buffer_primitives(unit.buffer.module for unit in core.units if unit.buffer) + \
        (LUT_MULTIPLIER_SOURCES if lut_products else ())


def template_values(core: StreamCore) -> dict:
    """What both tops print: the units, the links and their widths, the FIFOs and the forks they hang on."""
    return {"top": core.top, "units": core.units, "s_width": core.s_width, "m_width": core.m_width,
            "in_bits": core.in_width, "out_bits": core.units[-1].out_width, "links": core.link_widths(),
            "input_link": core.input_link, "output_link": core.output_link, "fifos": core.fifos,
            "forks": core.forks(), "header_lines": header_lines(core)}


def header_lines(core: StreamCore) -> list[str]:
    latency, interval = core.latency, core.interval
    inp, out, t_in, t_out = core.in_shape, core.out_shape, core.in_type, core.out_type
    return [
        f"Input frame: {inp.rows} x {inp.cols} pixels, one per s_axis beat, row-major; pixel channel c ({t_in}) at "
        f"bits [c*{t_in.width} +: {t_in.width}], c = 0..{inp.channels - 1}; padding bits are ignored.",
        f"Output frame: {out.rows} x {out.cols} beats, row-major; channel c ({t_out}) at bits "
        f"[c*{t_out.width} +: {t_out.width}], c = 0..{out.channels - 1}; padding bits are zero.",
        "Frames are counted in pixels: s_axis_tlast is not used; m_axis_tlast marks each output frame's last beat.",
        f"Planned at full rate: latency {latency} cycles (first input beat to last output beat), one frame every "
        f"{interval} cycles.",
        "Every unit has its own flow control and a registered-ready skid buffer at its output. "
        "Synchronous active-high rst; a reset restarts the frame.",
        *([f"FIFOs (after forks, before folded Dense layers): {len(core.fifos)}, depths "
           f"{', '.join(str(f.depth) for f in core.fifos)} beats (the least that keep the planned latency and "
           "interval)."] if core.fifos else []),
        f"Pipeline: at most {core.budget} logic levels between registers.",
    ]


def write_stream_core(core: StreamCore, out_dir: Path) -> list[Path]:
    """Render the core into out_dir; return the Verilog sources in compile order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    common = {"version": __version__, "model_name": core.graph.name, "carry_chain": core.carry_chain}
    sources = copy_primitives(primitives(core), out_dir)
    sources += [write_block(block, core.top, out_dir, common) for block in core.modules]
    text = environment().get_template("stream_top.v.j2").render(**template_values(core), **common)
    return write_top(out_dir, core.top, text, sources, core.metadata())
