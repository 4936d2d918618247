"""Write the HLS project of a streaming core (IOType io_stream): one dataflow function per unit of the stream plan,
`hls::stream`s of pixels between them, under `#pragma HLS DATAFLOW`.

Each unit applies the same layer calls as the io_parallel project (hls/writer.py's handlers), on the layers the
stream plan built for one window or one pixel (a convolution as the Dense of its kernel matrix, a pooling layer
over one window, an activation over one pixel's channels), inside rtl4ml_stream.h's window_unit (the window
walk of the Verilog core's window_buffer) or pixel_unit. The testbench reads and writes integer codes per event,
as the io_parallel one does, so csim compares it with the golden model bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ... import __version__
from ..identifiers import unique_identifiers
from ..stream.plan import StreamCore
from .writer import HlsProject, _environment, _layer, wrap_values, write_project


@dataclass
class HlsStreamUnit:
    """One dataflow function: its window walk (or pixel loop), its layer calls, its stream element types."""

    identifier: str
    title: str  # what the unit computes, for its comment
    passed: int  # without layer calls: the first window element passed on (a cropping's pixel)
    config: dict  # static members of <identifier>_unit_config (geometry, channels, n_out)
    windowed: bool
    in_type: str  # C++ element type of the stream it reads
    in_channels: int
    block_in: int  # elements the first call reads (a window's, or a pixel's)
    out_type: str
    out_channels: int
    calls: list = field(default_factory=list)  # HlsLayer per layer, argument_lines wired inside apply()
    locals: list = field(default_factory=list)  # (type, name, size) of the arrays between calls


@dataclass
class HlsStreamProject(HlsProject):
    units: list = field(default_factory=list)


def _unit(unit, in_type: str, identifiers: dict[str, str]) -> HlsStreamUnit:
    window = unit.window
    if window is not None:
        rows, cols = window.padded
        config = {"rows": window.frame.rows, "cols": window.frame.cols, "channels": window.frame.channels,
                  "kernel_rows": window.kernel[0], "kernel_cols": window.kernel[1],
                  "stride_rows": window.strides[0], "stride_cols": window.strides[1],
                  "pad_top": window.pad_rows[0], "pad_left": window.pad_cols[0], "padded_rows": rows,
                  "padded_cols": cols, "taps": window.taps,
                  "n_out": unit.out_shape.channels}
        block_in = window.window_width // window.width
    else:
        config = {"pixels": unit.in_shape.pixels, "channels": unit.in_shape.channels,
                  "n_out": unit.out_shape.channels}
        block_in = unit.in_shape.channels
    layers = unit.block.layers if unit.block is not None else []
    calls = [_layer(identifiers[layer.name], layer) for layer in layers]
    out_type = f"{calls[-1].identifier}_result_t" if calls else in_type
    if calls:
        title = ", ".join(layer.name for layer in layers)
    elif unit.passes_part:
        title = f"{', '.join(unit.layers)}: one pixel of each window (cropping)"
    elif unit.layers:
        title = f"{', '.join(unit.layers)}: the window walk alone (zero padding)"
    else:
        title = "the frame collected (Flatten)"
    item = HlsStreamUnit(f"{unit.identifier}_unit", title, unit.passed, config, window is not None, in_type, unit.in_shape.channels,
                         block_in, out_type, unit.out_shape.channels, calls)
    source, source_type = "in", in_type
    for index, call in enumerate(calls):
        target = "out" if index == len(calls) - 1 else f"{call.identifier}_out"
        if target != "out":
            item.locals.append((f"{call.identifier}_result_t", target, call.layer.n_out))
        call.source_types, call.target = [source_type], target
        call.argument_lines = wrap_values([source, target] + [array[2] for array in call.arrays], " " * 12,
                                          closing=");")
        source, source_type = target, f"{call.identifier}_result_t"
    return item


def plan_stream_project(core: StreamCore, io_type: str, part: str, clock_period: float) -> HlsStreamProject:
    graph = core.graph
    names = [graph.input.name] + [layer.name for layer in graph.layers]
    identifiers = dict(zip(names, unique_identifiers(names)))
    units, in_type = [], "input_t"
    for unit in core.units:
        units.append(_unit(unit, in_type, identifiers))
        in_type = units[-1].out_type
    layers = [call for unit in units for call in unit.calls]
    return HlsStreamProject(core.top, graph, layers, io_type, part, clock_period, units=units)


def write_stream_project(project: HlsStreamProject, core: StreamCore, out_dir: Path,
                         example_inputs: np.ndarray | None = None, example_outputs: np.ndarray | None = None) -> Path:
    """The io_parallel project's defines, parameters, weights and build script, with the streaming top and
    testbench in place of the parallel ones."""
    write_project(project, out_dir, example_inputs, example_outputs)
    env = _environment()
    context = {"project": project.project, "graph": project.graph, "units": project.units,
               "in_beats": core.in_shape.pixels, "out_beats": core.out_shape.pixels,
               "in_channels": core.in_shape.channels, "out_channels": core.out_shape.channels,
               "output_type": project.units[-1].out_type, "version": __version__}
    for target, template in {f"firmware/{project.project}.h": "stream_project.h.j2",
                             f"firmware/{project.project}.cpp": "stream_project.cpp.j2",
                             f"{project.project}_test.cpp": "stream_test_bench.cpp.j2"}.items():
        (out_dir / target).write_text(env.get_template(template).render(**context))
    return out_dir
