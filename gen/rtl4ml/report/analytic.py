"""Instant resource estimate from the planned core, without Yosys.

Counts what the generated Verilog instantiates: the multiplications the generator kept (shift-add
products are one adder graph per layer, each adder as wide as its values; zero weights nothing), per neuron an
adder tree of accumulator width, a requantizer, and the pipeline registers the planner placed; for a
time-multiplexed layer its multipliers, operand multiplexers, weight ROM and accumulators. The per-unit costs below
were fitted to Yosys `synth_xilinx -family xcup` on the bundled jet taggers and are checked
against it on other designs by tests (bench/NOTES.md, resource report section, gives the errors measured).
"""

from __future__ import annotations

import math

import numpy as np

from ..backends.rtl.dense import DenseGraphPlan
from ..backends.rtl.lut_multiplier import lut_multiplier_luts
from ..fixed_point import requantize
from ..ir.handlers import HandlerTable
from ..ir.layers import (
    ActivationLayer, AveragePoolingLayer, BatchNormLayer, ConcatenateLayer, ConvLayer, CroppingLayer, DenseLayer,
    DotLayer, ElementQuantizerLayer, ElementwiseMergeLayer, MaxPoolingLayer, PermuteLayer, PiecewiseLinearLayer,
    RecurrentLayer, ReverseLayer, SoftmaxLayer, TableActivationLayer, UpSamplingLayer, ZeroPaddingLayer)
from .blocks import PARALLEL_GLUE, STREAM_GLUE

# Yosys maps a constant multiplication to a DSP48 when both operands have at least this many bits
# (after it drops redundant sign bits); smaller ones become LUT logic.
DSP_MIN_OPERAND_BITS = 2
DSP_A_BITS, DSP_B_BITS = 27, 18
# Fitted costs: LUTs per adder bit, per small LUT product bit pair; per output bit, one LUT for each
# of ReLU, rounding (an increment) and saturation (a clamp); truncation and wrapping are wires.
LUT_PER_ADDER_BIT = 1.0
LUT_PER_SMALL_PRODUCT_BIT = 0.6
# Synthesis absorbs part of each registered adder level into the DSPs' post-adders and removes
# register bits nothing reads; fitted on the jet tagger (26.5k of 31.7k planned bits in fc2).
FF_PER_TREE_REGISTER_BIT = 0.78
# Time-multiplexed layers: a LUT6 selects among 4 operands, or holds one bit of a 64-entry ROM
# (two bits of a <= 32-entry ROM: LUT6_2). Block RAM: 36 x 512 per 18K.
LUT_MUX_INPUTS = 4
LUT_ROM_DEPTH = 64
LUT_PER_ROM_BIT = 0.5
BRAM_18K_WIDTH, BRAM_18K_DEPTH = 36, 512
RAMB18_BITS = BRAM_18K_WIDTH * BRAM_18K_DEPTH
# Softmax per class (5-class base-2 softmax with the default 2**-10 tables, no multiplier), fitted to Yosys, fast
# LUT mapping: each value's pow2 table in a block RAM (TableStyle bram), the 16-bit jet tagger's 1,271 LUT, 160 FF
# and 5 RAMB18; plain tables (lut) in LUTs, the authors' QKeras model's 3,030 LUT and 326 FF (where synthesis
# moves registered tables into block RAM it spends fewer LUTs: 1,319 LUT and 10 RAMB18 on the 16-bit tagger)
SOFTMAX_PER_CLASS = {"LUT": 254, "FF": 32, "DSP": 0}
SOFTMAX_PER_CLASS_LUT_TABLES = {"LUT": 606, "FF": 65, "DSP": 0}
# A comparator of a max tree: a carry-chain compare and a multiplexer per bit, some of them merged by ABC.
# Fitted to Yosys (fast LUT mapping) on five max-pooling blocks, 960-4,704 comparator bits of 8-12-bit
# codes, 1D and 2D windows of 2-9: 1.67-1.80 LUT per comparator bit; 1.75 is within -3 %..+5 % of each.
LUT_PER_COMPARATOR_BIT = 1.75
# A compare of a value with a constant threshold (step functions: binary and ternary activations), a carry chain
# over the bits it reads (ThresholdCompare): fitted to Yosys (fast LUT mapping) on the bundled binary and ternary
# taggers' six activation layers (16-21-bit compares, 0.26-0.38 LUT per bit) and the two `make test-synth` step
# layers; per layer within -18 %..+21 % (they had been estimated as adders, ~4x).
LUT_PER_CONSTANT_COMPARE_BIT = 0.28


