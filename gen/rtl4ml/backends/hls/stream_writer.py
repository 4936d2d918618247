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
from ...ir.layers import (ActivationLayer, BatchNormLayer, ConcatenateLayer, ConvLayer, CroppingLayer, DenseLayer,
                         DotLayer, ElementwiseMergeLayer, PiecewiseLinearLayer, RecurrentLayer, SoftmaxLayer,
                         TableActivationLayer, ZeroPaddingLayer)
from ...ir.layers.pooling import WindowPooling
from ..identifiers import unique_identifiers
from ..stream.plan import Reverse, StreamCore, Upsample
from .writer import HlsProject, _environment, _layer, cpp_type, wire_call, wrap_values, write_project


@dataclass
class HlsStreamUnit:
    """One dataflow function: its window walk (or pixel loop, or join of two streams), its layer calls, its stream
    element types."""

    identifier: str
    title: str  # what the unit computes, for its comment
    passed: int  # without layer calls: the first window element passed on (a cropping's pixel)
    config: dict  # static members of <identifier>_config (geometry, channels, n_out)
    kind: str  # window_unit | pixel_unit | upsample_unit | reverse_unit | join_unit | recurrent_unit
    # (rtl4ml_stream.h)
    function: str  # what the top calls: hls4ml's stream-kernel name for the unit's layer (defined by the project
    # over the generic unit) where it has one, else rtl4ml::<kind>
    in_types: list[str]  # C++ element type of each stream it reads
    in_channels: list[int]
    block_in: int  # elements the first call reads from input 0 (a window's, or a pixel's)
    out_type: str
    out_channels: int
    sources: list[str]  # the streams it reads
    sink: str  # the stream it writes
    calls: list = field(default_factory=list)  # HlsLayer per layer, argument_lines wired inside apply()
    locals: list = field(default_factory=list)  # (type, name, size) of the arrays between calls
    state: list = field(default_factory=list)  # a recurrent unit's: (C++ type, member, size, the next value's array)


@dataclass(frozen=True)
class HlsStream:
    """A stream between dataflow functions; depth: a FIFO's planned depth (2 between units)."""

    name: str
    element_type: str
    channels: int
    depth: int


@dataclass(frozen=True)
class HlsFork:
    """Copies each pixel of a forked stream into its branches' streams (the core's FIFOs)."""

    identifier: str
    source: str
    targets: tuple[str, ...]
    element_type: str
    channels: int
    pixels: int
    kind: str = "fork"


@dataclass
class HlsStreamProject(HlsProject):
    units: list = field(default_factory=list)
    steps: list = field(default_factory=list)  # units and forks in data-flow order
    streams: list = field(default_factory=list)  # the streams between them (HlsStream)
    aliases: list = field(default_factory=list)  # (hls4ml's kernel name, the generic unit it forwards to), distinct


def _hls4ml_kernel(kind: str, layer) -> str:
    """hls4ml's stream-kernel name for a unit that is one of its layers (the project defines it over the generic
    unit, stream_project.cpp.j2), or `kind`."""
    if kind == "upsample_unit":
        return "resize_nearest"
    if isinstance(layer, ConvLayer):
        return f"conv_{layer.rank}d_cl"
    if isinstance(layer, WindowPooling):
        spatial = layer.input_shape[:-1]
        whole = layer.pool_size == spatial and not any(layer.pad_before) and not any(layer.pad_after)
        return f"{'global_' if whole else ''}pooling{len(spatial)}d_cl"
    if isinstance(layer, ZeroPaddingLayer | CroppingLayer):
        return f"{'zeropad' if isinstance(layer, ZeroPaddingLayer) else 'cropping'}{len(layer.shape) - 1}d_cl"
    if kind == "pixel_unit":
        if isinstance(layer, DenseLayer):  # a Dense on a vector, once per frame
            return "dense"
        if isinstance(layer, BatchNormLayer):
            return "normalize"
        if isinstance(layer, SoftmaxLayer):
            return "softmax"
        if isinstance(layer, ActivationLayer | TableActivationLayer | PiecewiseLinearLayer):
            return layer.function  # Keras's name, which hls4ml's activation kernels take
    if kind == "join_unit":
        if isinstance(layer, ElementwiseMergeLayer):
            return layer.operation
        if isinstance(layer, ConcatenateLayer):
            return "concatenate3d" if len(layer.shape) == 3 else "concatenate1d"
        if isinstance(layer, DotLayer):
            return "dot1d"
    return kind  # a Dense's collected frame, a counted input, a layer hls4ml has no stream kernel of its own for


# layers the streaming project writes as a unit of its own calls (no call of their own: io_parallel unrolls them)
UNIT_LAYERS = (RecurrentLayer,)


