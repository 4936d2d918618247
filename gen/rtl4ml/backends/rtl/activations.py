"""RTL blocks of the elementwise layers (relu/linear requantization, table activations) and of softmax."""

from __future__ import annotations

from ...ir.layers import ActivationLayer, SoftmaxLayer, TableActivationLayer
from .block import RTL_BLOCKS, Block, levels_for, literal, requantize_params, table_literal
from .pipeline import ADD_LEVEL_COST, COMPARE_LEVEL_COST, LOOKUP_COST, REQUANTIZE_COST, SHIFT_COST, Step


@RTL_BLOCKS.register(ActivationLayer)
def activation_block(identifier: str, layer: ActivationLayer, fused: None = None) -> Block:
    values = {"requantize": requantize_params(layer.input_type, layer.result_type, relu=layer.function == "relu")}
    return Block(identifier, "activation_layer.v.j2", [layer], layer.n_out, layer.input_type, layer.n_out,
                 layer.result_type, [Step("requantize", REQUANTIZE_COST)], values)


@RTL_BLOCKS.register(TableActivationLayer)
def table_block(identifier: str, layer: TableActivationLayer, fused: None = None) -> Block:
    x_type = layer.input_type
    shift = layer.index_shift
    index_width = layer.index_width
    depth = len(layer.table)
    values = {
        "index_width": index_width,
        "offset": literal(layer.index_offset, index_width),
        "shift": shift,
        "addr_width": max(1, (depth - 1).bit_length()),
        "depth": depth,
        "last_index": literal(depth - 1, index_width),
        "contents": table_literal(layer.table, layer.result_type.width),
    }
    steps = [Step("index", ADD_LEVEL_COST), Step("lookup", LOOKUP_COST)]
    return Block(identifier, "table_activation_layer.v.j2", [layer], layer.n_out, x_type, layer.n_out,
                 layer.result_type, steps, values)


@RTL_BLOCKS.register(SoftmaxLayer)
def softmax_block(identifier: str, layer: SoftmaxLayer, fused: None = None) -> Block:
    x_type = layer.input_type
    n = layer.classes
    max_levels, sum_levels = levels_for(n), levels_for(n)
    diff_width = max(x_type.width + 1, layer.d_bits + 1)
    sum_depth = len(layer.log_sum)
    values = {
        "diff_width": diff_width,
        "d_shift": layer.d_shift,
        "d_bits": layer.d_bits,
        "d_max": literal((1 << layer.d_bits) - 1, diff_width),
        "lo_bits": layer.lo_bits,
        "hi_bits": layer.d_bits - layer.lo_bits,
        "log_frac": layer.log_frac,
        "y_bits": layer.y_bits,
        "z_bits": layer.z_bits,
        "log_hi": table_literal(layer.log_hi, layer.y_bits),
        "log_lo": table_literal(layer.log_lo, layer.y_bits),
        "pow2": table_literal(layer.pow2, layer.exp_bits),
        "exp_frac": layer.exp_frac,
        "exp_bits": layer.exp_bits,
        "sum_bits": layer.sum_bits,
        "max_levels": max_levels,
        "sum_levels": sum_levels,
        "sum_offset": literal(1 << layer.exp_frac, layer.sum_bits),
        "sum_shift": layer.sum_shift,
        # wide enough for the largest index (>= the last entry's); lookup_table reads its last entry past the end
        "sum_addr_width": max(1, layer.sum_index_max.bit_length()),
        "sum_depth": sum_depth,
        "log_sum": table_literal(layer.log_sum, layer.z_bits),
        "output_requantize": requantize_params(layer.result_type, layer.result_type, src_width=layer.exp_bits,
                                               src_frac=layer.exp_frac, src_signed=False),
    }
    # The base-2 recipe of ir/layers/softmax.py: lookups, adders and shifts (multiplexers), no multiplier.
    steps = [Step(f"max{k}", COMPARE_LEVEL_COST) for k in range(max_levels)] + [
        Step("distance", ADD_LEVEL_COST), Step("log_lookup", LOOKUP_COST), Step("exponent", ADD_LEVEL_COST),
        Step("exp_lookup", LOOKUP_COST + SHIFT_COST)] + \
        [Step(f"sum{k}", ADD_LEVEL_COST) for k in range(sum_levels)] + [
        Step("log_sum_lookup", ADD_LEVEL_COST + LOOKUP_COST), Step("normalize_exponent", ADD_LEVEL_COST),
        Step("normalize_lookup", LOOKUP_COST + SHIFT_COST), Step("requantize", REQUANTIZE_COST)]
    return Block(identifier, "softmax_layer.v.j2", [layer], n, x_type, n, layer.result_type, steps, values)