def signed_bits(value: int) -> int:
    """Bits of the shortest two's complement field holding `value`."""
    return (value if value >= 0 else ~value).bit_length() + 1


def _is_shift(weight: int) -> bool:
    magnitude = abs(weight)
    return magnitude & (magnitude - 1) == 0


def dsps_for(a_bits: int, b_bits: int) -> int:
    big, small = max(a_bits, b_bits), min(a_bits, b_bits)
    return math.ceil(big / DSP_A_BITS) * math.ceil(small / DSP_B_BITS)


def _requantize_luts(block) -> int:
    """LUTs per neuron to bring the sum to the output type (and through a fused activation)."""
    dense, width = block.linear, block.out_type.width
    luts = width * (int(dense.result_type.rounding != "AP_TRN") + int(dense.result_type.overflow != "AP_WRAP"))
    for activation in block.layers[1:]:
        luts += width * (int(activation.function == "relu") + int(activation.result_type.rounding != "AP_TRN")
                         + int(activation.result_type.overflow != "AP_WRAP"))
    return luts


def _live_bits(block, complete: bool) -> int:
    """Accumulator bits synthesis keeps in a register of the sum (or a partial sum).

    With a wrapping output the bits above the output's top bit never matter (sums are modulo);
    once the sum is complete, truncation also drops the bits below the output's LSB.
    """
    dense = block.linear
    width, result = block.plan.accum_width, dense.result_type
    shift = max(0, dense.accum_type.frac - result.frac)
    high = width if result.overflow != "AP_WRAP" else min(width, shift + result.width)
    low = 0
    if complete and result.rounding == "AP_TRN":
        low = shift
    elif complete and result.rounding == "AP_RND":
        low = max(0, shift - 1)
    return max(1, high - low)


def _add_constant_product(totals: dict, x_bits: int, w: int) -> bool:
    """Add one constant multiplication to totals; True when it is fabric logic (registered in flip-flops)."""
    b_bits = signed_bits(w)
    if min(x_bits, b_bits) >= DSP_MIN_OPERAND_BITS:
        totals["DSP"] += dsps_for(x_bits, b_bits)
        return False
    totals["LUT"] += LUT_PER_SMALL_PRODUCT_BIT * x_bits * b_bits
    return True


def _tree_costs(block, totals: dict, terms: int) -> None:
    """One neuron's adder tree at accumulator width, its registers and its requantizer."""
    totals["LUT"] += LUT_PER_ADDER_BIT * max(0, terms - 1) * block.plan.accum_width
    totals["LUT"] += _requantize_luts(block)
    levels = block.registers("add")
    for level, registered in enumerate(levels):
        if registered and level == len(levels) - 1:  # the complete sum: exactly its live bits
            totals["FF"] += _live_bits(block, complete=True)
        elif registered:
            totals["FF"] += FF_PER_TREE_REGISTER_BIT * math.ceil(terms / 2 ** (level + 1)) * \
                _live_bits(block, complete=False)


def _dense_parallel(block) -> dict:
    """A fully parallel layer whose products are cast to a narrower accumulator: one multiplication per term."""
    dense = block.linear
    x_bits = dense.input_type.signed_width
    totals = {"LUT": 0.0, "FF": 0.0, "DSP": 0}
    fabric_terms = 0
    for neuron in block.plan.neurons:
        for term in neuron.terms:
            w = int(dense.weight[term.input, neuron.index])
            fabric_terms += _is_shift(w) or _add_constant_product(totals, x_bits, w)
        _tree_costs(block, totals, neuron.count)
    if block.register("multiply"):
        # products that went to DSPs are registered inside them (MREG); the rest in fabric flip-flops
        totals["FF"] += fabric_terms * _live_bits(block, False)
    if block.register("requantize"):
        totals["FF"] += block.n_out * block.out_type.width
    return totals


def _dense_graph(block) -> dict:
    """A fully parallel layer with exact products: its adder graph (every adder as wide as its values, every
    delay-line bit a flip-flop), the DSP or small LUT products, and per neuron a requantizer."""
    dense, plan = block.linear, block.plan
    x_bits = dense.input_type.signed_width
    wiring = plan.graph.wired(block.registers("graph"))
    totals = {"LUT": LUT_PER_ADDER_BIT * wiring.lut_bits, "DSP": 0,
              "FF": float(wiring.delay_bits_read(_live_bits(block, complete=True)))}
    for product in plan.products:
        _add_constant_product(totals, x_bits, product.coefficient)  # DSPs register inside (MREG)
    totals["LUT"] += _requantize_luts(block) * block.n_out
    if block.register("requantize"):
        totals["FF"] += block.n_out * block.out_type.width
    return totals


