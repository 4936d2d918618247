"""RTL blocks of the elementwise layers (relu/linear requantization, table activations) and of softmax."""

from __future__ import annotations

from dataclasses import dataclass

from ...ir.layers import ActivationLayer, SoftmaxLayer, TableActivationLayer
from .block import RTL_BLOCKS, Block, Requantize, levels_for, requantize_params
from .pipeline import ADD_LEVEL_COST, COMPARE_LEVEL_COST, LOOKUP_COST, REQUANTIZE_COST, SHIFT_COST, Step


@dataclass(frozen=True)
class ActivationPlan:
    requantize: Requantize  # every element: input type -> result type (with the ReLU's clamp at zero)


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


@dataclass(frozen=True)
class SoftmaxPlan:
    """The base-2 recipe of ir/layers/softmax.py: widths, shifts and table contents (integer codes)."""

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
    sum_offset: int  # 2**exp_frac: exp(0), subtracted before indexing log_sum
    sum_shift: int
    sum_addr_width: int
    sum_depth: int
    log_sum: tuple[int, ...]
    output_requantize: Requantize


def _codes(values) -> tuple[int, ...]:
    return tuple(int(v) for v in values)


@RTL_BLOCKS.register(ActivationLayer)
def activation_block(identifier: str, layer: ActivationLayer, fused: None = None) -> Block:
    plan = ActivationPlan(requantize_params(layer.input_type, layer.result_type, relu=layer.function == "relu"))
    return Block(identifier, "activation_layer", [layer], layer.n_out, layer.input_type, layer.n_out,
                 layer.result_type, [Step("requantize", REQUANTIZE_COST)], plan)


@RTL_BLOCKS.register(TableActivationLayer)
def table_block(identifier: str, layer: TableActivationLayer, fused: None = None) -> Block:
    depth = len(layer.table)
    plan = TablePlan(layer.index_width, layer.index_width - layer.input_type.width, layer.index_offset,
                     layer.index_shift, max(1, (depth - 1).bit_length()), depth, depth - 1, _codes(layer.table),
                     layer.result_type.width)
    steps = [Step("index", ADD_LEVEL_COST), Step("lookup", LOOKUP_COST)]
    return Block(identifier, "table_activation_layer", [layer], layer.n_out, layer.input_type, layer.n_out,
                 layer.result_type, steps, plan)


@RTL_BLOCKS.register(SoftmaxLayer)
def softmax_block(identifier: str, layer: SoftmaxLayer, fused: None = None) -> Block:
    x_type = layer.input_type
    n = layer.classes
    max_levels, sum_levels = levels_for(n), levels_for(n)
    plan = SoftmaxPlan(
        diff_width=max(x_type.width + 1, layer.d_bits + 1), d_shift=layer.d_shift, d_bits=layer.d_bits,
        d_max=(1 << layer.d_bits) - 1, lo_bits=layer.lo_bits, hi_bits=layer.d_bits - layer.lo_bits,
        log_frac=layer.log_frac, y_bits=layer.y_bits,
        z_bits=layer.z_bits, log_hi=_codes(layer.log_hi), log_lo=_codes(layer.log_lo), pow2=_codes(layer.pow2),
        exp_frac=layer.exp_frac, exp_bits=layer.exp_bits, sum_bits=layer.sum_bits, max_levels=max_levels,
        sum_levels=sum_levels, sum_offset=1 << layer.exp_frac, sum_shift=layer.sum_shift,
        # wide enough for the largest index (>= the last entry's); lookup_table reads its last entry past the end
        sum_addr_width=max(1, layer.sum_index_max.bit_length()), sum_depth=len(layer.log_sum),
        log_sum=_codes(layer.log_sum),
        output_requantize=requantize_params(layer.result_type, layer.result_type, src_width=layer.exp_bits,
                                            src_frac=layer.exp_frac, src_signed=False))
    # The base-2 recipe of ir/layers/softmax.py: lookups, adders and shifts (multiplexers), no multiplier.
    steps = [Step(f"max{k}", COMPARE_LEVEL_COST) for k in range(max_levels)] + [
        Step("distance", ADD_LEVEL_COST), Step("log_lookup", LOOKUP_COST), Step("exponent", ADD_LEVEL_COST),
        Step("exp_lookup", LOOKUP_COST + SHIFT_COST)] + \
        [Step(f"sum{k}", ADD_LEVEL_COST) for k in range(sum_levels)] + [
        Step("log_sum_lookup", ADD_LEVEL_COST + LOOKUP_COST), Step("normalize_exponent", ADD_LEVEL_COST),
        Step("normalize_lookup", LOOKUP_COST + SHIFT_COST), Step("requantize", REQUANTIZE_COST)]
    return Block(identifier, "softmax_layer", [layer], n, x_type, n, layer.result_type, steps, plan)
