"""An independent reference of the recurrent layers: a plain loop over time steps on integer codes.

It reads only the Keras-layout weights of a RecurrentSpec and the types a test gives, and computes each cell's
equations as rtl4ml documents them (docs/recurrent.md), one value at a time with Python Fractions: nothing of
the lowering to Dense, merge and activation layers (the step order, the gate order, the bias placement, the
[x; h] rows, the stacking of the states) is shared, so the golden model's graph of cells is checked against it.
The activations are the IR's own tables (checked on their own elsewhere), read through the scalar reference.
"""

from fractions import Fraction

import numpy as np

import reference_model
from rtl4ml.config import LayerSettings
from rtl4ml.fixed_point import FixedType, bits_for_range, quantize_float
from rtl4ml.ir.activation_layers import build_activation_layer


def to(t, value: Fraction) -> int:
    """The code of the exact `value` in type t (its rounding and overflow)."""
    return reference_model.overflow(reference_model.round_to_int(value * Fraction(2) ** t.frac, t.rounding), t)


def real(code: int, t) -> Fraction:
    return Fraction(int(code)) / Fraction(2) ** t.frac


class Cell:
    def __init__(self, spec, types: dict, input_type, table_size=None):
        self.spec, self.types, self.input_type = spec, types, input_type
        self.kernel = quantize_float(spec.kernel, types["weight"])
        self.recurrent = quantize_float(spec.recurrent_kernel, types["recurrent_weight"])
        self.bias = quantize_float(spec.bias, types["bias"])
        self.recurrent_bias = None if spec.recurrent_bias is None else quantize_float(spec.recurrent_bias,
                                                                                      types["bias"])
        self.settings = LayerSettings(precision={}, table_size=table_size)

    def act(self, function, codes: list[int], input_type, result_type) -> list[int]:
        name, parameters = function
        layer = build_activation_layer("f", ("x",), (len(codes),), name, parameters, input_type, result_type,
                                       self.settings)
        if layer.kind == "activation":  # relu or linear
            return [reference_model.convert(max(v, 0) if name == "relu" else v, input_type.frac, result_type)
                    for v in codes]
        return reference_model.SINGLE_INPUT[layer.kind](layer, codes)

    def pre(self, gate: int, x: list[int], h: list[int] | None, with_x=True, with_h=True, bias=None) -> list[int]:
        """Per unit: sum_f x_f W[f, j] + sum_k h_k U[k, j] + b_j of gate `gate`, in the preactivation type."""
        t, units = self.types, self.spec.units
        out = []
        for j in range(gate * units, (gate + 1) * units):
            total = real(self.bias[j] if bias is None else bias[j], t["bias"])
            if with_x:
                total += sum(real(xf, self.input_type) * real(self.kernel[f, j], t["weight"])
                             for f, xf in enumerate(x))
            if with_h and h is not None:
                total += sum(real(hk, t["result"]) * real(self.recurrent[k, j], t["recurrent_weight"])
                             for k, hk in enumerate(h))
            out.append(to(t["preactivation"], total))
        return out

    def run(self, x_codes) -> list[int]:
        """The layer's output codes for one sequence [steps][features] of input codes."""
        spec, t = self.spec, self.types
        steps = list(range(len(x_codes)))[::-1] if spec.go_backwards else list(range(len(x_codes)))
        h, c, states = None, None, []
        for step in steps:
            x = [int(v) for v in x_codes[step]]
            if spec.cell == "simple_rnn":
                h = self.act(spec.activation, self.pre(0, x, h), t["preactivation"], t["result"])
            elif spec.cell == "lstm":
                h, c = self.lstm(x, h, c)
            else:
                h = self.gru(x, h)
            states.append(h)
        return [v for state in states for v in state] if spec.return_sequences else states[-1]

    def lstm(self, x, h, c):
        spec, t = self.spec, self.types
        i, f, o = (self.act(spec.recurrent_activation, self.pre(g, x, h), t["preactivation"], t["gate"])
                   for g in (0, 1, 3))
        g = self.act(spec.activation, self.pre(2, x, h), t["preactivation"], t["candidate"])
        ig = [real(a, t["gate"]) * real(b, t["candidate"]) for a, b in zip(i, g)]
        if c is None:
            c = [to(t["cell"], v) for v in ig]
        else:
            fc = [product_to_sum(real(a, t["gate"]) * real(b, t["cell"]), t["gate"], t["cell"], t["cell"])
                  for a, b in zip(f, c)]
            ig = [product_to_sum(v, t["gate"], t["candidate"], t["cell"]) for v in ig]
            c = [to(t["cell"], a + b) for a, b in zip(fc, ig)]
        squashed = self.act(spec.activation, c, t["cell"], t["candidate"])
        return [to(t["result"], real(a, t["gate"]) * real(b, t["candidate"])) for a, b in zip(o, squashed)], c

    def gru(self, x, h):
        spec, t, units = self.spec, self.types, self.spec.units
        # Keras adds the recurrent bias to U h of every gate: z and r read both biases, summed before rounding
        both = self.bias if self.recurrent_bias is None else quantize_float(spec.bias + spec.recurrent_bias, t["bias"])
        z, r = (self.act(spec.recurrent_activation, self.pre(g, x, h, bias=both), t["preactivation"], t["gate"])
                for g in (0, 1))
        if spec.reset_after:
            pre_x = self.pre(2, x, h, with_h=False)
            pre_h = self.pre(2, x, h, with_x=False, bias=self.recurrent_bias)
            reset = [product_to_sum(real(a, t["gate"]) * real(b, t["preactivation"]), t["gate"], t["preactivation"],
                                    t["preactivation"]) for a, b in zip(r, pre_h)]
            pre = [to(t["preactivation"], real(a, t["preactivation"]) + b) for a, b in zip(pre_x, reset)]
        else:
            rh = None if h is None else [to(t["result"], real(a, t["gate"]) * real(b, t["result"]))
                                         for a, b in zip(r, h)]
            pre = self.pre(2, x, rh)
        cand = self.act(spec.activation, pre, t["preactivation"], t["candidate"])
        previous = [0] * units if h is None else h
        # h = z * h + (1 - z) * cand = cand + z * (h - cand): the difference exact, the product feeding the sum
        difference = difference_type(t["result"], t["candidate"])
        kept = [product_to_sum(real(a, t["gate"]) * (real(b, t["result"]) - real(cc, t["candidate"])), t["gate"],
                               difference, t["result"]) for a, b, cc in zip(z, previous, cand)]
        return [to(t["result"], real(cc, t["candidate"]) + k) for cc, k in zip(cand, kept)]


def difference_type(a, b):
    """The exact type of a - b (its codes' range at the finer fraction)."""
    frac = max(a.frac, b.frac)
    low = (a.min_code << (frac - a.frac)) - (b.max_code << (frac - b.frac))
    high = (a.max_code << (frac - a.frac)) - (b.min_code << (frac - b.frac))
    width, signed = bits_for_range(low, high)
    return FixedType(width, width - frac, signed)


def product_to_sum(value: Fraction, a, b, rounded) -> Fraction:
    """A product feeding a sum: exact when its exact type (the range of a * b at both fractions) fits 32 bits, else
    rounded to `rounded`, as the cells document it."""
    ends = [x * y for x in (a.min_code, a.max_code) for y in (b.min_code, b.max_code)]
    width, _ = bits_for_range(min(ends), max(ends))
    return value if width <= 32 else real(to(rounded, value), rounded)


def run(spec, types: dict, input_type, x_codes, table_size=None) -> np.ndarray:
    cell = Cell(spec, types, input_type, table_size)
    return np.array([cell.run(sequence) for sequence in x_codes])
