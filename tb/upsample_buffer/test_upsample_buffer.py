"""upsample_buffer.v: every pixel of every frame repeated as numpy's nearest up-sampling repeats it, in order."""

from __future__ import annotations

import random

import cocotb
import numpy as np
import pytest
from cocotb.clock import Clock

from rtl4ml.bus import encode_bus
from rtl4ml.tb.clocked import check_beats, check_every_cycle, replay_frame_buffer_model, stream_pixels
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import UPSAMPLE_CASES, upsample_vectors


def expected_pixels(frame: np.ndarray, p: dict) -> list[int]:
    """frame [rows, cols, channels] codes -> the up-sampled frame's packed pixels, row-major."""
    big = np.repeat(np.repeat(frame, p["REPEAT_ROWS"], axis=0), p["REPEAT_COLS"], axis=1)
    return [encode_bus(big[r, c], p["WIDTH"]) for r in range(big.shape[0]) for c in range(big.shape[1])]


@cocotb.test()
@cocotb.parametrize(idle=[0.0, 0.3], backpressure=[0.0, 0.4])
async def run_test(dut, idle: float, backpressure: float):
    """Three frames of random pixels: the up-sampled pixels come out in order with tlast on each frame's last;
    a refused pixel holds still; at full rate an output pixel leaves every cycle."""
    p = parameters()
    cocotb.start_soon(Clock(dut.clk, 2, unit="ns").start())
    rng = random.Random(int(idle * 10) * 7 + int(backpressure * 10))
    frames = [np.array([[[rng.getrandbits(p["WIDTH"]) for _ in range(p["CHANNELS"])] for _ in range(p["COLS"])]
                        for _ in range(p["ROWS"])], dtype=object) for _ in range(3)]
    pixels = [encode_bus(frame[r, c], p["WIDTH"]) for frame in frames for r in range(p["ROWS"]) for c in range(p["COLS"])]
    want = []
    for frame in frames:
        out = expected_pixels(frame, p)
        want += [(pixel, int(i == len(out) - 1)) for i, pixel in enumerate(out)]
    got, _, out_cycles = await stream_pixels(dut, pixels, rng, idle, backpressure, len(want) * 4 + 100)
    check_beats(got, want)
    if idle == 0.0 and backpressure == 0.0:
        check_every_cycle(out_cycles, "output pixels")


@cocotb.test()
async def matches_the_cycle_model(dut):
    """Cycle for cycle the outputs of rtl4ml.tb.vectors.upsample_vectors (resets mid-frame included), which the
    VHDL twin's VUnit test checks too."""
    await replay_frame_buffer_model(dut, upsample_vectors(parameters()))


@pytest.mark.sim
@pytest.mark.parametrize("params", UPSAMPLE_CASES.values(), ids=UPSAMPLE_CASES.keys())
def test_upsample_buffer(params):
    run_module_test("upsample_buffer", __file__, params)
