"""reverse_buffer.v: every frame's pixels come out last to first, frame after frame, a pixel per cycle at full rate."""

from __future__ import annotations

import random

import cocotb
import pytest
from cocotb.clock import Clock

from rtl4ml.tb.clocked import check_beats, check_every_cycle, replay_frame_buffer_model, stream_pixels
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import REVERSE_CASES, reverse_vectors


@cocotb.test()
@cocotb.parametrize(idle=[0.0, 0.3], backpressure=[0.0, 0.4])
async def run_test(dut, idle: float, backpressure: float):
    """Four frames of random pixels: each frame's pixels come out reversed with tlast on its last; a refused pixel
    holds still; at full rate the output never pauses once the first frame is in."""
    p = parameters()
    cocotb.start_soon(Clock(dut.clk, 2, unit="ns").start())
    rng = random.Random(int(idle * 10) * 7 + int(backpressure * 10))
    width, steps = p["CHANNELS"] * p["WIDTH"], p["STEPS"]
    frames = [[rng.getrandbits(width) for _ in range(steps)] for _ in range(4)]
    want = [(pixel, int(k == steps - 1)) for frame in frames for k, pixel in enumerate(frame[::-1])]
    got, _, out_cycles = await stream_pixels(dut, [pixel for frame in frames for pixel in frame], rng, idle,
                                             backpressure, len(want) * 4 + 100)
    check_beats(got, want)
    if idle == 0.0 and backpressure == 0.0:
        check_every_cycle(out_cycles, "output pixels")


@cocotb.test()
async def matches_the_cycle_model(dut):
    """Cycle for cycle the outputs of rtl4ml.tb.vectors.reverse_vectors (resets mid-frame included), which the
    VHDL twin's VUnit test checks too."""
    await replay_frame_buffer_model(dut, reverse_vectors(parameters()))


@pytest.mark.sim
@pytest.mark.parametrize("params", REVERSE_CASES.values(), ids=REVERSE_CASES.keys())
def test_reverse_buffer(params):
    run_module_test("reverse_buffer", __file__, params)
