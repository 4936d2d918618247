"""Helpers for testbenches of modules that share the pipeline clock enable `ce`."""

from __future__ import annotations

import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge, Timer


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
            assert unsigned(dut.out_data.value) == expected, \
                f"expected {expected:#x}, got {unsigned(dut.out_data.value):#x}"
        await RisingEdge(dut.clk)
        if enable:
            history.append(current)


async def replay_cycle_model(dut, clock: str, rows: list[dict], inputs: dict[str, str], outputs: dict[str, str],
                             only_when: dict[str, str] | None = None) -> None:
    """Play the rows of a cycle-accurate model (rtl4ml.tb.vectors), which the VHDL twin's VUnit test plays too.

    Per row: drive the inputs (row key -> port), let them settle, compare the outputs (row key -> port) on
    every `checked` row, then clock. only_when: an output compared only where the row's other key is 1.
    """
    only_when = only_when or {}
    cocotb.start_soon(Clock(getattr(dut, clock), 2, unit="ns").start())
    await FallingEdge(getattr(dut, clock))
    for cycle, row in enumerate(rows):
        for key, port in inputs.items():
            getattr(dut, port).value = row[key]
        await Timer(100, unit="ps")
        if row["checked"]:
            got = {key: unsigned(getattr(dut, port).value) for key, port in outputs.items()
                   if key not in only_when or row[only_when[key]]}
            want = {key: row[key] for key in got}
            assert got == want, f"cycle {cycle}: got {got}, the model says {want}"
        await FallingEdge(getattr(dut, clock))


async def replay_frame_buffer_model(dut, rows: list[dict]) -> None:
    """replay_cycle_model for a module between two AXI streams of pixels (a window, up-sampling or reverse buffer):
    rst, s_axis valid and data and m_axis ready driven; s_axis ready and m_axis valid compared on every checked
    row, m_axis data and last where m_axis is valid (their registers have no reset)."""
    await replay_cycle_model(
        dut, "clk", rows,
        {"rst": "rst", "s_valid": "s_axis_tvalid", "s_data": "s_axis_tdata", "m_ready": "m_axis_tready"},
        {"s_ready": "s_axis_tready", "m_valid": "m_axis_tvalid", "m_data": "m_axis_tdata", "m_last": "m_axis_tlast"},
        only_when={"m_data": "m_valid", "m_last": "m_valid"})


def check_beats(got: list, want: list, what: str = "pixels") -> None:
    """The output beats taken, (data, last) each, equal the expected ones in order."""
    assert len(got) == len(want), f"{len(got)} {what} out, {len(want)} expected"
    for index, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"output {what[:-1]} {index}: got {g[0]:#x} last {g[1]}, expected {w[0]:#x} last {w[1]}"


def check_every_cycle(cycles: list[int], what: str) -> None:
    """At full rate: one beat every cycle."""
    spacing = {b - a for a, b in zip(cycles, cycles[1:])}
    assert spacing == {1}, f"{what} {sorted(spacing)} cycles apart at full rate"


def unsigned(value) -> int:
    """A bus (LogicArray) or a single bit (Logic) as an unsigned integer."""
    return value.to_unsigned() if hasattr(value, "to_unsigned") else int(value)


async def stream_pixels(dut, pixels: list[int], rng, idle: float, backpressure: float, cycles: int):
    """Reset the stream module on `dut`, then offer `pixels` (idle cycles at random, a refused beat held) into a sink
    that refuses at random, for `cycles` cycles; check that a refused output beat holds still. Returns the output
    beats taken (data, last), the cycles input beats were taken and the cycles output beats were."""
    dut.s_axis_tvalid.value = 0
    dut.s_axis_tlast.value = 0
    dut.m_axis_tready.value = 0
    dut.rst.value = 1
    await RisingEdge(dut.clk)
    await RisingEdge(dut.clk)
    dut.rst.value = 0
    got, held, in_cycles, out_cycles, sent, valid = [], None, [], [], 0, 0
    for cycle in range(cycles):
        if not valid or dut.s_axis_tready.value == 1:
            valid = int(sent < len(pixels) and rng.random() >= idle)
        if valid:
            dut.s_axis_tdata.value = pixels[sent]
        dut.s_axis_tvalid.value = valid
        dut.m_axis_tready.value = int(rng.random() >= backpressure)
        await FallingEdge(dut.clk)
        offered = (unsigned(dut.m_axis_tdata.value), int(dut.m_axis_tlast.value)) \
            if dut.m_axis_tvalid.value == 1 else None
        if held is not None:
            assert offered == held, f"cycle {cycle}: a refused output beat changed"
        if valid and dut.s_axis_tready.value == 1:
            sent += 1
            in_cycles.append(cycle)
        if offered is not None and dut.m_axis_tready.value == 1:
            got.append(offered)
            out_cycles.append(cycle)
        held = offered if offered is not None and dut.m_axis_tready.value != 1 else None
        await RisingEdge(dut.clk)
    assert sent == len(pixels), f"only {sent} of {len(pixels)} pixels were accepted"
    return got, in_cycles, out_cycles
