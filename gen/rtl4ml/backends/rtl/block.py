"""A block is one generated module (a Verilog module, a VHDL entity): its template, pipeline steps and plan.

Each IR layer class has one block builder, registered in RTL_BLOCKS (dense.py, activations.py, ...).
A plan is a frozen dataclass of numbers, names and tuples (no HDL text): everything a template
prints is computed by the builder, so templates stay free of arithmetic and a second HDL emitter
can print the same plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ...errors import fail
from ...fixed_point import OVERFLOW_MODES, ROUNDING_MODES, FixedType
from ...ir.handlers import HandlerTable
from .pipeline import Step

# builder(identifier, layer, fused activation or None, the inputs' stored value ranges) -> Block
RTL_BLOCKS = HandlerTable("Verilog backend")


@dataclass
class Block:
    """One generated module: its template, steps (for the planner) and plan (what the template prints)."""

    identifier: str
    template: str  # the template's stem: <stem>.v.j2 (Verilog), vhdl/<stem>.vhd.j2 (VHDL)
    layers: list  # IR layers covered; the block output is the last one's output
    n_in: int
    in_type: FixedType
    n_out: int
    out_type: FixedType
    steps: list[Step] = field(default_factory=list)
    plan: object = None  # the block type's plan dataclass
    extra_cycles: int = 0  # cycles spent iterating (ReuseFactor - 1), on top of the registers
    interval: int = 1  # cycles between events the block can accept
    linear: object = None  # a linear block's DenseLayer: its own, or the one a convolution equals
    multipliers: int = 0  # multiplications the module synthesizes (non-zero products, or per ReuseFactor of them)
    # the module's outputs depend on disjoint logic that Yosys may synthesize in slices (report/synthesis.py)
    sliceable: bool = False
    counts_beats: bool = False  # a streamed block that numbers the beats of a frame (stream/dense_beats.py)
    parts: list = field(default_factory=list)  # blocks whose modules it instantiates (a recurrent cell's)

    @property
    def sequential(self) -> bool:
        """Blocks that iterate, or number the beats of a frame, need the issue's start pulse and the reset."""
        return self.interval > 1 or self.counts_beats

    @property
    def latency(self) -> int:
        return sum(step.register_after for step in self.steps) + self.extra_cycles

    def registers(self, prefix: str) -> list[bool]:
        """register_after of the numbered steps `prefix`0, `prefix`1, ... (a tree's levels), in order."""
        return [step.register_after for step in self.steps if re.fullmatch(rf"{prefix}\d+", step.name)]

    def register(self, name: str) -> int:
        return int(next(step.register_after for step in self.steps if step.name == name))

    def register_context(self) -> dict:
        """The trees' register flags (printed by each language's `mask` filter) and the delays derived from them."""
        max_regs, sum_regs, add_regs = self.registers("max"), self.registers("sum"), self.registers("add")
        multiply_regs = [step.register_after for step in self.steps if step.name == "multiply"]  # dense blocks only
        context = {
            "tree_registers": add_regs, "product_delay": sum(multiply_regs) + sum(add_regs),
            "max_registers": max_regs, "max_delay": sum(max_regs),
            "sum_registers": sum_regs, "sum_delay": sum(sum_regs),
        }
        graph = getattr(self.plan, "graph", None)  # an adder graph's delay lines follow from its levels' registers
        if graph is not None:
            context["wiring"] = graph.wired(self.registers("graph"))
        return context


def literal(value: int, width: int) -> str:
    """Two's complement Verilog literal of `value` in `width` bits."""
    return f"{width}'h{value & ((1 << width) - 1):x}"


def packed_entries(entries, width: int) -> int:
    """Table contents as one integer, entry 0 in the least significant `width` bits (lookup_table's CONTENTS)."""
    packed = 0
    for index, entry in enumerate(int(e) for e in entries):
        packed |= (entry & ((1 << width) - 1)) << (index * width)
    return packed


# Verilator (5.006 and 5.048 alike) refuses a number literal wider than this, and a table's CONTENTS is one literal
MAX_TABLE_BITS = 65536


def check_table_fits(layer_name: str, what: str, depth: int, width: int) -> None:
    """Refuse, at planning time, a table the Verilog cannot hold as one constant."""
    if depth * width > MAX_TABLE_BITS:
        raise fail(f"layer {layer_name}: its {what} table of {depth} entries x {width} bits ({depth * width} bits) "
                   f"is larger than one Verilog constant may be ({MAX_TABLE_BITS} bits, Verilator's limit); give the "
                   "layer a smaller table_size or a narrower type")


def table_literal(entries: np.ndarray, width: int) -> str:
    return f"{len(entries) * width}'h{packed_entries(entries, width):x}"


def levels_for(terms: int) -> int:
    return max(0, (terms - 1).bit_length())


@dataclass(frozen=True)
class Requantize:
    """One conversion of fixed-point codes by the `requantize` primitive (rtl/requantize.v and its VHDL twin)."""

    in_width: int
    in_frac: int
    in_signed: bool
    out_width: int
    out_frac: int
    out_signed: bool
    rounding: str  # a ROUNDING_MODES name
    overflow: str  # an OVERFLOW_MODES name
    relu: bool = False

    def parameters(self) -> dict[str, int]:
        """The primitive's parameters by name, modes as their indices (the HDL parameters/generics)."""
        return {"IN_WIDTH": self.in_width, "IN_FRAC": self.in_frac, "IN_SIGNED": int(self.in_signed),
                "OUT_WIDTH": self.out_width, "OUT_FRAC": self.out_frac, "OUT_SIGNED": int(self.out_signed),
                "ROUNDING": ROUNDING_MODES.index(self.rounding), "OVERFLOW": OVERFLOW_MODES.index(self.overflow),
                "RELU": int(self.relu)}


def requantize_params(src: FixedType, dst: FixedType, relu: bool = False, src_width: int | None = None,
                      src_frac: int | None = None, src_signed: bool | None = None) -> Requantize:
    """src -> dst; src_width/frac/signed override the source's for codes that are not in a FixedType."""
    return Requantize(src.width if src_width is None else src_width, src.frac if src_frac is None else src_frac,
                      bool(src.signed if src_signed is None else src_signed), dst.width, dst.frac, dst.signed,
                      dst.rounding, dst.overflow, relu)
