"""A Dense after Flatten, streamed: each arriving pixel's contribution added to the outputs as it comes.

The flattened input of P pixels of C channels is x[p*C + c]; the Dense's sums are over p of (pixel p's channels times
its slice of the weight matrix). One multiplier per (output, channel) pair with any non-zero weight takes channel c of
the beat and its weight for that pixel from a ROM addressed by the beat's place in the frame; per output the products
of a beat are summed by a tree and added to an accumulator that starts from the bias at the frame's first beat. The
sum over the whole frame leaves a few cycles after the frame's last pixel; no frame is buffered. The sums are those of
the Dense (products cast to the accumulator with wrap, summed modulo its width: any order gives the same codes), so
the golden model is the Dense's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...ir.layers import ActivationLayer, DenseLayer
from ..rtl.block import Block, Requantize, levels_for
from ..rtl.dense import (MAX_LUT_ROM_DEPTH, InputOperand, ProductAlignment, ReuseMultiplier, ReuseNeuron,
                         dense_outputs, input_operand, product_alignment, product_casts, requantize_step)
from ..rtl.pipeline import ADD_LEVEL_COST, MULTIPLY_COST, Step


@dataclass(frozen=True)
class DenseBeatsPlan:
    """A Dense over `beats` beats of `channels` elements (dense_beats_layer templates)."""

    description: str
    accum_width: int
    exact_products: bool
    product_width: int
    product_requantize: Requantize
    result_requantize: Requantize
    activation_requantize: Requantize | None
    beats: int
    beat_width: int  # bits of the beat counter
    channels: int
    operand_width: int
    weight_width: int
    multipliers: tuple[ReuseMultiplier, ...]  # `select`: the channel of the beat it multiplies
    neurons: tuple[ReuseNeuron, ...]
    levels: int
    rom: tuple[tuple[int, ...], ...]  # per beat: every multiplier's weight code (weight_width bits each)
    rom_style: str  # distributed | block
    to_accum: ProductAlignment | None  # every product into the accumulator (exact products only)
    input_wires: tuple[InputOperand, ...]  # the beat's channels, read from its latch x_reg
    selects: tuple = ()  # no operand multiplexers: multiplier k reads channel `select` of the beat

    @property
    def rom_depth(self) -> int:
        return self.beats


def dense_beats_block(identifier: str, dense: DenseLayer, activation: ActivationLayer | None, beats: int) -> Block:
    """The block of `dense` fed one pixel (n_in / beats elements) per issue; its output is the Dense's after the
    frame's last beat (earlier outputs are partial and dropped by the unit)."""
    channels = dense.n_in // beats
    x_type = dense.input_type
    operand_width = x_type.signed_width  # operands and ROM words are signed: unsigned codes get a zero sign bit
    weight_width = dense.weight_type.signed_width
    common = dense_outputs(dense, activation, "Dense layer streamed a pixel per beat") | \
        product_casts(dense, operand_width + weight_width)
    bias = dense.accumulator_bias()
    slices = dense.weight.reshape(beats, channels, dense.n_out)
    multipliers, neurons = [], []
    for j in range(dense.n_out):
        first = len(multipliers)
        for c in range(channels):
            if slices[:, c, j].any():  # a channel whose weights for this output are all zero takes no multiplier
                multipliers.append(ReuseMultiplier(len(multipliers), c, tuple(int(w) for w in slices[:, c, j])))
        neurons.append(ReuseNeuron(j, tuple(range(first, len(multipliers))), int(bias[j])))
    if not multipliers:  # every weight is zero: keep one idle multiplier so the module stays regular
        multipliers.append(ReuseMultiplier(0, 0, (0,) * beats))
    to_accum = product_alignment(common["product_width"], dense.accum_type.frac - dense.product_frac,
                                 common["accum_width"]) if dense.exact_products else None
    levels = levels_for(max([len(n.multipliers) for n in neurons] + [1]))
    steps = [Step("load", 0, fixed=True), Step("multiply", MULTIPLY_COST)] + \
        [Step(f"add{k}", ADD_LEVEL_COST) for k in range(levels)] + \
        [Step("accumulate", ADD_LEVEL_COST, fixed=True), requantize_step(activation)]
    plan = DenseBeatsPlan(**common, exact_products=dense.exact_products, beats=beats,
                          beat_width=max(1, (beats - 1).bit_length()), channels=channels,
                          operand_width=operand_width, weight_width=weight_width, multipliers=tuple(multipliers),
                          neurons=tuple(neurons), levels=levels,
                          rom=tuple(tuple(m.weights[beat] for m in multipliers) for beat in range(beats)),
                          rom_style="distributed" if beats <= MAX_LUT_ROM_DEPTH else "block", to_accum=to_accum,
                          input_wires=tuple(input_operand(c, x_type, operand_width) for c in range(channels)))
    block = Block(identifier, "dense_beats_layer", [dense] + ([activation] if activation else []), channels, x_type,
                  dense.n_out, activation.result_type if activation else dense.result_type, steps, plan,
                  multipliers=len(multipliers), sliceable=True, counts_beats=True)
    block.linear = dense
    return block
