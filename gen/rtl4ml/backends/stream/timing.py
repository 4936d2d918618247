"""The planned timing of a streaming core: a cycle-accurate model of its handshakes, tokens without data.

Each unit is modelled as the RTL builds it, stage by stage: the window buffer's walk (rtl/window_buffer.v), the
block's axis_pipeline_control (a valid bit per register, an issue every INTERVAL enabled cycles) and the skid
buffer (rtl/axis_skid_buffer.v). Readies are evaluated from the sink back to the source each cycle (every
ready a stage drives depends only on its own registers and the ready it receives), valids forward from registers.
Frames are sent at full rate into a sink that is always ready:

- latency: cycles from the first input beat of a frame sent into an idle core (its window buffers have walked
  any leading padding) to its last output beat;
- interval: the most cycles between the first input beats of consecutive frames once frames follow back to back
  (the model runs until the core's state at a frame's start repeats, so the figure holds for any number of frames).

The testbenches measure both; a difference is a bug in the RTL or here.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_FRAMES = 64  # frames simulated while waiting for the state at a frame's start to repeat


class _Walk:
    """window_buffer.v's walk over the padded frame; `valid` is the window on the taps."""

    def __init__(self, window):
        self.rows, self.cols = window.padded
        self.k_rows, self.k_cols = window.kernel
        self.s_rows, self.s_cols = window.strides
        self.top, self.left = window.pad_rows[0], window.pad_cols[0]
        self.image_rows, self.image_cols = window.frame.rows, window.frame.cols
        self.row = self.col = self.row_phase = self.col_phase = 0
        self.valid = False

    def state(self) -> tuple:
        return self.row, self.col, self.row_phase, self.col_phase, self.valid

    def _padding(self) -> bool:
        return not (self.top <= self.row < self.top + self.image_rows and
                    self.left <= self.col < self.left + self.image_cols)

    def m_valid(self) -> bool:
        return self.valid

    def s_ready(self, m_ready: bool) -> bool:
        return (not self.valid or m_ready) and not self._padding()

    def step(self, s_valid: bool, m_ready: bool) -> None:
        free = not self.valid or m_ready
        if free and (self._padding() or s_valid):
            row_started, col_started = self.row >= self.k_rows - 1, self.col >= self.k_cols - 1
            self.valid = row_started and self.row_phase == 0 and col_started and self.col_phase == 0
            if self.col == self.cols - 1:
                self.col = self.col_phase = 0
                if self.row == self.rows - 1:
                    self.row = self.row_phase = 0
                else:
                    self.row_phase = 0 if not row_started or self.row_phase == self.s_rows - 1 else self.row_phase + 1
                    self.row += 1
            else:
                self.col_phase = 0 if not col_started or self.col_phase == self.s_cols - 1 else self.col_phase + 1
                self.col += 1
        elif m_ready:
            self.valid = False


class _Control:
    """axis_pipeline_control.v: a valid bit per pipeline register, one issue every `interval` enabled cycles. With
    `beats` > 1 (a Dense streamed a pixel per beat) only each frame's last beat leaves; the others are dropped at the
    pipeline's end without waiting for the sink."""

    def __init__(self, latency: int, interval: int, beats: int = 1):
        self.valid = [False] * latency
        self.last = [False] * latency  # the register holds a frame's last beat
        self.interval, self.wait = interval, 0
        self.beats, self.count = beats, 0

    def state(self) -> tuple:
        return tuple(self.valid), tuple(self.last), self.wait, self.count

    def m_valid(self) -> bool:
        return self.valid[-1] and self.last[-1]

    def _moves(self, m_ready: bool) -> bool:
        return not self.valid[-1] or not self.last[-1] or m_ready

    def s_ready(self, m_ready: bool) -> bool:
        return self._moves(m_ready) and self.wait == 0

    def step(self, s_valid: bool, m_ready: bool) -> None:
        if self._moves(m_ready):
            accept = s_valid and self.wait == 0
            self.valid = [accept] + self.valid[:-1]
            self.last = [accept and self.count == self.beats - 1] + self.last[:-1]
            self.count = (self.count + accept) % self.beats
            self.wait = self.interval - 1 if accept else max(self.wait - 1, 0)


