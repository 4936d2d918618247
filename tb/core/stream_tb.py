"""cocotb testbench for a generated streaming core (IOType io_stream): frames of pixels in, frames of beats out.

Sends each event as a frame (one pixel per beat, row-major, tlast on its last pixel) through s_axis with
optional random idle cycles (or `frame_gap` idle cycles after each frame, so that each frame meets an idle core), accepts output beats on m_axis with optional random backpressure, records every
handshake, and checks that a refused output beat holds still. Judging is done by
rtl4ml.simulation.frame_check; the job comes from the JSON file named by RTL4ML_SIM_JOB.

A traced job (its "trace" entry) also records every beat on each unit's output link and, in a recurrent unit, each
cell tensor once per step (when its register holds the step's value), into the job's "trace_file" (JSON), from
which frame_check.localize names the first unit, step and tensor that differ from the golden model.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSource

from rtl4ml.bus import decode_bus, encode_bus
from rtl4ml.simulation.frame_check import FrameRecord, analyze_frames, describe_frames
from rtl4ml.tb.clocked import unsigned
from rtl4ml.tb.core.core_tb import CLOCK_PERIOD_NS, random_pauses


class Probes:
    """A traced run's readings: each unit's output beats, and each cell tensor's value at every step."""

    def __init__(self, dut, trace: dict):
        self.links = [(item, getattr(dut, f"{item['link']}_tvalid"), getattr(dut, f"{item['link']}_tready"),
                       getattr(dut, f"{item['link']}_tdata")) for item in trace["links"]]
        self.cells = []
        for cell in trace["cells"]:
            module = getattr(dut, cell["instance"])
            tensors = [(item, getattr(module, item["signal"])) for item in cell["tensors"]]
            self.cells.append((module, tensors))
        self.clear()

    def clear(self) -> None:
        self.beats = {item["link"]: [] for item, *_ in self.links}
        self.steps = {item["name"]: [] for _, tensors in self.cells for item, _ in tensors}

    def sample(self) -> None:
        for item, valid, ready, data in self.links:
            if valid.value == 1 and ready.value == 1:
                self.beats[item["link"]].append(decode_bus(unsigned(data.value), item["channels"],
                                                           item["width"], item["signed"]))
        for module, tensors in self.cells:
            if module.ce.value != 1:
                continue
            started, start = unsigned(module.started.value), int(module.start.value)  # one bit: a cell of latency 1
            for item, signal in tensors:  # a register at stage k holds the step started k enabled cycles ago
                stage = item["stage"]
                if (start if stage == 0 else (started >> (stage - 1)) & 1):
                    self.steps[item["name"]].append(decode_bus(unsigned(signal.value), item["n"], item["width"],
                                                               item["signed"]))

    def write(self, path: str) -> None:
        Path(path).write_text(json.dumps({"beats": self.beats, "steps": self.steps}))


class StreamTB:
    def __init__(self, dut, job: dict, meta: dict):
        self.dut, self.job, self.meta = dut, job, meta
        cocotb.start_soon(Clock(dut.clk, CLOCK_PERIOD_NS, unit="ns").start())
        self.source = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis"), dut.clk)
        seed = int(job.get("seed", 0))
        if job.get("idle", 0) > 0:
            self.source.set_pause_generator(random_pauses(job["idle"], seed))
        self.ready = random_pauses(job.get("backpressure", 0.0), seed + 1)
        self.record = FrameRecord()
        self.probes = Probes(dut, job["trace"]) if job.get("trace") else None

    async def monitor(self) -> None:
        """Drive m_axis_tready and sample every handshake at the falling edge (latched at the next rising edge)."""
        dut, out = self.dut, self.meta["output"]
        held = None
        cycle = 0
        while True:
            dut.m_axis_tready.value = int(not next(self.ready)) if self.job.get("backpressure", 0) > 0 else 1
            await FallingEdge(dut.clk)
            offered = (dut.m_axis_tdata.value.to_unsigned(), int(dut.m_axis_tlast.value)) \
                if dut.m_axis_tvalid.value == 1 else None
            if held is not None and offered != held:
                self.record.protocol_errors.append(f"cycle {cycle + 1}: m_axis beat changed or dropped before it "
                                                   "was accepted")
            accepted = offered is not None and dut.m_axis_tready.value == 1
            held = offered if offered is not None and not accepted else None
            if dut.s_axis_tvalid.value == 1 and dut.s_axis_tready.value == 1:
                self.record.inputs.append(cycle + 1)
            if accepted:
                codes = decode_bus(offered[0], out["channels"], out["width"], out["signed"])
                self.record.outputs.append((cycle + 1, codes, offered[1]))
            if self.probes is not None:
                self.probes.sample()
            cycle += 1
            self.record.cycles = cycle
            await RisingEdge(dut.clk)


