"""RTL blocks of Dense layers: fully parallel (shift-add multiples shared per input, DSP products, adder
trees) or time-multiplexed (ReuseFactor > 1), with a directly following relu/linear fused at the output."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...fixed_point import FixedType
from ...ir.layers import ActivationLayer, AveragePoolingLayer, BatchNormLayer, ConvLayer, DenseLayer
from .block import RTL_BLOCKS, Block, Requantize, levels_for, requantize_params
from .pipeline import ADD_LEVEL_COST, MULTIPLY_COST, REQUANTIZE_COST, SELECT_COST, Step
from .shift_add import csd_digits, use_shift_add

# layer classes whose as_dense() is the Dense layer they equal; the Verilog core builds that Dense
DENSE_EQUIVALENT = (DenseLayer, ConvLayer, BatchNormLayer, AveragePoolingLayer)


@dataclass(frozen=True)
class InputOperand:
    """Input `index` as a `width`-bit operand: bits [lsb +: field_width] of the source bus, then `extend_bits`
    copies of bit `sign_bit` above them (None: zeros). field_width < the input's width cuts it to its low bits."""

    index: int
    width: int
    lsb: int
    field_width: int
    extend_bits: int
    sign_bit: int | None


def input_operand(index: int, x_type: FixedType, width: int) -> InputOperand:
    lsb = index * x_type.width
    if width <= x_type.width:
        return InputOperand(index, width, lsb, width, 0, None)
    return InputOperand(index, width, lsb, x_type.width, width - x_type.width,
                        lsb + x_type.width - 1 if x_type.signed else None)


@dataclass(frozen=True)
class ProductTerm:
    """A multiplication operand(input) * coefficient (a DSP, or LUTs for a small one)."""

    input: int
    coefficient: int  # code, a signed constant of coefficient_width bits
    coefficient_width: int
    kind: str = "product"


@dataclass(frozen=True)
class ShiftAddTerm:
    """A product as the shifted multiple (m * x) << shift (negated: inverted, its +1 in the neuron's constant)."""

    input: int
    odd: int
    shift: int
    negative: bool
    wire: str  # the term's signal name
    kind: str = "multiple"


@dataclass(frozen=True)
class Digit:
    sign: int  # +1 or -1
    position: int  # x << position
    top: int  # narrow_width - 1 - position: the highest bit of x kept (< 0: the digit is 0 modulo 2**narrow_width)


@dataclass(frozen=True)
class Multiple:
    """m * x (m odd) summed from its signed digits at `narrow_width` bits, then sign-extended by extend_bits."""

    name: str
    input: int
    narrow_width: int
    digits: tuple[Digit, ...]  # + digits first
    extend_bits: int
    adders: int


@dataclass(frozen=True)
class TermWire:
    """A tree term: source << shift (its bits [top:0] then shift zeros), inverted when negative."""

    name: str
    source: str
    shift: int
    top: int
    negative: bool


@dataclass(frozen=True)
class Neuron:
    index: int
    terms: tuple  # ProductTerm | ShiftAddTerm, in input order
    bias: int | None  # the constant added by the tree (accumulator codes), None when it is zero
    count: int  # tree inputs: the terms and the constant
    products: int  # terms that are multiplications


@dataclass(frozen=True)
class DensePlan:
    """A fully parallel Dense layer: every product a term of its neuron's pipelined adder tree."""

    description: str
    accum_width: int
    exact_products: bool  # the accumulator holds every product exactly (else each is cast by product_requantize)
    product_width: int
    product_requantize: Requantize
    result_requantize: Requantize
    activation_requantize: Requantize | None  # a fused relu/linear after the result type
    levels: int
    neurons: tuple[Neuron, ...]
    input_wires: tuple[InputOperand, ...]  # the inputs some neuron reads
    all_inputs_used: bool
    # one wire per multiple and per shifted term: the same (m * x) << k serves every neuron that needs it
    multiples: tuple[Multiple, ...]
    term_wires: tuple[TermWire, ...]


@dataclass(frozen=True)
class ProductAlignment:
    """A signed product of `product_width` bits placed in the accumulator: bits [top:0] of it (top < 0: none),
    extend_bits sign copies above, `shift` zeros below."""

    top: int
    extend_bits: int
    shift: int


@dataclass(frozen=True)
class ReuseMultiplier:
    index: int
    select: int  # its operand multiplexer
    weights: tuple[int, ...]  # per phase (codes; 0 in idle phases)


@dataclass(frozen=True)
class OperandSelect:
    index: int
    inputs: tuple[int, ...]  # per phase, the input it passes