class _Skid:
    """axis_skid_buffer.v: an output register, a skid register, a registered ready."""

    def __init__(self):
        self.out = self.skid = False
        self.ready = True

    def state(self) -> tuple:
        return self.out, self.skid, self.ready

    def m_valid(self) -> bool:
        return self.out

    def s_ready(self, m_ready: bool) -> bool:
        return self.ready

    def step(self, s_valid: bool, m_ready: bool) -> None:
        accept = s_valid and self.ready
        if not self.out or m_ready:
            self.out, self.skid = self.skid or accept, False
        elif accept:
            self.skid = True
        self.ready = not self.skid


class _Upsample:
    """upsample_buffer.v: the output register and the walk over rows, their copies, columns and pixel copies; an
    input pixel is taken at the first copy of a pixel in the first copy of its row."""

    def __init__(self, upsample):
        self.rows, self.cols = upsample.frame.rows, upsample.frame.cols
        self.repeat_rows, self.repeat_cols = upsample.repeat
        self.row = self.copy = self.col = self.rep = 0
        self.valid = False

    def state(self) -> tuple:
        return self.row, self.copy, self.col, self.rep, self.valid

    def m_valid(self) -> bool:
        return self.valid

    def _takes_input(self) -> bool:
        return self.copy == 0 and self.rep == 0

    def s_ready(self, m_ready: bool) -> bool:
        return (not self.valid or m_ready) and self._takes_input()

    def step(self, s_valid: bool, m_ready: bool) -> None:
        if self.valid and not m_ready:
            return
        advance = not self._takes_input() or s_valid
        self.valid = advance
        if not advance:
            return
        self.rep += 1
        if self.rep == self.repeat_cols:
            self.rep, self.col = 0, self.col + 1
            if self.col == self.cols:
                self.col, self.copy = 0, self.copy + 1
                if self.copy == self.repeat_rows:
                    self.copy, self.row = 0, (self.row + 1) % self.rows


class _Reverse:
    """reverse_buffer.v: a frame written, then read last to first into the output register; the next frame is
    written where the stored one is read (a write waits for the read of its place, in the same cycle at the
    latest)."""

    def __init__(self, reverse):
        self.steps = reverse.frame.pixels
        self.written = self.sent = 0
        self.stored = self.valid = False

    def state(self) -> tuple:
        return self.written, self.sent, self.stored, self.valid

    def m_valid(self) -> bool:
        return self.valid

    def s_ready(self, m_ready: bool) -> bool:
        return not self.stored or self.written < self.sent or (self.written == self.sent and
                                                               (not self.valid or m_ready))

    def step(self, s_valid: bool, m_ready: bool) -> None:
        free = not self.valid or m_ready
        read, write = self.stored and free, s_valid and self.s_ready(m_ready)
        if free:
            self.valid = read
        if read:
            self.sent += 1
            self.stored = self.sent < self.steps
        if write:
            self.written += 1
            if self.written == self.steps:
                self.written, self.sent, self.stored = 0, 0, True


BUFFERS = {"upsample_buffer": _Upsample, "reverse_buffer": _Reverse}  # a unit's frame buffer, by its module


class _Fifo:
    """axis_fifo.v: `depth` beats, ready while not full, valid while not empty."""

    def __init__(self, depth: int):
        self.depth, self.count = depth, 0

    def state(self) -> tuple:
        return (self.count,)

    def m_valid(self) -> bool:
        return self.count > 0

    def s_ready(self, m_ready: bool) -> bool:
        return self.count < self.depth

    def step(self, s_valid: bool, m_ready: bool) -> None:
        self.count += int(s_valid and self.s_ready(m_ready)) - int(self.count > 0 and m_ready)