@cocotb.test()
async def stream_frames(dut):
    """Every frame comes out once, in order, bit-exact, with tlast on its last beat; latency and interval measured."""
    started = time.perf_counter()
    job = json.loads(Path(os.environ["RTL4ML_SIM_JOB"]).read_text())
    meta = json.loads(Path(job["core"]).read_text())
    data = np.load(job["vectors"])
    inp, out = meta["input"], meta["output"]
    inputs = data["inputs"].reshape(-1, inp["beats"], inp["channels"])
    expected = data["expected"].reshape(-1, out["beats"], out["channels"])
    tb = StreamTB(dut, job, meta)
    dut.s_axis_tvalid.value = 0
    dut.m_axis_tready.value = 0
    dut.rst.value = 1
    for _ in range(3):
        await RisingEdge(dut.clk)
    dut.rst.value = 0
    cocotb.start_soon(tb.monitor())
    for _ in range(meta["interval"]):  # an idle core: its window buffers have walked any leading padding
        await RisingEdge(dut.clk)
    beat_bytes = meta["s_axis_data_width"] // 8
    partial = int(job.get("reset_after_beats", 0))
    if partial:  # part of a frame into the units, a reset mid-frame, then the judged run from a fresh record
        payload = b"".join(encode_bus(pixel, inp["width"]).to_bytes(beat_bytes, "little")
                           for pixel in inputs[0][:partial])
        await tb.source.send(AxiStreamFrame(payload))
        await tb.source.wait()
        for _ in range(meta["latency"] // 2 + 1):
            await RisingEdge(dut.clk)
        dut.rst.value = 1
        await RisingEdge(dut.clk)
        await RisingEdge(dut.clk)
        dut.rst.value = 0
        tb.record = FrameRecord()
        if tb.probes is not None:
            tb.probes.clear()
        for _ in range(meta["interval"]):
            await RisingEdge(dut.clk)
    gap = int(job.get("frame_gap", 0))
    for frame in inputs:
        payload = b"".join(encode_bus(pixel, inp["width"]).to_bytes(beat_bytes, "little") for pixel in frame)
        await tb.source.send(AxiStreamFrame(payload))
        if gap:  # each frame alone in the core: its latency is the planned one exactly
            await tb.source.wait()
            for _ in range(gap):
                await RisingEdge(dut.clk)
    want = len(inputs) * out["beats"]
    timeout = int(job.get("timeout_cycles", 0)) or \
        (len(inputs) * (meta["interval"] + meta["latency"] + gap) * 4 + 2000)
    cycle = 0
    while cycle < timeout and len(tb.record.outputs) < want:
        await RisingEdge(dut.clk)
        cycle += 1
    for _ in range(meta["latency"] + 2 * meta["interval"]):  # let anything spurious show up
        await RisingEdge(dut.clk)
    scale = [2.0**-out["frac"]] * out["channels"]
    results = analyze_frames(tb.record, expected, inp["beats"], scale)
    results["timed_out"] = cycle >= timeout
    results["wall_time_s"] = time.perf_counter() - started
    results["analytic_latency"] = meta["latency"]
    results["analytic_interval"] = meta["interval"]
    Path(job["results"]).write_text(json.dumps(results, indent=2) + "\n")
    if tb.probes is not None:
        tb.probes.write(job["trace_file"])
    assert not results["timed_out"], f"simulation timed out after {timeout} cycles"
    assert results["passed"], "; ".join(describe_frames(results)[:10]) or "no frames compared"
