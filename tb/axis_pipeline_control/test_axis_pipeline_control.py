"""axis_pipeline_control.v: ordered, lossless flow control; fixed latency and II = INTERVAL without backpressure."""

from __future__ import annotations

import random

import cocotb
import pytest
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge

from rtl4ml.tb.clocked import replay_cycle_model
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import AXIS_CONTROL_CASES, axis_control_vectors


class TB:
    def __init__(self, dut):
        self.dut = dut
        self.latency = parameters()["LATENCY"]
        self.interval = parameters().get("INTERVAL", 1)
        cocotb.start_soon(Clock(dut.clk, 2, unit="ns").start())

    async def reset(self, cycles: int = 2) -> None:
        self.dut.rst.value = 1
        for _ in range(cycles):
            await RisingEdge(self.dut.clk)
        self.dut.rst.value = 0


@cocotb.test()
@cocotb.parametrize(idle=[0.0, 0.4], backpressure=[0.0, 0.5])
async def run_test(dut, idle: float, backpressure: float):
    """Random tlast tokens go through in order; a held output stays valid; latency and II as promised."""
    tb = TB(dut)
    rng = random.Random(int(idle * 10) * 7 + int(backpressure * 10))
    dut.s_axis_tvalid.value = 0
    dut.s_axis_tlast.value = 0
    dut.m_axis_tready.value = 0
    await tb.reset()
    sent, received, in_cycles, out_cycles = [], [], [], []
    token = rng.randrange(2)
    valid = 0
    held = None  # output token held under backpressure: must stay put until accepted
    for cycle in range(600):
        if not valid or dut.s_axis_tready.value == 1:
            valid = int(cycle < 500 and rng.random() >= idle)
            token = rng.randrange(2)
        dut.s_axis_tvalid.value = valid
        dut.s_axis_tlast.value = token
        dut.m_axis_tready.value = int(rng.random() >= backpressure)
        await FallingEdge(dut.clk)
        if dut.m_axis_tvalid.value == 1:
            if held is not None:
                assert held == int(dut.m_axis_tlast.value), "output changed while waiting for tready"
            held = int(dut.m_axis_tlast.value)
        if dut.s_axis_tvalid.value == 1 and dut.s_axis_tready.value == 1:
            sent.append(token)
            in_cycles.append(cycle)
        if dut.m_axis_tvalid.value == 1 and dut.m_axis_tready.value == 1:
            received.append(int(dut.m_axis_tlast.value))
            out_cycles.append(cycle)
            held = None
        await RisingEdge(dut.clk)
    assert received == sent, f"{len(sent)} tokens sent, {len(received)} received, or out of order"
    assert len(sent) > 100
    if backpressure == 0.0:
        assert all(o - i == tb.latency for i, o in zip(in_cycles, out_cycles)), "latency is not fixed"
    spacing = [b - a for a, b in zip(in_cycles, in_cycles[1:])]
    assert min(spacing) >= tb.interval, f"events accepted {min(spacing)} cycles apart, INTERVAL is {tb.interval}"
    if idle == 0.0 and backpressure == 0.0:
        assert set(spacing[:400]) == {tb.interval}, f"II is not {tb.interval}"


@cocotb.test()
async def reset_drops_in_flight_events(dut):
    """During rst nothing is accepted or offered; afterwards the pipeline starts empty."""
    tb = TB(dut)
    dut.s_axis_tvalid.value = 1
    dut.s_axis_tlast.value = 1
    dut.m_axis_tready.value = 0
    await tb.reset()
    for _ in range(tb.latency):  # fill the pipeline; the sink refuses everything
        await RisingEdge(dut.clk)
    dut.rst.value = 1
    await FallingEdge(dut.clk)
    assert dut.s_axis_tready.value == 0 and dut.m_axis_tvalid.value == 0
    await RisingEdge(dut.clk)
    dut.rst.value = 0
    dut.s_axis_tvalid.value = 0
    dut.m_axis_tready.value = 1
    for _ in range(tb.latency + 2):
        await FallingEdge(dut.clk)
        assert dut.m_axis_tvalid.value == 0, "an event from before the reset came out"


@cocotb.test()
async def matches_the_cycle_model(dut):
    """Cycle for cycle the outputs of rtl4ml.tb.vectors.axis_control_vectors, which the VHDL twin's VUnit test
    checks too: the two are the same circuit on these cycles."""
    p = parameters()
    await replay_cycle_model(
        dut, "clk", axis_control_vectors(p["LATENCY"], p["INTERVAL"]),
        {"rst": "rst", "s_valid": "s_axis_tvalid", "s_last": "s_axis_tlast", "m_ready": "m_axis_tready"},
        {"s_ready": "s_axis_tready", "m_valid": "m_axis_tvalid", "ce": "ce", "stage_valid": "stage_valid",
         "m_last": "m_axis_tlast"}, only_when={"m_last": "m_valid"})


@pytest.mark.sim
@pytest.mark.parametrize("params", AXIS_CONTROL_CASES, ids=lambda p: f"latency{p['LATENCY']}-interval{p['INTERVAL']}")
def test_axis_pipeline_control(params):
    run_module_test("axis_pipeline_control", __file__, params)
