"""Write the VHDL-2008 twin of a streaming core: its blocks' entities (the io_parallel templates), the primitives'
twins, the streaming top, a compile-order file, and a VUnit testbench of frames with its run script and vectors.

It prints the same plan as the Verilog (backends/stream/plan.py); nothing here computes a width or a latency.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import __version__
from ...bus import hex_lines
from ...errors import fail
from ..identifiers import vhdl_name_problem
from ..stream.plan import StreamCore
from ..stream.writer import primitives, template_values
from .writer import COMPILE_ORDER, VUNIT_LIBRARY, copy_primitives, environment, write_entity


def write_vhdl_stream_core(core: StreamCore, out_dir: Path, input_codes: np.ndarray,
                           expected_codes: np.ndarray) -> list[Path]:
    """Render the core's VHDL into out_dir with its VUnit testbench (tb/, run.py) and example vectors (vectors/);
    return the core's sources in compile order (also in compile_order.txt)."""
    problem = vhdl_name_problem(core.top)
    if problem is not None:
        raise fail(f"config ProjectName {core.top!r} cannot name a VHDL entity ({problem})")
    out_dir.mkdir(parents=True, exist_ok=True)
    env = environment()
    common = {"version": __version__, "model_name": core.graph.name}
    sources = copy_primitives(primitives(core), out_dir)
    sources += [write_entity(block, core.top, out_dir, common) for block in core.modules]
    top = out_dir / f"{core.top}.vhd"
    top.write_text(env.get_template("stream_top.vhd.j2").render(**template_values(core), **common))
    sources.append(top)
    (out_dir / COMPILE_ORDER).write_text("".join(f"{path.name}\n" for path in sources))
    latency, interval = core.latency, core.interval
    values = {"top": core.top, "in_beats": core.in_shape.pixels, "out_beats": core.out_shape.pixels,
              "s_width": core.s_width, "m_width": core.m_width, "latency": latency, "interval": interval, **common}
    (out_dir / "tb").mkdir(exist_ok=True)
    (out_dir / "tb" / f"tb_{core.top}.vhd").write_text(env.get_template("tb_stream_core.vhd.j2").render(**values))
    # run.py's watchdog allows 50 x `interval` cycles per input beat: the most cycles a beat may take at full rate
    per_beat = -(-interval // core.in_shape.pixels)
    (out_dir / "run.py").write_text(env.get_template("run.py.j2").render(
        **dict(values, interval=per_beat), library=VUNIT_LIBRARY))
    write_stream_vectors(core, out_dir / "vectors", input_codes, expected_codes)
    return sources


def write_stream_vectors(core: StreamCore, folder: Path, input_codes: np.ndarray, expected_codes: np.ndarray) -> None:
    """inputs.hex / expected.hex: one s_axis beat (a pixel) / m_axis beat per line, frames one after another."""
    folder.mkdir(parents=True, exist_ok=True)
    inp, out = core.in_shape, core.out_shape
    pixels = np.asarray(input_codes).reshape(-1, inp.channels)
    beats = np.asarray(expected_codes).reshape(-1, out.channels)
    (folder / "inputs.hex").write_text(hex_lines(pixels, [core.in_type.width] * inp.channels, core.s_width))
    (folder / "expected.hex").write_text(hex_lines(beats, [core.out_type.width] * out.channels, core.m_width))
