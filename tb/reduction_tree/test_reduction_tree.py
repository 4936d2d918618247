"""reduction_tree.v: sum (mod 2**WIDTH), signed and unsigned maximum, with registers where REG_MASK says."""

from __future__ import annotations

import cocotb
import pytest

from rtl4ml.tb.clocked import check_delay_line
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import REDUCTION_TREE_CASES, reduction_reference


def terms_uniform_or_close(p: dict):
    """Half the inputs uniform, half terms within +-2 of one another (wrapping), so a comparator's low bits decide
    (uniform terms almost always differ in their top bits)."""
    mask = (1 << p["WIDTH"]) - 1

    def draw(rng) -> int:
        if rng.random() < 0.5:
            return rng.randrange(1 << (p["N"] * p["WIDTH"]))
        base = rng.randrange(1 << p["WIDTH"])
        return sum(((base + rng.randint(-2, 2)) & mask) << (i * p["WIDTH"]) for i in range(p["N"]))
    return draw


@cocotb.test()
async def run_test(dut):
    p = parameters()
    latency = bin(p["REG_MASK"]).count("1")
    await check_delay_line(dut, latency, reduction_reference(p), terms_uniform_or_close(p))


# the Verilog parameter OPERATION is a string literal
CASES = [dict(case, OPERATION=f'"{case["OPERATION"]}"') for case in REDUCTION_TREE_CASES]


@pytest.mark.sim
@pytest.mark.parametrize("params", CASES, ids=lambda p: f"{p['OPERATION'][1:-1].lower()}-n{p['N']}-m{p['REG_MASK']}")
def test_reduction_tree(params):
    run_module_test("reduction_tree", __file__, params)
