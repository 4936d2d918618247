"""Map IR layers to RTL blocks: which template, which pipeline steps, which template values.

A block is one generated Verilog module. A Dense layer absorbs a directly following
relu/linear activation (its requantization is fused at the layer output). Everything a
template prints is computed here, so templates stay free of arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...errors import fail
from ...fixed_point import OVERFLOW_MODES, ROUNDING_MODES, FixedType, requantize
from ...ir.layers import ActivationLayer, DenseLayer, ModelGraph, SoftmaxLayer, TableActivationLayer
from .pipeline import ADD_LEVEL_COST, COMPARE_LEVEL_COST, LOOKUP_COST, MULTIPLY_COST, REQUANTIZE_COST, Step


@dataclass
class Block:
    """One generated module: its template, steps (for the planner) and template values."""

    identifier: str
    template: str
    layers: list  # IR layers covered; the block output is the last one's output
    n_in: int
    in_type: FixedType
    n_out: int
    out_type: FixedType
    steps: list[Step] = field(default_factory=list)
    values: dict = field(default_factory=dict)

    @property
    def latency(self) -> int:
        return sum(step.register_after for step in self.steps)

    def registers(self, prefix: str) -> list[bool]:
        """register_after of the steps whose names start with `prefix`, in order."""
        return [step.register_after for step in self.steps if step.name.startswith(prefix)]

    def register(self, name: str) -> int:
        return int(next(step.register_after for step in self.steps if step.name == name))


def literal(value: int, width: int) -> str:
    """Two's complement Verilog literal of `value` in `width` bits."""
    return f"{width}'h{value & ((1 << width) - 1):x}"


def table_literal(entries: np.ndarray, width: int) -> str:
    packed = 0
    for index, entry in enumerate(int(e) for e in entries):
        packed |= (entry & ((1 << width) - 1)) << (index * width)
    return f"{len(entries) * width}'h{packed:x}"


def levels_for(terms: int) -> int:
    return max(0, (terms - 1).bit_length())


def requantize_params(src: FixedType, dst: FixedType, relu: bool = False, src_width: int | None = None,
                      src_frac: int | None = None, src_signed: bool | None = None) -> dict:
    return {
        "IN_WIDTH": src.width if src_width is None else src_width,
        "IN_FRAC": src.frac if src_frac is None else src_frac,
        "IN_SIGNED": int(src.signed if src_signed is None else src_signed),
        "OUT_WIDTH": dst.width,
        "OUT_FRAC": dst.frac,
        "OUT_SIGNED": int(dst.signed),
        "ROUNDING": ROUNDING_MODES.index(dst.rounding),
        "OVERFLOW": OVERFLOW_MODES.index(dst.overflow),
        "RELU": int(relu),
    }


def input_wire(index: int, x_type: FixedType, width: int) -> str:
    """Verilog expression for input `index` of a packed bus, brought to `width` bits."""
    field = f"in_data[{index * x_type.width} +: {x_type.width}]"
    extra = width - x_type.width
    if extra < 0:
        return f"in_data[{index * x_type.width} +: {width}]"
    if extra == 0:
        return field
    fill = f"in_data[{index * x_type.width + x_type.width - 1}]" if x_type.signed else "1'b0"
    return f"{{{{{extra}{{{fill}}}}}, {field}}}"


def _dense_block(identifier: str, dense: DenseLayer, activation: ActivationLayer | None) -> Block:
    if dense.reuse_factor != 1:
        raise fail(f"layer {dense.name}: ReuseFactor {dense.reuse_factor} is not supported by the RTL backend yet "
                   "(only 1, fully parallel)")
    accum = dense.accum_type
    width = accum.width
    x_type = dense.input_type
    exact_products = accum.frac >= dense.product_frac
    product_width = x_type.width + int(not x_type.signed) + dense.weight_type.width
    if dense.accum_is_exact:
        bias = dense.bias << (accum.frac - dense.bias_type.frac)
    else:  # an explicit accumulator: the bias is cast to it (rounded, wrapped) like every product
        bias = requantize(dense.bias, dense.bias_type.frac, accum.with_modes(overflow="AP_WRAP"))
    neurons = []
    for j in range(dense.n_out):
        terms = []
        for i in np.flatnonzero(dense.weight[:, j]):
            coefficient = int(dense.weight[i, j])
            if exact_products:
                coefficient <<= accum.frac - dense.product_frac
                terms.append({"input": int(i), "coefficient": literal(coefficient, width)})
            else:
                terms.append({"input": int(i), "coefficient": literal(coefficient, product_width)})
        constant = literal(int(bias[j]), width) if bias[j] != 0 or not terms else None
        neurons.append({"index": j, "terms": terms, "bias": constant, "count": len(terms) + (constant is not None)})
    used_inputs = sorted({t["input"] for n in neurons for t in n["terms"]})
    operand_width = width if exact_products else product_width
    levels = levels_for(max(n["count"] for n in neurons))
    requantize_cost = REQUANTIZE_COST + (REQUANTIZE_COST if activation is not None else 0)
    steps = [Step("multiply", MULTIPLY_COST)] + [Step(f"add{k}", ADD_LEVEL_COST) for k in range(levels)] + \
        [Step("requantize", requantize_cost)]
    out_type = activation.result_type if activation else dense.result_type
    values = {
        "accum_width": width,
        "exact_products": exact_products,
        "product_width": product_width,
        "product_requantize": requantize_params(accum, accum.with_modes(overflow="AP_WRAP"),
                                                src_width=product_width, src_frac=dense.product_frac,
                                                src_signed=True),
        "levels": levels,
        "neurons": neurons,
        "used_inputs": used_inputs,
        "input_wires": [(i, operand_width, input_wire(i, x_type, operand_width)) for i in used_inputs],
        "all_inputs_used": len(used_inputs) == dense.n_in,
        "result_requantize": requantize_params(accum, dense.result_type),
        "activation_requantize": None if activation is None else requantize_params(
            dense.result_type, activation.result_type, relu=activation.function == "relu"),
    }
    return Block(identifier, "dense_layer.v.j2", [dense] + ([activation] if activation else []), dense.n_in,
                 x_type, dense.n_out, out_type, steps, values)


