"""reduction_tree.v: sum (mod 2**WIDTH), signed and unsigned maximum, with registers where REG_MASK says."""

from __future__ import annotations

import cocotb
import pytest

from rtl4ml.tb.clocked import check_delay_line
from rtl4ml.tb.module_test import parameters, run_module_test


def split(value: int, n: int, width: int, signed: bool) -> list[int]:
    terms = [(value >> (i * width)) & ((1 << width) - 1) for i in range(n)]
    return [t - (1 << width) if signed and t >> (width - 1) else t for t in terms]


def reference(p: dict):
    width, n = p["WIDTH"], p["N"]
    if p["OPERATION"] == '"ADD"':
        return lambda value: sum(split(value, n, width, False)) & ((1 << width) - 1)
    signed = p["OPERATION"] == '"MAX"'
    return lambda value: max(split(value, n, width, signed)) & ((1 << width) - 1)


@cocotb.test()
async def run_test(dut):
    p = parameters()
    latency = bin(p["REG_MASK"]).count("1")
    await check_delay_line(dut, latency, reference(p), lambda rng: rng.randrange(1 << (p["N"] * p["WIDTH"])))


CASES = [
    {"OPERATION": '"ADD"', "N": 1, "WIDTH": 8, "LEVELS": 0, "REG_MASK": 0},
    {"OPERATION": '"ADD"', "N": 5, "WIDTH": 10, "LEVELS": 3, "REG_MASK": 0b101},
    {"OPERATION": '"ADD"', "N": 17, "WIDTH": 12, "LEVELS": 6, "REG_MASK": 0b110011},
    {"OPERATION": '"MAX"', "N": 5, "WIDTH": 9, "LEVELS": 3, "REG_MASK": 0b010},
    {"OPERATION": '"MAXU"', "N": 4, "WIDTH": 9, "LEVELS": 2, "REG_MASK": 0b11},
]


@pytest.mark.sim
@pytest.mark.parametrize("params", CASES, ids=lambda p: f"{p['OPERATION'][1:-1].lower()}-n{p['N']}-m{p['REG_MASK']}")
def test_reduction_tree(params):
    run_module_test("reduction_tree", __file__, params)
