"""RTL blocks of the merge layers: elementwise add/subtract/multiply/average/maximum/minimum, concatenation, dot
product.

A merge block reads its inputs as one bus, input 0 in the low bits (the core's top concatenates
them, delayed so that all arrive in the same cycle). The plans below are typed: the template
prints them and computes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...fixed_point import FixedType
from ...ir.layers import ConcatenateLayer, DotLayer, ElementwiseMergeLayer
from ...ir.value_range import ValueRange
from .block import RTL_BLOCKS, Block, Requantize, levels_for, requantize_params
from .lut_multiplier import lut_multiplier_levels, use_lut_multiplier
from .pipeline import ADD_LEVEL_COST, MULTIPLY_COST, REQUANTIZE_COST, Step


@dataclass(frozen=True)
class Operand:
    """One input's bus inside the block's in_data: element i at bits [lsb + i*width +: width]."""

    lsb: int
    width: int
    signed: bool
    shift: int = 0  # left shift aligning it to the exact result's fractional bits
    pad: int = 0  # extension bits (sign or zero) above it, to the exact result's width

    @property
    def extended_width(self) -> int:
        """Bits of the element once extended, before its shift."""
        return self.width + self.pad

    @property
    def signed_width(self) -> int:
        """Bits of the element as a signed value (a zero bit above an unsigned one)."""
        return self.width + (0 if self.signed else 1)


@dataclass(frozen=True)
class ElementwisePlan:
    operation: str  # the layer's: add | subtract | multiply | average | maximum | minimum
    combine: str  # what the module computes on the aligned operands: add | subtract | multiply | maximum | minimum
    signed: bool  # the exact result is signed (maximum/minimum compare signed)
    n: int
    operands: tuple[Operand, ...]
    exact_width: int  # every operand extended (and shifted) to this many bits; the result is exact in it
    requantize: Requantize
    in_bits: int  # width of in_data (all inputs side by side)
    lut_levels: int = 0  # multiply: a lut_multiplier with this tree depth (0: a `*`, a DSP for synthesis)
    lut_operands: tuple[int, int] = (0, 1)  # its A and B operands (B the narrower: fewer Booth rows)


@dataclass(frozen=True)
class ConcatenatePlan:
    elements: tuple[tuple[int, int], ...]  # per output element: (its input's number, bit offset in in_data)
    operands: tuple[Operand, ...]
    requantize: tuple[Requantize, ...]  # per input: to the result type
    in_bits: int


@dataclass(frozen=True)
class DotPlan:
    n: int
    operands: tuple[Operand, Operand]
    exact_width: int
    levels: int
    requantize: Requantize
    in_bits: int


def _operands(types: tuple[FixedType, ...], sizes: list[int], shifts: list[int] | None = None,
              width: int | None = None) -> tuple[tuple[Operand, ...], int]:
    """Each input's place in in_data (sizes: its elements) and the bus's bits; with `width`, how each input is
    extended to that many bits after its shift."""
    operands, lsb = [], 0
    for t, size, shift in zip(types, sizes, shifts or [0] * len(types)):
        operands.append(Operand(lsb, t.width, t.signed, shift, 0 if width is None else width - t.width - shift))
        lsb += size * t.width
    return tuple(operands), lsb


@RTL_BLOCKS.register(ElementwiseMergeLayer)
def elementwise_block(identifier: str, layer: ElementwiseMergeLayer, fused: None,
                      input_ranges: list[ValueRange]) -> Block:
    exact = layer.exact_type
    n = layer.n_out
    # add/subtract/average/maximum/minimum: each operand aligned and extended to the exact width, modulo-2**width
    # arithmetic is then exact; multiply: operands as signed values of their own width (plus a zero bit when unsigned)
    extend_to = None if layer.operation == "multiply" else exact.width
    operands, in_bits = _operands(layer.input_types, [n] * len(layer.inputs), layer.shifts(), extend_to)
    lut_levels, lut_operands = 0, (0, 1)
    if layer.operation == "multiply" and len(operands) == 2:  # a product of two: in LUTs where that is worth it
        a, b = sorted((0, 1), key=lambda k: -operands[k].signed_width)
        widths = operands[a].signed_width, operands[b].signed_width
        if use_lut_multiplier(*widths, layer.luts_per_dsp):
            lut_levels, lut_operands = lut_multiplier_levels(widths[1]), (a, b)
    plan = ElementwisePlan(layer.operation, layer.combine, exact.signed, n, operands, exact.width,
                          requantize_params(exact, layer.result_type), in_bits, lut_levels, lut_operands)
    combine_cost = (ADD_LEVEL_COST * (1 + lut_levels) if lut_levels else MULTIPLY_COST) \
        if layer.operation == "multiply" else ADD_LEVEL_COST
    # a result kept exact (a recurrent cell's product feeding a sum, GRU's h - cand) is the exact bits: wires only
    converts = (exact.width, exact.frac, exact.signed) != (layer.result_type.width, layer.result_type.frac,
                                                          layer.result_type.signed)
    steps = [Step("combine", combine_cost * levels_for(len(layer.inputs))),
             Step("requantize", REQUANTIZE_COST if converts else 0)]
    return Block(identifier, "elementwise_merge_layer", [layer], n * len(layer.inputs), layer.input_types[0], n,
                 layer.result_type, steps, plan,
                 multipliers=n * (len(layer.inputs) - 1) if layer.operation == "multiply" else 0, sliceable=True)


@RTL_BLOCKS.register(ConcatenateLayer)
def concatenate_block(identifier: str, layer: ConcatenateLayer, fused: None, input_ranges: list[ValueRange]) -> Block:
    sizes = [math.prod(shape) for shape in layer.input_shapes]
    operands, in_bits = _operands(layer.input_types, sizes)
    elements = tuple((k, operands[k].lsb + i * operands[k].width) for k, i in layer.sources())
    plan = ConcatenatePlan(elements, operands,
                           tuple(requantize_params(t, layer.result_type) for t in layer.input_types), in_bits)
    converts = any(t != layer.result_type for t in layer.input_types)
    steps = [Step("requantize", REQUANTIZE_COST if converts else 0)]
    return Block(identifier, "concatenate_layer", [layer], sum(sizes), layer.input_types[0], layer.n_out,
                 layer.result_type, steps, plan, sliceable=True)


@RTL_BLOCKS.register(DotLayer)
def dot_block(identifier: str, layer: DotLayer, fused: None, input_ranges: list[ValueRange]) -> Block:
    exact = layer.exact_type
    n = layer.input_n
    levels = levels_for(n)
    operands, in_bits = _operands(layer.input_types, [n, n])
    plan = DotPlan(n, operands, exact.width, levels, requantize_params(exact, layer.result_type), in_bits)
    steps = [Step("multiply", MULTIPLY_COST)] + [Step(f"add{k}", ADD_LEVEL_COST) for k in range(levels)] + \
        [Step("requantize", REQUANTIZE_COST)]
    return Block(identifier, "dot_layer", [layer], 2 * n, layer.input_types[0], 1, layer.result_type, steps,
                 plan, multipliers=n)

