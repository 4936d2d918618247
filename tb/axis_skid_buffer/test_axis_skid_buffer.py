"""axis_skid_buffer.v: lossless, ordered, full rate, and s_axis_tready a register (never follows m_axis_tready)."""

from __future__ import annotations

import random

import cocotb
import pytest
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge, Timer

from rtl4ml.tb.clocked import replay_cycle_model, unsigned
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import SKID_BUFFER_CASES, skid_buffer_vectors


async def _reset(dut) -> None:
    dut.rst.value = 1
    for _ in range(2):
        await RisingEdge(dut.clk)
    dut.rst.value = 0


@cocotb.test()
@cocotb.parametrize(idle=[0.0, 0.4], backpressure=[0.0, 0.5])
async def run_test(dut, idle: float, backpressure: float):
    """Random beats go through in order, each once; a refused output beat holds still; full rate without stalls."""
    cocotb.start_soon(Clock(dut.clk, 2, unit="ns").start())
    width = parameters()["DATA_WIDTH"]
    rng = random.Random(int(idle * 10) * 7 + int(backpressure * 10))
    dut.s_axis_tvalid.value = 0
    dut.m_axis_tready.value = 0
    await _reset(dut)
    sent, received, in_cycles, out_cycles = [], [], [], []
    valid, beat, held = 0, (0, 0), None
    for cycle in range(500):
        if not valid or dut.s_axis_tready.value == 1:
            valid = int(cycle < 400 and rng.random() >= idle)
            beat = (rng.getrandbits(width), rng.randrange(2))
        dut.s_axis_tvalid.value = valid
        dut.s_axis_tdata.value, dut.s_axis_tlast.value = beat
        await Timer(50, unit="ps")  # past the clock edge's register updates
        ready_before = int(dut.s_axis_tready.value)
        dut.m_axis_tready.value = int(rng.random() >= backpressure)
        await Timer(100, unit="ps")
        assert int(dut.s_axis_tready.value) == ready_before, "s_axis_tready followed m_axis_tready within a cycle"
        await FallingEdge(dut.clk)
        offered = (unsigned(dut.m_axis_tdata.value), int(dut.m_axis_tlast.value)) \
            if dut.m_axis_tvalid.value == 1 else None
        if held is not None:
            assert offered == held, f"cycle {cycle}: a refused output beat changed"
        if dut.s_axis_tvalid.value == 1 and dut.s_axis_tready.value == 1:
            sent.append(beat)
            in_cycles.append(cycle)
        if offered is not None and dut.m_axis_tready.value == 1:
            received.append(offered)
            out_cycles.append(cycle)
        held = offered if offered is not None and dut.m_axis_tready.value != 1 else None
        await RisingEdge(dut.clk)
    assert received == sent and len(sent) > 100, f"{len(sent)} beats sent, {len(received)} received or reordered"
    if idle == 0.0 and backpressure == 0.0:
        assert all(o - i == 1 for i, o in zip(in_cycles, out_cycles)), "latency is not one cycle"
        assert in_cycles[:300] == list(range(in_cycles[0], in_cycles[0] + 300)), "not one beat per cycle"


@cocotb.test()
async def reset_discards_stored_beats(dut):
    """Two beats stored against a stalled sink are gone after rst; nothing is offered during it."""
    cocotb.start_soon(Clock(dut.clk, 2, unit="ns").start())
    dut.m_axis_tready.value = 0
    dut.s_axis_tvalid.value = 1
    dut.s_axis_tdata.value = 1
    dut.s_axis_tlast.value = 0
    await _reset(dut)
    for _ in range(4):
        await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    assert dut.m_axis_tvalid.value == 1 and dut.s_axis_tready.value == 0, "two beats should fill it"
    dut.rst.value = 1
    await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    assert dut.m_axis_tvalid.value == 0 and dut.s_axis_tready.value == 0
    dut.rst.value = 0
    dut.s_axis_tvalid.value = 0
    dut.m_axis_tready.value = 1
    for _ in range(3):
        await FallingEdge(dut.clk)
        assert dut.m_axis_tvalid.value == 0, "a beat from before the reset came out"


@cocotb.test()
async def matches_the_cycle_model(dut):
    """Cycle for cycle the outputs of rtl4ml.tb.vectors.skid_buffer_vectors, which the VHDL twin's VUnit test
    checks too."""
    await replay_cycle_model(
        dut, "clk", skid_buffer_vectors(parameters()["DATA_WIDTH"]),
        {"rst": "rst", "s_valid": "s_axis_tvalid", "s_data": "s_axis_tdata", "s_last": "s_axis_tlast",
         "m_ready": "m_axis_tready"},
        {"s_ready": "s_axis_tready", "m_valid": "m_axis_tvalid", "m_data": "m_axis_tdata", "m_last": "m_axis_tlast"},
        only_when={"m_data": "m_valid", "m_last": "m_valid"})


@pytest.mark.sim
@pytest.mark.parametrize("params", SKID_BUFFER_CASES, ids=lambda p: f"width{p['DATA_WIDTH']}")
def test_axis_skid_buffer(params):
    run_module_test("axis_skid_buffer", __file__, params)
