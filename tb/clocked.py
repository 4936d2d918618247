"""Helpers for testbenches of modules that share the pipeline clock enable `ce`."""

from __future__ import annotations

import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge


async def check_delay_line(dut, latency: int, function, random_input, cycles: int = 300, seed: int = 1) -> None:
    """Drive random in_data and ce; out_data must be function(input latched `latency` ce-edges ago).

    With latency 0 the module is combinational: out_data = function(in_data) at once.
    """
    rng = random.Random(seed)
    cocotb.start_soon(Clock(dut.clk, 2, unit="ns").start())
    history: list[int] = []
    dut.ce.value = 0
    dut.in_data.value = random_input(rng)
    await FallingEdge(dut.clk)
    for _ in range(cycles):
        current = random_input(rng)
        enable = rng.random() < 0.7
        dut.in_data.value = current
        dut.ce.value = int(enable)
        await FallingEdge(dut.clk)  # let combinational paths settle before checking
        if latency == 0:
            expected = function(current)
        elif len(history) >= latency:
            expected = function(history[-latency])
        else:
            expected = None
        if expected is not None:
            assert dut.out_data.value.to_unsigned() == expected, \
                f"expected {expected:#x}, got {dut.out_data.value.to_unsigned():#x}"
        await RisingEdge(dut.clk)
        if enable:
            history.append(current)
