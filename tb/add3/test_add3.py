"""add3.v as simulated (one expression; tests/test_add3_synthesis.py proves its primitive netlist equal to it)
against x +- y +- z modulo 2**WIDTH."""

from __future__ import annotations

import cocotb
import pytest
from cocotb.triggers import Timer

from rtl4ml.tb.clocked import unsigned
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import ADD3_CASES, add3_vectors, case_id


@cocotb.test()
async def run_test(dut):
    """Every operand triple for narrow widths, corners and random triples otherwise."""
    p = parameters()
    for x, y, z, want in add3_vectors(p):
        dut.x.value, dut.y.value, dut.z.value = x, y, z
        await Timer(1, unit="ns")
        assert unsigned(dut.sum.value) == want, f"x={x} y={y} z={z}: expected {want}, got {dut.sum.value} ({p})"


@pytest.mark.sim
@pytest.mark.parametrize("params", ADD3_CASES, ids=case_id)
def test_add3(params):
    run_module_test("add3", __file__, params)
