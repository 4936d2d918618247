"""Pipeline steps and their costs: what the register planner (schedule.py) cuts where a depth budget is exceeded.

Each step has a cost in *logic levels* (one level ~ one carry-chain adder of <= ~32 bits
on UltraScale+, plus routing). The planner walks all steps of the design in data-flow
order and puts a register before any step that would push the combinational depth
since the last register past that step's budget (each layer may have its own); the
design's outputs are always registered so the AXI master drives its data from flops.
Some registers are part of a block's design (a time-multiplexed layer latches its input
and accumulates in a register): those steps are `fixed` and always registered. The
latency in cycles is the number of registers plus the cycles a block spends iterating,
which the generator, the analytic report and the simulation all share.
"""

from __future__ import annotations

from dataclasses import dataclass

# Logic-level costs. A product of <= 27 x 18-bit operands maps to a DSP whose delay is about
# three adder levels; shift-add products are adder-graph levels (adder_graph.py), one per adder.
MULTIPLY_COST = 3
SELECT_COST = 1  # a multiplexer choosing a time-multiplexed multiplier's operand
ADD_LEVEL_COST = 1
COMPARE_LEVEL_COST = 1
REQUANTIZE_COST = 1
LOOKUP_COST = 1
# A block RAM's read: the address goes straight into the RAM, whose own register ends the step (its setup time
# is a register's, no logic level); its data leave that register late (a RAMB18's clock-to-out), which the step
# after the read counts as the one level the same table's read from LUTs would cost
BLOCK_RAM_READ_COST = 0
BLOCK_RAM_OUTPUT_COST = 1
SHIFT_COST = 1  # a variable right shift by a few bits: one level of wide multiplexers
# Default budget: at most this many logic levels between two registers.
DEFAULT_BUDGET = 7


@dataclass
class Step:
    """One combinational piece of a block; register_after is decided by the planner."""

    name: str
    cost: int
    register_after: bool = False
    fixed: bool = False  # always registered: the register is part of the block's design
    budget: int | None = None  # logic levels allowed before this step ends; None: the core's default


def mask_literal(flags: list[bool]) -> str:
    """Verilog literal with bit k set when flags[k] (at least one bit wide)."""
    width = max(1, len(flags))
    value = sum(1 << k for k, flag in enumerate(flags) if flag)
    return f"{width}'b{value:0{width}b}"
