"""valid_stream_adapter.v: valid/data pass straight through; an event the core cannot take sets overrun."""

from __future__ import annotations

import random

import cocotb
import pytest
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge

from rtl4ml.tb.clocked import replay_cycle_model
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import VALID_STREAM_CASES, case_id, valid_stream_vectors


@cocotb.test()
async def run_test(dut):
    p = parameters()
    rng = random.Random(2)
    cocotb.start_soon(Clock(dut.clk, 2, unit="ns").start())
    dut.in_valid.value = 0
    dut.s_axis_tready.value = 1
    dut.m_axis_tvalid.value = 0
    dut.m_axis_tlast.value = 0
    for phase, ready_probability in enumerate((1.0, 0.8)):  # a core that always takes events, then one that may not
        dut.rst.value = 1
        await RisingEdge(dut.clk)
        dut.rst.value = 0
        overrun = False
        for cycle in range(200):
            valid, ready = int(rng.random() < 0.6), int(rng.random() < ready_probability)
            data, out, out_valid = rng.randrange(1 << p["IN_WIDTH"]), rng.randrange(1 << p["OUT_WIDTH"]), \
                int(rng.random() < 0.5)
            dut.in_valid.value, dut.in_data.value, dut.s_axis_tready.value = valid, data, ready
            dut.m_axis_tvalid.value, dut.m_axis_tdata.value = out_valid, out
            await FallingEdge(dut.clk)
            assert dut.s_axis_tvalid.value == valid and dut.s_axis_tdata.value == data
            assert dut.out_valid.value == out_valid and dut.out_data.value == out and dut.m_axis_tready.value == 1
            assert dut.overrun.value == overrun, f"phase {phase} cycle {cycle}: overrun should be {overrun}"
            await RisingEdge(dut.clk)
            overrun = overrun or (valid and not ready)
        assert overrun == (phase == 1)


@cocotb.test()
async def matches_the_cycle_model(dut):
    """Cycle for cycle the outputs of the model in rtl4ml.tb.vectors, which the VHDL twin's VUnit test checks too."""
    p = parameters()
    dut.m_axis_tlast.value = 0
    await replay_cycle_model(
        dut, "clk", valid_stream_vectors(p["IN_WIDTH"], p["OUT_WIDTH"]),
        {"rst": "rst", "in_valid": "in_valid", "in_data": "in_data", "s_ready": "s_axis_tready",
         "m_data": "m_axis_tdata", "m_valid": "m_axis_tvalid"},
        {"out_valid": "out_valid", "out_data": "out_data", "overrun": "overrun", "s_data": "s_axis_tdata",
         "s_valid": "s_axis_tvalid", "s_last": "s_axis_tlast", "m_ready": "m_axis_tready"})


@pytest.mark.sim
@pytest.mark.parametrize("params", VALID_STREAM_CASES, ids=case_id)
def test_valid_stream_adapter(params):
    run_module_test("valid_stream_adapter", __file__, params)
