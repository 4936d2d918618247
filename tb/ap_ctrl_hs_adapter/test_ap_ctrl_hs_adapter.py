"""ap_ctrl_hs_adapter.v: ap_start/ap_ready/ap_done/ap_idle around a core played by the testbench."""

from __future__ import annotations

import random

import cocotb
import pytest
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge

from rtl4ml.tb.clocked import replay_cycle_model
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import AP_CTRL_CASES, case_id, ap_ctrl_vectors

LATENCY = 3  # of the pretend core


@cocotb.test()
async def run_test(dut):
    """Every cycle: handshakes map one to one, and ap_idle is high exactly when nothing is pending."""
    p = parameters()
    rng = random.Random(1)
    cocotb.start_soon(Clock(dut.ap_clk, 2, unit="ns").start())
    dut.ap_start.value = 0
    dut.s_axis_tready.value = 0
    dut.m_axis_tvalid.value = 0
    dut.m_axis_tlast.value = 0
    dut.ap_rst.value = 1
    await RisingEdge(dut.ap_clk)
    await RisingEdge(dut.ap_clk)
    dut.ap_rst.value = 0
    in_flight = []  # cycles at which accepted events come out of the pretend core
    starts = dones = 0
    for cycle in range(400):
        start = int(rng.random() < 0.5)
        data = rng.randrange(1 << p["IN_WIDTH"])
        out = rng.randrange(1 << p["OUT_WIDTH"])
        done = int(bool(in_flight) and in_flight[0] == cycle)
        dut.ap_start.value = start
        dut.in_data.value = data
        dut.s_axis_tready.value = int(rng.random() < 0.7)
        dut.m_axis_tvalid.value = done
        dut.m_axis_tdata.value = out
        await FallingEdge(dut.ap_clk)
        ready = start and dut.s_axis_tready.value == 1
        assert dut.ap_ready.value == ready and dut.s_axis_tvalid.value == start
        assert dut.s_axis_tdata.value == data and dut.m_axis_tready.value == 1
        assert dut.ap_done.value == done and dut.out_data_ap_vld.value == done
        # as in HLS IP, ap_idle rises the cycle after the last ap_done
        assert dut.ap_idle.value == int(not start and not in_flight), f"ap_idle wrong at cycle {cycle}"
        if done:
            assert dut.out_data.value == out
            in_flight.pop(0)
            dones += 1
        if ready:
            in_flight.append(cycle + LATENCY)
            starts += 1
        await RisingEdge(dut.ap_clk)
    assert starts > 100 and dones > 100


@cocotb.test()
async def matches_the_cycle_model(dut):
    """Cycle for cycle the outputs of the model in rtl4ml.tb.vectors, which the VHDL twin's VUnit test checks too."""
    p = parameters()
    dut.m_axis_tlast.value = 0
    await replay_cycle_model(
        dut, "ap_clk", ap_ctrl_vectors(p["IN_WIDTH"], p["OUT_WIDTH"], p["MAX_IN_FLIGHT"]),
        {"rst": "ap_rst", "start": "ap_start", "in_data": "in_data", "s_ready": "s_axis_tready",
         "m_data": "m_axis_tdata", "m_valid": "m_axis_tvalid"},
        {"ready": "ap_ready", "done": "ap_done", "idle": "ap_idle", "out_data": "out_data",
         "out_vld": "out_data_ap_vld", "s_data": "s_axis_tdata", "s_valid": "s_axis_tvalid", "s_last": "s_axis_tlast",
         "m_ready": "m_axis_tready"})


@pytest.mark.sim
@pytest.mark.parametrize("params", AP_CTRL_CASES, ids=case_id)
def test_ap_ctrl_hs_adapter(params):
    run_module_test("ap_ctrl_hs_adapter", __file__, params)