@dataclass(frozen=True)
class FrameTiming:
    latency: int  # first input beat to last output beat of a frame into an idle core
    interval: int  # most cycles between frames' first input beats, back to back


class Deadlock(AssertionError):
    """The modelled core stopped moving: no beat went in or came out for longer than any unit can be busy."""


SOURCE = -1  # the core's input, as a stage index


@dataclass
class _Network:
    """The stages in data-flow order; per stage the stages it reads (a merge's control reads several; SOURCE is the
    core's input) and the stages that read it (a fork's readers are FIFOs, whose readiness is a register)."""

    stages: list
    inputs: list[list[int]]
    output: int  # the stage whose beats leave the core

    def __post_init__(self):
        self.readers: dict[int, list[tuple[int, int]]] = {}
        for index, sources in enumerate(self.inputs):
            for port, source in enumerate(sources):
                self.readers.setdefault(source, []).append((index, port))


def _network(units, fifos, input_link: str, output_link: str, depths: dict[str, int]) -> _Network:
    """Each unit as the RTL builds it, stage by stage: window walk, pipeline control, skid buffer; each FIFO as one
    stage; links resolved to the stage that drives them."""
    drivers, stages, inputs = {input_link: SOURCE}, [], []
    pending = {fifo.source: [] for fifo in fifos}
    for fifo in fifos:
        pending[fifo.source].append(fifo)

    def add(stage, sources: list[int]) -> int:
        stages.append(stage)
        inputs.append(sources)
        return len(stages) - 1

    def place_fifos(link: str) -> None:
        for fifo in pending.get(link, []):
            drivers[fifo.identifier] = add(_Fifo(depths[fifo.identifier]), [drivers[link]])

    place_fifos(input_link)
    for unit in units:
        sources = [drivers[link] for link in unit.sources]
        if unit.window is not None:
            sources = [add(_Walk(unit.window), sources)]
        if unit.buffer is not None:
            sources = [add(BUFFERS[unit.buffer.module](unit.buffer), sources)]
        if unit.block is not None:
            sources = [add(_Control(unit.latency, unit.interval, unit.beats_per_output), sources)]
        drivers[unit.identifier] = add(_Skid(), sources)
        place_fifos(unit.identifier)
    return _Network(stages, inputs, drivers[output_link])


def plan_timing(units, in_beats: int, out_beats: int, fifos, input_link: str, output_link: str,
                depths: dict[str, int] | None = None) -> FrameTiming:
    """Simulate frames sent back to back at full rate through `units` (a StreamCore's, with its FIFOs at `depths`,
    by default their own) into an always-ready sink. Raises Deadlock when the core stops moving."""
    depths = depths if depths is not None else {fifo.identifier: fifo.depth for fifo in fifos}
    net = _network(units, fifos, input_link, output_link, depths)
    for _ in range(sum(unit.window.positions for unit in units if unit.window) + 1):  # leading padding walked
        _cycle(net, source_valid=False)
    patience = 4 * (sum(unit.window.positions for unit in units if unit.window) +
                    sum(unit.held_beats for unit in units) +
                    sum(unit.latency + unit.interval + 2 for unit in units) +
                    sum(depths.values())) + 64
    sent = received = cycle = last_move = 0
    starts, ends, seen = [], [], {}
    periodic = False  # the core's state at a frame's first beat has been seen before: the intervals repeat
    while not (periodic and ends) and len(starts) <= MAX_FRAMES:
        # the state before a frame's first beat (read only while that beat is awaited: the tuple is costly)
        state = tuple(stage.state() for stage in net.stages) if sent % in_beats == 0 else None
        accepted, delivered = _cycle(net, source_valid=True)
        if accepted:
            if sent % in_beats == 0:
                periodic = periodic or state in seen
                seen.setdefault(state, len(starts))
                starts.append(cycle)
            sent += 1
        if delivered:
            received += 1
            if received % out_beats == 0:
                ends.append(cycle)
        if accepted or delivered:
            last_move = cycle
        elif cycle - last_move > patience:
            raise Deadlock(f"the streaming core's timing model stopped at cycle {cycle} after {sent} input and "
                           f"{received} output beats")
        cycle += 1
    if not ends:
        raise AssertionError(f"the streaming core's timing model produced no frame in {MAX_FRAMES} frames")
    intervals = [b - a for a, b in zip(starts, starts[1:])]
    return FrameTiming(ends[0] - starts[0], max(intervals))


