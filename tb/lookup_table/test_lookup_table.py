"""lookup_table.v: every address reads its entry; addresses past DEPTH read the last entry."""

from __future__ import annotations

import cocotb
import pytest
from cocotb.triggers import Timer

from rtl4ml.tb.clocked import unsigned
from rtl4ml.tb.module_test import parameters, run_module_test
from rtl4ml.tb.vectors import LOOKUP_TABLE_CASES, lookup_table_contents


def packed(entries: list[int], width: int) -> str:
    value = sum(entry << (index * width) for index, entry in enumerate(entries))
    return f"{len(entries) * width}'h{value:x}"


@cocotb.test()
async def run_test(dut):
    p = parameters()
    entries = lookup_table_contents(p)
    for address in range(1 << p["ADDR_WIDTH"]):
        dut.addr.value = address
        await Timer(1, unit="ns")
        want = entries[min(address, p["DEPTH"] - 1)]
        assert unsigned(dut.data.value) == want, f"address {address}: expected {want}, got {dut.data.value}"


# each case's build parameters: its shape and its entries
CASES = [dict(case, CONTENTS=packed(lookup_table_contents(case), case["DATA_WIDTH"])) for case in LOOKUP_TABLE_CASES]


@pytest.mark.sim
@pytest.mark.parametrize("params", CASES, ids=lambda p: f"a{p['ADDR_WIDTH']}-d{p['DATA_WIDTH']}-n{p['DEPTH']}")
def test_lookup_table(params):
    run_module_test("lookup_table", __file__, params)
