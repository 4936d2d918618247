"""A Dense after Flatten, streamed: each arriving pixel's contribution added to the outputs as it comes.

The flattened input of P pixels of C channels is x[p*C + c]; the Dense's sums are over p of (pixel p's channels times
its slice of the weight matrix). Per output, the channels with any non-zero weight are shared out over multipliers,
`fold` channels each, one per cycle: a beat takes `fold` cycles (fold 1: one multiplier per output and channel, a beat
per cycle). Each multiplier takes its channel of the beat through a multiplexer and its weight for that pixel and
phase from a ROM addressed by the beat's place in the frame and the phase; per output the products of a cycle are
summed by a tree and added to an accumulator that starts from the bias at the frame's first beat. The sum over the
whole frame leaves a few cycles after the frame's last pixel; no frame is buffered. The sums are those of the Dense
(products cast to the accumulator with wrap, summed modulo its width: any order gives the same codes), so the golden
model is the Dense's own. The planner folds it to the rate its beats arrive at (plan.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...ir.layers import ActivationLayer, DenseLayer
from ..rtl.block import Block, levels_for
from ..rtl.dense import (MAX_LUT_ROM_DEPTH, AccumulatingPlan, OperandSelect, ReuseMultiplier, ReuseNeuron,
                         dense_outputs, input_operand, product_alignment, product_casts, requantize_step)
from ..rtl.lut_multiplier import lut_multiplier_levels, use_lut_multiplier
from ..rtl.pipeline import ADD_LEVEL_COST, MULTIPLY_COST, SELECT_COST, Step


@dataclass(frozen=True)
class DenseBeatsPlan(AccumulatingPlan):
    """A Dense over `beats` beats of `channels` elements, `fold` cycles per beat (dense_beats_layer templates); one
    ROM word per beat and phase (word beat << phase_bits | phase), the multiplexers passing channels of the beat."""

    beats: int
    beat_width: int  # bits of the beat counter
    channels: int
    fold: int  # cycles per beat
    phase_bits: int  # bits of the phase in a ROM address (0 when fold is 1)
    phase_width: int  # bits of the phase register (at least 1)
    all_channels_used: bool


def widest_share(dense: DenseLayer, beats: int) -> int:
    """The most channels any output has a non-zero weight for: folding further saves no multiplier."""
    slices = dense.weight.reshape(beats, dense.n_in // beats, dense.n_out)
    return max(1, int(slices.any(axis=0).sum(axis=0).max(initial=1)))


def dense_beats_block(identifier: str, dense: DenseLayer, activation: ActivationLayer | None, beats: int,
                      fold: int = 1) -> Block:
    """The block of `dense` fed one pixel (n_in / beats elements) per issue, an issue every `fold` cycles; its output
    is the Dense's after the frame's last beat (earlier outputs are partial and dropped by the unit)."""
    channels = dense.n_in // beats
    x_type = dense.input_type
    operand_width = x_type.signed_width  # operands and ROM words are signed: unsigned codes get a zero sign bit
    weight_width = dense.weight_type.signed_width
    common = dense_outputs(dense, activation, "Dense layer streamed a pixel per beat") | \
        product_casts(dense, operand_width + weight_width)
    bias = dense.accumulator_bias()
    slices = dense.weight.reshape(beats, channels, dense.n_out)
    multipliers, schedules, neurons = [], {}, []
    for j in range(dense.n_out):
        used = [c for c in range(channels) if slices[:, c, j].any()]  # channels with no weight take no slot
        first = len(multipliers)
        for start in range(0, len(used), fold):
            chunk = used[start:start + fold]
            schedule = tuple(chunk + [chunk[0]] * (fold - len(chunk)))  # idle phases multiply by zero
            weights = tuple(int(slices[p, chunk[r], j]) if r < len(chunk) else 0
                            for p in range(beats) for r in range(fold))
            select = schedules.setdefault(schedule, len(schedules))  # one multiplexer per channel order
            multipliers.append(ReuseMultiplier(len(multipliers), select, weights))
        neurons.append(ReuseNeuron(j, tuple(range(first, len(multipliers))), int(bias[j])))
    if not multipliers:  # every weight is zero: keep one idle multiplier so the module stays regular
        multipliers.append(ReuseMultiplier(0, 0, (0,) * (beats * fold)))
        schedules[(0,) * fold] = 0
    read = {c for schedule in schedules for c in schedule}
    phase_bits = (fold - 1).bit_length()
    slots = 1 << phase_bits
    rom = tuple(tuple(m.weights[p * fold + r] if r < fold else 0 for m in multipliers)
                for p in range(beats) for r in range(slots))
    to_accum = product_alignment(common["product_width"], dense.accum_type.frac - dense.product_frac,
                                 common["accum_width"]) if dense.exact_products else None
    levels = levels_for(max([len(n.multipliers) for n in neurons] + [1]))
    # the weight changes with the beat: a generic product, in the fabric where that costs less than a DSP is worth
    lut_levels = lut_multiplier_levels(weight_width) if use_lut_multiplier(operand_width, weight_width,
                                                                            dense.luts_per_dsp) else 0
    multiply = ADD_LEVEL_COST * (1 + lut_levels) if lut_levels else MULTIPLY_COST  # a LUT multiplier: select, tree
    steps = [Step("load", 0, fixed=True), Step("multiply", (SELECT_COST if fold > 1 else 0) + multiply)] + \
        [Step(f"add{k}", ADD_LEVEL_COST) for k in range(levels)] + \
        [Step("accumulate", ADD_LEVEL_COST, fixed=True), requantize_step(activation)]
    plan = DenseBeatsPlan(**common, exact_products=dense.exact_products, beats=beats,
                          beat_width=max(1, (beats - 1).bit_length()), channels=channels, fold=fold,
                          phase_bits=phase_bits, phase_width=max(1, phase_bits),
                          operand_width=operand_width, weight_width=weight_width, multipliers=tuple(multipliers),
                          selects=tuple(OperandSelect(k, schedule) for schedule, k in schedules.items()),
                          neurons=tuple(neurons), levels=levels, rom=rom,
                          rom_style="distributed" if len(rom) <= MAX_LUT_ROM_DEPTH else "block", to_accum=to_accum,
                          input_wires=tuple(input_operand(c, x_type, operand_width) for c in sorted(read)),
                          lut_levels=lut_levels, all_channels_used=len(read) == channels)
    block = Block(identifier, "dense_beats_layer", [dense] + ([activation] if activation else []), channels, x_type,
                  dense.n_out, activation.result_type if activation else dense.result_type, steps, plan,
                  extra_cycles=fold - 1, interval=fold, multipliers=len(multipliers), sliceable=True,
                  counts_beats=True)
    block.linear = dense
    return block
