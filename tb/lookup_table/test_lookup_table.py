"""lookup_table.v: every address reads its entry; addresses past DEPTH read the last entry."""

from __future__ import annotations

import random

import cocotb
import pytest
from cocotb.triggers import Timer

from rtl4ml.tb.module_test import parameters, run_module_test


def contents_for(params: dict) -> list[int]:
    rng = random.Random(params["DEPTH"] * 31 + params["DATA_WIDTH"])
    return [rng.randrange(1 << params["DATA_WIDTH"]) for _ in range(params["DEPTH"])]


def packed(entries: list[int], width: int) -> str:
    value = sum(entry << (index * width) for index, entry in enumerate(entries))
    return f"{len(entries) * width}'h{value:x}"


@cocotb.test()
async def run_test(dut):
    p = parameters()
    entries = contents_for(p)
    for address in range(1 << p["ADDR_WIDTH"]):
        dut.addr.value = address
        await Timer(1, unit="ns")
        want = entries[min(address, p["DEPTH"] - 1)]
        assert dut.data.value.to_unsigned() == want, f"address {address}: expected {want}, got {dut.data.value}"


CASES = [
    {"ADDR_WIDTH": 6, "DATA_WIDTH": 18, "DEPTH": 64},
    {"ADDR_WIDTH": 6, "DATA_WIDTH": 7, "DEPTH": 41},
    {"ADDR_WIDTH": 1, "DATA_WIDTH": 3, "DEPTH": 1},
]


@pytest.mark.sim
@pytest.mark.parametrize("params", CASES, ids=lambda p: f"a{p['ADDR_WIDTH']}-d{p['DATA_WIDTH']}-n{p['DEPTH']}")
def test_lookup_table(params):
    run_module_test("lookup_table", __file__, dict(params, CONTENTS=packed(contents_for(params), params["DATA_WIDTH"])))
