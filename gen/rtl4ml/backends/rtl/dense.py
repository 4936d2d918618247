"""RTL blocks of Dense layers, with a directly following relu/linear fused at the output.

Fully parallel with exact products: the shift-add products of the whole layer are one adder graph (cmvm.py,
subexpressions shared across inputs and outputs, every adder as wide as its values), which gives each neuron
one term; DSP products and the constant join it in the neuron's adder tree. Fully parallel with products cast
to a narrower accumulator: one DSP product per term. Time-multiplexed (ReuseFactor > 1): shared multipliers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...fixed_point import FixedType, bits_read_by_requantize
from ...ir.layers import ActivationLayer, AveragePoolingLayer, BatchNormLayer, ConvLayer, DenseLayer
from ...ir.value_range import ValueRange
from .adder_graph import GraphPlan, plan_graph
from .cmvm import solve_by_columns
from .block import RTL_BLOCKS, Block, Requantize, levels_for, requantize_params
from .pipeline import ADD_LEVEL_COST, MULTIPLY_COST, REQUANTIZE_COST, SELECT_COST, Step
from .shift_add import use_shift_add

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


@dataclass(frozen=True)
class Neuron:
    """One output of a cast-product layer: its products and constant, summed by its own tree."""

    index: int
    terms: tuple[ProductTerm, ...]  # its products, in input order
    bias: int | None  # the constant added by the tree (accumulator codes), None when it is zero
    count: int  # tree inputs: the products and the constant

    @property
    def products(self) -> int:
        return len(self.terms)


@dataclass(frozen=True)
class DensePlan:
    """Fully parallel, each product cast to the user's narrower accumulator: one multiplication per tree term."""

    description: str
    accum_width: int
    product_width: int
    product_requantize: Requantize
    result_requantize: Requantize
    activation_requantize: Requantize | None  # a fused relu/linear after the result type
    levels: int
    neurons: tuple[Neuron, ...]
    input_wires: tuple[InputOperand, ...]  # the inputs some neuron reads
    all_inputs_used: bool


@dataclass(frozen=True)
class GraphConstant:
    """A neuron's constant as an input of the adder graph (accumulator codes)."""

    name: str
    value: int


@dataclass(frozen=True)
class GraphProduct:
    """A DSP product of neuron `neuron` as an input of the adder graph: x<input> * coefficient at the
    accumulator width."""

    name: str
    input: int
    neuron: int
    coefficient: int


@dataclass(frozen=True)
class DenseGraphPlan:
    """Fully parallel with exact products: all neurons' sums as one adder graph over the inputs' signed digits
    (shared subexpressions, each adder as wide as its values), the DSP products and the constants."""

    description: str
    accum_width: int
    result_requantize: Requantize
    activation_requantize: Requantize | None
    graph: GraphPlan
    graph_inputs: tuple[InputOperand, ...]  # input i at its signed width, for shift-add products
    input_wires: tuple[InputOperand, ...]  # x<i>: input i at the accumulator width, for DSP products
    products: tuple[GraphProduct, ...]
    constants: tuple[GraphConstant, ...]
    all_inputs_used: bool


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
class AccumulatingPlan:
    """What templates/dense_accumulate_body prints: multipliers that each serve several products one per cycle (an
    operand multiplexer, weights from a ROM), summed per output and accumulated. Its plans: DenseReusePlan, and the
    streamed Dense's (stream/dense_beats.py)."""

    description: str
    accum_width: int
    exact_products: bool
    product_width: int
    product_requantize: Requantize
    result_requantize: Requantize
    activation_requantize: Requantize | None
    operand_width: int
    weight_width: int
    multipliers: tuple[ReuseMultiplier, ...]
    selects: tuple[OperandSelect, ...]
    neurons: tuple[ReuseNeuron, ...]
    levels: int
    rom: tuple[tuple[int, ...], ...]  # per ROM word: every multiplier's weight code (weight_width bits each)
    rom_style: str  # distributed | block
    to_accum: ProductAlignment | None  # every product into the accumulator (exact products only)
    input_wires: tuple[InputOperand, ...]  # read from the input latch x_reg
    lut_levels: int  # > 0: each multiplier is a lut_multiplier (fabric) with this many adder levels; 0: a DSP

    @property
    def rom_depth(self) -> int:
        return len(self.rom)


@dataclass(frozen=True)
class DenseReusePlan(AccumulatingPlan):
    """ReuseFactor R > 1: multipliers shared over R phases (see _dense_reuse_block); one ROM word per phase."""

    reuse: int
    phase_width: int
    all_inputs_used: bool


