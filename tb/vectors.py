"""Reference vectors shared by a hand-written primitive's Verilog (cocotb) and VHDL (VUnit) testbenches.

Both twins are checked on the same parameter sets and the same inputs against the same Python reference
(rtl4ml.fixed_point), so they are the same circuit as far as these vectors reach.
"""

from __future__ import annotations

import random

import numpy as np

from rtl4ml.backends.rtl.lut_multiplier import lut_multiplier_levels
from rtl4ml.fixed_point import OVERFLOW_MODES, ROUNDING_MODES, FixedType, requantize

REQUANTIZE_SHAPE = {"IN_WIDTH": 9, "IN_FRAC": 5, "IN_SIGNED": 1, "OUT_WIDTH": 5, "OUT_FRAC": 2, "OUT_SIGNED": 1,
                    "RELU": 0}
REQUANTIZE_CASES = (
    [dict(REQUANTIZE_SHAPE, ROUNDING=r, OVERFLOW=1) for r in range(len(ROUNDING_MODES))]
    + [dict(REQUANTIZE_SHAPE, ROUNDING=6, OVERFLOW=o) for o in (0, 2, 3)]
    + [
        # unsigned in, signed out, fused ReLU, fewer fractional bits out
        {"IN_WIDTH": 8, "IN_FRAC": 8, "IN_SIGNED": 0, "OUT_WIDTH": 4, "OUT_FRAC": 3, "OUT_SIGNED": 1, "RELU": 1,
         "ROUNDING": 2, "OVERFLOW": 1},
        # left shift (more fractional bits out) with wrap, signed to unsigned with ReLU
        {"IN_WIDTH": 6, "IN_FRAC": 1, "IN_SIGNED": 1, "OUT_WIDTH": 7, "OUT_FRAC": 3, "OUT_SIGNED": 0, "RELU": 1,
         "ROUNDING": 0, "OVERFLOW": 0},
        # wide accumulator to a narrow result: the jet tagger's shape
        {"IN_WIDTH": 30, "IN_FRAC": 20, "IN_SIGNED": 1, "OUT_WIDTH": 16, "OUT_FRAC": 10, "OUT_SIGNED": 1,
         "RELU": 0, "ROUNDING": 0, "OVERFLOW": 0},
        # every bit dropped (shift beyond the input width) with symmetric saturation
        {"IN_WIDTH": 4, "IN_FRAC": 9, "IN_SIGNED": 1, "OUT_WIDTH": 3, "OUT_FRAC": 0, "OUT_SIGNED": 1, "RELU": 0,
         "ROUNDING": 3, "OVERFLOW": 3},
        # a ReLU into an unsigned saturating type (ap_ufixed<5,3,AP_RND,AP_SAT>): large values clip to all ones
        {"IN_WIDTH": 10, "IN_FRAC": 4, "IN_SIGNED": 1, "OUT_WIDTH": 5, "OUT_FRAC": 2, "OUT_SIGNED": 0, "RELU": 1,
         "ROUNDING": 2, "OVERFLOW": 1},
        # signed into unsigned without a ReLU, zeroing on overflow either way (AP_SAT_ZERO)
        {"IN_WIDTH": 9, "IN_FRAC": 3, "IN_SIGNED": 1, "OUT_WIDTH": 4, "OUT_FRAC": 1, "OUT_SIGNED": 0, "RELU": 0,
         "ROUNDING": 6, "OVERFLOW": 2},
        # a narrow code rounded into a much wider unsigned type (ap_fixed<4,1> to ap_ufixed<8,8,AP_RND,AP_SAT>): the
        # output's bounds need more bits than the rounded value
        {"IN_WIDTH": 4, "IN_FRAC": 3, "IN_SIGNED": 1, "OUT_WIDTH": 8, "OUT_FRAC": 0, "OUT_SIGNED": 0, "RELU": 0,
         "ROUNDING": 2, "OVERFLOW": 1},
    ]
)


def case_id(parameters: dict) -> str:
    return "-".join(f"{key.lower()}{value}" for key, value in parameters.items())


