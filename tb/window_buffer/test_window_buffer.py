"""window_buffer.v: every window of every frame, in order, bit-exact with numpy's sliding windows over the padded frame."""

from __future__ import annotations

import random

import cocotb
import numpy as np
import pytest
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge

from rtl4ml.bus import encode_bus
from rtl4ml.tb.module_test import parameters, run_module_test


def expected_windows(frame: np.ndarray, p: dict) -> list[int]:
    """frame [rows, cols, channels] codes -> each window's packed bits, row-major over window corners."""
    padded = np.pad(frame, ((p["PAD_TOP"], p["PAD_BOTTOM"]), (p["PAD_LEFT"], p["PAD_RIGHT"]), (0, 0)))
    k_rows, k_cols = p["KERNEL_ROWS"], p["KERNEL_COLS"]
    windows = []
    for top in range(0, padded.shape[0] - k_rows + 1, p["STRIDE_ROWS"]):
        for left in range(0, padded.shape[1] - k_cols + 1, p["STRIDE_COLS"]):
            windows.append(encode_bus(padded[top:top + k_rows, left:left + k_cols].reshape(-1), p["WIDTH"]))
    return windows


@cocotb.test()
@cocotb.parametrize(idle=[0.0, 0.3], backpressure=[0.0, 0.4])
async def run_test(dut, idle: float, backpressure: float):
    """Three frames of random pixels: the windows come out in order with tlast on each frame's last window;
    a refused window holds still; at full rate a padding-free frame takes one pixel per cycle."""
    p = parameters()
    cocotb.start_soon(Clock(dut.clk, 2, unit="ns").start())
    rng = random.Random(int(idle * 10) * 7 + int(backpressure * 10))
    frames = [np.array([[[rng.getrandbits(p["WIDTH"]) for _ in range(p["CHANNELS"])] for _ in range(p["COLS"])]
                        for _ in range(p["ROWS"])], dtype=object) for _ in range(3)]
    pixels = [(encode_bus(frame[r, c], p["WIDTH"]), 0) for frame in frames
              for r in range(p["ROWS"]) for c in range(p["COLS"])]
    want = []
    for frame in frames:
        windows = expected_windows(frame, p)
        want += [(w, int(i == len(windows) - 1)) for i, w in enumerate(windows)]
    dut.s_axis_tvalid.value = 0
    dut.s_axis_tlast.value = 0
    dut.m_axis_tready.value = 0
    dut.rst.value = 1
    await RisingEdge(dut.clk)
    await RisingEdge(dut.clk)
    dut.rst.value = 0
    got, held, accepted_cycles, sent = [], None, [], 0
    valid = 0
    for cycle in range(len(pixels) * 4 + 200):
        if not valid or dut.s_axis_tready.value == 1:
            valid = int(sent < len(pixels) and rng.random() >= idle)
        if valid:
            dut.s_axis_tdata.value = pixels[sent][0]
        dut.s_axis_tvalid.value = valid
        dut.m_axis_tready.value = int(rng.random() >= backpressure)
        await FallingEdge(dut.clk)
        offered = (dut.m_axis_tdata.value.to_unsigned(), int(dut.m_axis_tlast.value)) \
            if dut.m_axis_tvalid.value == 1 else None
        if held is not None:
            assert offered == held, f"cycle {cycle}: a refused window changed"
        if valid and dut.s_axis_tready.value == 1:
            sent += 1
            accepted_cycles.append(cycle)
        if offered is not None and dut.m_axis_tready.value == 1:
            got.append(offered)
        held = offered if offered is not None and dut.m_axis_tready.value != 1 else None
        await RisingEdge(dut.clk)
    assert sent == len(pixels), f"only {sent} of {len(pixels)} pixels were accepted"
    assert len(got) == len(want), f"{len(got)} windows out, {len(want)} expected"
    for index, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"window {index}: got {g[0]:#x} last {g[1]}, expected {w[0]:#x} last {w[1]}"
    padding = p["PAD_TOP"] + p["PAD_BOTTOM"] + p["PAD_LEFT"] + p["PAD_RIGHT"]
    if idle == 0.0 and backpressure == 0.0 and padding == 0:
        spacing = {b - a for a, b in zip(accepted_cycles, accepted_cycles[1:])}
        assert spacing == {1}, f"pixels accepted {sorted(spacing)} cycles apart at full rate"


def _case(rows, cols, channels, width, kernel, stride=(1, 1), pad=(0, 0, 0, 0)) -> dict:
    return {"ROWS": rows, "COLS": cols, "CHANNELS": channels, "WIDTH": width, "KERNEL_ROWS": kernel[0],
            "KERNEL_COLS": kernel[1], "STRIDE_ROWS": stride[0], "STRIDE_COLS": stride[1], "PAD_TOP": pad[0],
            "PAD_BOTTOM": pad[1], "PAD_LEFT": pad[2], "PAD_RIGHT": pad[3]}


CASES = {
    "conv3x3": _case(5, 6, 2, 5, (3, 3)),
    "same_stride2": _case(5, 5, 1, 4, (3, 3), (2, 2), (1, 1, 1, 1)),
    "pool2x2": _case(4, 6, 3, 3, (2, 2), (2, 2)),
    "conv1d_same": _case(1, 7, 2, 6, (1, 4), (1, 1), (0, 0, 1, 2)),
    "collect_frame": _case(3, 2, 2, 4, (3, 2), (3, 2)),
    "pixel": _case(2, 3, 3, 7, (1, 1)),
}


@pytest.mark.sim
@pytest.mark.parametrize("case", CASES)
def test_window_buffer(case):
    run_module_test("window_buffer", __file__, CASES[case])