@dataclass(frozen=True)
class ReuseNeuron:
    index: int
    multipliers: tuple[int, ...]
    bias: int  # accumulator codes


@dataclass(frozen=True)
class DenseReusePlan:
    """ReuseFactor R > 1: multipliers shared over R phases (see _dense_reuse_block)."""

    description: str
    accum_width: int
    exact_products: bool
    product_width: int
    product_requantize: Requantize
    result_requantize: Requantize
    activation_requantize: Requantize | None
    reuse: int
    phase_width: int
    operand_width: int
    weight_width: int
    multipliers: tuple[ReuseMultiplier, ...]
    selects: tuple[OperandSelect, ...]
    neurons: tuple[ReuseNeuron, ...]
    levels: int
    rom: tuple[tuple[int, ...], ...]  # per phase: every multiplier's weight code (weight_width bits each)
    rom_style: str  # distributed | block
    to_accum: ProductAlignment | None  # every product into the accumulator (exact products only)
    input_wires: tuple[InputOperand, ...]  # read from the input latch x_reg
    all_inputs_used: bool


@RTL_BLOCKS.register(*DENSE_EQUIVALENT)
def linear_block(identifier: str, layer, activation: ActivationLayer | None) -> Block:
    """A Dense layer, or a layer built as the Dense over the flattened tensors it equals (its as_dense)."""
    dense = layer.as_dense()
    build = _dense_reuse_block if dense.reuse_factor > 1 else _dense_parallel_block
    kind = type(layer).__name__.removesuffix("Layer")
    description = "Dense layer" if layer is dense else f"{kind} layer (as the Dense it equals)"
    block = build(identifier, dense, activation, description)
    block.layers[0], block.linear = layer, dense
    return block


def _dense_common(dense: DenseLayer, activation: ActivationLayer | None, product_width: int,
                  description: str) -> dict:
    """Plan fields shared by the parallel and the time-multiplexed dense layer."""
    accum = dense.accum_type
    return {
        "description": description,
        "accum_width": accum.width,
        "exact_products": accum.frac >= dense.product_frac,
        "product_width": product_width,
        "product_requantize": requantize_params(accum, accum.with_modes(overflow="AP_WRAP"),
                                                src_width=product_width, src_frac=dense.product_frac,
                                                src_signed=True),
        "result_requantize": requantize_params(accum, dense.result_type),
        "activation_requantize": None if activation is None else requantize_params(
            dense.result_type, activation.result_type, relu=activation.function == "relu"),
    }


def _requantize_step(activation: ActivationLayer | None) -> Step:
    return Step("requantize", REQUANTIZE_COST + (REQUANTIZE_COST if activation is not None else 0))


# Digits per shared multiple: two keep its adder to one level; further digits are tree terms.
MULTIPLE_DIGITS = 2


def _shift_add_choice(dense: DenseLayer, width: int) -> list[set[int]]:
    """Per neuron, the inputs whose products become shifted multiples instead of DSP multiplications.

    A product qualifies when its signed digits are cheaper in LUTs than a DSP is worth (shift_add.py;
    an upper bound, as the multiple's adders are shared). Each product, on a DSP or as a multiple,
    is one term of the neuron's adder tree, so the choice never changes the tree's depth.
    """
    return [{int(i) for i in np.flatnonzero(dense.weight[:, j])
             if use_shift_add(int(dense.weight[i, j]), width, dense.luts_per_dsp)} for j in range(dense.n_out)]


def _parallel_terms(dense: DenseLayer, j: int, shift_add: set[int], exact_products: bool, width: int,
                    product_width: int):
    """Adder-tree terms of neuron j and the count of negated terms (their +1s join the constant).

    A shift-add product w * x = +-(m * x) << k with m odd is one term: the input x itself when
    m = 1, else the multiple m * x, which is built once per input and shared by every neuron.
    """
    terms, negated = [], 0
    shift = dense.accum_type.frac - dense.product_frac
    for i in np.flatnonzero(dense.weight[:, j]):
        code = int(dense.weight[i, j])
        if not exact_products:  # each product is cast to the accumulator: it cannot be split into digits
            terms.append(ProductTerm(int(i), code, product_width))
        elif i in shift_add:
            for chunk in _digit_chunks(code):
                odd, position = odd_part(abs(chunk))
                if position + shift >= width:  # terms shifted past the accumulator are 0 modulo 2**width
                    continue
                name = f"x{i}" if odd == 1 else f"x{i}_m{odd}"
                terms.append(ShiftAddTerm(int(i), odd, position + shift, chunk < 0,
                                          f"{name}_s{position + shift}{'n' if chunk < 0 else ''}"))
                negated += chunk < 0
        else:
            terms.append(ProductTerm(int(i), code << shift, width))
    return terms, negated