def _activation_block(identifier: str, layer: ActivationLayer) -> Block:
    values = {"requantize": requantize_params(layer.input_type, layer.result_type, relu=layer.function == "relu")}
    return Block(identifier, "activation_layer.v.j2", [layer], layer.n_out, layer.input_type, layer.n_out,
                 layer.result_type, [Step("requantize", REQUANTIZE_COST)], values)


def _table_block(identifier: str, layer: TableActivationLayer) -> Block:
    x_type = layer.input_type
    shift = layer.index_shift
    index_width = max(x_type.width + 1, layer.index_offset.bit_length() + 1) + 1 + max(0, -shift)
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


def _softmax_block(identifier: str, layer: SoftmaxLayer) -> Block:
    x_type = layer.input_type
    n = layer.n_out
    max_levels, sum_levels = levels_for(n), levels_for(n)
    hi_bits = layer.d_bits - layer.lo_bits
    diff_width = max(x_type.width + 1, layer.d_bits + 1)
    inv_depth = len(layer.inv_table)
    values = {
        "diff_width": diff_width,
        "d_shift": layer.d_shift,
        "d_bits": layer.d_bits,
        "d_max": literal((1 << layer.d_bits) - 1, diff_width),
        "lo_bits": layer.lo_bits,
        "hi_bits": hi_bits,
        "exp_frac": layer.exp_frac,
        "exp_bits": layer.exp_bits,
        "exp_hi": table_literal(layer.exp_hi, layer.exp_bits),
        "exp_lo": table_literal(layer.exp_lo, layer.exp_bits),
        "exp_round": literal(1 << (layer.exp_frac - 1), 2 * layer.exp_bits),
        "sum_bits": layer.sum_bits,
        "max_levels": max_levels,
        "sum_levels": sum_levels,
        "sum_offset": literal(1 << layer.exp_frac, layer.sum_bits),
        "inv_shift": layer.inv_shift,
        "inv_addr_width": max(1, (inv_depth - 1).bit_length()),
        "inv_depth": inv_depth,
        "inv_bits": layer.inv_bits,
        "inv_contents": table_literal(layer.inv_table, layer.inv_bits),
        "output_requantize": requantize_params(layer.result_type, layer.result_type,
                                               src_width=layer.exp_bits + layer.inv_bits,
                                               src_frac=layer.exp_frac + layer.inv_frac, src_signed=False),
    }
    steps = [Step(f"max{k}", COMPARE_LEVEL_COST) for k in range(max_levels)] + [
        Step("distance", ADD_LEVEL_COST), Step("exp_lookup", LOOKUP_COST), Step("exp_multiply", MULTIPLY_COST)] + \
        [Step(f"sum{k}", ADD_LEVEL_COST) for k in range(sum_levels)] + [
        Step("inv_lookup", ADD_LEVEL_COST + LOOKUP_COST), Step("multiply", MULTIPLY_COST),
        Step("requantize", REQUANTIZE_COST)]
    return Block(identifier, "softmax_layer.v.j2", [layer], n, x_type, n, layer.result_type, steps, values)


def build_blocks(graph: ModelGraph, identifiers: dict[str, str]) -> list[Block]:
    """Group IR layers into blocks in data-flow order."""
    blocks: list[Block] = []
    layers = list(graph.layers)
    index = 0
    while index < len(layers):
        layer = layers[index]
        ident = identifiers[layer.name]
        if isinstance(layer, DenseLayer):
            follower = layers[index + 1] if index + 1 < len(layers) else None
            fused = follower if isinstance(follower, ActivationLayer) else None
            blocks.append(_dense_block(ident, layer, fused))
            index += 2 if fused else 1
            continue
        if isinstance(layer, ActivationLayer):
            blocks.append(_activation_block(ident, layer))
        elif isinstance(layer, TableActivationLayer):
            blocks.append(_table_block(ident, layer))
        elif isinstance(layer, SoftmaxLayer):
            blocks.append(_softmax_block(ident, layer))
        else:  # pragma: no cover - the IR builder only makes the kinds above
            raise AssertionError(layer)
        index += 1
    return blocks
