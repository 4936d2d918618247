"""cocotb testbench for any generated rtl4ml core.

Streams input codes through s_axis (cocotbext-axi source, optional random idle cycles),
accepts outputs on m_axis (sink, optional random backpressure), optionally pulses reset
mid-stream, and records every handshake and every layer's output at the cycle it is
valid. Judging is done by rtl4ml.simulation.stream_check; the job (inputs, expected
outputs, golden traces, options) comes from the JSON file named by RTL4ML_SIM_JOB.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource

from rtl4ml.bus import decode_bus, decode_fields, encode_bus
from rtl4ml.simulation.stream_check import StreamRecord, analyze, describe

CLOCK_PERIOD_NS = 5  # 200 MHz, the L1 trigger reference clock for this model class


def random_pauses(probability: float, seed: int):
    """Pause generator for cocotbext-axi: True (pause) with the given probability each cycle."""
    rng = random.Random(seed)
    while True:
        yield rng.random() < probability


class CoreTB:
    def __init__(self, dut, job: dict, meta: dict):
        self.dut = dut
        self.job = job
        self.meta = meta
        cocotb.start_soon(Clock(dut.clk, CLOCK_PERIOD_NS, unit="ns").start())
        self.source = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis"), dut.clk)
        self.sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis"), dut.clk)
        seed = int(job.get("seed", 0))
        if job.get("idle", 0) > 0:
            self.source.set_pause_generator(random_pauses(job["idle"], seed))
        if job.get("backpressure", 0) > 0:
            self.sink.set_pause_generator(random_pauses(job["backpressure"], seed + 1))
        self.record = StreamRecord(traces={layer["identifier"]: [] for layer in meta["layers"]})
        self.trace_signals = [(layer, getattr(dut, f"trace_{layer['identifier']}")) for layer in meta["layers"]]
        self.segment = 0

    async def reset(self, cycles: int = 3) -> None:
        self.dut.rst.value = 1
        for _ in range(cycles):
            await RisingEdge(self.dut.clk)
        self.dut.rst.value = 0

    async def monitor(self) -> None:
        """Sample at every falling edge: what is seen there is latched at the next rising edge."""
        dut = self.dut
        advanced = False  # did the last rising edge move the pipeline (ce high, no reset)?
        previous_rst = 0
        held = None  # (tdata, tlast) offered but not accepted: AXI requires it unchanged next cycle
        cycle = 0
        stage_valid = dut.stage_valid
        while True:
            await FallingEdge(dut.clk)
            rst = int(dut.rst.value)
            valid_bits = stage_valid.value.to_unsigned()
            if rst and not previous_rst:
                self.segment += 1  # events in flight are discarded: a new segment starts
                held = None
            if not rst:
                offered = dut.m_axis_tvalid.value == 1
                beat = (dut.m_axis_tdata.value.to_unsigned(), int(dut.m_axis_tlast.value)) if offered else None
                if held is not None and beat != held:
                    self.record.protocol_errors.append(f"cycle {cycle + 1}: m_axis beat changed or dropped "
                                                       "before it was accepted")
                held = beat if offered and dut.m_axis_tready.value != 1 else None
                if dut.s_axis_tvalid.value == 1 and dut.s_axis_tready.value == 1:
                    self.record.inputs.append((cycle + 1, self.segment))
                if dut.m_axis_tvalid.value == 1 and dut.m_axis_tready.value == 1:
                    codes = decode_fields(dut.m_axis_tdata.value.to_unsigned(), self.meta["outputs"])
                    self.record.outputs.append((cycle + 1, self.segment, codes))
                for layer, signal in self.trace_signals:
                    stage = layer["stage"]
                    if stage == 0:
                        fresh = dut.s_axis_tvalid.value == 1 and dut.s_axis_tready.value == 1
                    else:
                        fresh = advanced and (valid_bits >> (stage - 1)) & 1
                    if fresh:
                        codes = self._decode(signal.value.to_unsigned(), layer)
                        self.record.traces[layer["identifier"]].append((self.segment, codes))
            advanced = bool(dut.ce.value == 1) and not rst
            previous_rst = rst
            cycle += 1
            self.record.cycles = cycle

    @staticmethod
    def _decode(value: int, layer: dict) -> list[int]:
        return decode_bus(value, layer["n"], layer["width"], layer["signed"])

    async def drain_sink(self) -> None:
        while True:
            await self.sink.recv()


def _load_job() -> tuple[dict, dict, np.ndarray, np.ndarray, dict]:
    job = json.loads(Path(os.environ["RTL4ML_SIM_JOB"]).read_text())
    meta = json.loads(Path(job["core"]).read_text())
    data = np.load(job["vectors"])
    traces = {key[len("trace_"):]: data[key] for key in data.files if key.startswith("trace_")}
    return job, meta, data["inputs"], data["expected"], traces


@cocotb.test()
async def stream_events(dut):
    """Every event comes out once, in order, bit-exact; latency and interval are measured."""
    started = time.perf_counter()
    job, meta, inputs, expected, golden_traces = _load_job()
    tb = CoreTB(dut, job, meta)
    dut.s_axis_tvalid.value = 0
    dut.m_axis_tready.value = 0
    await tb.reset()
    cocotb.start_soon(tb.monitor())
    cocotb.start_soon(tb.drain_sink())
    beat_bytes = meta["s_axis_data_width"] // 8
    in_width = meta["layers"][0]["width"]
    for row in inputs:
        payload = encode_bus(row, in_width).to_bytes(beat_bytes, "little")
        await tb.source.send(AxiStreamFrame(payload))
    resets = sorted(int(c) for c in job.get("reset_cycles", []))
    timeout = int(job.get("timeout_cycles", 0)) or (len(inputs) * 50 + 1000)
    cycle = 0
    while cycle < timeout:
        await RisingEdge(dut.clk)
        cycle += 1
        if resets and cycle == resets[0]:
            resets.pop(0)
            await tb.reset(2)
            cycle += 2
        if tb.source.empty() and not tb.source.active and not resets:
            in_last = sum(1 for _, s in tb.record.inputs if s == tb.segment)
            out_last = sum(1 for _, s, _ in tb.record.outputs if s == tb.segment)
            if in_last == out_last and tb.record.inputs:
                break
    for _ in range(meta["latency"] + 2):  # let anything spurious show up
        await RisingEdge(dut.clk)
    scale = [2.0**-field["frac"] for field in meta["outputs"] for _ in range(field["n"])]
    results = analyze(tb.record, expected, golden_traces, meta["layers"][1:], scale)
    results["timed_out"] = cycle >= timeout
    results["wall_time_s"] = time.perf_counter() - started
    results["analytic_latency"] = meta["latency"]
    Path(job["results"]).write_text(json.dumps(results, indent=2) + "\n")
    problems = describe(results)
    assert not results["timed_out"], f"simulation timed out after {timeout} cycles"
    assert results["passed"], "; ".join(problems[:10]) or "no events compared"