def requantize_inputs(width: int, signed: bool) -> np.ndarray:
    """Every input code up to 12 bits; else the extremes, -1, 0 and 4000 random codes."""
    low = -(1 << (width - 1)) if signed else 0
    if width <= 12:
        return np.arange(low, low + (1 << width), dtype=np.int64)
    rng = np.random.default_rng(width)
    edges = np.array([low, low + 1, -1 if signed else 1, 0, low + (1 << width) - 1], dtype=np.int64)
    return np.concatenate([edges, rng.integers(low, low + (1 << width), 4000, dtype=np.int64)])


def requantize_vectors(p: dict) -> tuple[np.ndarray, np.ndarray]:
    """(input codes, expected output codes) of one parameter set, from rtl4ml.fixed_point.requantize."""
    target = FixedType(p["OUT_WIDTH"], p["OUT_WIDTH"] - p["OUT_FRAC"], bool(p["OUT_SIGNED"]),
                       ROUNDING_MODES[p["ROUNDING"]], OVERFLOW_MODES[p["OVERFLOW"]])
    codes = requantize_inputs(p["IN_WIDTH"], bool(p["IN_SIGNED"]))
    return codes, requantize(np.maximum(codes, 0) if p["RELU"] else codes, p["IN_FRAC"], target)


PIPE_REG_CASES = tuple({"WIDTH": 12, "STAGES": stages} for stages in (0, 1, 3))


def delay_line_vectors(stages: int, width: int, cycles: int = 400, seed: int = 0,
                       function=lambda value: value) -> list[dict]:
    """Per cycle the inputs (ce, in_data of `width` bits, random) and the output before the clock edge (out_data)
    of `function` of the input `stages` enabled cycles earlier; `checked` once the line has filled (a wire:
    always, out_data = function(in_data) at once)."""
    rng = random.Random(seed)
    history, rows = [], []
    for _ in range(cycles):
        enable, value = rng.random() < 0.7, rng.getrandbits(width)
        if stages == 0:
            rows.append({"checked": 1, "ce": int(enable), "in_data": value, "out_data": function(value)})
            continue
        filled = len(history) >= stages
        rows.append({"checked": int(filled), "ce": int(enable), "in_data": value,
                     "out_data": function(history[-stages]) if filled else 0})
        if enable:
            history.append(value)
    return rows


REDUCTION_TREE_CASES = (
    {"OPERATION": "ADD", "N": 1, "WIDTH": 8, "LEVELS": 0, "REG_MASK": 0},
    {"OPERATION": "ADD", "N": 5, "WIDTH": 10, "LEVELS": 3, "REG_MASK": 0b101},
    {"OPERATION": "ADD", "N": 17, "WIDTH": 12, "LEVELS": 6, "REG_MASK": 0b110011},
    {"OPERATION": "MAX", "N": 5, "WIDTH": 9, "LEVELS": 3, "REG_MASK": 0b010},
    {"OPERATION": "MAXU", "N": 4, "WIDTH": 9, "LEVELS": 2, "REG_MASK": 0b11},
)


def _split(value: int, n: int, width: int, signed: bool) -> list[int]:
    terms = [(value >> (i * width)) & ((1 << width) - 1) for i in range(n)]
    return [t - (1 << width) if signed and t >> (width - 1) else t for t in terms]


def reduction_reference(p: dict):
    """The tree's output code as a function of its packed input (sum mod 2**WIDTH, signed or unsigned max)."""
    width, n, operation = p["WIDTH"], p["N"], p["OPERATION"].strip('"')
    if operation == "ADD":
        return lambda value: sum(_split(value, n, width, False)) & ((1 << width) - 1)
    return lambda value: max(_split(value, n, width, operation == "MAX")) & ((1 << width) - 1)


LOOKUP_TABLE_CASES = (
    {"ADDR_WIDTH": 6, "DATA_WIDTH": 18, "DEPTH": 64},
    {"ADDR_WIDTH": 6, "DATA_WIDTH": 7, "DEPTH": 41},
    {"ADDR_WIDTH": 1, "DATA_WIDTH": 3, "DEPTH": 1},
)


def lookup_table_contents(parameters: dict) -> list[int]:
    """The entries of one parameter set (seeded by its shape)."""
    rng = random.Random(parameters["DEPTH"] * 31 + parameters["DATA_WIDTH"])
    return [rng.randrange(1 << parameters["DATA_WIDTH"]) for _ in range(parameters["DEPTH"])]


