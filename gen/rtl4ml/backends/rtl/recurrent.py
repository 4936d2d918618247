"""The RTL block of a static recurrent layer: one cell reused for every time step, the state in registers.

The cell's layers (ir/layers/recurrent.py) become blocks of this backend, scheduled as a small core whose inputs
are the time step x (from the unit's input register) and the state h[, c]; its outputs, the next h[, c], leave from
registers `latency` cycles after a step starts, where the state registers take them. The next step may start then:
it reads the new state straight from the cell's output registers (a multiplexer in front of the cell, counted as
one logic level), so a step every `latency` cycles, and the sequence's first step reads zeros. A step counter
numbers the steps of a sequence (reset restarts it); the block's output is the state after each step.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...ir.layers import RecurrentLayer
from ...ir.value_range import ValueRange
from ..identifiers import unique_identifiers
from .block import RTL_BLOCKS, Block
from .pipeline import DEFAULT_BUDGET, Step
from .schedule import Schedule

STATE_SELECT_DEPTH = 1  # zero / just computed / held: one level of multiplexers in front of the cell


@dataclass(frozen=True)
class CellInstance:
    """One block of the cell: its module (by identifier), its input signals (input 0 first), its output signal,
    the stage its inputs arrive at (a sequential block starts then)."""

    identifier: str
    inputs: tuple[str, ...]
    output: str
    width: int
    sequential: bool
    entry: int


@dataclass(frozen=True)
class CellState:
    """A state register: its signal into the cell, the cell's output it takes, its width."""

    signal: str
    next_signal: str
    width: int


@dataclass(frozen=True)
class RecurrentPlan:
    description: str
    steps: int
    step_width: int
    latency: int  # registers of the cell: a step every `latency` cycles
    x_signal: str
    x_width: int
    states: tuple[CellState, ...]  # h first: the block's output
    instances: tuple[CellInstance, ...]
    schedule: Schedule  # the cell's delay lines


def cell_identifiers(layer: RecurrentLayer) -> dict[str, str]:
    """Identifiers of the cell's tensors (its inputs and layers), from their names (the planner checks them against
    the other units' names)."""
    names = [item.name for item in layer.cell.all_layers()]
    return dict(zip(names, unique_identifiers(names)))


@RTL_BLOCKS.register(RecurrentLayer)
def recurrent_block(identifier: str, layer: RecurrentLayer, fused: None, input_ranges: list[ValueRange],
                    budget: int | None = None) -> Block:
    """The cell scheduled once (a step per issue); `budget`: the core's logic levels between registers."""
    from .blocks import block_signal, build_blocks, schedule_graph  # blocks.py imports this module (registration)

    cell, names = layer.cell, cell_identifiers(layer)
    blocks = build_blocks(cell, names)
    x, *states = cell.inputs
    # the step from the unit's input register; the state through its multiplexer
    inputs = {item.name: (names[item.name], item.n_out * item.result_type.width,
                          0 if item is x else STATE_SELECT_DEPTH) for item in cell.inputs}
    schedule = schedule_graph(cell, blocks, inputs, budget or DEFAULT_BUDGET)
    instances = []
    for block in blocks:
        signal = block_signal(block.identifier)
        instances.append(CellInstance(block.identifier, tuple(schedule.block_inputs[signal]), signal,
                                      block.n_out * block.out_type.width, block.sequential, schedule.entry_stage[signal]))
    plan = RecurrentPlan(
        description=f"{layer.cell_kind} cell reused for {layer.steps} steps", steps=layer.steps,
        step_width=max(1, (layer.steps - 1).bit_length()), latency=schedule.latency, x_signal=names[x.name],
        x_width=inputs[x.name][1],
        states=tuple(CellState(names[state.name], output, inputs[state.name][1])
                     for state, output in zip(states, schedule.outputs)),
        instances=tuple(instances), schedule=schedule)
    h = states[0]
    # the unit sees the cell as `latency` registers, entered every `latency` cycles
    return Block(identifier, "recurrent_layer", [layer], x.n_out, x.result_type, h.n_out, h.result_type,
                 [Step(f"stage{k}", 0, fixed=True) for k in range(schedule.latency)], plan,
                 interval=schedule.latency, multipliers=sum(b.multipliers for b in blocks), counts_beats=True,
                 parts=blocks)
