"""Write OUTDIR/ip/ for a streaming core (IOType io_stream): the same self-contained folder as io_parallel's, for a
core that takes one pixel per AXI-stream beat.

The folder holds the Verilog (and VHDL) sources with their filelists, a Verilog header and a VHDL package of the
frame's constants, an instantiation template, the Vivado packaging script and clock constraint, the test frames
(npy, hex, EMP pattern files with one image per packet) and a datasheet. There are no adapters: an io_parallel
event is one beat, which ap_ctrl_hs and valid-in/valid-out wrap; a frame of beats is AXI-stream already.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..identifiers import vhdl_name_problem
from ..stream.plan import Reverse, StreamCore, StreamShape, Upsample
from ..vhdl.stream_writer import write_stream_vectors
from .patterns import write_pattern_file
from .writer import IpFacts, _environment, datasheet_facts, prepare_folder, write_filelist, write_vivado


def _shape_text(shape: StreamShape) -> str:
    return f"{shape.rows} × {shape.cols} pixels × {shape.channels} channels"


def _window_text(unit) -> str:
    window, buffer = unit.window, unit.buffer
    if isinstance(buffer, Upsample):
        rows, cols = buffer.repeat
        kept = f"; its row ({buffer.stored_bits:,} bits) in a shift register" if buffer.stored_bits else ""
        return f"up-sampling: each row {rows} ×, each pixel {cols} ×{kept}"
    if isinstance(buffer, Reverse):
        return (f"steps reversed: the sequence ({buffer.stored_bits:,} bits) in a RAM, the next one written where "
                "it is read")
    if window is None:
        return "—"
    if window.kernel == (window.frame.rows, window.frame.cols) and window.windows == 1:
        return f"the whole frame collected ({window.stored_bits:,} bits of registers)"
    pads = (*window.pad_rows, *window.pad_cols)
    padding = f", zero padding top/bottom/left/right {'/'.join(map(str, pads))}" if any(pads) else ""
    return (f"{window.kernel[0]} × {window.kernel[1]}, strides {window.strides[0]} × {window.strides[1]}{padding}; "
            f"{window.taps} pixels ({window.stored_bits:,} bits) in shift registers")


def _latency_source(planned: int, measured: int | None) -> str:
    if measured is None:
        return "planned by the cycle model of the units' handshakes; `rtl4ml sim` measures it"
    if measured == planned:
        return "measured in the last simulation, equal to the plan"
    return f"planned; the last simulation measured {measured} (frames back to back or stalled take longer)"


def stream_values(core: StreamCore, facts: IpFacts) -> dict:
    """What the datasheet, the header, the package and the Vivado script state about a streaming core."""
    from ... import __version__

    return {
        "version": __version__, "model_name": core.graph.name, "top": core.top, "TOP": core.top.upper(),
        "in_shape": core.in_shape, "out_shape": core.out_shape, "in_type": core.in_type, "out_type": core.out_type,
        "in_shape_text": _shape_text(core.in_shape), "out_shape_text": _shape_text(core.out_shape),
        "in_bits": core.in_width, "out_bits": core.units[-1].out_width,
        "s_width": core.s_width, "m_width": core.m_width, "latency": core.latency, "interval": core.interval,
        "units": [{"identifier": unit.identifier, "layers": ", ".join(unit.layers) or "—",
                   "shapes": f"{_shape_text(unit.in_shape)} → {_shape_text(unit.out_shape)}",
                   "window": _window_text(unit), "latency": unit.latency, "reads": ", ".join(unit.sources)}
                  for unit in core.units],
        "stored_bits": sum(unit.stored_bits for unit in core.units),
        "input_link": core.input_link, "fifos": core.fifos,
        "fifo_bits": sum(fifo.stored_bits for fifo in core.fifos),
        "clock_period": facts.clock_period, "part": facts.part,
    }


def write_stream_ip(core: StreamCore, rtl_sources: list[Path], vhdl_sources: list[Path], ir_file: Path,
                    out_dir: Path, input_codes: np.ndarray, expected_codes: np.ndarray, facts: IpFacts) -> Path:
    """Fill out_dir (OUTDIR/ip) from the written streaming core; input/expected codes are [frames, elements]."""
    vhdl_problem = vhdl_name_problem(core.top)
    core_files, vhdl_files = prepare_folder(out_dir, rtl_sources, vhdl_sources)
    if vhdl_problem is None:
        vhdl_files.insert(0, f"vhdl/{core.top}_pkg.vhd")  # written below; needs nothing before it
    values = stream_values(core, facts) | {"vhdl_files": vhdl_files}
    env = _environment()
    write_filelist(out_dir / f"{core.top}.f", core_files)
    (out_dir / f"{core.top}_params.vh").write_text(env.get_template("stream_params.vh.j2").render(**values))
    (out_dir / f"{core.top}_inst.vh").write_text(env.get_template("stream_instantiation.vh.j2").render(**values))
    if vhdl_problem is None:
        (out_dir / "vhdl" / f"{core.top}_pkg.vhd").write_text(env.get_template("stream_pkg.vhd.j2").render(**values))
        write_filelist(out_dir / f"{core.top}_vhdl.f", vhdl_files)
    write_vivado(env, out_dir, values, core_files,
                 f"{core.graph.name}: frames of {core.in_shape.rows} x {core.in_shape.cols} x "
                 f"{core.in_shape.channels}, latency {core.latency}, a frame every {core.interval} cycles")
    frames = len(input_codes)
    in_beats = np.asarray(input_codes).reshape(frames, core.in_shape.pixels, core.in_shape.channels)
    out_beats = np.asarray(expected_codes).reshape(frames, core.out_shape.pixels, core.out_shape.channels)
    vectors = out_dir / "vectors"
    np.save(vectors / "inputs.npy", in_beats)
    np.save(vectors / "expected.npy", out_beats)
    write_stream_vectors(core, vectors, input_codes, expected_codes)
    write_pattern_file(vectors / "inputs_emp.txt", in_beats.reshape(-1, core.in_shape.channels),
                       [core.in_type.width] * core.in_shape.channels, f"{core.top} input frames",
                       core.in_shape.pixels)
    write_pattern_file(vectors / "expected_emp.txt", out_beats.reshape(-1, core.out_shape.channels),
                       [core.out_type.width] * core.out_shape.channels, f"{core.top} expected output frames",
                       core.out_shape.pixels)
    datasheet = env.get_template("stream_datasheet.md.j2").render(
        **values, **datasheet_facts(ir_file, vhdl_problem,
                                    f"one frame every {core.interval} clocks, frames back to back", facts),
        latency_source=_latency_source(core.latency, facts.measured_latency), frames=frames)
    (out_dir / "README.md").write_text(datasheet)
    return out_dir