def _recurrent_unit(unit, links: dict[str, tuple[str, int]], streams: dict[str, str],
                    identifiers: dict[str, str]) -> HlsStreamUnit:
    """A recurrent layer's unit: its cell's layer calls once per time step (rtl4ml_stream.h's recurrent_unit, by
    hls4ml's <cell>_static name), the state in a struct that starts at zero for each sequence."""
    layer = unit.block.layers[0]
    cell = layer.cell
    x, *states = cell.inputs
    in_type = links[unit.sources[0]][0]
    calls = [_layer(identifiers[item.name], item) for item in cell.layers]
    variables = {x.name: ("in", in_type)}  # C++ expression and type of each tensor; the state in the state struct
    variables |= {state.name: (f"state.{identifiers[state.name]}", cpp_type(state.result_type)) for state in states}
    item = HlsStreamUnit(f"{unit.identifier}_unit", f"{layer.name}: {layer.cell_kind} cell, once per step",
                         0, {"n_steps": layer.steps, "n_chan": layer.features, "n_out": layer.units,
                             "return_sequences": int(layer.return_sequences)},
                         "recurrent_unit", f"{layer.cell_kind}_static", [in_type], [layer.features], layer.features,
                         f"{identifiers[cell.outputs[0]]}_result_t", layer.units, [streams[unit.sources[0]]],
                         streams[unit.identifier], calls)
    for call in calls:
        item.locals.append((f"{call.identifier}_result_t", f"{call.identifier}_out", call.layer.n_out))
        wire_call(call, variables, f"{call.identifier}_out", " " * 12)
    item.state = [(cpp_type(state.result_type), identifiers[state.name], state.n_out, variables[output][0])
                  for state, output in zip(states, cell.outputs)]
    return item


def _unit(unit, graph, links: dict[str, tuple[str, int]], streams: dict[str, str],
          identifiers: dict[str, str]) -> HlsStreamUnit:
    if unit.block is not None and isinstance(unit.block.layers[0], UNIT_LAYERS):
        return _recurrent_unit(unit, links, streams, identifiers)
    # a Dense the RTL feeds a pixel per beat: the C++ collects the frame, as hls4ml's stream kernels do
    window = unit.frame_window if unit.beats_per_output > 1 else unit.window
    in_types = [links[link][0] for link in unit.sources]
    if window is not None:
        rows, cols = window.padded
        config = {"in_height": window.frame.rows, "in_width": window.frame.cols, "n_chan": window.frame.channels,
                  "filt_height": window.kernel[0], "filt_width": window.kernel[1],
                  "stride_height": window.strides[0], "stride_width": window.strides[1],
                  "pad_top": window.pad_rows[0], "pad_left": window.pad_cols[0], "padded_height": rows,
                  "padded_width": cols, "taps": window.taps, "n_out": unit.out_shape.channels}
        block_in, kind = window.window_width // window.width, "window_unit"
    elif isinstance(unit.buffer, Upsample):
        config = {"in_height": unit.in_shape.rows, "in_width": unit.in_shape.cols, "n_chan": unit.in_shape.channels,
                  "new_height": unit.out_shape.rows, "new_width": unit.out_shape.cols, "n_out": unit.out_shape.channels}
        block_in, kind = unit.in_shape.channels, "upsample_unit"
    elif isinstance(unit.buffer, Reverse):
        config = {"pixels": unit.in_shape.pixels, "n_chan": unit.in_shape.channels, "n_out": unit.out_shape.channels}
        block_in, kind = unit.in_shape.channels, "reverse_unit"
    elif unit.joins:
        config = {"pixels": unit.in_shape.pixels, "n_chan1": links[unit.sources[0]][1],
                  "n_chan2": links[unit.sources[1]][1], "n_out": unit.out_shape.channels}
        block_in, kind = links[unit.sources[0]][1], "join_unit"
    else:
        config = {"pixels": unit.in_shape.pixels, "n_chan": unit.in_shape.channels, "n_out": unit.out_shape.channels}
        block_in, kind = unit.in_shape.channels, "pixel_unit"
    layers = unit.block.layers if unit.block is not None else []
    calls = [_layer(identifiers[layer.name], layer) for layer in layers]
    out_type = f"{calls[-1].identifier}_result_t" if calls else in_types[0]
    if calls:
        title = ", ".join(layer.name for layer in layers)
    elif unit.passes_part:
        title = f"{', '.join(unit.layers)}: one pixel of each window (cropping)"
    elif isinstance(unit.buffer, Upsample):
        title = f"{', '.join(unit.layers)}: nearest up-sampling"
    elif isinstance(unit.buffer, Reverse):
        title = f"{', '.join(unit.layers)}: the steps reversed"
    elif unit.layers:
        title = f"{', '.join(unit.layers)}: the window walk alone (zero padding)"
    elif window is not None and window.kernel == (1, 1):
        title = "the frame's pixels counted (the input read by several units)"
    else:
        title = "the frame collected (Flatten)"
    function = _hls4ml_kernel(kind, graph.layer(unit.layers[0]) if unit.layers and window is unit.window else None)
    function = function if function.isidentifier() and function != kind else f"rtl4ml::{kind}"
    item = HlsStreamUnit(f"{unit.identifier}_unit", title, unit.passed, config, kind, function, in_types,
                         [links[link][1] for link in unit.sources], block_in, out_type, unit.out_shape.channels,
                         [streams[link] for link in unit.sources], streams[unit.identifier], calls)
    sources = ["in0", "in1"] if unit.joins else ["in"]
    source_types = in_types
    for index, call in enumerate(calls):
        target = "out" if index == len(calls) - 1 else f"{call.identifier}_out"
        if target != "out":
            item.locals.append((f"{call.identifier}_result_t", target, call.layer.n_out))
        call.source_types, call.target = list(source_types), target
        call.argument_lines = wrap_values(sources + [target] + [array[2] for array in call.arrays], " " * 12,
                                          closing=");")
        sources, source_types = [target], [f"{call.identifier}_result_t"]
    return item


