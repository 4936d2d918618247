"""An independent, scalar, slow reference of the IR's arithmetic, written from the ap_fixed rules.

Python integers and Fractions, one event and one value at a time: nothing shared with the
vectorized golden model except the IR it reads, so it checks that model's shortcuts
(float64 dot products, skipped overflow checks, in-place wrap).
"""

from fractions import Fraction
from itertools import product
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


def linear_value(layer, terms: list[tuple[int, int]], bias: int) -> int:
    """One output of a Dense or convolution: the sum of x * w over `terms` plus the bias, in the layer's types."""
    accum, product_frac = layer.accum_type, layer.input_type.frac + layer.weight_type.frac
    if layer.accum_is_exact:
        # Fraction powers of two: fractional bits may be negative (e.g. ap_ufixed<2,3>), and
        # 2**-1 in Python is a float, which Fraction arithmetic must never see.
        scale = Fraction(2) ** -product_frac
        acc = sum(Fraction(x * w) * scale for x, w in terms)
        acc += Fraction(bias) / Fraction(2) ** layer.bias_type.frac
        acc_code = int(acc * Fraction(2) ** accum.frac)
        assert acc == acc_code / Fraction(2) ** accum.frac, "exact accumulator lost bits"
    else:
        wrapping = accum.with_modes(overflow="AP_WRAP")
        acc_code = convert(bias, layer.bias_type.frac, wrapping)
        for x, w in terms:
            acc_code = overflow(acc_code + convert(x * w, product_frac, wrapping), wrapping)
    return convert(acc_code, accum.frac, layer.result_type)


def dense(layer, x: list[int]) -> list[int]:
    return [linear_value(layer, [(x[i], int(layer.weight[i, j])) for i in range(layer.n_in)], int(layer.bias[j]))
            for j in range(layer.n_out)]


def flat_index(index, shape) -> int:
    """Row-major position of a tensor index (channels last: the channel varies fastest)."""
    flat = 0
    for i, n in zip(index, shape):
        flat = flat * n + i
    return flat


def conv(layer, x: list[int]) -> list[int]:
    """Loops over output positions, kernel offsets and channels; padding positions are skipped (they are zero)."""
    spatial_in, channels = layer.input_shape[:-1], layer.input_shape[-1]
    out = []
    for position in product(*(range(n) for n in layer.shape[:-1])):
        window = []  # (input code, kernel index without the filter axis)
        for offset in product(*(range(k) for k in layer.kernel_size)):
            source = [p * s + o - pad for p, s, o, pad in zip(position, layer.strides, offset, layer.pad_before)]
            if all(0 <= i < n for i, n in zip(source, spatial_in)):
                window += [(x[flat_index(source + [c], layer.input_shape)], offset + (c,)) for c in range(channels)]
        for f in range(layer.shape[-1]):
            out.append(linear_value(layer, [(value, int(layer.weight[index + (f,)])) for value, index in window],
                                    int(layer.bias[f])))
    return out


def batchnorm(layer, x: list[int]) -> list[int]:
    channels = len(layer.weight)
    return [linear_value(layer, [(value, int(layer.weight[k % channels]))], int(layer.bias[k % channels]))
            for k, value in enumerate(x)]


RECIPROCAL_FRAC = 18  # ir/layers/pooling.py: 1/n rounded half up to 18 fractional bits


def pool_windows(layer) -> list[list[list[int]]]:
    """Per output position (row-major): the input positions of its window, padding positions left out."""
    spatial_in = layer.input_shape[:-1]
    spatial_out = [(n + before + after - k) // s + 1 for n, k, s, before, after in
                   zip(spatial_in, layer.pool_size, layer.strides, layer.pad_before, layer.pad_after)]
    windows = []
    for position in product(*(range(n) for n in spatial_out)):
        window = []
        for offset in product(*(range(k) for k in layer.pool_size)):
            source = [p * s + o - pad for p, s, o, pad in zip(position, layer.strides, offset, layer.pad_before)]
            if all(0 <= i < n for i, n in zip(source, spatial_in)):
                window.append(source)
        windows.append(window)
    return windows


def average_pooling(layer, x: list[int]) -> list[int]:
    """Window sums (padding excluded) times 1/n, with 1/n rounded to 18 fractional bits, then the result type."""
    out = []
    for window in pool_windows(layer):
        reciprocal = math.floor(Fraction(2 ** RECIPROCAL_FRAC, len(window)) + Fraction(1, 2))
        for c in range(layer.input_shape[-1]):
            total = sum(x[flat_index(source + [c], layer.input_shape)] for source in window)
            out.append(convert(total * reciprocal, layer.input_type.frac + RECIPROCAL_FRAC, layer.result_type))
    return out


def max_pooling(layer, x: list[int]) -> list[int]:
    """The window's largest input (padding excluded), then the result type."""
    return [convert(max(x[flat_index(source + [c], layer.input_shape)] for source in window), layer.input_type.frac,
                    layer.result_type)
            for window in pool_windows(layer) for c in range(layer.input_shape[-1])]


def zero_padding(layer, x: list[int]) -> list[int]:
    out = []
    for index in product(*(range(n) for n in layer.shape)):
        source = [i - before for i, before in zip(index[:-1], layer.before)] + [index[-1]]
        inside = all(0 <= i < n for i, n in zip(source, layer.input_shape))
        out.append(x[flat_index(source, layer.input_shape)] if inside else 0)
    return out


