"""window_buffer.v: every window of every frame, in order, bit-exact with numpy's sliding windows over the padded frame."""

from __future__ import annotations

import random

import cocotb
import numpy as np
import pytest
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge

from rtl4ml.bus import encode_bus
from rtl4ml.tb.clocked import check_beats, check_every_cycle, replay_frame_buffer_model, stream_pixels, unsigned
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import WINDOW_BUFFER_CASES, window_buffer_vectors


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
    pixels = [encode_bus(frame[r, c], p["WIDTH"]) for frame in frames for r in range(p["ROWS"]) for c in range(p["COLS"])]
    want = []
    for frame in frames:
        windows = expected_windows(frame, p)
        want += [(w, int(i == len(windows) - 1)) for i, w in enumerate(windows)]
    got, accepted_cycles, _ = await stream_pixels(dut, pixels, rng, idle, backpressure, len(pixels) * 4 + 200)
    check_beats(got, want, "windows")
    padding = p["PAD_TOP"] + p["PAD_BOTTOM"] + p["PAD_LEFT"] + p["PAD_RIGHT"]
    if idle == 0.0 and backpressure == 0.0 and padding == 0:
        check_every_cycle(accepted_cycles, "pixels accepted")


@cocotb.test()
async def reset_mid_frame_restarts_at_the_next_frame(dut):
    """Half a frame, a reset, then a whole frame: exactly the whole frame's windows come out."""
    p = parameters()
    cocotb.start_soon(Clock(dut.clk, 2, unit="ns").start())
    rng = random.Random(5)
    frame = np.array([[[rng.getrandbits(p["WIDTH"]) for _ in range(p["CHANNELS"])] for _ in range(p["COLS"])]
                      for _ in range(p["ROWS"])], dtype=object)
    pixels = [encode_bus(frame[r, c], p["WIDTH"]) for r in range(p["ROWS"]) for c in range(p["COLS"])]
    dut.m_axis_tready.value = 1
    dut.s_axis_tlast.value = 0
    dut.rst.value = 1
    await RisingEdge(dut.clk)
    dut.rst.value = 0
    dut.s_axis_tvalid.value = 1
    for pixel in pixels[: len(pixels) // 2 + 1]:
        dut.s_axis_tdata.value = pixel
        await RisingEdge(dut.clk)
    dut.s_axis_tvalid.value = 0
    dut.rst.value = 1
    await RisingEdge(dut.clk)
    dut.rst.value = 0
    got, sent = [], 0
    for _ in range(len(pixels) * 3 + 20):
        dut.s_axis_tvalid.value = int(sent < len(pixels))
        if sent < len(pixels):
            dut.s_axis_tdata.value = pixels[sent]
        await FallingEdge(dut.clk)
        if sent < len(pixels) and dut.s_axis_tready.value == 1:
            sent += 1
        if dut.m_axis_tvalid.value == 1:
            got.append((unsigned(dut.m_axis_tdata.value), int(dut.m_axis_tlast.value)))
        await RisingEdge(dut.clk)
    windows = expected_windows(frame, p)
    assert got == [(w, int(i == len(windows) - 1)) for i, w in enumerate(windows)]


@cocotb.test()
async def matches_the_cycle_model(dut):
    """Cycle for cycle the outputs of rtl4ml.tb.vectors.window_buffer_vectors, which the VHDL twin's VUnit test
    checks too."""
    await replay_frame_buffer_model(dut, window_buffer_vectors(parameters()))


@pytest.mark.sim
@pytest.mark.parametrize("params", WINDOW_BUFFER_CASES.values(), ids=WINDOW_BUFFER_CASES.keys())
def test_window_buffer(params):
    run_module_test("window_buffer", __file__, params)