@RTL_BLOCKS.register(*DENSE_EQUIVALENT)
def linear_block(identifier: str, layer, activation: ActivationLayer | None, input_ranges: list[ValueRange]) -> Block:
    """A Dense layer, or a layer built as the Dense over the flattened tensors it equals (its as_dense).

    The input's stored range (a ReLU's output is never negative) sizes the adder graph's nodes."""
    dense = layer.as_dense()
    kind = type(layer).__name__.removesuffix("Layer")
    description = "Dense layer" if layer is dense else f"{kind} layer (as the Dense it equals)"
    if dense.reuse_factor > 1:
        block = _dense_reuse_block(identifier, dense, activation, description)
    else:  # a position's channels are one block of the adder graph (a Dense has one position)
        block = _dense_parallel_block(identifier, dense, activation, description, layer.shape[-1],
                                      input_ranges[0])
    block.layers[0], block.linear = layer, dense
    return block


def dense_outputs(dense: DenseLayer, activation: ActivationLayer | None, description: str,
                   sum_width: int | None = None) -> dict:
    """Plan fields of every dense plan: the conversions of its sums (sum_width bits of the accumulator type; all of
    it by default) to the result type and on to a fused activation's."""
    return {
        "description": description,
        "result_requantize": requantize_params(dense.accum_type, dense.result_type, src_width=sum_width),
        "activation_requantize": None if activation is None else requantize_params(
            dense.result_type, activation.result_type, relu=activation.function == "relu"),
    }


def product_casts(dense: DenseLayer, product_width: int) -> dict:
    """Plan fields of the multiplying dense plans: products of product_width bits into the accumulator."""
    accum = dense.accum_type
    return {
        "accum_width": accum.width,
        "product_width": product_width,
        "product_requantize": requantize_params(accum, accum.with_modes(overflow="AP_WRAP"),
                                                src_width=product_width, src_frac=dense.product_frac,
                                                src_signed=True),
    }


def requantize_step(activation: ActivationLayer | None) -> Step:
    return Step("requantize", REQUANTIZE_COST + (REQUANTIZE_COST if activation is not None else 0))


def _shift_add_weights(dense: DenseLayer) -> np.ndarray:
    """The weights whose products go to the adder graph instead of DSP multiplications (0 elsewhere).

    A product qualifies when its signed digits cost the graph fewer LUTs than a DSP is worth (shift_add.py).
    """
    chosen = np.zeros_like(dense.weight)
    for i, j in zip(*np.nonzero(dense.weight)):
        if use_shift_add(int(dense.weight[i, j]), dense.input_type.signed_width, dense.luts_per_dsp):
            chosen[i, j] = dense.weight[i, j]
    return chosen


def _dense_parallel_block(identifier: str, dense: DenseLayer, activation: ActivationLayer | None,
                          description: str, channels: int, input_range: ValueRange) -> Block:
    if dense.exact_products:
        return _dense_graph_block(identifier, dense, activation, description, channels, input_range)
    common = dense_outputs(dense, activation, description) | \
        product_casts(dense, dense.input_type.signed_width + dense.weight_type.width)
    x_type = dense.input_type
    width, product_width = common["accum_width"], common["product_width"]
    bias = dense.accumulator_bias()
    neurons = []
    for j in range(dense.n_out):
        terms = tuple(ProductTerm(int(i), int(dense.weight[i, j]), product_width)
                      for i in np.flatnonzero(dense.weight[:, j]))
        constant = int(bias[j]) if int(bias[j]) % (1 << width) != 0 or not terms else None
        neurons.append(Neuron(j, terms, constant, len(terms) + (constant is not None)))
    used_inputs = sorted({t.input for n in neurons for t in n.terms})
    levels = levels_for(max(n.count for n in neurons))
    steps = [Step("multiply", MULTIPLY_COST if any(n.products for n in neurons) else 0)] + \
        [Step(f"add{k}", ADD_LEVEL_COST) for k in range(levels)] + [requantize_step(activation)]
    plan = DensePlan(**common, levels=levels, neurons=tuple(neurons),
                     input_wires=tuple(input_operand(i, x_type, product_width) for i in used_inputs),
                     all_inputs_used=len(used_inputs) == dense.n_in)
    return Block(identifier, "dense_layer", [dense] + ([activation] if activation else []), dense.n_in,
                 x_type, dense.n_out, activation.result_type if activation else dense.result_type, steps, plan,
                 multipliers=int(np.count_nonzero(dense.weight)), sliceable=True)


