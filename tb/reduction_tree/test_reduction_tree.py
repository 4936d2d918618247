"""reduction_tree.v: sum (mod 2**WIDTH), signed and unsigned maximum, with registers where REG_MASK says."""

from __future__ import annotations

import cocotb
import pytest

from rtl4ml.tb.clocked import check_delay_line
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import REDUCTION_TREE_CASES, reduction_reference


@cocotb.test()
async def run_test(dut):
    p = parameters()
    latency = bin(p["REG_MASK"]).count("1")
    await check_delay_line(dut, latency, reduction_reference(p), lambda rng: rng.randrange(1 << (p["N"] * p["WIDTH"])))


# the Verilog parameter OPERATION is a string literal
CASES = [dict(case, OPERATION=f'"{case["OPERATION"]}"') for case in REDUCTION_TREE_CASES]


@pytest.mark.sim
@pytest.mark.parametrize("params", CASES, ids=lambda p: f"{p['OPERATION'][1:-1].lower()}-n{p['N']}-m{p['REG_MASK']}")
def test_reduction_tree(params):
    run_module_test("reduction_tree", __file__, params)
