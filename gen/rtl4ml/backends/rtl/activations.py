"""RTL blocks of the elementwise layers (relu/linear requantization, piecewise-linear and table activations) and of
softmax."""

from __future__ import annotations

from dataclasses import dataclass

from ...ir.layers import (ActivationLayer, ElementQuantizerLayer, PiecewiseLinearLayer, SoftmaxLayer,
                          TableActivationLayer)
from ...ir.value_range import ValueRange
from .block import RTL_BLOCKS, Block, Requantize, check_table_fits, levels_for, requantize_params
from .pipeline import (ADD_LEVEL_COST, BLOCK_RAM_OUTPUT_COST, BLOCK_RAM_READ_COST, COMPARE_LEVEL_COST,
                       LOOKUP_COST, REQUANTIZE_COST, SHIFT_COST, Step)
from .shift_add import csd_digits


@dataclass(frozen=True)
class ActivationPlan:
    requantize: Requantize  # every element: input type -> result type (with the ReLU's clamp at zero)


@dataclass(frozen=True)
class ElementQuantizerPlan:
    """Per element (flat, row-major): input type -> its own type (its rounding and overflow), then exactly to the
    block's output type."""

    elements: tuple[tuple[Requantize, Requantize] | None, ...]  # None: the element is always 0


@dataclass(frozen=True)
class Segment:
    """scale * x + offset as shift-adds: the sum of sign * (x << shift) over `digits`, plus `offset`."""

    digits: tuple[tuple[int, int], ...]  # (sign, shift), the scale's canonical signed digits (none: a constant)
    offset: int  # at the exact fraction


@dataclass(frozen=True)
class ThresholdCompare:
    """x > threshold as x's bits from low_bit up, signed, >= bound, where threshold + 1 = bound << low_bit: the bits
    below cannot change the outcome, so synthesis compares only the others (x >= 0 is the sign bit alone)."""

    low_bit: int
    bound: int


def threshold_compare(threshold: int, width: int) -> ThresholdCompare:
    """x > threshold for x a signed `width`-bit value; threshold + 1 must be one too."""
    step = threshold + 1
    low_bit = width - 1 if step == 0 else min(width - 1, (step & -step).bit_length() - 1)
    return ThresholdCompare(low_bit, step >> low_bit)


@dataclass(frozen=True)
class PiecewiseRow:
    """Segment j for thresholds[j-1] < x <= thresholds[j] (the elements of one channel, or all of them)."""

    thresholds: tuple[int, ...]  # input codes, clamped to the input's range (the comparison's outcome unchanged)
    compares: tuple[ThresholdCompare, ...]  # x > each threshold, as the hardware compares it
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class PiecewisePlan:
    """Element i takes row i % len(rows); the chosen value is clipped to [low, high] and requantized."""

    x_signed: bool
    compare_width: int  # x and the thresholds compared as signed values of this many bits
    rows: tuple[PiecewiseRow, ...]
    positions: int  # elements per row
    width: int  # signed bits of every segment value and of the clip bounds
    low: int | None
    high: int | None
    requantize: Requantize


@dataclass(frozen=True)
class TableTail:
    """x >= start: requantize(scale * x) instead of the table (the scale as shift-adds)."""

    start: int  # an input code, clamped to the input's range (the comparison's outcome unchanged)
    compare_width: int  # x and start compared as signed values of this many bits
    compare: ThresholdCompare  # x > start - 1, as the hardware compares it
    digits: tuple[tuple[int, int], ...]
    width: int  # signed bits of the exact product
    requantize: Requantize


@dataclass(frozen=True)
class TablePlan:
    """index = clamp((x + offset) >> shift, 0, depth - 1) (a left shift when shift < 0); out = contents[index]."""

    index_width: int  # bits of the index arithmetic (input extended to it)
    extend_bits: int  # index_width - input width
    offset: int
    shift: int
    addr_width: int
    depth: int
    last_index: int  # depth - 1, the clamp's upper bound
    contents: tuple[int, ...]  # result codes
    entry_width: int
    tail: TableTail | None  # where the result is linear in x instead (elu, selu, softplus)


@dataclass(frozen=True)
class SoftmaxPlan:
    """The base-2 recipe of ir/layers/softmax.py: widths, shifts and table contents (integer codes), for one row of
    `classes` values; a tensor of several rows gets one such module per row."""

    classes: int
    rows: int

    diff_width: int
    d_shift: int
    d_bits: int
    d_max: int  # 2**d_bits - 1: distances clamp here
    lo_bits: int
    hi_bits: int
    log_frac: int
    y_bits: int
    z_bits: int
    log_hi: tuple[int, ...]
    log_lo: tuple[int, ...]
    pow2: tuple[int, ...]
    exp_frac: int
    exp_bits: int
    sum_bits: int
    max_levels: int
    sum_levels: int
    sum_shift: int
    sum_addr_width: int
    sum_depth: int
    log_sum: tuple[int, ...]  # indexed by the low sum_addr_width bits of s >> sum_shift (see softmax_block)
    log_sum_rotation: int  # how far it is rotated: exp(0) >> sum_shift, modulo its size
    pow2_block_ram: bool  # pow2 in one block RAM per value (registered reads); else two LUT tables per value
    output_requantize: Requantize