AXIS_CONTROL_CASES = tuple({"LATENCY": latency, "INTERVAL": interval} for latency, interval in
                           ((1, 1), (4, 1), (1, 2), (5, 3)))


def axis_control_vectors(latency: int, interval: int, cycles: int = 600, seed: int = 0) -> list[dict]:
    """Per cycle the inputs of axis_pipeline_control and its outputs before the clock edge, from a
    cycle-accurate model of rtl/axis_pipeline_control.v: reset for two cycles, then random valid, tlast and
    backpressure, and a reset in the middle. `checked`: the outputs are defined (after the first reset's edge;
    m_last only with m_valid)."""
    rng = random.Random(seed)
    valid, last, wait = [0] * latency, [0] * latency, 0
    rows = []
    for cycle in range(cycles):
        rst = int(cycle < 2 or cycle == cycles // 2)
        s_valid, s_last, m_ready = int(rng.random() < 0.7), rng.randrange(2), int(rng.random() < 0.6)
        ce = int(not valid[-1] or m_ready)
        s_ready = int(ce and not rst and wait == 0)
        rows.append({"checked": int(cycle >= 1), "rst": rst, "s_valid": s_valid, "s_last": s_last, "m_ready": m_ready,
                     "s_ready": s_ready, "m_valid": int(valid[-1] and not rst), "m_last": last[-1], "ce": ce,
                     "stage_valid": sum(bit << k for k, bit in enumerate(valid))})
        accept = s_valid and s_ready
        if ce:
            valid, last = [int(accept)] + valid[:-1], [s_last] + last[:-1]
            wait = interval - 1 if accept else max(wait - 1, 0)
        if rst:
            valid, wait = [0] * latency, 0
    return rows


VALID_STREAM_CASES = ({"IN_WIDTH": 12, "OUT_WIDTH": 9},)
AP_CTRL_CASES = ({"IN_WIDTH": 10, "OUT_WIDTH": 6, "MAX_IN_FLIGHT": 8},)


def valid_stream_vectors(in_width: int, out_width: int, cycles: int = 300, seed: int = 1) -> list[dict]:
    """Per cycle the inputs and outputs (before the edge) of a cycle-accurate model of
    rtl/valid_stream_adapter.v: wiring, plus the sticky `overrun` (set by an in_valid the core refuses,
    cleared by rst, defined from the first reset on: `checked`)."""
    rng = random.Random(seed)
    overrun, rows = 0, []
    for cycle in range(cycles):
        row = {"checked": int(cycle >= 1), "rst": int(cycle < 2 or cycle == cycles // 2),
               "in_valid": int(rng.random() < 0.6), "in_data": rng.getrandbits(in_width),
               "s_ready": int(rng.random() < 0.7), "m_data": rng.getrandbits(out_width),
               "m_valid": int(rng.random() < 0.5)}
        row.update(overrun=overrun, s_data=row["in_data"], s_valid=row["in_valid"], s_last=1, m_ready=1,
                   out_valid=row["m_valid"], out_data=row["m_data"])
        rows.append(row)
        overrun = 0 if row["rst"] else overrun | (row["in_valid"] and not row["s_ready"])
    return rows


def ap_ctrl_vectors(in_width: int, out_width: int, max_in_flight: int, cycles: int = 300,
                    seed: int = 2) -> list[dict]:
    """Per cycle the inputs and outputs (before the edge) of a cycle-accurate model of rtl/ap_ctrl_hs_adapter.v:
    ap_ready = ap_start and the core's ready, ap_done with the core's output, ap_idle when no start is pending
    and the in-flight count (defined from the first reset on: `checked`) is zero."""
    rng = random.Random(seed)
    count_bits = max_in_flight.bit_length()  # $clog2(MAX_IN_FLIGHT + 1)
    in_flight, rows = 0, []
    for cycle in range(cycles):
        start, s_ready = int(rng.random() < 0.5), int(rng.random() < 0.7)
        # the core answers only events it took (the model wraps like the counter if it did not)
        m_valid = int(in_flight > 0 and rng.random() < 0.5)
        row = {"checked": int(cycle >= 1), "rst": int(cycle < 2 or cycle == cycles // 2), "start": start,
               "in_data": rng.getrandbits(in_width), "s_ready": s_ready, "m_data": rng.getrandbits(out_width),
               "m_valid": m_valid}
        ready = int(start and s_ready)
        row.update(ready=ready, done=m_valid, idle=int(not start and in_flight == 0), s_data=row["in_data"],
                   s_valid=start, s_last=1, m_ready=1, out_data=row["m_data"], out_vld=m_valid)
        rows.append(row)
        if ready and not m_valid:
            in_flight = (in_flight + 1) % (1 << count_bits)
        elif m_valid and not ready:
            in_flight = (in_flight - 1) % (1 << count_bits)
        if row["rst"]:
            in_flight = 0
    return rows


# add3 (the ternary adder): every sign pattern with at most two subtracted operands, widths around the carry
# chain's segments (1 bit, a partial segment, exactly one, more than one). The chain length only matters to
# synthesis (simulation computes one expression); tests/test_add3_synthesis.py proves both chains.
ADD3_CASES = [{"WIDTH": width, "NEGATE": negate, "CARRY_CHAIN": chain} for width, negate, chain in
              [(1, 0b011, 8), (3, 0b010, 8), (5, 0b101, 4), (8, 0b000, 8), (13, 0b110, 8), (16, 0b100, 8),
               (17, 0b001, 4), (12, 0b011, 4)]]


def add3_vectors(parameters: dict) -> list[tuple[int, int, int, int]]:
    """(x, y, z, x +- y +- z modulo 2**WIDTH): every triple up to 5 bits, else corners and 3000 random triples."""
    width, negate = parameters["WIDTH"], parameters["NEGATE"]
    top = (1 << width) - 1
    if width <= 5:
        triples = [(x, y, z) for x in range(top + 1) for y in range(top + 1) for z in range(top + 1)]
    else:
        corners = [0, 1, top, top - 1, 1 << (width - 1), (1 << (width - 1)) - 1]
        rng = np.random.default_rng(width * 8 + negate)
        triples = [(x, y, z) for x in corners for y in corners for z in corners]
        triples += [tuple(int(v) for v in rng.integers(0, top + 1, size=3)) for _ in range(3000)]
    signs = [-1 if (negate >> k) & 1 else 1 for k in range(3)]
    return [(x, y, z, (signs[0] * x + signs[1] * y + signs[2] * z) % (top + 1)) for x, y, z in triples]


# (A_WIDTH, B_WIDTH): 1-bit operands, odd and even b (the sign digit), a wider than and narrower than b
LUT_MULTIPLIER_CASES = [{"A_WIDTH": a, "B_WIDTH": b, "LEVELS": lut_multiplier_levels(b)} for a, b in
                        [(1, 1), (4, 1), (5, 2), (6, 5), (3, 6), (9, 6), (13, 8), (7, 12)]]


def lut_multiplier_vectors(parameters: dict) -> list[tuple[int, int, int]]:
    """(a, b, a * b as A_WIDTH + B_WIDTH bits), operands as unsigned codes of two's complement values: every pair
    up to 12 bits in all, else the corners and 3000 random pairs."""
    a_width, b_width = parameters["A_WIDTH"], parameters["B_WIDTH"]

    def codes(width: int) -> list[int]:
        if a_width + b_width <= 12:
            return list(range(1 << width))
        return [0, 1, (1 << width) - 1, 1 << (width - 1), (1 << (width - 1)) - 1]

    def signed(code: int, width: int) -> int:
        return code - (1 << width) if code >> (width - 1) else code

    pairs = [(a, b) for a in codes(a_width) for b in codes(b_width)]
    if a_width + b_width > 12:
        rng = np.random.default_rng(a_width * 32 + b_width)
        pairs += [(int(rng.integers(0, 1 << a_width)), int(rng.integers(0, 1 << b_width))) for _ in range(3000)]
    mask = (1 << (a_width + b_width)) - 1
    return [(a, b, (signed(a, a_width) * signed(b, b_width)) & mask) for a, b in pairs]


SKID_BUFFER_CASES = ({"DATA_WIDTH": 1}, {"DATA_WIDTH": 13})


def skid_buffer_vectors(width: int, cycles: int = 400, seed: int = 3) -> list[dict]:
    """Per cycle the inputs and outputs (before the edge) of a cycle-accurate model of rtl/axis_skid_buffer.v:
    random valid, data, tlast and backpressure, resets at the start and in the middle. Outputs are defined after
    the first reset's edge (`checked`); m_data and m_last only with m_valid."""
    rng = random.Random(seed)
    out = skid = None  # (data, last) held in the output / skid register
    s_ready, rows = 0, []
    for cycle in range(cycles):
        rst = int(cycle < 2 or cycle == cycles // 2)
        s_valid, s_data, s_last = int(rng.random() < 0.7), rng.getrandbits(width), rng.randrange(2)
        m_ready = int(rng.random() < 0.6)
        rows.append({"checked": int(cycle >= 1), "rst": rst, "s_valid": s_valid, "s_data": s_data, "s_last": s_last,
                     "m_ready": m_ready, "s_ready": s_ready, "m_valid": int(out is not None),
                     "m_data": out[0] if out else 0, "m_last": out[1] if out else 0})
        accept = s_valid and s_ready
        out_free = out is None or m_ready
        if out_free:
            out, skid = (skid if skid is not None else ((s_data, s_last) if accept else None)), None
        elif accept:
            skid = (s_data, s_last)
        s_ready = int(skid is None)
        if rst:
            out, skid, s_ready = None, None, 0
    return rows


FIFO_CASES = ({"DEPTH": 1, "DATA_WIDTH": 1}, {"DEPTH": 3, "DATA_WIDTH": 9}, {"DEPTH": 8, "DATA_WIDTH": 5})


def fifo_vectors(depth: int, width: int, cycles: int = 500, seed: int = 5) -> list[dict]:
    """Per cycle the inputs and outputs (before the edge) of a cycle-accurate model of rtl/axis_fifo.v: bursts of
    writes and of backpressure (so it fills and empties), resets at the start and in the middle. Outputs are defined
    after the first reset's edge (`checked`); m_data and m_last only with m_valid."""
    rng = random.Random(seed)
    stored: list[tuple[int, int]] = []  # (data, last), oldest first
    s_ready = m_valid = 0
    rows, writing, reading = [], 0.8, 0.8
    for cycle in range(cycles):
        if cycle % 40 == 0:  # phases: fill, drain, both at random
            writing, reading = rng.choice(((0.9, 0.2), (0.2, 0.9), (0.7, 0.7), (1.0, 1.0)))
        rst = int(cycle < 2 or cycle == cycles // 2)
        s_valid, s_data, s_last = int(rng.random() < writing), rng.getrandbits(width), rng.randrange(2)
        m_ready = int(rng.random() < reading)
        head = stored[0] if stored else (0, 0)
        rows.append({"checked": int(cycle >= 1), "rst": rst, "s_valid": s_valid, "s_data": s_data, "s_last": s_last,
                     "m_ready": m_ready, "s_ready": s_ready, "m_valid": m_valid, "m_data": head[0], "m_last": head[1]})
        write, read = s_valid and s_ready, m_valid and m_ready
        if read:
            stored.pop(0)
        if write:
            stored.append((s_data, s_last))
        s_ready, m_valid = int(len(stored) < depth), int(bool(stored))
        if rst:
            stored, s_ready, m_valid = [], 0, 0
    return rows


def _window_case(rows, cols, channels, width, kernel, stride=(1, 1), pad=(0, 0, 0, 0)) -> dict:
    return {"ROWS": rows, "COLS": cols, "CHANNELS": channels, "WIDTH": width, "KERNEL_ROWS": kernel[0],
            "KERNEL_COLS": kernel[1], "STRIDE_ROWS": stride[0], "STRIDE_COLS": stride[1], "PAD_TOP": pad[0],
            "PAD_BOTTOM": pad[1], "PAD_LEFT": pad[2], "PAD_RIGHT": pad[3]}


WINDOW_BUFFER_CASES = {
    "conv3x3": _window_case(5, 6, 2, 5, (3, 3)),
    "same_stride2": _window_case(5, 5, 1, 4, (3, 3), (2, 2), (1, 1, 1, 1)),
    "pool2x2": _window_case(4, 6, 3, 3, (2, 2), (2, 2)),
    "conv1d_same": _window_case(1, 7, 2, 6, (1, 4), (1, 1), (0, 0, 1, 2)),
    "collect_frame": _window_case(3, 2, 2, 4, (3, 2), (3, 2)),
    "pixel": _window_case(2, 3, 3, 7, (1, 1)),
}


def frame_buffer_stimulus(cycles: int, width: int, seed: int):
    """Per cycle (cycle, rst, s_valid, s_data, m_ready) of a frame-buffer model's random run: valid 70 % and ready
    60 % of the cycles, random pixels, resets in the first two cycles and in the middle."""
    rng = random.Random(seed)
    for cycle in range(cycles):
        rst = int(cycle < 2 or cycle == cycles // 2)
        yield cycle, rst, int(rng.random() < 0.7), rng.getrandbits(width), int(rng.random() < 0.6)


def window_buffer_vectors(p: dict, cycles: int = 500, seed: int = 4) -> list[dict]:
    """Per cycle the inputs and outputs (before the edge) of a cycle-accurate model of rtl/window_buffer.v:
    random valid, pixels and backpressure, resets at the start and in the middle of a frame. Outputs are defined
    after the first reset's edge (`checked`); m_data and m_last only with m_valid (the taps have no reset)."""
    rows_padded = p["ROWS"] + p["PAD_TOP"] + p["PAD_BOTTOM"]
    cols_padded = p["COLS"] + p["PAD_LEFT"] + p["PAD_RIGHT"]
    k_rows, k_cols, pixel_width = p["KERNEL_ROWS"], p["KERNEL_COLS"], p["CHANNELS"] * p["WIDTH"]
    last_row = k_rows - 1 + (rows_padded - k_rows) // p["STRIDE_ROWS"] * p["STRIDE_ROWS"]
    last_col = k_cols - 1 + (cols_padded - k_cols) // p["STRIDE_COLS"] * p["STRIDE_COLS"]
    taps = [0] * ((k_rows - 1) * cols_padded + k_cols)
    row = col = row_phase = col_phase = valid = last = 0
    result = []
    for cycle, rst, s_valid, s_data, m_ready in frame_buffer_stimulus(cycles, pixel_width, seed):
        padding = not (p["PAD_TOP"] <= row < p["PAD_TOP"] + p["ROWS"] and p["PAD_LEFT"] <= col < p["PAD_LEFT"] + p["COLS"])
        free = not valid or m_ready
        window = 0
        for ky in range(k_rows):
            for kx in range(k_cols):
                window |= taps[(k_rows - 1 - ky) * cols_padded + k_cols - 1 - kx] << ((ky * k_cols + kx) * pixel_width)
        result.append({"checked": int(cycle >= 1), "rst": rst, "s_valid": s_valid, "s_data": s_data,
                       "m_ready": m_ready, "s_ready": int(free and not padding and not rst), "m_valid": valid,
                       "m_data": window if valid else 0, "m_last": last if valid else 0})
        row_started, col_started = row >= k_rows - 1, col >= k_cols - 1
        if free and (padding or s_valid) and not rst:
            taps = [0 if padding else s_data] + taps[:-1]
            valid = int(row_started and row_phase == 0 and col_started and col_phase == 0)
            last = int(row == last_row and col == last_col)
            if col == cols_padded - 1:
                col = col_phase = 0
                if row == rows_padded - 1:
                    row = row_phase = 0
                else:
                    row_phase = 0 if not row_started or row_phase == p["STRIDE_ROWS"] - 1 else row_phase + 1
                    row += 1
            else:
                col_phase = 0 if not col_started or col_phase == p["STRIDE_COLS"] - 1 else col_phase + 1
                col += 1
        elif m_ready:
            valid = 0
        if rst:
            row = col = row_phase = col_phase = valid = last = 0
    return result


UPSAMPLE_CASES = {
    "rows_and_columns": {"ROWS": 3, "COLS": 4, "CHANNELS": 2, "WIDTH": 5, "REPEAT_ROWS": 2, "REPEAT_COLS": 3},
    "sequence": {"ROWS": 1, "COLS": 5, "CHANNELS": 1, "WIDTH": 7, "REPEAT_ROWS": 1, "REPEAT_COLS": 2},
    "rows_only": {"ROWS": 2, "COLS": 1, "CHANNELS": 3, "WIDTH": 4, "REPEAT_ROWS": 3, "REPEAT_COLS": 1},
}


def upsample_vectors(p: dict, cycles: int = 600, seed: int = 6) -> list[dict]:
    """Per cycle the inputs and outputs (before the edge) of a cycle-accurate model of rtl/upsample_buffer.v:
    random valid, pixels and backpressure, resets at the start and in the middle of a frame. Outputs are defined
    after the first reset's edge (`checked`); m_data and m_last only with m_valid (the row buffer has no reset)."""
    width = p["CHANNELS"] * p["WIDTH"]
    line = [0] * p["COLS"]  # oldest last
    row = pass_ = col = rep = 0
    valid = data = last = 0
    result = []
    for cycle, rst, s_valid, s_data, m_ready in frame_buffer_stimulus(cycles, width, seed):
        free = not valid or m_ready
        first_copy, new_pixel = pass_ == 0, rep == 0
        result.append({"checked": int(cycle >= 1), "rst": rst, "s_valid": s_valid, "s_data": s_data,
                       "m_ready": m_ready, "s_ready": int(free and first_copy and new_pixel and not rst),
                       "m_valid": valid, "m_data": data if valid else 0, "m_last": last if valid else 0})
        advance = free and (not (first_copy and new_pixel) or s_valid)
        if free:
            valid = int(advance)
        if advance:
            pixel = s_data if first_copy else line[-1]
            if new_pixel:
                line = [pixel] + line[:-1]
                data = pixel
            last = int(row == p["ROWS"] - 1 and pass_ == p["REPEAT_ROWS"] - 1 and col == p["COLS"] - 1 and
                       rep == p["REPEAT_COLS"] - 1)
            rep += 1
            if rep == p["REPEAT_COLS"]:
                rep, col = 0, col + 1
                if col == p["COLS"]:
                    col, pass_ = 0, pass_ + 1
                    if pass_ == p["REPEAT_ROWS"]:
                        pass_, row = 0, (row + 1) % p["ROWS"]
        if rst:
            row = pass_ = col = rep = valid = 0
    return result



REVERSE_CASES = {
    "sequence": {"STEPS": 5, "CHANNELS": 2, "WIDTH": 5},
    "one_step": {"STEPS": 1, "CHANNELS": 1, "WIDTH": 7},
    "power_of_two": {"STEPS": 8, "CHANNELS": 3, "WIDTH": 4},
}


def reverse_vectors(p: dict, cycles: int = 600, seed: int = 7) -> list[dict]:
    """Per cycle the inputs and outputs (before the edge) of a cycle-accurate model of rtl/reverse_buffer.v:
    random valid, pixels and backpressure, resets at the start and in the middle of a frame. Outputs are defined
    after the first reset's edge (`checked`); m_data and m_last only with m_valid (the memory has no reset)."""
    width, steps = p["CHANNELS"] * p["WIDTH"], p["STEPS"]
    memory = [0] * steps
    written = sent = 0
    stored, ascending = False, True
    valid = data = last = 0
    result = []

    def place(count: int) -> int:  # the stored frame went the other way: a read frees the place the next write takes
        return count if ascending else steps - 1 - count

    for cycle, rst, s_valid, s_data, m_ready in frame_buffer_stimulus(cycles, width, seed):
        free = not valid or m_ready
        ready = not rst and (not stored or written < sent or (written == sent and free))
        result.append({"checked": int(cycle >= 1), "rst": rst, "s_valid": s_valid, "s_data": s_data,
                       "m_ready": m_ready, "s_ready": int(ready),
                       "m_valid": valid, "m_data": data if valid else 0, "m_last": last if valid else 0})
        read, write = stored and free, s_valid and ready
        if read:
            data, last = memory[place(sent)], int(sent == steps - 1)
        if write:
            memory[place(written)] = s_data
        if free:
            valid = int(read)
        if read:
            sent += 1
            stored = sent < steps
        if write:
            written += 1
            if written == steps:
                written, sent, stored, ascending = 0, 0, True, not ascending
        if rst:
            written = sent = valid = 0
            stored, ascending = False, True
    return result