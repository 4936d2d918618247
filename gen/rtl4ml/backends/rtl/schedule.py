"""Pipeline schedule of a core over its graph of blocks: registers inside blocks, delays on edges.

Each tensor (the model input, a block's output) is ready at a *stage* (registers since the input
handshake) with some combinational *depth* (logic levels since its last register). Walking the
blocks in data-flow order, a block starts at the latest stage of its inputs; inputs that are ready
earlier get delay registers on their edge, so every path into a merge arrives in the same cycle.
Inside a block, registers are placed by the logic-level budget (pipeline.py). When the first step
would exceed the budget, a register goes before the block: on the producer's last step if this
block is its only reader (what a chain of layers always has), otherwise on this block's input
edges. Every model output ends in a register, and all outputs are delayed to the latest one: the
core has one latency. For a chain this is exactly the chain planner it replaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .block import Block
from .pipeline import Step


@dataclass
class DelayLine:
    """`stages` registers after signal `source`, named `name` (a tensor delayed to a later stage)."""

    name: str
    source: str
    width: int
    stages: int


@dataclass
class Schedule:
    entry_stage: dict[str, int]  # block (by its output signal) -> stage its inputs arrive at
    output_stage: dict[str, int]  # block -> stage of its output
    block_inputs: dict[str, list[str]]  # block -> signals of its inputs, input 0 first
    outputs: list[str]  # signals of the model outputs, output 0 first, all at `latency`
    delay_lines: list[DelayLine] = field(default_factory=list)
    latency: int = 0
    input_bits: dict[str, int] = field(default_factory=dict)  # block -> bits of its inputs side by side


def place_in_block(steps: list[Step], depth: int, budget: int) -> tuple[bool, int]:
    """Registers inside one block entered at `depth` levels: (a register is needed before it, depth at its output)."""
    cut_before = False
    for index, step in enumerate(steps):
        limit = step.budget or budget
        if limit < 1:
            raise ValueError(f"pipeline budget must be at least 1 logic level (step {step.name}: {limit})")
        step.register_after = step.fixed
        if depth > 0 and depth + step.cost > limit:
            if index == 0:
                cut_before = True
            else:
                steps[index - 1].register_after = True
            depth = 0
        depth = 0 if step.fixed else depth + step.cost
    return cut_before, depth


class DelayTaps:
    """Delay lines per source signal, shared by every reader: a tap per distinct delay, chained."""

    def __init__(self, widths: dict[str, int]):
        self.widths = widths
        self.taps: dict[tuple[str, int], str] = {}

    def signal(self, source: str, delay: int) -> str:
        if delay == 0:
            return source
        key = (source, delay)
        if key not in self.taps:
            self.taps[key] = f"delay{delay}_{source}"  # no other signal starts with "delay": no clash
        return self.taps[key]

    def lines(self) -> list[DelayLine]:
        lines = []
        for source in dict.fromkeys(source for source, _ in self.taps):
            previous, done = source, 0
            for delay in sorted(d for s, d in self.taps if s == source):
                lines.append(DelayLine(self.taps[(source, delay)], previous, self.widths[source], delay - done))
                previous, done = self.taps[(source, delay)], delay
        return lines


def schedule_core(nodes: list[tuple[str, Block, list[str]]], input_signal: str | dict[str, int],
                  output_signals: list[str], widths: dict[str, int], budget: int) -> Schedule:
    """Place every register of the core.

    nodes: (output signal, block, input signals) per block in data-flow order; widths: bits per signal;
    input_signal: the input, or several, each with the logic levels before it (all at stage 0).
    """
    readers: dict[str, int] = {}
    for _, _, sources in nodes:
        for source in set(sources):
            readers[source] = readers.get(source, 0) + 1
    for signal in output_signals:
        readers[signal] = readers.get(signal, 0) + 1
    by_signal = {signal: block for signal, block, _ in nodes}
    inputs = {input_signal: 0} if isinstance(input_signal, str) else input_signal
    ready = {signal: (0, depth) for signal, depth in inputs.items()}  # signal -> (stage, combinational depth)
    entry, edge_delays = {}, {}
    for signal, block, sources in nodes:
        stage = max(ready[s][0] for s in sources)
        depth = max(ready[s][1] for s in sources if ready[s][0] == stage)
        delays = {s: stage - ready[s][0] for s in sources}
        cut, out_depth = place_in_block(block.steps, depth, budget)
        if cut:
            only = sources[0] if len(set(sources)) == 1 else None
            if only in by_signal and readers[only] == 1:
                by_signal[only].steps[-1].register_after = True
                ready[only] = (ready[only][0] + 1, 0)
            else:
                delays = {s: d + 1 for s, d in delays.items()}
            stage += 1
        entry[signal], edge_delays[signal] = stage, delays
        ready[signal] = (stage + block.latency, out_depth)
    ends = []
    for signal in output_signals:
        stage, depth = ready[signal]
        if depth > 0 and signal in by_signal and readers[signal] == 1:  # outputs leave from registers
            by_signal[signal].steps[-1].register_after = True
            ready[signal] = (stage + 1, 0)
        ends.append(ready[signal][0] + (1 if ready[signal][1] > 0 else 0))
    latency = max(ends)
    lines = DelayTaps(widths)
    block_inputs = {signal: [lines.signal(s, edge_delays[signal][s]) for s in sources] for signal, _, sources in nodes}
    # an output's delay: from where it is ready (after any register added above) to the core's latency
    outputs = [lines.signal(signal, latency - ready[signal][0]) for signal in output_signals]
    return Schedule(entry, {signal: entry[signal] + block.latency for signal, block, _ in nodes}, block_inputs,
                    outputs, lines.lines(), latency,
                    {signal: sum(widths[s] for s in sources) for signal, _, sources in nodes})
