"""add3.v (the ternary adder's LUT contents and carry chain, as simulated) against x +- y +- z modulo 2**WIDTH."""

from __future__ import annotations

import random

import cocotb
import pytest
from cocotb.triggers import Timer

from rtl4ml.tb.module_test import parameters, run_module_test

# (WIDTH, NEGATE, CARRY_CHAIN): every sign pattern with at most two subtracted operands, widths around the
# chain's segments (1 bit, a partial segment, exactly one, more than one)
CASES = [(1, 0b011, 8), (3, 0b010, 8), (5, 0b101, 4), (8, 0b000, 8), (13, 0b110, 8), (16, 0b100, 8),
         (17, 0b001, 4), (12, 0b011, 4)]


def expected(x: int, y: int, z: int, negate: int, width: int) -> int:
    signs = [-1 if (negate >> k) & 1 else 1 for k in range(3)]
    return (signs[0] * x + signs[1] * y + signs[2] * z) % (1 << width)


@cocotb.test()
async def run_test(dut):
    """Every operand triple for narrow widths, corners and random triples otherwise."""
    p = parameters()
    width, negate = p["WIDTH"], p["NEGATE"]
    top = (1 << width) - 1
    if width <= 5:
        triples = [(x, y, z) for x in range(top + 1) for y in range(top + 1) for z in range(top + 1)]
    else:
        corners = [0, 1, top, top - 1, 1 << (width - 1), (1 << (width - 1)) - 1]
        rng = random.Random(width * 8 + negate)
        triples = [(x, y, z) for x in corners for y in corners for z in corners]
        triples += [(rng.randint(0, top), rng.randint(0, top), rng.randint(0, top)) for _ in range(3000)]
    for x, y, z in triples:
        dut.x.value, dut.y.value, dut.z.value = x, y, z
        await Timer(1, unit="ns")
        got = dut.sum.value.to_unsigned()
        assert got == expected(x, y, z, negate, width), \
            f"x={x} y={y} z={z}: expected {expected(x, y, z, negate, width)}, got {got} ({p})"


@pytest.mark.sim
@pytest.mark.parametrize("width,negate,chain", CASES, ids=lambda v: str(v))
def test_add3(width, negate, chain):
    run_module_test("add3", __file__, {"WIDTH": width, "NEGATE": negate, "CARRY_CHAIN": chain})