def _cycle(net: _Network, source_valid: bool) -> tuple[bool, bool]:
    """One clock cycle: valids from registers, readies from the sink back (a merge's control is ready for an input
    when it is ready and the other inputs are valid; a fork is ready when all its readers are), then every stage's
    registers update. Returns (the source's beat was accepted, the sink took a beat)."""
    stages, inputs, readers = net.stages, net.inputs, net.readers
    valid = [stage.m_valid() for stage in stages]
    port_ready: dict[tuple[int, int], bool] = {}
    m_ready = [True] * len(stages)

    def link_ready(source: int) -> bool:  # every reader of the link takes the beat (the sink always does)
        return all(port_ready[reader] for reader in readers.get(source, ()))

    def link_valid(source: int) -> bool:  # a beat crosses to every reader at once
        return (source_valid if source == SOURCE else valid[source]) and link_ready(source)

    for index in range(len(stages) - 1, -1, -1):
        m_ready[index] = link_ready(index)
        ready = stages[index].s_ready(m_ready[index])
        sources = inputs[index]
        for port in range(len(sources)):
            others = [source_valid if s == SOURCE else valid[s] for k, s in enumerate(sources) if k != port]
            port_ready[(index, port)] = ready and all(others)
    for index, stage in enumerate(stages):
        stage.step(all(link_valid(source) for source in inputs[index]), m_ready[index])
    return source_valid and link_ready(SOURCE), valid[net.output] and m_ready[net.output]


def fifo_caps(units, fifos, link_beats: dict[str, int]) -> dict[str, int]:
    """Per FIFO a depth too deep to matter: two frames of the link it reads and what every unit can hold."""
    held = sum(unit.latency + 2 + unit.held_beats for unit in units)
    return {fifo.identifier: 2 * link_beats[fifo.identifier] + held for fifo in fifos}


def size_fifos(timing_at, units, fifos, link_beats: dict[str, int]) -> dict[str, int]:
    """The least depth of each FIFO at which the core keeps the timing it has with FIFOs too deep to matter (the
    first frame's latency and the interval back to back): each FIFO's depth bisected below the one it has, the others
    at theirs, repeated until none changes; every step keeps the target. One beat less in any FIFO makes a frame
    later or the core slower (or stops it). `timing_at(depths)`: the core's plan_timing at those depths;
    `link_beats`: per FIFO, the beats per frame of the link it reads (its cap: two frames and what every unit can
    hold). Where a core runs its first frames faster than it can keep up (a FIFO filling over more frames than the
    model runs), a search can end at the cap: the FIFO keeps it, and the planned figures hold all the same."""
    caps = fifo_caps(units, fifos, link_beats)

    def timing(depths: dict[str, int]) -> FrameTiming | None:
        try:
            return timing_at(depths)
        except Deadlock:
            return None

    target = timing(caps)
    if target is None:
        raise AssertionError("a streaming core with FIFOs at their caps stops: a fork or merge is modelled wrongly")
    depths = dict(caps)
    for _ in range(4):
        changed = False
        for fifo in fifos:
            # bisect below the depth it has, which keeps the target (one FIFO deeper may make another too short, so
            # the depths that keep it need not be all those above some least one)
            low, high = 1, depths[fifo.identifier]
            while low < high:
                middle = (low + high) // 2
                if timing({**depths, fifo.identifier: middle}) == target:
                    high = middle
                else:
                    low = middle + 1
            changed = changed or depths[fifo.identifier] != low
            depths[fifo.identifier] = low
        if not changed:
            break
    return depths  # every step kept the target: the planned figures hold at these depths