def _dense_reuse(block) -> dict:
    """A time-multiplexed layer: one multiplier per R products, operand multiplexers, weight ROM, accumulators; or a
    Dense streamed a pixel per beat (its ROM one word per beat, its operands the beat's channels)."""
    v = block.plan
    width, reuse, multipliers = v.accum_width, v.rom_depth, len(v.multipliers)
    if v.lut_levels:  # products in the fabric (lut_multiplier.v)
        totals = {"LUT": float(multipliers * lut_multiplier_luts(v.operand_width, v.weight_width)), "FF": 0.0,
                  "DSP": 0}
    else:
        totals = {"LUT": 0.0, "FF": 0.0, "DSP": multipliers * dsps_for(v.operand_width, v.weight_width)}
    totals["LUT"] += len(v.selects) * v.operand_width * math.ceil(reuse / LUT_MUX_INPUTS)
    # ROM bits that change with the phase; constant bits are wires after synthesis
    rom_bits = sum(len({(w >> bit) & 1 for w in m.weights}) == 2
                   for m in v.multipliers for bit in range(v.weight_width))
    if v.rom_style == "distributed":
        totals["LUT"] += LUT_PER_ROM_BIT * rom_bits * math.ceil(reuse / LUT_ROM_DEPTH)
    else:
        totals["BRAM_18K"] = math.ceil(multipliers * v.weight_width / BRAM_18K_WIDTH) * \
            math.ceil(reuse / BRAM_18K_DEPTH)
    live = _live_bits(block, False)  # of the accumulator and of the partial sums
    for neuron in v.neurons:
        terms = len(neuron.multipliers)
        adders = max(terms - 1, 0) + 1  # the partial-sum tree, then the accumulator
        totals["LUT"] += LUT_PER_ADDER_BIT * adders * width
        totals["LUT"] += _requantize_luts(block)
        totals["FF"] += live  # the accumulator
        for level, registered in enumerate(block.registers("add")):
            if registered:
                totals["FF"] += FF_PER_TREE_REGISTER_BIT * math.ceil(terms / 2 ** (level + 1)) * live
    # the input latch; a LUT ROM's read register moves to its address (the phase) in synthesis
    totals["FF"] += block.n_in * block.in_type.width + (rom_bits if v.rom_style == "block" else 0)
    if block.register("requantize"):
        totals["FF"] += block.n_out * block.out_type.width
    return totals


# estimate(block) -> {resource: count}, by the IR class of the block's first layer
ESTIMATES = HandlerTable("analytic resource estimate")


@ESTIMATES.register(DenseLayer, ConvLayer, BatchNormLayer, AveragePoolingLayer)  # blocks of their as_dense()
def _dense(block) -> dict:
    if block.sequential:
        return _dense_reuse(block)
    return _dense_graph(block) if isinstance(block.plan, DenseGraphPlan) else _dense_parallel(block)


@ESTIMATES.register(ActivationLayer, TableActivationLayer, ElementQuantizerLayer)
def _elementwise(block) -> dict:
    bits = block.n_out * block.out_type.width
    luts = bits
    tail = getattr(block.plan, "tail", None)
    if tail is not None:  # elu/selu/softplus: the tail's shift-adds, its requantizer and the multiplexer
        luts += block.n_out * (max(0, len(tail.digits) - 1) * tail.width + 2 * block.out_type.width)
    return {"LUT": luts, "FF": bits * block.latency, "DSP": 0}


@ESTIMATES.register(PiecewiseLinearLayer)
def _piecewise_linear(block) -> dict:
    """Per value: the segments' shift-add adders, a comparator per threshold, the segment multiplexer, the clip."""
    plan = block.plan
    if all(not segment.digits for row in plan.rows for segment in row.segments):
        return _step_function(block)
    clip = 2 * int(plan.low is not None or plan.high is not None)
    per_row = [(sum(max(0, len(segment.digits) - 1) for segment in row.segments) + len(row.segments) - 1 + clip)
               * plan.width + _compared_bits(plan, row) / 2 for row in plan.rows]
    bits = block.n_out * block.out_type.width
    exact_bits = block.n_out * plan.width
    return {"LUT": plan.positions * sum(per_row) * LUT_PER_ADDER_BIT + _requantize_bits(block),
            "FF": exact_bits * block.register("segments") + bits * block.register("requantize"), "DSP": 0}