def cropping(layer, x: list[int]) -> list[int]:
    return [x[flat_index([i + before for i, before in zip(index[:-1], layer.before)] + [index[-1]], layer.input_shape)]
            for index in product(*(range(n) for n in layer.shape))]


def upsampling(layer, x: list[int]) -> list[int]:
    return [x[flat_index([i // k for i, k in zip(index[:-1], layer.size)] + [index[-1]], layer.input_shape)]
            for index in product(*(range(n) for n in layer.shape))]


def permute(layer, x: list[int]) -> list[int]:
    out = []
    for index in product(*(range(n) for n in layer.shape)):
        source = [0] * len(index)
        for k, axis in enumerate(layer.axes):  # output axis k is input axis axes[k]
            source[axis] = index[k]
        out.append(x[flat_index(source, layer.input_shape)])
    return out


def softmax(layer, x: list[int]) -> list[int]:
    """Each row (the last axis) on its own."""
    n = layer.shape[-1]
    return [v for start in range(0, len(x), n) for v in softmax_row(layer, x[start:start + n])]


def softmax_row(layer, x: list[int]) -> list[int]:
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


def piecewise_linear(layer, x: list[int]) -> list[int]:
    """The segment whose thresholds the input code passes, its exact line, the clip, then the result type."""
    out = []
    for index, value in enumerate(x):
        row = index % layer.rows  # channels last: the channel varies fastest
        j = sum(value > t for t in layer.thresholds[row])
        exact = layer.scales[row][j] * value + layer.offsets[row][j]
        if layer.low is not None:
            exact = max(exact, layer.low)
        if layer.high is not None:
            exact = min(exact, layer.high)
        out.append(convert(exact, layer.exact_frac, layer.result_type))
    return out


def table(layer, x: list[int]) -> list[int]:
    out = []
    for value in x:
        if layer.tail_start is not None and value >= layer.tail_start:
            out.append(convert(value * layer.tail_scale, layer.tail_frac, layer.result_type))
            continue
        shifted = value + layer.index_offset
        index = shifted >> layer.index_shift if layer.index_shift >= 0 else shifted << -layer.index_shift
        out.append(int(layer.table[min(max(index, 0), len(layer.table) - 1)]))
    return out


def elementwise(layer, a: list[int], b: list[int]) -> list[int]:
    """Exact sum, difference, product, average, maximum or minimum of the codes (aligned to common fractional bits),
    then the result type."""
    fa, fb = (t.frac for t in layer.input_types)
    if layer.operation == "multiply":
        return [convert(x * y, fa + fb, layer.result_type) for x, y in zip(a, b)]
    frac = max(fa, fb)
    pairs = [(x * 2 ** (frac - fa), y * 2 ** (frac - fb)) for x, y in zip(a, b)]
    if layer.operation in ("maximum", "minimum"):
        pick = max if layer.operation == "maximum" else min
        return [convert(pick(x, y), frac, layer.result_type) for x, y in pairs]
    if layer.operation == "average":  # the sum, halved: one more fractional bit
        return [convert(x + y, frac + 1, layer.result_type) for x, y in pairs]
    sign = -1 if layer.operation == "subtract" else 1
    return [convert(x + sign * y, frac, layer.result_type) for x, y in pairs]


def concatenate(layer, a: list[int], b: list[int]) -> list[int]:
    """Row-major: per index before the axis, a's block then b's, each element converted to the result type."""
    parts = []
    for codes, shape, t in zip((a, b), layer.input_shapes, layer.input_types):
        rows = math.prod(shape[:layer.axis])
        block = len(codes) // rows
        parts.append([[convert(v, t.frac, layer.result_type) for v in codes[r * block:(r + 1) * block]]
                      for r in range(rows)])
    return [v for row_a, row_b in zip(*parts) for v in row_a + row_b]


def dot(layer, a: list[int], b: list[int]) -> list[int]:
    fa, fb = (t.frac for t in layer.input_types)
    return [convert(sum(x * y for x, y in zip(a, b)), fa + fb, layer.result_type)]


SINGLE_INPUT = {"dense": dense, "conv": conv, "batchnorm": batchnorm, "average_pooling": average_pooling,
                "max_pooling": max_pooling, "zero_padding": zero_padding, "cropping": cropping,
                "upsampling": upsampling, "permute": permute, "softmax": softmax, "piecewise_linear": piecewise_linear,
                "table_activation": table,
                "reshape": lambda layer, x: x}  # reshape: the same codes in the same order
MERGES = {"elementwise_merge": elementwise, "concatenate": concatenate, "dot": dot}


def run(graph, features: list[float]) -> list[int]:
    """The graph's outputs side by side (graph.outputs order) for one event."""
    t = graph.input.result_type
    tensors = {graph.input.name: [overflow(round_to_int(Fraction(float(v)) * Fraction(2) ** t.frac, t.rounding), t)
                                  for v in features]}
    for layer in graph.layers:
        inputs = [tensors[name] for name in layer.inputs]
        if layer.kind == "activation":
            x = inputs[0]
            tensors[layer.name] = [convert(max(v, 0) if layer.function == "relu" else v, layer.input_type.frac,
                                           layer.result_type) for v in x]
        elif layer.kind in SINGLE_INPUT:
            tensors[layer.name] = SINGLE_INPUT[layer.kind](layer, inputs[0])
        elif layer.kind in MERGES:
            tensors[layer.name] = MERGES[layer.kind](layer, *inputs)
        else:
            raise NotImplementedError(f"the reference model has no {layer.kind} layer")
    return [v for name in graph.outputs for v in tensors[name]]
