"""Instant resource estimate from the planned core, without Yosys.

Counts what the generated Verilog instantiates: per non-zero weight a constant multiplication
(none for +-1 and powers of two, which are shifts), per neuron an adder tree of accumulator
width, a requantizer, and the pipeline registers the planner placed. The per-unit costs below
were fitted to Yosys `synth_xilinx -family xcup` on the bundled jet taggers and are checked
against it on other designs by tests (docs/report.md gives the errors measured).
"""

from __future__ import annotations

import math

import numpy as np

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
# Softmax per class (5-class softmax with the default 2**-10 tables), and the AXI control
SOFTMAX_PER_CLASS = {"LUT": 470, "FF": 80, "DSP": 4}


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
    dense, width = block.layers[0], block.out_type.width
    luts = width * (int(dense.result_type.rounding != "AP_TRN") + int(dense.result_type.overflow != "AP_WRAP"))
    for activation in block.layers[1:]:
        luts += width * (int(activation.function == "relu") + int(activation.result_type.rounding != "AP_TRN")
                         + int(activation.result_type.overflow != "AP_WRAP"))
    return luts


def _dense(block) -> dict:
    dense = block.layers[0]
    width = block.values["accum_width"]
    x_bits = dense.input_type.width + int(not dense.input_type.signed)
    totals = {"LUT": 0.0, "FF": 0.0, "DSP": 0}
    dsp_products = 0
    for j in range(dense.n_out):
        weights = [int(w) for w in dense.weight[:, j] if w != 0]
        terms = len(weights) + int(dense.bias[j] != 0 or not weights)
        for w in weights:
            if _is_shift(w):
                continue
            b_bits = signed_bits(w)
            if min(x_bits, b_bits) >= DSP_MIN_OPERAND_BITS:
                totals["DSP"] += dsps_for(x_bits, b_bits)
                dsp_products += 1
            else:
                totals["LUT"] += LUT_PER_SMALL_PRODUCT_BIT * x_bits * b_bits
        adders = max(0, terms - 1)
        totals["LUT"] += LUT_PER_ADDER_BIT * adders * width
        totals["LUT"] += _requantize_luts(block)
        for level, registered in enumerate(block.registers("add")):
            if registered:
                totals["FF"] += FF_PER_TREE_REGISTER_BIT * math.ceil(terms / 2 ** (level + 1)) * width
    if block.register("multiply"):
        # products that went to DSPs are registered inside them (MREG); the rest in fabric flip-flops
        all_terms = int(np.count_nonzero(dense.weight))
        totals["FF"] += (all_terms - dsp_products) * width
    if block.register("requantize"):
        totals["FF"] += block.n_out * block.out_type.width
    return totals


def _elementwise(block) -> dict:
    bits = block.n_out * block.out_type.width
    return {"LUT": bits, "FF": bits * block.latency, "DSP": 0}


def _softmax(block) -> dict:
    return {key: per_class * block.n_out for key, per_class in SOFTMAX_PER_CLASS.items()}


def estimate_block(block) -> dict:
    kind = block.layers[0].kind
    if kind == "dense":
        totals = _dense(block)
    elif kind == "softmax":
        totals = _softmax(block)
    else:
        totals = _elementwise(block)
    return {key: int(round(value)) for key, value in totals.items()} | {"BRAM_18K": 0}


def estimate_core(core) -> dict[str, dict]:
    """{block display name: {LUT, FF, DSP, BRAM_18K}} plus the AXI control."""
    estimates = {" + ".join(layer.name for layer in block.layers): estimate_block(block) for block in core.blocks}
    estimates["(AXI control)"] = {"LUT": 2 * core.latency, "FF": 2 * core.latency, "DSP": 0, "BRAM_18K": 0}
    return estimates