def _step_function(block) -> dict:
    """Every segment a constant (binary, ternary activations): per value a compare of x with each threshold, and a
    LUT for each output bit that is no single compare's outcome. Synthesis folds the constants: a register keeps
    only the distinct output bits that vary."""
    plan = block.plan
    luts = flip_flops = 0
    for row in plan.rows:
        columns = _step_columns(block, row)
        # a column (over the steps, low to high) switching once is one compare's outcome or its inverse
        selects = {column if not column[0] else tuple(1 - b for b in column) for column in columns
                   if sum(a != b for a, b in zip(column, column[1:])) > 1}
        luts += _compared_bits(plan, row) * LUT_PER_CONSTANT_COMPARE_BIT + len(selects)
        flip_flops += len(columns)
    registered = block.register("segments") + block.register("requantize")
    return {"LUT": plan.positions * luts, "FF": plan.positions * flip_flops * registered, "DSP": 0}


def _compared_bits(plan, row) -> int:
    """Bits the row's threshold compares read (the bits below a compare's low bit cannot change it)."""
    return sum(plan.compare_width - compare.low_bit for compare in row.compares)


def _step_columns(block, row) -> set[tuple[int, ...]]:
    """The distinct output bits of a step function's row that vary: each as its values over the steps."""
    plan, out = block.plan, block.out_type
    values = np.array([segment.offset for segment in row.segments], dtype=np.int64)
    if plan.low is not None or plan.high is not None:
        values = np.clip(values, plan.low, plan.high)
    codes = requantize(values, plan.requantize.in_frac, out).tolist()
    columns = {tuple((code >> bit) & 1 for code in codes) for bit in range(out.width)}
    return {column for column in columns if len(set(column)) > 1}


@ESTIMATES.register(SoftmaxLayer)
def _softmax(block) -> dict:
    if not block.plan.pow2_block_ram:
        return {key: per_class * block.n_out for key, per_class in SOFTMAX_PER_CLASS_LUT_TABLES.items()}
    # each value's pow2 table (both of its reads) is one block RAM: a RAMB18 holds 1,024 x 18
    pow2_bits = len(block.plan.pow2) * block.plan.exp_bits
    return {key: per_class * block.n_out for key, per_class in SOFTMAX_PER_CLASS.items()} | \
        {"BRAM_18K": block.n_out * math.ceil(pow2_bits / RAMB18_BITS)}


def _requantize_bits(block) -> int:
    """LUTs of the output requantizers: one per output bit for rounding, one for saturation."""
    out = block.out_type
    return block.n_out * out.width * (int(out.rounding != "AP_TRN") + int(out.overflow != "AP_WRAP"))


def _product_cost(a_bits: int, b_bits: int) -> dict:
    """A variable x variable multiplication: a DSP (or several), or LUTs when an operand is tiny."""
    if min(a_bits, b_bits) < DSP_MIN_OPERAND_BITS:
        return {"LUT": LUT_PER_SMALL_PRODUCT_BIT * a_bits * b_bits, "DSP": 0}
    return {"LUT": 0, "DSP": dsps_for(a_bits, b_bits)}


@ESTIMATES.register(ElementwiseMergeLayer)
def _elementwise_merge(block) -> dict:
    plan, n = block.plan, block.n_out
    exact_bits = n * plan.exact_width
    luts, dsps = _requantize_bits(block), 0
    if plan.combine == "multiply":
        widths = [o.signed_width for o in plan.operands]
        product = {"LUT": lut_multiplier_luts(*widths), "DSP": 0} if plan.lut_levels else _product_cost(*widths)
        luts, dsps = luts + n * product["LUT"], n * product["DSP"]
    elif plan.combine in ("maximum", "minimum"):
        luts += exact_bits * (LUT_PER_ADDER_BIT + 1)  # a comparator (a subtraction's carry chain) and a 2:1 mux
    else:
        luts += exact_bits * LUT_PER_ADDER_BIT
    ff = exact_bits * block.register("combine") + block.n_out * block.out_type.width * block.register("requantize")
    return {"LUT": luts, "FF": ff, "DSP": dsps}


