"""lut_multiplier.v (radix-4 Booth rows summed in LUTs) against the product of its operands as signed integers."""

from __future__ import annotations

import cocotb
import pytest
from cocotb.triggers import Timer

from rtl4ml.tb.clocked import unsigned
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import LUT_MULTIPLIER_CASES, case_id, lut_multiplier_vectors


@cocotb.test()
async def run_test(dut):
    """Every operand pair for narrow widths, corners and random pairs otherwise."""
    p = parameters()
    for a, b, want in lut_multiplier_vectors(p):
        dut.a.value, dut.b.value = a, b
        await Timer(1, unit="ns")
        assert unsigned(dut.p.value) == want, f"a={a} b={b}: expected {want}, got {dut.p.value} ({p})"


@pytest.mark.sim
@pytest.mark.parametrize("params", LUT_MULTIPLIER_CASES, ids=case_id)
def test_lut_multiplier(params):
    run_module_test("lut_multiplier", __file__, params, dependencies=("reduction_tree",))