def _dense_graph_block(identifier: str, dense: DenseLayer, activation: ActivationLayer | None,
                       description: str, channels: int, input_range: ValueRange) -> Block:
    """Exact products: every neuron's sum is an output of one adder graph over the layer's inputs (the
    shift-add products' signed digits), its DSP products (ready MULTIPLY_COST levels later) and its constant.
    Each output position's `channels` neurons are solved together, a convolution's kernel once."""
    x_type, n_in = dense.input_type, dense.n_in
    # the sums only as wide as the result's conversion reads them (a wrapping result: modulo its top bit)
    width = bits_read_by_requantize(dense.accum_type.width, dense.accum_type.frac, dense.result_type)
    x = input_range.at(x_type.frac)
    bias = dense.accumulator_bias()
    shift = dense.accum_type.frac - dense.product_frac
    shift_add = _shift_add_weights(dense)
    product_at = list(zip(*np.nonzero(dense.weight - shift_add)))
    constant_at = [j for j in range(dense.n_out) if int(bias[j]) % (1 << width) or
                   not np.any(dense.weight[:, j])]  # a column with nothing else still has its (zero) value
    # the graph's inputs: the layer's inputs, then the DSP products, then the constants, each one row
    rows = np.zeros((n_in + len(product_at) + len(constant_at), dense.n_out), dtype=object)
    rows[:n_in] = shift_add.astype(object) * (1 << shift)
    products, constants, ranges = [], [], [(x.low, x.high)] * n_in
    for k, (i, j) in enumerate(product_at):
        w = int(dense.weight[i, j])
        rows[n_in + k, j] = 1 << shift
        products.append(GraphProduct(f"p{k}", int(i), int(j), w))
        ranges.append(tuple(sorted((w * x.low, w * x.high))))
    for k, j in enumerate(constant_at):
        rows[n_in + len(products) + k, j] = 1
        constants.append(GraphConstant(f"c{j}", int(bias[j])))
        ranges.append((int(bias[j]), int(bias[j])))
    depths = [0] * n_in + [MULTIPLY_COST] * len(products) + [0] * len(constants)
    graph = plan_graph(solve_by_columns(rows.astype(np.int64), ranges, channels, max_depth=0, input_depths=depths),
                       [f"g{i}" for i in range(n_in)] + [p.name for p in products] + [c.name for c in constants],
                       [x_type.signed_width] * n_in + [width] * (len(products) + len(constants)), width)
    read = graph.readers
    graph_inputs = [i for i in range(n_in) if i in read]
    product_inputs = sorted({p.input for p in products})
    steps = [Step(f"graph{k}", ADD_LEVEL_COST) for k in range(graph.levels)] + [requantize_step(activation)]
    plan = DenseGraphPlan(**dense_outputs(dense, activation, description, sum_width=width), accum_width=width,
                          graph=graph,
                          graph_inputs=tuple(input_operand(i, x_type, x_type.signed_width) for i in graph_inputs),
                          input_wires=tuple(input_operand(i, x_type, width) for i in product_inputs),
                          products=tuple(products), constants=tuple(constants),
                          all_inputs_used=len(set(graph_inputs) | set(product_inputs)) == n_in)
    # the neurons share the graph's adders: the module is synthesized whole
    return Block(identifier, "dense_graph_layer", [dense] + ([activation] if activation else []), n_in,
                 x_type, dense.n_out, activation.result_type if activation else dense.result_type, steps, plan,
                 multipliers=len(products))


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
    common = dense_outputs(dense, activation, description) | product_casts(dense, operand_width + weight_width)
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
    to_accum = product_alignment(common["product_width"], dense.accum_type.frac - dense.product_frac, width) \
        if dense.exact_products else None
    levels = levels_for(max([len(n.multipliers) for n in neurons] + [1]))
    steps = [Step("load", 0, fixed=True),
             Step("multiply", SELECT_COST + MULTIPLY_COST)] + \
        [Step(f"add{k}", ADD_LEVEL_COST) for k in range(levels)] + \
        [Step("accumulate", ADD_LEVEL_COST, fixed=True), requantize_step(activation)]
    plan = DenseReusePlan(**common, exact_products=dense.exact_products, reuse=reuse,
                          phase_width=max(1, (reuse - 1).bit_length()), operand_width=operand_width,
                          weight_width=weight_width, multipliers=tuple(multipliers),
                          selects=tuple(selects), neurons=tuple(neurons), levels=levels, rom=rom,
                          rom_style="distributed" if reuse <= MAX_LUT_ROM_DEPTH else "block", to_accum=to_accum,
                          input_wires=tuple(input_operand(i, x_type, operand_width) for i in used_inputs),
                          lut_levels=0, all_inputs_used=True)  # the input latch reads the whole bus
    # the last phase's products enter the pipeline R - 1 cycles after the first
    # a time-multiplexed layer's neurons share only its small phase control
    return Block(identifier, "dense_reuse_layer", [dense] + ([activation] if activation else []),
                 dense.n_in, x_type, dense.n_out, activation.result_type if activation else dense.result_type,
                 steps, plan, extra_cycles=reuse - 1, interval=reuse, multipliers=len(multipliers), sliceable=True)


def product_alignment(product_width: int, shift: int, width: int) -> ProductAlignment:
    """How a signed product is aligned to the accumulator (exact products only)."""
    if product_width + shift >= width:  # the high bits are not needed: sums are taken modulo 2**width
        return ProductAlignment(width - shift - 1, 0, shift)
    return ProductAlignment(product_width - 1, width - product_width - shift, shift)
