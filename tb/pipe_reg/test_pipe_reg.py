"""pipe_reg.v: a delay of exactly STAGES clock-enabled cycles; STAGES = 0 is a wire."""

from __future__ import annotations

import cocotb
import pytest

from rtl4ml.tb.clocked import check_delay_line
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import PIPE_REG_CASES, case_id


@cocotb.test()
async def run_test(dut):
    p = parameters()
    await check_delay_line(dut, p["STAGES"], lambda value: value, lambda rng: rng.randrange(1 << p["WIDTH"]))


@pytest.mark.sim
@pytest.mark.parametrize("params", PIPE_REG_CASES, ids=case_id)
def test_pipe_reg(params):
    run_module_test("pipe_reg", __file__, params)