def _codes(values) -> tuple[int, ...]:
    return tuple(int(v) for v in values)


@RTL_BLOCKS.register(ActivationLayer)
def activation_block(identifier: str, layer: ActivationLayer, fused: None, input_ranges: list[ValueRange]) -> Block:
    plan = ActivationPlan(requantize_params(layer.input_type, layer.result_type, relu=layer.function == "relu"))
    return Block(identifier, "activation_layer", [layer], layer.n_out, layer.input_type, layer.n_out,
                 layer.result_type, [Step("requantize", REQUANTIZE_COST)], plan)


@RTL_BLOCKS.register(ElementQuantizerLayer)
def element_quantizer_block(identifier: str, layer: ElementQuantizerLayer, fused: None,
                            input_ranges: list[ValueRange]) -> Block:
    steps = [(requantize_params(layer.input_type, t), requantize_params(t, layer.result_type)) if t is not None
             else None for t in layer.element_types]
    plan = ElementQuantizerPlan(tuple(steps[group] for group in layer.groups))
    return Block(identifier, "element_quantizer_layer", [layer], layer.n_out, layer.input_type, layer.n_out,
                 layer.result_type, [Step("requantize", REQUANTIZE_COST)], plan)


def _shift_add_levels(digits) -> int:
    """Adder levels of a sum of shifted copies (0 for one digit or none)."""
    return levels_for(len(digits))


@RTL_BLOCKS.register(PiecewiseLinearLayer)
def piecewise_block(identifier: str, layer: PiecewiseLinearLayer, fused: None, input_ranges: list[ValueRange]) -> Block:
    x, exact = layer.input_type, layer.exact_type
    # one bit more than x, so that the clamped thresholds plus one are values too
    lowest, highest, compare_width = x.min_code - 1, x.max_code, x.signed_width + 1
    rows = []
    for thresholds, scales, offsets in zip(layer.thresholds, layer.scales, layer.offsets):
        clamped = tuple(min(max(t, lowest), highest) for t in thresholds)
        rows.append(PiecewiseRow(clamped, tuple(threshold_compare(t, compare_width) for t in clamped),
                                 tuple(Segment(tuple(csd_digits(scale)), offset)
                                       for scale, offset in zip(scales, offsets))))
    plan = PiecewisePlan(x.signed, compare_width, tuple(rows), layer.n_out // len(rows),
                         exact.signed_width, layer.low, layer.high,
                         requantize_params(exact, layer.result_type, src_width=exact.signed_width, src_signed=True))
    # the segments' shift-adds beside the comparators, then the choice, the clip and the requantization
    levels = max([COMPARE_LEVEL_COST] + [_shift_add_levels(segment.digits) for row in rows
                                         for segment in row.segments])
    clip = COMPARE_LEVEL_COST if layer.low is not None or layer.high is not None else 0
    steps = [Step("segments", levels + ADD_LEVEL_COST + clip), Step("requantize", REQUANTIZE_COST)]
    return Block(identifier, "piecewise_linear_layer", [layer], layer.n_out, x, layer.n_out, layer.result_type,
                 steps, plan, sliceable=True)


def _table_tail(layer: TableActivationLayer) -> TableTail | None:
    if layer.tail_start is None:
        return None
    exact = layer.tail_exact_type
    x = layer.input_type
    start, compare_width = min(max(layer.tail_start, x.min_code), x.max_code + 1), x.signed_width + 1
    return TableTail(start, compare_width, threshold_compare(start - 1, compare_width),
                     tuple(csd_digits(layer.tail_scale)), exact.signed_width,
                     requantize_params(exact, layer.result_type, src_width=exact.signed_width, src_signed=True))


@RTL_BLOCKS.register(TableActivationLayer)
def table_block(identifier: str, layer: TableActivationLayer, fused: None, input_ranges: list[ValueRange]) -> Block:
    depth = len(layer.table)
    check_table_fits(layer.name, layer.function, depth, layer.result_type.width)
    tail = _table_tail(layer)
    plan = TablePlan(layer.index_width, layer.index_width - layer.input_type.width, layer.index_offset,
                     layer.index_shift, max(1, (depth - 1).bit_length()), depth, depth - 1, _codes(layer.table),
                     layer.result_type.width, tail)
    # the tail's shift-adds and requantization run beside the index arithmetic; its choice follows the lookup
    index_cost = ADD_LEVEL_COST if tail is None else max(ADD_LEVEL_COST, _shift_add_levels(tail.digits) +
                                                          REQUANTIZE_COST)
    steps = [Step("index", index_cost), Step("lookup", LOOKUP_COST + (0 if tail is None else ADD_LEVEL_COST))]
    return Block(identifier, "table_activation_layer", [layer], layer.n_out, layer.input_type, layer.n_out,
                 layer.result_type, steps, plan)


