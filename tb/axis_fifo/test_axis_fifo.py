"""axis_fifo.v: lossless and ordered at any depth, full rate through a FIFO of two or more, its readies and valids
registers, and cycle for cycle the model its VHDL twin's VUnit test plays."""

from __future__ import annotations

import random

import cocotb
import pytest
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge, Timer

from rtl4ml.tb.clocked import replay_cycle_model, unsigned
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import FIFO_CASES, fifo_vectors


async def _reset(dut) -> None:
    dut.rst.value = 1
    for _ in range(2):
        await RisingEdge(dut.clk)
    dut.rst.value = 0


@cocotb.test()
@cocotb.parametrize(idle=[0.0, 0.5], backpressure=[0.0, 0.6])
async def run_test(dut, idle: float, backpressure: float):
    """Random beats go through in order, each once; a refused output beat holds still; neither ready nor valid
    follows the other side within a cycle; at full rate a FIFO of two or more passes a beat per cycle."""
    cocotb.start_soon(Clock(dut.clk, 2, unit="ns").start())
    width, depth = parameters()["DATA_WIDTH"], parameters()["DEPTH"]
    rng = random.Random(int(idle * 10) * 7 + int(backpressure * 10))
    dut.s_axis_tvalid.value = 0
    dut.m_axis_tready.value = 0
    await _reset(dut)
    sent, received, in_cycles, most = [], [], [], 0
    valid, beat, held = 0, (0, 0), None
    for cycle in range(600):
        if not valid or dut.s_axis_tready.value == 1:
            valid = int(cycle < 500 and rng.random() >= idle)
            beat = (rng.getrandbits(width), rng.randrange(2))
        dut.s_axis_tvalid.value = valid
        dut.s_axis_tdata.value, dut.s_axis_tlast.value = beat
        await Timer(50, unit="ps")
        ready_before, valid_before = int(dut.s_axis_tready.value), int(dut.m_axis_tvalid.value)
        dut.m_axis_tready.value = int(rng.random() >= backpressure)
        await Timer(100, unit="ps")
        assert int(dut.s_axis_tready.value) == ready_before, "s_axis_tready followed m_axis_tready within a cycle"
        assert int(dut.m_axis_tvalid.value) == valid_before, "m_axis_tvalid followed s_axis_tvalid within a cycle"
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
        most = max(most, len(sent) - len(received))
        held = offered if offered is not None and dut.m_axis_tready.value != 1 else None
        await RisingEdge(dut.clk)
    assert received == sent and len(sent) > 100, f"{len(sent)} beats sent, {len(received)} received or reordered"
    assert most <= depth, f"{most} beats held by a FIFO of {depth}"
    if backpressure > 0.0 and idle == 0.0:
        assert most == depth, f"a stalled sink never filled the FIFO ({most} of {depth} beats)"
    if idle == 0.0 and backpressure == 0.0 and depth >= 2:
        assert in_cycles[:400] == list(range(in_cycles[0], in_cycles[0] + 400)), "not one beat per cycle"


@cocotb.test()
async def matches_the_cycle_model(dut):
    """Cycle for cycle the outputs of rtl4ml.tb.vectors.fifo_vectors, which the VHDL twin's VUnit test checks
    too."""
    await replay_cycle_model(
        dut, "clk", fifo_vectors(parameters()["DEPTH"], parameters()["DATA_WIDTH"]),
        {"rst": "rst", "s_valid": "s_axis_tvalid", "s_data": "s_axis_tdata", "s_last": "s_axis_tlast",
         "m_ready": "m_axis_tready"},
        {"s_ready": "s_axis_tready", "m_valid": "m_axis_tvalid", "m_data": "m_axis_tdata", "m_last": "m_axis_tlast"},
        only_when={"m_data": "m_valid", "m_last": "m_valid"})


@pytest.mark.sim
@pytest.mark.parametrize("params", FIFO_CASES, ids=lambda p: f"depth{p['DEPTH']}_width{p['DATA_WIDTH']}")
def test_axis_fifo(params):
    run_module_test("axis_fifo", __file__, params)
