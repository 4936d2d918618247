"""RTL blocks of Dense layers: fully parallel (shift-add multiples shared per input, DSP products, adder
trees) or time-multiplexed (ReuseFactor > 1), with a directly following relu/linear fused at the output."""

from __future__ import annotations

import numpy as np

from ...ir.layers import ActivationLayer, AveragePoolingLayer, BatchNormLayer, ConvLayer, DenseLayer
from .block import RTL_BLOCKS, Block, input_wire, levels_for, literal, requantize_params, table_literal
from .pipeline import ADD_LEVEL_COST, MULTIPLY_COST, REQUANTIZE_COST, SELECT_COST, Step
from .shift_add import csd_digits, use_shift_add

# layer classes whose as_dense() is the Dense layer they equal; the Verilog core builds that Dense
DENSE_EQUIVALENT = (DenseLayer, ConvLayer, BatchNormLayer, AveragePoolingLayer)


@RTL_BLOCKS.register(*DENSE_EQUIVALENT)
def linear_block(identifier: str, layer, activation: ActivationLayer | None) -> Block:
    """A Dense layer, or a layer built as the Dense over the flattened tensors it equals (its as_dense)."""
    dense = layer.as_dense()
    build = _dense_reuse_block if dense.reuse_factor > 1 else _dense_parallel_block
    block = build(identifier, dense, activation)
    block.layers[0], block.linear = layer, dense
    kind = type(layer).__name__.removesuffix("Layer")
    block.values["description"] = "Dense layer" if layer is dense else f"{kind} layer (as the Dense it equals)"
    return block