@RTL_BLOCKS.register(SoftmaxLayer)
def softmax_block(identifier: str, layer: SoftmaxLayer, fused: None, input_ranges: list[ValueRange]) -> Block:
    x_type = layer.input_type
    n = layer.classes
    max_levels, sum_levels = levels_for(n), levels_for(n)
    # the golden model reads log_sum at (s - 2**E) >> sum_shift. Every sum holds exp(0) = 2**E and sum_shift <= E,
    # so that index is (s >> sum_shift) - (2**E >> sum_shift); it spans fewer than 2**addr_bits values, so the RTL
    # reads the low addr_bits of s >> sum_shift (no subtraction) from the table rotated by the offset (and with
    # the golden model's clamp to the last entry written into it)
    addr_bits = max(1, layer.sum_index_max.bit_length())
    rotation = ((1 << layer.exp_frac) >> layer.sum_shift) % (1 << addr_bits)
    last = len(layer.log_sum) - 1
    log_sum = tuple(int(layer.log_sum[min((k - rotation) % (1 << addr_bits), last)]) for k in range(1 << addr_bits))
    for what, depth, width in (("log2 of the sum", len(log_sum), layer.z_bits), ("pow2", len(layer.pow2), layer.exp_bits),
                               ("log2 high part", len(layer.log_hi), layer.y_bits),
                               ("log2 low part", len(layer.log_lo), layer.y_bits)):
        check_table_fits(layer.name, f"softmax {what}", depth, width)
    plan = SoftmaxPlan(
        classes=n, rows=layer.n_out // n,
        diff_width=max(x_type.width + 1, layer.d_bits + 1), d_shift=layer.d_shift, d_bits=layer.d_bits,
        d_max=(1 << layer.d_bits) - 1, lo_bits=layer.lo_bits, hi_bits=layer.d_bits - layer.lo_bits,
        log_frac=layer.log_frac, y_bits=layer.y_bits,
        z_bits=layer.z_bits, log_hi=_codes(layer.log_hi), log_lo=_codes(layer.log_lo), pow2=_codes(layer.pow2),
        exp_frac=layer.exp_frac, exp_bits=layer.exp_bits, sum_bits=layer.sum_bits, max_levels=max_levels,
        sum_levels=sum_levels, sum_shift=layer.sum_shift,
        sum_addr_width=addr_bits, sum_depth=len(log_sum), log_sum=log_sum, log_sum_rotation=rotation,
        pow2_block_ram=layer.table_style == "bram",
        output_requantize=requantize_params(layer.result_type, layer.result_type, src_width=layer.exp_bits,
                                            src_frac=layer.exp_frac, src_signed=False))
    # The base-2 recipe of ir/layers/softmax.py: lookups, adders and shifts (multiplexers), no multiplier.
    # pow2 (1,024 x 18) is read twice per value, at y and at z: one block RAM per value read through its two
    # ports, each read registered by the RAM itself (a fixed register: one more cycle where the planner would not
    # have put one), or with TableStyle lut two plain tables (LUTs, 4,788 for five classes, unless synthesis maps
    # a registered one to block RAM). log_sum (read once per row) stays in LUTs: its read lies one adder before
    # pow2's second read.
    def pow2_read(name: str) -> list[Step]:
        if layer.table_style == "bram":
            return [Step(f"{name}_lookup", BLOCK_RAM_READ_COST, fixed=True),
                    Step(f"{name}_shift", BLOCK_RAM_OUTPUT_COST + SHIFT_COST)]
        return [Step(f"{name}_lookup", LOOKUP_COST), Step(f"{name}_shift", SHIFT_COST)]

    steps = [Step(f"max{k}", COMPARE_LEVEL_COST) for k in range(max_levels)] + [
        Step("distance", ADD_LEVEL_COST), Step("log_lookup", LOOKUP_COST), Step("exponent", ADD_LEVEL_COST),
        *pow2_read("exp")] + [Step(f"sum{k}", ADD_LEVEL_COST) for k in range(sum_levels)] + [
        Step("log_sum_lookup", LOOKUP_COST), Step("normalize_exponent", ADD_LEVEL_COST), *pow2_read("normalize"),
        Step("requantize", REQUANTIZE_COST)]
    return Block(identifier, "softmax_layer", [layer], layer.n_out, x_type, layer.n_out, layer.result_type, steps,
                 plan)
