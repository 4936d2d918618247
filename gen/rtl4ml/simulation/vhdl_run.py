"""Simulate a written design's VHDL core: golden expectations -> vectors -> OUTDIR/vhdl/run.py (VUnit on GHDL)
-> the recorded handshakes judged by stream_check (frame_check for streaming cores), the same judge as the
Verilog simulation.

The VUnit testbench checks every output, the latency, the interval and the AXI-stream rules itself (a firmware
engineer runs it without rtl4ml); here its handshake record becomes results.json with the Verilog run's keys
(events, mismatches, LatencyMin/Max/Avg, IntervalMin/Max/Avg, protocol_errors), under OUTDIR/sim/vhdl/.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from ..backends.vhdl.stream_writer import write_stream_vectors
from ..backends.vhdl.writer import write_vectors
from ..bus import decode_bus, decode_fields
from ..errors import fail
from ..golden.model import quantize_inputs, run_codes
from .frame_check import FrameRecord, analyze_frames, describe_frames
from .stream_check import StreamRecord, analyze, describe

RUN_NAME = "vhdl"


def read_record(path: Path, outputs: list[dict]) -> StreamRecord:
    """The testbench's handshake log: `I cycle`, `O cycle hexdata`, `P cycle message` lines (one reset segment)."""
    record = StreamRecord()
    for line in path.read_text().splitlines():
        kind, cycle, *rest = line.split(maxsplit=2)
        if kind == "I":
            record.inputs.append((int(cycle), 0))
        elif kind == "O":
            record.outputs.append((int(cycle), 0, decode_fields(int(rest[0], 16), outputs)))
        elif kind == "P":
            record.protocol_errors.append(f"cycle {cycle}: {rest[0]}")
        record.cycles = max(record.cycles, int(cycle))
    return record


def read_frame_record(path: Path, beat: dict) -> FrameRecord:
    """A streaming testbench's handshake log: `I cycle`, `O cycle hexdata tlast`, `P cycle message` lines."""
    record = FrameRecord()
    for line in path.read_text().splitlines():
        kind, cycle, *rest = line.split(maxsplit=2)
        if kind == "I":
            record.inputs.append(int(cycle))
        elif kind == "O":
            data, last = rest[0].split()
            record.outputs.append((int(cycle), decode_bus(int(data, 16), beat["channels"], beat["width"],
                                                          beat["signed"]), int(last)))
        elif kind == "P":
            record.protocol_errors.append(f"cycle {cycle}: {rest[0]}")
        record.cycles = max(record.cycles, int(cycle))
    return record


def judge_frames(record_file: Path, out_dir: Path, expected: np.ndarray) -> dict:
    """The frame_check results of one streaming core's handshake record against its golden output codes."""
    meta = json.loads((Path(out_dir) / "rtl" / "core.json").read_text())
    inp, out = meta["input"], meta["output"]
    results = analyze_frames(read_frame_record(record_file, out), expected.reshape(-1, out["beats"], out["channels"]),
                             inp["beats"], [2.0**-out["frac"]] * out["channels"])
    results.update(analytic_interval=meta["interval"])
    return results


def judge_record(record_file: Path, out_dir: Path, expected: np.ndarray) -> dict:
    """The stream_check results of one core's handshake record against its golden output codes."""
    outputs = json.loads((Path(out_dir) / "rtl" / "core.json").read_text())["outputs"]
    scale = [2.0**-field["frac"] for field in outputs for _ in range(field["n"])]
    return analyze(read_record(record_file, outputs), expected, {}, [], scale)


def simulate_vhdl(design, X, idle: float = 0.0, backpressure: float = 0.0, seed: int = 0, run_name: str = "",
                  output=None) -> dict:
    """Stream X (real-valued features) through the design's VHDL core with VUnit; return the results dictionary."""
    if shutil.which("ghdl") is None:
        raise fail("rtl4ml sim --hdl vhdl needs GHDL (Debian package ghdl), which is not on PATH")
    started = time.perf_counter()
    out_dir = Path(design.out_dir)
    run_script = out_dir / "vhdl" / "run.py"
    if not run_script.is_file():
        raise fail(f"{out_dir} has no VHDL core (vhdl/run.py); the project name cannot be used in VHDL, "
                   "see ip/README.md")
    codes = quantize_inputs(design.graph, X)
    expected = run_codes(design.graph, codes)
    run_dir = out_dir / "sim" / (run_name or RUN_NAME)
    run_dir.mkdir(parents=True, exist_ok=True)
    streamed = design.streamed
    (write_stream_vectors if streamed else write_vectors)(design.core, run_dir / "vectors", codes, expected)
    record_file, results_file = run_dir / "handshakes.txt", run_dir / "results.json"
    record_file.unlink(missing_ok=True)
    results_file.unlink(missing_ok=True)
    command = [sys.executable, str(run_script), "--vectors", str(run_dir / "vectors"), "--idle", str(idle),
               "--backpressure", str(backpressure), "--seed", str(seed + 1), "--record", str(record_file),
               "--output-path", str(run_dir / "vunit"), "--no-color"]
    log = run_dir / "vunit.log"
    with log.open("w") as stream:
        finished = subprocess.run(command, stdout=stream, stderr=subprocess.STDOUT, cwd=run_dir)
    if not record_file.is_file():
        raise fail(f"VUnit run of {design.core.top} produced no handshake record; see {log}")
    results = (judge_frames if streamed else judge_record)(record_file, out_dir, expected)
    results.update({"hdl": "vhdl", "simulator": "GHDL (VUnit)", "vunit_passed": finished.returncode == 0,
                    "analytic_latency": design.latency, "log": str(log),
                    "total_time_s": time.perf_counter() - started})
    if finished.returncode != 0 and results["passed"]:  # the testbench saw what the record does not show
        results["protocol_errors"].append(f"the VUnit testbench failed; see {log}")
        results["passed"] = False
    results["problems"] = describe_frames(results) if streamed else describe(results)
    results_file.write_text(json.dumps(results, indent=2) + "\n")
    if output is not None:
        np.save(output, expected * design.graph.output_scale)
    return results