@ESTIMATES.register(DotLayer)
def _dot(block) -> dict:
    plan = block.plan
    product = _product_cost(*(o.signed_width for o in plan.operands))
    tree_registers = sum(block.registers("add")) + block.register("multiply")
    return {"LUT": plan.n * (product["LUT"] + plan.exact_width * LUT_PER_ADDER_BIT) + _requantize_bits(block),
            "FF": plan.n * plan.exact_width * tree_registers * FF_PER_TREE_REGISTER_BIT
            + block.out_type.width * block.register("requantize"),
            "DSP": plan.n * product["DSP"]}


@ESTIMATES.register(MaxPoolingLayer)
def _max_pooling(block) -> dict:
    plan = block.plan
    comparators = sum(len(terms) - 1 for terms in plan.windows)
    tree_ff = sum(math.ceil(len(terms) / 2 ** (level + 1)) * plan.width
                  for terms in plan.windows for level, registered in enumerate(block.registers("max")) if registered)
    return {"LUT": comparators * plan.width * LUT_PER_COMPARATOR_BIT + _requantize_bits(block),
            "FF": tree_ff + block.n_out * block.out_type.width * block.register("requantize"), "DSP": 0}


@ESTIMATES.register(ConcatenateLayer, ZeroPaddingLayer, CroppingLayer, UpSamplingLayer, PermuteLayer,
                    ReverseLayer)
def _concatenate(block) -> dict:
    return {"LUT": _requantize_bits(block), "FF": block.n_out * block.out_type.width * block.latency, "DSP": 0}


@ESTIMATES.register(RecurrentLayer)
def _recurrent(block) -> dict:
    """The cell's blocks, its delay lines, the state registers with their multiplexers (zero, just computed or
    held: a LUT per bit), the step counter and the started flags."""
    totals = {"LUT": 0, "FF": 0, "DSP": 0, "BRAM_18K": 0}
    for part in block.parts:
        for resource, count in estimate_block(part).items():
            totals[resource] += count
    plan = block.plan
    state_bits = sum(state.width for state in plan.states)
    totals["LUT"] += state_bits
    totals["FF"] += state_bits + sum(line.width * line.stages for line in plan.schedule.delay_lines) + \
        plan.latency + plan.step_width
    return totals


def estimate_block(block) -> dict:
    totals = ESTIMATES(block.layers[0])(block)
    return {"BRAM_18K": 0} | {key: int(round(value)) for key, value in totals.items()}


def estimate_core(core) -> dict[str, dict]:
    """{block display name: {LUT, FF, DSP, BRAM_18K}} plus the AXI control."""
    estimates = {" + ".join(layer.name for layer in block.layers): estimate_block(block) for block in core.blocks}
    if core.schedule.delay_lines:
        estimates["(delays of parallel paths)"] = {
            "LUT": 0, "FF": sum(line.width * line.stages for line in core.schedule.delay_lines), "DSP": 0,
            "BRAM_18K": 0}
    estimates[PARALLEL_GLUE] = {"LUT": 2 * core.latency, "FF": 2 * core.latency, "DSP": 0, "BRAM_18K": 0}
    return estimates


def estimate_stream_core(core) -> dict[str, dict]:
    """{block display name: {LUT, FF, DSP, BRAM_18K}} of a streaming core, plus the top's own logic: the window
    buffers and frame buffers (their storage counted as flip-flops; synthesis may map long runs to shift-register
    LUTs or RAM), the
    skid buffers (two registers of each unit's output and its valid, a multiplexer), the forks' FIFOs and the flow
    control."""
    estimates = {" + ".join(layer.name for layer in block.layers): estimate_block(block) for block in core.blocks}
    windows = sum(unit.stored_bits for unit in core.units)
    skids = sum(2 * (unit.out_width + 1) for unit in core.units)
    # a fork's FIFO in distributed RAM: a 64 x 1 dual-port RAM (2 LUTs) per stored bit per 64 beats; its pointers,
    # count and flags in flip-flops
    fifo_luts = sum(2 * (fifo.width + 1) * -(-fifo.depth // 64) for fifo in core.fifos)
    fifo_ffs = sum(3 * fifo.depth.bit_length() + 2 for fifo in core.fifos)
    estimates[STREAM_GLUE] = {"LUT": sum(unit.out_width for unit in core.units) + fifo_luts,
                              "FF": windows + skids + sum(2 * unit.latency for unit in core.units) + fifo_ffs,
                              "DSP": 0, "BRAM_18K": 0}
    return estimates
