"""requantize.v against rtl4ml.fixed_point.requantize: every input code, per rounding/overflow mode."""

from __future__ import annotations

import cocotb
import pytest
from cocotb.triggers import Timer

from rtl4ml.tb.clocked import unsigned
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import REQUANTIZE_CASES, case_id, requantize_vectors


@cocotb.test()
async def run_test(dut):
    """Drive every (or many) input codes and compare with the golden requantization."""
    p = parameters()
    codes, expected = requantize_vectors(p)
    out_mask = (1 << p["OUT_WIDTH"]) - 1
    for code, want in zip(codes.tolist(), expected.tolist()):
        dut.in_data.value = code & ((1 << p["IN_WIDTH"]) - 1)
        await Timer(1, unit="ns")
        assert unsigned(dut.out_data.value) == want & out_mask, \
            f"input {code}: expected {want}, got {unsigned(dut.out_data.value)} ({p})"


@pytest.mark.sim
@pytest.mark.parametrize("params", REQUANTIZE_CASES, ids=case_id)
def test_requantize(params):
    run_module_test("requantize", __file__, params)