def plan_stream_project(core: StreamCore, io_type: str, part: str, clock_period: float) -> HlsStreamProject:
    graph = core.graph
    names = [graph.input.name] + [layer.name for layer in graph.layers]
    names += [part.name for layer in graph.layers if isinstance(layer, RecurrentLayer)
              for part in layer.cell.all_layers()]
    identifiers = dict(zip(names, unique_identifiers(names)))
    links = {core.input_link: ("input_t", core.in_shape.channels)}  # link -> (C++ element type, channels)
    streams = {core.input_link: "input_stream", core.output_link: "output_stream"}
    pixels = {core.input_link: core.in_shape.pixels}
    forks = core.forks()
    steps, units, internal = [], [], []

    def add_fork(link: str) -> None:
        targets = forks.get(link, [])
        for fifo in targets:
            links[fifo.identifier], pixels[fifo.identifier] = links[link], pixels[link]
            streams[fifo.identifier] = f"{fifo.identifier}_stream"
            internal.append(HlsStream(streams[fifo.identifier], *links[link], fifo.depth))
        if targets:
            steps.append(HlsFork(f"{link}_fork", streams[link], tuple(streams[f.identifier] for f in targets),
                                 *links[link], pixels[link]))

    add_fork(core.input_link)
    for unit in core.units:
        if unit.identifier != core.output_link:
            streams[unit.identifier] = f"{unit.identifier}_stream"
        item = _unit(unit, graph, links, streams, identifiers)
        links[unit.identifier], pixels[unit.identifier] = (item.out_type, item.out_channels), unit.out_shape.pixels
        if unit.identifier != core.output_link:
            internal.append(HlsStream(item.sink, item.out_type, item.out_channels, 2))
        units.append(item)
        steps.append(item)
        add_fork(unit.identifier)
    layers = [call for unit in units for call in unit.calls]
    aliases = sorted({(unit.function, unit.kind) for unit in units if unit.function != f"rtl4ml::{unit.kind}"})
    return HlsStreamProject(core.top, graph, layers, io_type, part, clock_period, units=units, steps=steps,
                            streams=internal, aliases=aliases)


def write_stream_project(project: HlsStreamProject, core: StreamCore, out_dir: Path,
                         example_inputs: np.ndarray | None = None, example_outputs: np.ndarray | None = None) -> Path:
    """The io_parallel project's defines, parameters, weights and build script, with the streaming top and
    testbench in place of the parallel ones."""
    write_project(project, out_dir, example_inputs, example_outputs)
    env = _environment()
    context = {"project": project.project, "graph": project.graph, "units": project.units, "steps": project.steps,
               "streams": project.streams, "aliases": project.aliases,
               "in_beats": core.in_shape.pixels, "out_beats": core.out_shape.pixels,
               "in_channels": core.in_shape.channels, "out_channels": core.out_shape.channels,
               "output_type": project.units[-1].out_type, "version": __version__}
    for target, template in {f"firmware/{project.project}.h": "stream_project.h.j2",
                             f"firmware/{project.project}.cpp": "stream_project.cpp.j2",
                             f"{project.project}_test.cpp": "stream_test_bench.cpp.j2"}.items():
        (out_dir / target).write_text(env.get_template(template).render(**context))
    return out_dir
