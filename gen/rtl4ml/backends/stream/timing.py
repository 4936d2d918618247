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
    """axis_pipeline_control.v: a valid bit per pipeline register, one issue every `interval` enabled cycles."""

    def __init__(self, latency: int, interval: int):
        self.valid = [False] * latency
        self.interval, self.wait = interval, 0

    def state(self) -> tuple:
        return tuple(self.valid), self.wait

    def m_valid(self) -> bool:
        return self.valid[-1]

    def s_ready(self, m_ready: bool) -> bool:
        return (not self.valid[-1] or m_ready) and self.wait == 0

    def step(self, s_valid: bool, m_ready: bool) -> None:
        if not self.valid[-1] or m_ready:
            accept = s_valid and self.wait == 0
            self.valid = [accept] + self.valid[:-1]
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


@dataclass(frozen=True)
class FrameTiming:
    latency: int  # first input beat to last output beat of a frame into an idle core
    interval: int  # most cycles between frames' first input beats, back to back


def _stages(units) -> list:
    stages = []
    for unit in units:
        if unit.window is not None:
            stages.append(_Walk(unit.window))
        if unit.block is not None:
            stages.append(_Control(unit.latency, unit.interval))
        stages.append(_Skid())
    return stages


def plan_timing(units, in_beats: int, out_beats: int) -> FrameTiming:
    """Simulate frames sent back to back at full rate through `units` (a StreamCore's) into an always-ready sink."""
    stages = _stages(units)
    for _ in range(sum(unit.window.positions for unit in units if unit.window) + 1):  # leading padding walked
        _cycle(stages, source_valid=False)
    sent = received = cycle = 0
    starts, ends, seen = [], [], {}
    periodic = False  # the core's state at a frame's first beat has been seen before: the intervals repeat
    while not (periodic and ends) and len(starts) <= MAX_FRAMES:
        state = tuple(stage.state() for stage in stages)
        accepted, delivered = _cycle(stages, source_valid=True)
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
        cycle += 1
    if not ends:
        raise AssertionError(f"the streaming core's timing model produced no frame in {MAX_FRAMES} frames")
    intervals = [b - a for a, b in zip(starts, starts[1:])]
    return FrameTiming(ends[0] - starts[0], max(intervals))


def _cycle(stages, source_valid: bool) -> tuple[bool, bool]:
    """One clock cycle: readies from the sink back, valids from registers, then every stage's registers update.
    Returns (the source's beat was accepted, the sink took a beat)."""
    readies = [False] * len(stages)
    m_ready = True  # the sink
    for index in range(len(stages) - 1, -1, -1):
        readies[index] = stages[index].s_ready(m_ready)
        m_ready = readies[index]
    valids = [source_valid] + [stage.m_valid() for stage in stages[:-1]]
    delivered = stages[-1].m_valid()
    for index, stage in enumerate(stages):
        stage.step(valids[index], readies[index + 1] if index + 1 < len(stages) else True)
    return source_valid and readies[0], delivered