def _multiple_wires(terms: list[ShiftAddTerm], x_bits: int, width: int) -> tuple[list[Multiple], list[TermWire]]:
    """The shared multiples m * x (their own adders) and the shifted tree terms.

    A multiple is added at the narrowest width that holds it (never wider than the accumulator, as all
    sums are modulo 2**width) and sign-extended to the accumulator width; a tree term is (m * x) << k,
    inverted when negative, like a plain input.
    """
    multiples, term_wires = {}, {}
    for term in sorted(terms, key=lambda t: (t.input, t.odd, t.shift, t.negative)):
        i, odd, k = term.input, term.odd, term.shift
        source = f"x{i}" if odd == 1 else f"x{i}_m{odd}"
        if odd > 1 and source not in multiples:
            narrow = min(width, x_bits + odd.bit_length())
            digits = tuple(Digit(sign, position, narrow - 1 - position)
                           for sign, position in sorted(csd_digits(odd), key=lambda digit: -digit[0]))  # + first
            multiples[source] = Multiple(source, i, narrow, digits, width - narrow, len(digits) - 1)
        term_wires[term.wire] = TermWire(term.wire, source, k, width - 1 - k, term.negative)
    return list(multiples.values()), list(term_wires.values())


def _digit_chunks(code: int) -> list[int]:
    """Split a weight into parts whose sum it is: its lowest MULTIPLE_DIGITS signed digits, then one per digit."""
    digits = csd_digits(code)
    chunks = [sum(sign << position for sign, position in digits[:MULTIPLE_DIGITS])]
    return chunks + [sign << position for sign, position in digits[MULTIPLE_DIGITS:]]


def odd_part(value: int) -> tuple[int, int]:
    """(odd, shift) with value == odd << shift and odd an odd number (value > 0)."""
    shift = (value & -value).bit_length() - 1
    return value >> shift, shift


def _dense_parallel_block(identifier: str, dense: DenseLayer, activation: ActivationLayer | None,
                          description: str) -> Block:
    x_type = dense.input_type
    x_bits = x_type.signed_width
    common = _dense_common(dense, activation, x_bits + dense.weight_type.width, description)
    width, product_width = common["accum_width"], common["product_width"]
    bias = dense.accumulator_bias()
    shift_add = _shift_add_choice(dense, width) if common["exact_products"] else [set()] * dense.n_out
    neurons = []
    for j in range(dense.n_out):
        terms, negated = _parallel_terms(dense, j, shift_add[j], common["exact_products"], width, product_width)
        # -(x << k) = ~(x << k) + 1: the tree adds the inverted term, the +1s are folded into the bias
        constant_code = int(bias[j]) + negated
        constant = constant_code if constant_code % (1 << width) != 0 or not terms else None
        neurons.append(Neuron(j, tuple(terms), constant, len(terms) + (constant is not None),
                              sum(isinstance(term, ProductTerm) for term in terms)))
    used_inputs = sorted({t.input for n in neurons for t in n.terms})
    operand_width = width if common["exact_products"] else product_width
    levels = levels_for(max(n.count for n in neurons))
    has_products = any(n.products for n in neurons)
    multiples, term_wires = _multiple_wires([t for n in neurons for t in n.terms if isinstance(t, ShiftAddTerm)],
                                            x_bits, width)
    # a DSP's three levels cover the multiples' adders; without DSPs the multiples set the step's depth
    multiple_levels = max([levels_for(m.adders + 1) for m in multiples] + [0])
    steps = [Step("multiply", max(MULTIPLY_COST if has_products else 0, multiple_levels))] + \
        [Step(f"add{k}", ADD_LEVEL_COST) for k in range(levels)] + [_requantize_step(activation)]
    out_type = activation.result_type if activation else dense.result_type
    plan = DensePlan(**common, levels=levels, neurons=tuple(neurons),
                     input_wires=tuple(input_operand(i, x_type, operand_width) for i in used_inputs),
                     all_inputs_used=len(used_inputs) == dense.n_in, multiples=tuple(multiples),
                     term_wires=tuple(term_wires))
    # a dense layer's neurons share only the multiples m * x of their inputs: slices synthesize independently
    return Block(identifier, "dense_layer", [dense] + ([activation] if activation else []), dense.n_in,
                 x_type, dense.n_out, out_type, steps, plan, multipliers=int(np.count_nonzero(dense.weight)),
                 sliceable=True)


