"""An independent, scalar, slow reference of the IR's arithmetic, written from the ap_fixed rules.

Python integers and Fractions, one event and one value at a time: nothing shared with the
vectorized golden model except the IR it reads, so it checks that model's shortcuts
(float64 dot products, skipped overflow checks, in-place wrap).
"""

from fractions import Fraction
import math

from rtl4ml.fixed_point import FixedType


def round_to_int(value: Fraction, mode: str) -> int:
    floor = math.floor(value)
    frac = value - floor
    if mode == "AP_TRN":
        return floor
    if mode == "AP_TRN_ZERO":
        return floor + (1 if value < 0 and frac else 0)
    if frac != Fraction(1, 2):
        return floor + (1 if frac > Fraction(1, 2) else 0)
    return {"AP_RND": floor + 1, "AP_RND_ZERO": floor + (value < 0), "AP_RND_MIN_INF": floor,
            "AP_RND_INF": floor + (value > 0), "AP_RND_CONV": floor + (floor % 2)}[mode]


def overflow(value: int, t: FixedType) -> int:
    lo, hi = t.min_code, t.max_code
    if t.overflow == "AP_SAT_SYM" and t.signed and value <= lo:
        return -hi
    if lo <= value <= hi:
        return value
    if t.overflow == "AP_WRAP":
        return (value - lo) % (1 << t.width) + lo
    if t.overflow == "AP_SAT_ZERO":
        return 0
    return max(-hi if t.overflow == "AP_SAT_SYM" and t.signed else lo, min(hi, value))


def convert(code: int, frac: int, t: FixedType) -> int:
    """ap_fixed conversion of the exact value code * 2**-frac to type t."""
    return overflow(round_to_int(Fraction(code) * Fraction(2) ** (t.frac - frac), t.rounding), t)


def dense(layer, x: list[int]) -> list[int]:
    accum, product_frac = layer.accum_type, layer.input_type.frac + layer.weight_type.frac
    wrapping = accum.with_modes(overflow="AP_WRAP")
    out = []
    for j in range(layer.n_out):
        if layer.accum_is_exact:
            # Fraction powers of two: fractional bits may be negative (e.g. ap_ufixed<2,3>), and
            # 2**-1 in Python is a float, which Fraction arithmetic must never see.
            scale = Fraction(2) ** -product_frac
            acc = sum(Fraction(x[i] * int(layer.weight[i, j])) * scale for i in range(layer.n_in))
            acc += Fraction(int(layer.bias[j])) / Fraction(2) ** layer.bias_type.frac
            acc_code = int(acc * Fraction(2) ** accum.frac)
            assert acc == acc_code / Fraction(2) ** accum.frac, "exact accumulator lost bits"
        else:
            acc_code = convert(int(layer.bias[j]), layer.bias_type.frac, wrapping)
            for i in range(layer.n_in):
                acc_code = overflow(acc_code + convert(x[i] * int(layer.weight[i, j]), product_frac, wrapping),
                                    wrapping)
        out.append(convert(acc_code, accum.frac, layer.result_type))
    return out


def softmax(layer, x: list[int]) -> list[int]:
    def pow2(exponent: int) -> int:
        return int(layer.pow2[exponent % (1 << layer.log_frac)]) // 2 ** (exponent // (1 << layer.log_frac))

    top = max(x)
    ys = []
    for value in x:
        d = min((top - value) // 2 ** layer.d_shift, (1 << layer.d_bits) - 1)
        ys.append(int(layer.log_hi[d // (1 << layer.lo_bits)]) + int(layer.log_lo[d % (1 << layer.lo_bits)]))
    total = sum(pow2(y) for y in ys)
    log_sum = int(layer.log_sum[min((total - (1 << layer.exp_frac)) // 2 ** layer.sum_shift, len(layer.log_sum) - 1)])
    return [convert(pow2(y + log_sum), layer.exp_frac, layer.result_type) for y in ys]


def table(layer, x: list[int]) -> list[int]:
    out = []
    for value in x:
        shifted = value + layer.index_offset
        index = shifted >> layer.index_shift if layer.index_shift >= 0 else shifted << -layer.index_shift
        out.append(int(layer.table[min(max(index, 0), len(layer.table) - 1)]))
    return out


def run(graph, features: list[float]) -> list[int]:
    t = graph.input.result_type
    x = [overflow(round_to_int(Fraction(float(v)) * Fraction(2) ** t.frac, t.rounding), t) for v in features]
    for layer in graph.layers:
        if layer.kind == "dense":
            x = dense(layer, x)
        elif layer.kind == "activation":
            x = [convert(max(v, 0) if layer.function == "relu" else v, layer.input_type.frac, layer.result_type)
                 for v in x]
        elif layer.kind == "softmax":
            x = softmax(layer, x)
        else:
            x = table(layer, x)
    return x