def _dense_common(dense: DenseLayer, activation: ActivationLayer | None, product_width: int) -> dict:
    """Template values shared by the parallel and the time-multiplexed dense layer."""
    accum = dense.accum_type
    return {
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
            terms.append({"kind": "product", "input": int(i), "coefficient": literal(code, product_width)})
        elif i in shift_add:
            for chunk in _digit_chunks(code):
                odd, position = odd_part(abs(chunk))
                if position + shift >= width:  # terms shifted past the accumulator are 0 modulo 2**width
                    continue
                name = f"x{i}" if odd == 1 else f"x{i}_m{odd}"
                terms.append({"kind": "multiple", "input": int(i), "odd": odd, "shift": position + shift,
                              "negative": chunk < 0,
                              "wire": f"{name}_s{position + shift}{'n' if chunk < 0 else ''}"})
                negated += chunk < 0
        else:
            terms.append({"kind": "product", "input": int(i), "coefficient": literal(code << shift, width)})
    return terms, negated


def _multiple_wires(terms: list[dict], x_bits: int, width: int) -> tuple[list[dict], list[dict]]:
    """Verilog for the shared multiples m * x (their own adders) and for the shifted tree terms.

    A multiple is added at the narrowest width that holds it (`<name>_narrow`; never wider than the
    accumulator, as all sums are modulo 2**width) and sign-extended to the accumulator width; a tree
    term is (m * x) << k, inverted when negative, like a plain input.
    """
    multiples, term_wires = {}, {}
    for term in sorted(terms, key=lambda t: (t["input"], t["odd"], t["shift"], t["negative"])):
        i, odd, k = term["input"], term["odd"], term["shift"]
        source = f"x{i}" if odd == 1 else f"x{i}_m{odd}"
        if odd > 1 and source not in multiples:
            narrow = min(width, x_bits + odd.bit_length())
            parts = []
            for sign, position in sorted(csd_digits(odd), key=lambda digit: -digit[0]):  # + digits first
                shifted = f"x{i}[{narrow - 1}:0]" if position == 0 else \
                    f"{{x{i}[{narrow - 1 - position}:0], {position}'d0}}"
                parts.append(shifted if not parts else f"{'+' if sign > 0 else '-'} {shifted}")
            extension = f"{{{{{width - narrow}{{{source}_narrow[{narrow - 1}]}}}}, {source}_narrow}}" \
                if narrow < width else f"{source}_narrow"
            multiples[source] = {"name": source, "narrow_width": narrow, "sum": " ".join(parts),
                                 "extended": extension, "adders": len(parts) - 1}
        value = source if k == 0 else f"{{{source}[{width - 1 - k}:0], {k}'d0}}"
        term_wires[term["wire"]] = {"name": term["wire"], "value": ("~" if term["negative"] else "") + value}
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


def _dense_parallel_block(identifier: str, dense: DenseLayer, activation: ActivationLayer | None) -> Block:
    x_type = dense.input_type
    x_bits = x_type.signed_width
    common = _dense_common(dense, activation, x_bits + dense.weight_type.width)
    width, product_width = common["accum_width"], common["product_width"]
    bias = dense.accumulator_bias()
    shift_add = _shift_add_choice(dense, width) if common["exact_products"] else [set()] * dense.n_out
    neurons = []
    for j in range(dense.n_out):
        terms, negated = _parallel_terms(dense, j, shift_add[j], common["exact_products"], width, product_width)
        # -(x << k) = ~(x << k) + 1: the tree adds the inverted term, the +1s are folded into the bias
        constant_code = int(bias[j]) + negated
        constant = literal(constant_code, width) if constant_code % (1 << width) != 0 or not terms else None
        neurons.append({"index": j, "terms": terms, "bias": constant, "count": len(terms) + (constant is not None),
                        "products": sum(term["kind"] == "product" for term in terms)})
    used_inputs = sorted({t["input"] for n in neurons for t in n["terms"]})
    operand_width = width if common["exact_products"] else product_width
    levels = levels_for(max(n["count"] for n in neurons))
    has_products = any(n["products"] for n in neurons)
    multiples, term_wires = _multiple_wires([t for n in neurons for t in n["terms"] if t["kind"] == "multiple"],
                                            x_bits, width)
    # a DSP's three levels cover the multiples' adders; without DSPs the multiples set the step's depth
    multiple_levels = max([levels_for(m["adders"] + 1) for m in multiples] + [0])
    steps = [Step("multiply", max(MULTIPLY_COST if has_products else 0, multiple_levels))] + \
        [Step(f"add{k}", ADD_LEVEL_COST) for k in range(levels)] + [_requantize_step(activation)]
    out_type = activation.result_type if activation else dense.result_type
    values = {
        **common,
        "levels": levels,
        "neurons": neurons,
        "used_inputs": used_inputs,
        "input_wires": [(i, operand_width, input_wire(i, x_type, operand_width)) for i in used_inputs],
        "all_inputs_used": len(used_inputs) == dense.n_in,
        # one wire per multiple and per shifted term: the same (m * x) << k serves every neuron that needs it
        "multiples": multiples,
        "term_wires": term_wires,
    }
    # a dense layer's neurons share only the multiples m * x of their inputs: slices synthesize independently
    return Block(identifier, "dense_layer.v.j2", [dense] + ([activation] if activation else []), dense.n_in,
                 x_type, dense.n_out, out_type, steps, values, multipliers=int(np.count_nonzero(dense.weight)),
                 sliceable=True)


# Weight ROMs deeper than this go to block RAM; shallower ones are LUT ROM (a LUT6 holds 64 entries).
MAX_LUT_ROM_DEPTH = 64


def _dense_reuse_block(identifier: str, dense: DenseLayer, activation: ActivationLayer | None) -> Block:
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
    common = _dense_common(dense, activation, operand_width + weight_width)
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
            multipliers.append({"index": len(multipliers), "select": select, "weights": weights})
        neurons.append({"index": j, "multipliers": list(range(first, len(multipliers))),
                        "bias": literal(int(bias[j]), width)})
    if not multipliers:  # every weight is zero: keep one idle multiplier so the module stays regular
        multipliers.append({"index": 0, "select": 0, "weights": [0] * reuse})
        schedules[(0,) * reuse] = 0
    selects = [{"index": k, "inputs": list(schedule)} for schedule, k in schedules.items()]
    used_inputs = sorted({i for schedule in schedules for i in schedule})
    rom = [table_literal(np.array([m["weights"][phase] for m in multipliers]), weight_width)
           for phase in range(reuse)]
    if common["exact_products"]:
        shift = dense.accum_type.frac - dense.product_frac
        for multiplier in multipliers:
            multiplier["to_accum"] = _product_to_accum(f"p{multiplier['index']}", common["product_width"], shift,
                                                       width)
    levels = levels_for(max([len(n["multipliers"]) for n in neurons] + [1]))
    steps = [Step("load", 0, fixed=True),
             Step("multiply", SELECT_COST + MULTIPLY_COST)] + \
        [Step(f"add{k}", ADD_LEVEL_COST) for k in range(levels)] + \
        [Step("accumulate", ADD_LEVEL_COST, fixed=True), _requantize_step(activation)]
    values = {
        **common,
        "reuse": reuse,
        "phase_width": max(1, (reuse - 1).bit_length()),
        "operand_width": operand_width,
        "weight_width": weight_width,
        "multipliers": multipliers,
        "selects": selects,
        "neurons": neurons,
        "levels": levels,
        "rom": rom,
        "rom_style": "distributed" if reuse <= MAX_LUT_ROM_DEPTH else "block",
        "input_wires": [(i, operand_width, input_wire(i, x_type, operand_width, source="x_reg"))
                        for i in used_inputs],
        "all_inputs_used": True,  # the input latch reads the whole bus
    }
    # the last phase's products enter the pipeline R - 1 cycles after the first
    # a time-multiplexed layer's neurons share only its small phase control
    return Block(identifier, "dense_reuse_layer.v.j2", [dense] + ([activation] if activation else []),
                 dense.n_in, x_type, dense.n_out, activation.result_type if activation else dense.result_type,
                 steps, values, extra_cycles=reuse - 1, interval=reuse, multipliers=len(multipliers), sliceable=True)


def _product_to_accum(name: str, product_width: int, shift: int, width: int) -> str:
    """Verilog expression aligning the signed product `name` to the accumulator (exact products only)."""
    zeros = f", {shift}'d0" if shift else ""
    if product_width + shift >= width:  # the high bits are not needed: sums are taken modulo 2**width
        return f"{{{name}[{width - shift - 1}:0]{zeros}}}" if width > shift else f"{width}'d0"
    extension = width - product_width - shift
    return f"{{{{{extension}{{{name}[{product_width - 1}]}}}}, {name}{zeros}}}"
