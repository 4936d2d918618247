"""Plan a streaming core (IOType io_stream): the model as a network of units, a pixel (or a window) per beat.

A tensor streams as a frame of pixels, row-major, all channels of a pixel in one beat (`StreamShape`);
a flat tensor is a frame of one pixel. A unit is an optional window buffer (rtl/window_buffer.v: line
buffers, zero padding, strides) feeding one block of the io_parallel backend built for *one* pixel or
window instead of the whole tensor: a convolution's kernel matrix is solved once and reused at every
position, a pooling block sees one window, an activation one pixel. Each block runs under its own
axis_pipeline_control (a clock enable per unit, not per core) and ends in a skid buffer
(rtl/axis_skid_buffer.v) whose registered ready keeps every ready path inside one unit. A Dense after Flatten adds
each pixel's share as it arrives (dense_beats.py); a Flatten before another flat layer becomes a window as large as
the frame (the frame collected, then the layer once per frame); a zero padding or a cropping is a window buffer with
no block (its walk adds the zeros, or one window per kept pixel passes its corner pixel on).

Units read named links (the core's input, another unit's output). A link read by several units is a fork: each
reader gets a FIFO (rtl/axis_fifo.v) as deep as the timing model says the core needs (timing.size_fifos); a merge
reads two links at once.

The plan is data (numbers, names, blocks): templates print it, and every figure a template or a testbench
needs (widths, latencies, beats per frame, FIFO depths) is derived here.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import ClassVar

from ...errors import fail
from ...fixed_point import FixedType
from ...ir.graph import ModelGraph
from ...ir.layers import (ActivationLayer, AveragePoolingLayer, BatchNormLayer, ConcatenateLayer, ConvLayer,
                          CroppingLayer, DenseLayer, DotLayer, ElementwiseMergeLayer, Layer, MaxPoolingLayer,
                          PiecewiseLinearLayer, RecurrentLayer, ReshapeLayer, ReverseLayer, SoftmaxLayer,
                          TableActivationLayer, UpSamplingLayer, ZeroPaddingLayer)
from ...ir.layers.dense import dense_from
from ...ir.value_range import ZERO
from ..identifiers import check_project_name, unique_identifiers
from ..rtl.block import RTL_BLOCKS, Block
from ..rtl.blocks import fused_follower, layer_budget
from ..rtl.pipeline import DEFAULT_BUDGET
from ..rtl.recurrent import recurrent_block
from ..rtl.schedule import Schedule, schedule_core
from ..rtl.writer import byte_padded, check_size
from .dense_beats import DenseBeatsPlan, dense_beats_block, widest_share
from .timing import Deadlock, FrameTiming, fifo_caps, plan_timing, size_fifos

IO_TYPE = "io_stream"
# layers computed on each pixel alone: one block over a pixel's channels serves every position
PIXELWISE = (ActivationLayer, PiecewiseLinearLayer, TableActivationLayer, BatchNormLayer, SoftmaxLayer)
WINDOWED = (ConvLayer, MaxPoolingLayer, AveragePoolingLayer)
MERGES = (ElementwiseMergeLayer, ConcatenateLayer, DotLayer)


@dataclass(frozen=True)
class StreamShape:
    """A tensor as a stream: rows x cols pixels per frame, `channels` elements per beat (flat: 1 x 1 x n)."""

    rows: int
    cols: int
    channels: int

    @classmethod
    def of(cls, shape: tuple[int, ...]) -> "StreamShape":
        if len(shape) == 1:
            return cls(1, 1, shape[0])
        if len(shape) == 2:
            return cls(1, shape[0], shape[1])
        if len(shape) == 3:
            return cls(*shape)
        raise ValueError(f"no stream form for a tensor of shape {shape}")

    @property
    def pixels(self) -> int:
        return self.rows * self.cols

    @property
    def flat(self) -> "StreamShape":
        return StreamShape(1, 1, self.pixels * self.channels)


@dataclass(frozen=True)
class Window:
    """A window_buffer: its frame, element width, window, strides and zero padding (the HDL parameters)."""

    frame: StreamShape
    width: int
    kernel: tuple[int, int]
    strides: tuple[int, int]
    pad_rows: tuple[int, int]  # zeros above, below
    pad_cols: tuple[int, int]  # zeros left, right

    @property
    def padded(self) -> tuple[int, int]:
        return self.frame.rows + sum(self.pad_rows), self.frame.cols + sum(self.pad_cols)

    @property
    def positions(self) -> int:
        """Positions walked per frame (one advance each): the padded frame's pixels."""
        return math.prod(self.padded)

    @property
    def windows(self) -> int:
        return math.prod((n - k) // s + 1 for n, k, s in zip(self.padded, self.kernel, self.strides))

    @property
    def window_width(self) -> int:
        return math.prod(self.kernel) * self.frame.channels * self.width

    @property
    def taps(self) -> int:
        """Pixels the shift register holds: (K - 1) padded rows and K pixels (the line buffers and the window)."""
        return (self.kernel[0] - 1) * self.padded[1] + self.kernel[1]

    @property
    def stored_bits(self) -> int:
        return self.taps * self.frame.channels * self.width

    def parameters(self) -> dict[str, int]:
        return {"ROWS": self.frame.rows, "COLS": self.frame.cols, "CHANNELS": self.frame.channels,
                "WIDTH": self.width, "KERNEL_ROWS": self.kernel[0], "KERNEL_COLS": self.kernel[1],
                "STRIDE_ROWS": self.strides[0], "STRIDE_COLS": self.strides[1],
                "PAD_TOP": self.pad_rows[0], "PAD_BOTTOM": self.pad_rows[1],
                "PAD_LEFT": self.pad_cols[0], "PAD_RIGHT": self.pad_cols[1]}


@dataclass(frozen=True)
class Upsample:
    """An upsample_buffer (rtl/upsample_buffer.v): its input frame, element width and copies per row and pixel."""

    module: ClassVar[str] = "upsample_buffer"
    kind: ClassVar[str] = "upsample"  # names its output signals in the top
    frame: StreamShape
    width: int
    repeat: tuple[int, int]  # copies of each row, of each pixel in a row

    @property
    def pixels_out(self) -> int:
        return self.frame.pixels * self.repeat[0] * self.repeat[1]

    @property
    def cycles_per_frame(self) -> int:
        return self.pixels_out

    @property
    def pace(self) -> str:
        return f"it sends {self.pixels_out} up-sampled pixels, one per cycle"

    @property
    def stored_bits(self) -> int:
        """The row it replays (a shift register), when rows are repeated."""
        return self.frame.cols * self.frame.channels * self.width if self.repeat[0] > 1 else 0

    def parameters(self) -> dict[str, int]:
        return {"ROWS": self.frame.rows, "COLS": self.frame.cols, "CHANNELS": self.frame.channels,
                "WIDTH": self.width, "REPEAT_ROWS": self.repeat[0], "REPEAT_COLS": self.repeat[1]}


@dataclass(frozen=True)
class Reverse:
    """A reverse_buffer (rtl/reverse_buffer.v): a frame's pixels (a sequence's steps) stored, then sent last to
    first, while the next frame is written where they are read (one frame of memory)."""

    module: ClassVar[str] = "reverse_buffer"
    kind: ClassVar[str] = "reverse"
    frame: StreamShape
    width: int

    @property
    def pixels_out(self) -> int:
        return self.frame.pixels

    @property
    def cycles_per_frame(self) -> int:
        return self.frame.pixels

    @property
    def pace(self) -> str:
        return f"it stores and sends back {self.frame.pixels} steps, one per cycle"

    @property
    def stored_bits(self) -> int:
        return self.frame.pixels * self.frame.channels * self.width

    def parameters(self) -> dict[str, int]:
        return {"STEPS": self.frame.pixels, "CHANNELS": self.frame.channels, "WIDTH": self.width}


@dataclass
class StreamUnit:
    """One unit: [window buffer] -> [block under its pipeline control] -> skid buffer."""

    identifier: str
    layers: list[str]  # IR layers it computes, in order
    in_shape: StreamShape
    out_shape: StreamShape
    in_type: FixedType
    out_type: FixedType
    window: Window | None
    block: Block | None
    schedule: Schedule | None  # the block's registers and input delays (the block alone, entered from registers)
    sources: list[str] = dataclasses.field(default_factory=list)  # the links it reads (a merge: one per input)
    in_widths: tuple[int, ...] = ()  # bits per beat of each link it reads
    passed: int = 0  # without a block: the first window element passed on (a cropping's pixel in its window)
    beats_per_output: int = 1  # a Dense streamed a pixel per beat: its output leaves after the frame's last beat
    buffer: Upsample | Reverse | None = None  # a frame buffer in place of a window buffer (it counts the frames)

    @property
    def in_width(self) -> int:
        return self.in_shape.channels * self.in_type.width

    @property
    def out_width(self) -> int:
        return self.out_shape.channels * self.out_type.width

    @property
    def block_in_width(self) -> int:
        """The block's input bus: a window, or the beats of its links side by side (input 0 in the low bits)."""
        return self.window.window_width if self.window else sum(self.in_widths)

    @property
    def issues(self) -> int:
        """Windows (or pixels) its block takes per frame."""
        return self.window.windows if self.window else self.in_shape.pixels

    @property
    def cycles_per_frame(self) -> int:
        """The fewest cycles a frame takes in this unit alone: its window walk (a cycle per padded position) or its
        issues (one every `interval` cycles)."""
        if self.buffer:
            return self.buffer.cycles_per_frame
        return max(self.window.positions if self.window else 0, self.issues * self.interval)

    @property
    def pace(self) -> str:
        """What sets cycles_per_frame, in words."""
        if self.buffer:
            return self.buffer.pace
        if self.window and self.window.positions >= self.issues * self.interval:
            return f"its window walks {self.window.positions} positions of the padded frame"
        return f"{self.issues} issues, {self.interval} cycles apart"

    @property
    def stored_bits(self) -> int:
        """Bits its window buffer or frame buffer holds."""
        return (self.window.stored_bits if self.window else 0) + (self.buffer.stored_bits if self.buffer else 0)

    @property
    def held_beats(self) -> int:
        """The most beats it holds before its block: a window's taps or a frame buffer's frame."""
        return (self.window.taps if self.window else 0) + (self.buffer.frame.pixels if self.buffer else 0)

    @property
    def frame_window(self) -> Window:
        """The whole input frame as one window: what a Dense streamed a pixel per beat sums over (the HLS C++
        collects it as hls4ml does)."""
        return _collect(self.in_shape, self.in_type.width)

    @property
    def joins(self) -> bool:
        """A merge: one beat from each link at once."""
        return len(self.sources) > 1

    @property
    def passed_lsb(self) -> int:
        """Without a block: the lowest window bit passed on to the output."""
        return self.passed * self.in_type.width

    @property
    def passes_part(self) -> bool:
        """Without a block: the output is a part of the window (a cropping), not all of it."""
        return self.block is None and self.window is not None and self.window.window_width > self.out_width

    @property
    def latency(self) -> int:
        """Registers of the block's pipeline (0 without a block)."""
        return self.schedule.latency if self.schedule else 0

    @property
    def interval(self) -> int:
        return self.block.interval if self.block else 1


@dataclass
class StreamFifo:
    """A FIFO (rtl/axis_fifo.v) on one reader's side of a fork (it holds what one branch has taken and the others not
    yet, so the fork never waits at full rate), or before a folded Dense (it holds a burst of beats). Its depth is the
    least the timing model needs (timing.size_fifos)."""

    identifier: str  # the link it drives
    source: str  # the link it reads
    width: int  # data bits per beat
    depth: int = 0

    @property
    def stored_bits(self) -> int:
        return self.depth * (self.width + 1)  # data and tlast


@dataclass
class StreamCore:
    """A planned streaming core: its units in stream order, ready to render."""

    top: str
    graph: ModelGraph
    units: list[StreamUnit]
    budget: int
    fifos: list[StreamFifo]
    input_link: str  # the core's input stream
    output_link: str  # the link leaving the core
    carry_chain: int = 8

    @property
    def blocks(self) -> list[Block]:
        """The units' blocks, in stream order (units that only walk a window or collect a frame have none)."""
        return [unit.block for unit in self.units if unit.block is not None]

    @property
    def modules(self) -> list[Block]:
        """Every generated module's block, each before the block that instantiates it (a recurrent cell's parts)."""
        return [module for block in self.blocks for module in block.parts + [block]]

    @property
    def in_shape(self) -> StreamShape:
        return StreamShape.of(self.graph.input.shape)

    @property
    def out_shape(self) -> StreamShape:
        return self.units[-1].out_shape

    @property
    def in_width(self) -> int:
        return self.in_shape.channels * self.in_type.width

    def link_widths(self) -> dict[str, int]:
        """Bits per beat of every link: the input, each unit's output, each FIFO's."""
        widths = {self.input_link: self.in_width}
        widths.update({unit.identifier: unit.out_width for unit in self.units})
        widths.update({fifo.identifier: fifo.width for fifo in self.fifos})
        return widths

    def forks(self) -> dict[str, list[StreamFifo]]:
        """Each link FIFOs read, and those FIFOs (several: a fork)."""
        readers: dict[str, list[StreamFifo]] = {}
        for fifo in self.fifos:
            readers.setdefault(fifo.source, []).append(fifo)
        return readers

    @property
    def in_type(self) -> FixedType:
        return self.graph.input.result_type

    @property
    def out_type(self) -> FixedType:
        return self.units[-1].out_type

    @property
    def s_width(self) -> int:
        return byte_padded(self.in_width)

    @property
    def m_width(self) -> int:
        return byte_padded(self.units[-1].out_width)

    @functools.cached_property
    def timing(self) -> FrameTiming:
        """Latency of a frame into an idle core and interval of frames back to back, at full rate (timing.py)."""
        return self.timing_at()

    def timing_at(self, depths: dict[str, int] | None = None) -> FrameTiming:
        """The timing with the FIFOs at `depths` (default: their own), not remembered: for planning and sizing."""
        return plan_timing(self.units, self.in_shape.pixels, self.out_shape.pixels, self.fifos, self.input_link,
                           self.output_link, depths)

    @property
    def latency(self) -> int:
        return self.timing.latency

    @property
    def interval(self) -> int:
        return self.timing.interval

    def metadata(self) -> dict:
        latency, interval = self.latency, self.interval
        field = self.graph.output_fields[0]
        return {
            "io_type": IO_TYPE, "top": self.top, "latency": latency, "interval": interval,
            "pipeline_budget": self.budget, "s_axis_data_width": self.s_width, "m_axis_data_width": self.m_width,
            "input": _beat(self.in_shape, self.in_type, self.graph.input.name),
            "output": _beat(self.out_shape, self.out_type, field.name),
            "n_in": self.graph.n_in, "n_out": self.graph.n_out,
            "input_type": str(self.in_type), "output_type": str(self.out_type),
            "outputs": [{"name": field.name, "shape": list(field.shape), "type": str(field.type), "lsb": 0,
                         "n": field.n, "width": field.type.width, "frac": field.type.frac,
                         "signed": field.type.signed}],
            "units": [{"identifier": unit.identifier, "layers": unit.layers, "latency": unit.latency,
                       "interval": unit.interval, "window": unit.window.parameters() if unit.window else None,
                       "in": dataclasses.asdict(unit.in_shape), "out": dataclasses.asdict(unit.out_shape),
                       "sources": unit.sources,
                       "buffer": {"module": unit.buffer.module, **unit.buffer.parameters()} if unit.buffer else None}
                      for unit in self.units],
            "fifos": [{"identifier": fifo.identifier, "source": fifo.source, "width": fifo.width, "depth": fifo.depth}
                      for fifo in self.fifos],
        }


def _beat(shape: StreamShape, t: FixedType, name: str) -> dict:
    return {"name": name, "rows": shape.rows, "cols": shape.cols, "channels": shape.channels, "beats": shape.pixels,
            "width": t.width, "frac": t.frac, "signed": t.signed}


def _refuse(layer: Layer, why: str):
    return fail(f"layer {layer.name}: IOType {IO_TYPE}: {why}")


def _check_outputs(graph: ModelGraph) -> None:
    if len(graph.outputs) > 1:
        raise fail(f"model {graph.name}: IOType {IO_TYPE}: {len(graph.outputs)} outputs; streaming cores have one "
                   "output so far (use io_parallel)")
    for layer in graph.layers:
        if graph.outputs[0] in layer.inputs:
            raise _refuse(layer, f"reads the model's output {graph.outputs[0]}; a streamed output feeds no layer")


def _pixel_view(layer: Layer, channels: int) -> Layer:
    """The layer on one pixel: the same class and constants over `channels` elements."""
    return dataclasses.replace(layer, shape=(channels,))


def _grid(values: tuple[int, ...], fill: int) -> tuple[int, int]:
    """A 1-D geometry (one value) as rows x cols, the missing row axis `fill`."""
    return (fill, values[0]) if len(values) == 1 else (values[0], values[1])


def _conv_window(layer: ConvLayer, frame: StreamShape, width: int) -> Window:
    pads = tuple(zip(layer.pad_before, layer.pad_after))
    return Window(frame, width, _grid(layer.kernel_size, 1), _grid(layer.strides, 1),
                  pads[0] if len(pads) == 2 else (0, 0), pads[-1])


def _pool_window(layer, frame: StreamShape, width: int) -> Window:
    if any(layer.pad_before) or any(layer.pad_after):
        raise _refuse(layer, "pooling windows over padding ('same' at the border) are not streamed yet; use "
                             "'valid' pooling or io_parallel")
    return Window(frame, width, _grid(layer.pool_size, 1), _grid(layer.strides, 1), (0, 0), (0, 0))


def _windowed_view(layer: Layer, channels: int) -> Layer:
    """A convolution as the Dense of its kernel matrix (solved once, reused at every position); a pooling layer
    over one window."""
    if isinstance(layer, ConvLayer):
        return dense_from(layer, layer.kernel_matrix, layer.bias)
    rank = len(layer.pool_size)
    return dataclasses.replace(layer, input_shape=tuple(layer.pool_size) + (channels,), shape=(1,) * rank + (channels,),
                               strides=layer.pool_size, pad_before=(0,) * rank, pad_after=(0,) * rank)


def _collect(frame: StreamShape, width: int) -> Window:
    """A window as large as the frame: the whole frame in one beat, in the flattened (row-major) order."""
    return Window(frame, width, (frame.rows, frame.cols), (frame.rows, frame.cols), (0, 0), (0, 0))


@dataclass(frozen=True)
class _Stream:
    """A tensor as it streams: the link carrying it, its frame and element type; `flattened`: the tensor is flat but
    its link still a frame of pixels (collected before a layer uses it)."""

    link: str
    shape: StreamShape
    type: FixedType
    flattened: bool = False

    @property
    def width(self) -> int:
        return self.shape.channels * self.type.width


class _Planner:
    """Walks the graph in data-flow order, turning layers into units; `streams` maps each tensor to its stream."""

    def __init__(self, graph: ModelGraph, budget: int):
        self.graph, self.budget = graph, budget
        names = [graph.input.name] + [layer.name for layer in graph.layers]
        self.identifiers = dict(zip(names, unique_identifiers(names)))
        # a recurrent cell's tensors name modules and signals too: no two may become one identifier
        unique_identifiers(names + [part.name for layer in graph.layers if isinstance(layer, RecurrentLayer)
                                    for part in layer.cell.all_layers()])
        self.ranges = graph.stored_ranges()
        self.input_link = self.identifiers[graph.input.name]
        self.streams = {graph.input.name: _Stream(self.input_link, StreamShape.of(graph.input.shape),
                                                  graph.input.result_type)}
        self.units: list[StreamUnit] = []

    def plan(self) -> list[StreamUnit]:
        absorbed = set()
        for layer in self.graph.layers:
            if layer.name in absorbed:
                continue
            stream = self.streams[layer.inputs[0]]
            if isinstance(layer, ReshapeLayer):
                self.streams[layer.name] = self._reshape(layer, stream)
                continue
            if isinstance(layer, ZeroPaddingLayer):
                self._zero_padding(layer, stream)
                continue
            if isinstance(layer, CroppingLayer):
                self._cropping(layer, stream)
                continue
            if isinstance(layer, UpSamplingLayer):
                self._upsampling(layer, stream)
                continue
            if isinstance(layer, ReverseLayer):
                self._reverse(layer, stream)
                continue
            follower = fused_follower(self.graph, layer)
            if follower is not None:
                absorbed.add(follower.name)
            if isinstance(layer, MERGES):
                self._merge(layer, follower)
            else:
                self._unit(layer, follower, stream)
        output = self.streams[self.graph.outputs[0]]
        if output.flattened or not self.units:
            last = self.graph.layers[-1] if self.graph.layers else self.graph.input
            self._add(last, [], None, _collect(output.shape, output.type.width), [output], output.shape.flat,
                      output.type)
        self._mark_frames()
        return self.units

    def _mark_frames(self) -> None:
        """Frames are counted by a window walk, so s_axis_tlast is never trusted: the input's one reader walks a
        1 x 1 window if it has none; an input read twice (or by a merge) gets a unit of its own that only walks."""
        readers = [unit for unit in self.units for link in unit.sources if link == self.input_link]
        if len(readers) == 1 and not readers[0].joins:
            if readers[0].window is None and readers[0].buffer is None:  # a frame buffer counts them too
                readers[0].window = Window(readers[0].in_shape, readers[0].in_type.width, (1, 1), (1, 1), (0, 0),
                                           (0, 0))
            return
        stream = self.streams[self.graph.input.name]
        taken, identifier = {name.lower() for name in self.identifiers.values()}, f"frames_{self.input_link}"
        while identifier.lower() in taken:
            identifier += "x"
        window = Window(stream.shape, stream.type.width, (1, 1), (1, 1), (0, 0), (0, 0))
        for unit in self.units:
            unit.sources = [identifier if link == self.input_link else link for link in unit.sources]
        self.units.insert(0, StreamUnit(identifier, [], stream.shape, stream.shape, stream.type, stream.type, window,
                                        None, None, [self.input_link], (stream.width,)))

    def _reshape(self, layer: ReshapeLayer, stream: _Stream) -> _Stream:
        target = StreamShape.of(layer.shape)
        if len(layer.shape) == 1:
            return dataclasses.replace(stream, flattened=stream.shape.pixels > 1)
        if target.channels != stream.shape.channels or stream.flattened:
            raise _refuse(layer, f"a reshape from {stream.shape.rows} x {stream.shape.cols} x {stream.shape.channels} "
                                 f"to {layer.shape} regroups pixels; only Flatten and reshapes that keep each pixel "
                                 "are streamed")
        return dataclasses.replace(stream, shape=target)

    def _zero_padding(self, layer: ZeroPaddingLayer, stream: _Stream) -> None:
        """A window buffer alone: a 1 x 1 window walked over the zero-padded frame emits every padded pixel."""
        if stream.flattened:
            raise _refuse(layer, "pads a flattened tensor; only frames of pixels are padded in a stream")
        before, after = _grid(layer.before, 0), _grid(layer.after, 0)
        window = Window(stream.shape, stream.type.width, (1, 1), (1, 1), (before[0], after[0]), (before[1], after[1]))
        self._add(layer, [layer.name], None, window, [stream], StreamShape.of(layer.shape), layer.result_type)

    def _cropping(self, layer: CroppingLayer, stream: _Stream) -> None:
        """A window buffer alone: a window spanning the cropped rows and columns walked at stride 1 is offered once
        per kept position; the pixel at (top, left) in it is the output. The window keeps (top + bottom) rows in its
        line buffers."""
        if stream.flattened:
            raise _refuse(layer, "crops a flattened tensor; only frames of pixels are cropped in a stream")
        before, after = _grid(layer.before, 0), _grid(layer.after, 0)
        kernel = (before[0] + after[0] + 1, before[1] + after[1] + 1)
        window = Window(stream.shape, stream.type.width, kernel, (1, 1), (0, 0), (0, 0))
        self._add(layer, [layer.name], None, window, [stream], StreamShape.of(layer.shape), layer.result_type,
                  passed=(before[0] * kernel[1] + before[1]) * window.frame.channels)

    def _upsampling(self, layer: UpSamplingLayer, stream: _Stream) -> None:
        """An upsample_buffer alone: each pixel sent as many times as the columns repeat, each row (kept in a row
        buffer) as many times as the rows repeat."""
        if stream.flattened:
            raise _refuse(layer, "up-samples a flattened tensor; only frames of pixels are up-sampled in a stream")
        upsample = Upsample(stream.shape, stream.type.width, _grid(layer.size, 1))
        self._add(layer, [layer.name], None, None, [stream], StreamShape.of(layer.shape), layer.result_type,
                  buffer=upsample)

    def _reverse(self, layer: ReverseLayer, stream: _Stream) -> None:
        """A reverse_buffer alone: the sequence's steps stored, then sent last to first (a backward recurrent layer
        reads them so)."""
        if stream.flattened or stream.shape.rows != 1:
            raise _refuse(layer, f"reverses a {'flattened ' if stream.flattened else ''}frame of {stream.shape.rows} "
                                 f"x {stream.shape.cols} pixels; only a sequence's steps (one per beat) are reversed "
                                 "in a stream")
        self._add(layer, [layer.name], None, None, [stream], StreamShape.of(layer.shape), layer.result_type,
                  buffer=Reverse(stream.shape, stream.type.width))

    def _unit(self, layer: Layer, follower: Layer | None, stream: _Stream) -> None:
        in_range = self.ranges[layer.inputs[0]]
        window, shape = None, stream.shape
        if isinstance(layer, DenseLayer) and shape.pixels > 1 and layer.reuse_factor == 1:
            self._dense_beats(layer, follower, stream)
            return
        if isinstance(layer, RecurrentLayer):
            self._recurrent(layer, stream, in_range)
            return
        if stream.flattened or (isinstance(layer, DenseLayer) and shape.pixels > 1):
            window, shape = _collect(shape, stream.type.width), shape.flat
        if isinstance(layer, WINDOWED):
            make = _conv_window if isinstance(layer, ConvLayer) else _pool_window
            window = make(layer, shape, stream.type.width)
            if window.kernel[0] > window.padded[0] or window.kernel[1] > window.padded[1]:
                raise _refuse(layer, f"window {window.kernel} is larger than its padded input {window.padded}")
            if isinstance(layer, ConvLayer) and (any(layer.pad_before) or any(layer.pad_after)):
                in_range = in_range.hull(ZERO)  # padding zeros enter the kernel's sums
            view = _windowed_view(layer, shape.channels)
        elif isinstance(layer, PIXELWISE) or shape.pixels == 1:
            view = _pixel_view(layer, shape.channels) if shape.pixels > 1 else layer
        else:
            raise _refuse(layer, f"{type(layer).__name__} has no streaming form yet (use io_parallel)")
        self._block_unit(layer, follower, view, window, [stream], [in_range])

    def _dense_beats(self, layer: DenseLayer, follower: Layer | None, stream: _Stream) -> None:
        """A Dense over a flattened frame, fed a pixel per beat: each pixel's share of the sums added as it arrives
        (dense_beats.py); the frame is never collected. It is folded to its input rate once the core's interval is
        known, unless the config chose its ReuseFactor 1 (one pixel per cycle). (With a ReuseFactor above 1 the frame
        is collected and the Dense time-multiplexed as in io_parallel.)"""
        block = dense_beats_block(self.identifiers[layer.name], layer, follower, stream.shape.pixels)
        last = follower or layer
        names = [layer.name] + ([last.name] if follower is not None else [])
        self._add(last, names, block, None, [stream], StreamShape.of(last.shape), last.result_type,
                  beats_per_output=stream.shape.pixels)

    def _recurrent(self, layer: RecurrentLayer, stream: _Stream, in_range) -> None:
        """A recurrent layer, a time step per beat: its cell reused for every step (backends/rtl/recurrent.py); the
        state after every step leaves (return_sequences), else the last one."""
        if stream.flattened or stream.shape.pixels != layer.steps:
            raise _refuse(layer, f"reads a {'flattened ' if stream.flattened else ''}frame of {stream.shape.pixels} "
                                 f"pixels; a streamed recurrent layer reads its {layer.steps} steps one per beat")
        block = recurrent_block(self.identifiers[layer.name], layer, None, [in_range], self.budget)
        self._add(layer, [layer.name], block, None, [stream], StreamShape.of(layer.shape), layer.result_type,
                  beats_per_output=1 if layer.return_sequences else layer.steps)

    def _merge(self, layer: Layer, follower: Layer | None) -> None:
        """A merge reads one pixel of each input at once (the forks before it hold the early branch in FIFOs) and
        combines them pixel by pixel: the merge layer built for one pixel's channels."""
        streams = [self.streams[name] for name in layer.inputs]  # two: the IR refuses merges of more
        if any(stream.flattened for stream in streams):
            raise _refuse(layer, "merges a flattened frame; merge the frames before Flatten, or the vectors after a "
                                 "Dense")
        frames = {(stream.shape.rows, stream.shape.cols) for stream in streams}
        if len(frames) > 1:
            raise _refuse(layer, f"merges frames of {' and '.join(f'{r} x {c}' for r, c in sorted(frames))} pixels; "
                                 "streamed inputs of a merge have one frame size")
        channels = [stream.shape.channels for stream in streams]
        if isinstance(layer, ConcatenateLayer):
            if streams[0].shape.pixels > 1 and layer.axis != len(layer.shape) - 1:
                raise _refuse(layer, f"concatenates along axis {layer.axis + 1}; a streamed concatenation joins "
                                     "channels (the last axis)")
            view = dataclasses.replace(layer, shape=(sum(channels),), axis=0,
                                       input_shapes=tuple((n,) for n in channels))
        elif isinstance(layer, DotLayer):
            if streams[0].shape.pixels > 1:
                raise _refuse(layer, "a dot product over a frame of pixels is not streamed (use io_parallel)")
            view = layer
        else:
            view = _pixel_view(layer, channels[0])
        self._block_unit(layer, follower, view, None, streams, [self.ranges[name] for name in layer.inputs])

    def _block_unit(self, layer: Layer, follower: Layer | None, view: Layer, window: Window | None,
                    streams: list[_Stream], in_ranges) -> None:
        out_shape = StreamShape.of(layer.shape)
        if follower is not None and view is not layer:  # the activation a block absorbs, on the same pixel
            follower = _pixel_view(follower, out_shape.channels)
        last = follower or layer
        names = [layer.name] + ([last.name] if follower is not None else [])
        block = RTL_BLOCKS(view)(self.identifiers[layer.name], view, follower, in_ranges)
        self._add(last, names, block, window, streams, out_shape, last.result_type)

    def _add(self, layer, names, block: Block | None, window: Window | None, streams: list[_Stream],
             out_shape: StreamShape, out_type: FixedType, passed: int = 0, beats_per_output: int = 1,
             buffer: Upsample | Reverse | None = None) -> None:
        identifier = self.identifiers[layer.name] if block or names else f"collect_{self.identifiers[layer.name]}"
        in_widths = tuple(stream.width for stream in streams)
        schedule = None
        if block is not None:
            schedule = _schedule(identifier, block, window.window_width if window else sum(in_widths), self.budget)
        in_shape = window.frame if window else streams[0].shape
        self.units.append(StreamUnit(identifier, names, in_shape, out_shape, streams[0].type, out_type, window, block,
                                     schedule, [stream.link for stream in streams], in_widths, passed,
                                     beats_per_output, buffer))
        self.streams[layer.name] = _Stream(identifier, out_shape, out_type)


def _schedule(identifier: str, block: Block, in_bits: int, budget: int) -> Schedule:
    """The registers of a unit's block, entered from registers (the window buffer's or the previous skid buffer's)."""
    in_signal, out_signal = f"{identifier}_in", f"{identifier}_out"
    for step in block.steps:
        step.budget = layer_budget(block.layers)
    widths = {in_signal: in_bits, out_signal: block.n_out * block.out_type.width}
    schedule = schedule_core([(out_signal, block, [in_signal])], in_signal, [out_signal], widths, budget)
    if schedule.latency < 1:  # wiring only (a concatenation of one type): flow control needs a register
        block.steps[-1].fixed = True
        schedule = schedule_core([(out_signal, block, [in_signal])], in_signal, [out_signal], widths, budget)
    return schedule


def _fold_to_rate(core: StreamCore, interval: int) -> bool:
    """Rate matching: a unit whose issues come further apart than a cycle (the frame `interval` over its issues) is
    folded to take that many cycles per issue, with a FIFO before it for the bursts (after a pooling, a row's
    beats come together). A Dense streamed a pixel per beat: each multiplier serves as many channels (never more
    than any output has weights for). A convolution, or a Dense on a vector: its products time-multiplexed (a
    ReuseFactor, the largest that divides them within the cycles it has), where that needs fewer multipliers than
    its adder graph has DSP products (a graph of shift-add products costs fewer LUTs than multipliers would,
    measured: it stays).
    The core keeps the interval; its multipliers shrink by the fold. Returns whether any unit was folded. A layer
    given a ReuseFactor for itself keeps it."""
    folded = False
    for unit in core.units:
        block = unit.block
        if block is None or block.linear is None or block.linear.reuse_chosen:
            continue
        if isinstance(block.plan, DenseBeatsPlan):
            folded = _fold_beats(core, unit, interval) or folded
        elif _multiplexable(core, unit) and block.interval == 1:
            folded = _fold_products(core, unit, interval) or folded
    return folded


def _fold_beats(core: StreamCore, unit: StreamUnit, interval: int) -> bool:
    """A Dense streamed a pixel per beat, its multipliers serving as many channels as the cycles a beat has."""
    block, beats = unit.block, unit.beats_per_output
    fold = min(interval // beats, widest_share(block.linear, beats))
    if fold < 2:
        return False
    activation = block.layers[1] if len(block.layers) > 1 else None
    unit.block = dense_beats_block(block.identifier, block.linear, activation, beats, fold)
    unit.schedule = _schedule(unit.identifier, unit.block, unit.block_in_width, core.budget)
    _buffer_bursts(core, unit)
    return True


def _multiplexable(core: StreamCore, unit: StreamUnit) -> bool:
    """A convolution's window unit, or a Dense on a vector (once per frame)."""
    layer = core.graph.layer(unit.layers[0]) if unit.layers else None
    return (isinstance(layer, ConvLayer) and unit.window is not None) or \
        (isinstance(layer, DenseLayer) and unit.window is None and unit.in_shape.pixels == 1)


def _fold_products(core: StreamCore, unit: StreamUnit, interval: int) -> bool:
    """A convolution's kernel products (or a Dense's) time-multiplexed over as many cycles as each window (or
    vector) has (the ReuseFactors that divide its products, largest first) where that needs fewer multipliers than
    its adder graph has DSP products and the core still takes a frame every `interval` cycles (a window walk waits
    for a busy block, so bursts of windows can slow the frame); else the unit stays as it is. Returns whether it
    was folded."""
    graph_block, graph_schedule, source = unit.block, unit.schedule, unit.sources[0]
    if graph_block.multipliers == 0:  # every product shift-add in the graph: no multiplier to save
        return False
    dense = graph_block.linear
    activation = graph_block.layers[1] if len(graph_block.layers) > 1 else None
    products = dense.n_in * dense.n_out
    cycles = min(interval // unit.issues, products)
    for reuse in sorted((r for r in range(2, cycles + 1) if products % r == 0), reverse=True):
        block = RTL_BLOCKS(dense)(graph_block.identifier, dataclasses.replace(dense, reuse_factor=reuse), activation,
                                  [])
        if block.multipliers >= graph_block.multipliers:
            break  # a smaller ReuseFactor needs still more
        unit.block = block
        unit.schedule = _schedule(unit.identifier, block, unit.block_in_width, core.budget)
        fifo = _buffer_bursts(core, unit)
        try:
            keeps = core.timing_at(fifo_caps(core.units, core.fifos, _fifo_beats(core))).interval <= interval
        except Deadlock:
            keeps = False
        if keeps:
            return True
        unit.block, unit.schedule, unit.sources[0] = graph_block, graph_schedule, source
        if fifo is not None:
            core.fifos.remove(fifo)
    return False


def _buffer_bursts(core: StreamCore, unit: StreamUnit) -> StreamFifo | None:
    """A FIFO before a folded unit (a fork's branch has its FIFO already); returns the new one."""
    source = unit.sources[0]
    if source in {fifo.identifier for fifo in core.fifos}:
        return None
    fifo = StreamFifo(f"{unit.identifier}_fifo0", source, core.link_widths()[source])
    unit.sources[0] = fifo.identifier
    core.fifos.append(fifo)
    return fifo


def _fork_fifos(units: list[StreamUnit], widths: dict[str, int]) -> list[StreamFifo]:
    """A FIFO on every reader's side of a link read more than once; the readers then read their FIFOs."""
    readers: dict[str, list[tuple[StreamUnit, int]]] = {}
    for unit in units:
        for port, link in enumerate(unit.sources):
            readers.setdefault(link, []).append((unit, port))
    fifos = []
    for link, edges in readers.items():
        if len(edges) < 2:
            continue
        for unit, port in edges:
            fifo = StreamFifo(f"{unit.identifier}_fifo{port}", link, widths[link])
            unit.sources[port] = fifo.identifier
            fifos.append(fifo)
    return fifos


def plan_stream_core(graph: ModelGraph, top: str, budget: int | None = None, carry_chain: int = 8,
                     frame_interval: int | None = None) -> StreamCore:
    """The streaming core of `graph`, or a one-line refusal naming the layer that has no streaming form.
    frame_interval (config Model FrameInterval): the most cycles per frame allowed; a Dense after Flatten is folded
    to it (by default to the interval the other units set)."""
    _check_outputs(graph)
    for layer in graph.layers:
        if not isinstance(layer, ReshapeLayer):
            RTL_BLOCKS(layer)  # a layer the RTL has no block for is refused by name before anything is planned
    planner = _Planner(graph, budget or DEFAULT_BUDGET)
    units = planner.plan()
    check_size({unit.layers[0]: unit.block.multipliers for unit in units if unit.block})
    output_link = units[-1].identifier
    core = StreamCore(check_project_name(top), graph, units, budget or DEFAULT_BUDGET, [], planner.input_link,
                      output_link, carry_chain)
    core.fifos = _fork_fifos(units, core.link_widths())
    _size_fifos(core)  # first for the forks alone: the rate a folded Dense sees depends on them
    interval = core.timing_at().interval
    if frame_interval is not None and interval > frame_interval:
        slowest = max(units, key=lambda unit: unit.cycles_per_frame)
        raise fail(f"model {graph.name}: IOType {IO_TYPE}: FrameInterval {frame_interval} cannot be met: the core takes "
                   f"{interval} cycles per frame (unit {slowest.identifier} alone {slowest.cycles_per_frame}: "
                   f"{slowest.pace}); allow more cycles, or use 'valid' padding or strides on the slow units")
    if _fold_to_rate(core, frame_interval or interval):
        _size_fifos(core)
    return core


def _fifo_beats(core: StreamCore) -> dict[str, int]:
    """Per FIFO the beats per frame of the link it reads."""
    beats = {core.input_link: core.in_shape.pixels}
    beats.update({unit.identifier: unit.out_shape.pixels for unit in core.units})
    return {fifo.identifier: beats[fifo.source] for fifo in core.fifos}


def _size_fifos(core: StreamCore) -> None:
    if not core.fifos:
        return
    depths = size_fifos(core.timing_at, core.units, core.fifos, _fifo_beats(core))
    for fifo in core.fifos:
        fifo.depth = depths[fifo.identifier]