# Weight ROMs deeper than this go to block RAM; shallower ones are LUT ROM (a LUT6 holds 64 entries).
MAX_LUT_ROM_DEPTH = 64


def _dense_reuse_block(identifier: str, dense: DenseLayer, activation: ActivationLayer | None,
                       description: str) -> Block:
    """ReuseFactor R > 1: each multiplier serves up to R non-zero products of one neuron, one per cycle.

    The input vector is latched when the event arrives; for R cycles every multiplier takes its
    operand through a multiplexer and its weight from a ROM addressed by the phase; per neuron the
    products of a phase are summed by a tree and added to an accumulator that starts from the bias.
    Zero weights take no slot, so a neuron with n non-zero weights needs ceil(n / R) multipliers.
    """
    reuse = dense.reuse_factor
    x_type = dense.input_type
    # operands and ROM words are signed: unsigned codes get a zero sign bit
    operand_width = x_type.signed_width
    weight_width = dense.weight_type.signed_width
    common = _dense_common(dense, activation, operand_width + weight_width, description)
    width = common["accum_width"]
    bias = dense.accumulator_bias()
    multipliers, schedules, neurons = [], {}, []
    for j in range(dense.n_out):
        inputs = [int(i) for i in np.flatnonzero(dense.weight[:, j])]
        first = len(multipliers)
        for start in range(0, len(inputs), reuse):
            chunk = inputs[start:start + reuse]
            weights = [int(dense.weight[i, j]) for i in chunk] + [0] * (reuse - len(chunk))
            schedule = tuple(chunk + [chunk[0]] * (reuse - len(chunk)))  # idle phases multiply by zero
            # multipliers with the same input schedule share one operand multiplexer
            select = schedules.setdefault(schedule, len(schedules))
            multipliers.append(ReuseMultiplier(len(multipliers), select, tuple(weights)))
        neurons.append(ReuseNeuron(j, tuple(range(first, len(multipliers))), int(bias[j])))
    if not multipliers:  # every weight is zero: keep one idle multiplier so the module stays regular
        multipliers.append(ReuseMultiplier(0, 0, (0,) * reuse))
        schedules[(0,) * reuse] = 0
    selects = [OperandSelect(k, schedule) for schedule, k in schedules.items()]
    used_inputs = sorted({i for schedule in schedules for i in schedule})
    rom = tuple(tuple(m.weights[phase] for m in multipliers) for phase in range(reuse))
    to_accum = _product_alignment(common["product_width"], dense.accum_type.frac - dense.product_frac, width) \
        if common["exact_products"] else None
    levels = levels_for(max([len(n.multipliers) for n in neurons] + [1]))
    steps = [Step("load", 0, fixed=True),
             Step("multiply", SELECT_COST + MULTIPLY_COST)] + \
        [Step(f"add{k}", ADD_LEVEL_COST) for k in range(levels)] + \
        [Step("accumulate", ADD_LEVEL_COST, fixed=True), _requantize_step(activation)]
    plan = DenseReusePlan(**common, reuse=reuse, phase_width=max(1, (reuse - 1).bit_length()),
                          operand_width=operand_width, weight_width=weight_width, multipliers=tuple(multipliers),
                          selects=tuple(selects), neurons=tuple(neurons), levels=levels, rom=rom,
                          rom_style="distributed" if reuse <= MAX_LUT_ROM_DEPTH else "block", to_accum=to_accum,
                          input_wires=tuple(input_operand(i, x_type, operand_width) for i in used_inputs),
                          all_inputs_used=True)  # the input latch reads the whole bus
    # the last phase's products enter the pipeline R - 1 cycles after the first
    # a time-multiplexed layer's neurons share only its small phase control
    return Block(identifier, "dense_reuse_layer", [dense] + ([activation] if activation else []),
                 dense.n_in, x_type, dense.n_out, activation.result_type if activation else dense.result_type,
                 steps, plan, extra_cycles=reuse - 1, interval=reuse, multipliers=len(multipliers), sliceable=True)


def _product_alignment(product_width: int, shift: int, width: int) -> ProductAlignment:
    """How a signed product is aligned to the accumulator (exact products only)."""
    if product_width + shift >= width:  # the high bits are not needed: sums are taken modulo 2**width
        return ProductAlignment(width - shift - 1, 0, shift)
    return ProductAlignment(product_width - 1, width - product_width - shift, shift)
