"""Run many random streaming designs (IOType io_stream) through golden model, Verilog, VHDL and HLS C++: one
Verilator build (the cores side by side in one wrapper, driven frame by frame by the compiled stream harness), one
VUnit session and one g++ run for all of them.

The designs are random-design specs drawn streamable (random_designs.draw_design(streamable=True): a convolution
with its padding, strides and pooling, pixel-wise layers, Flatten and Dense layers), written as the io_parallel
batches write theirs (batch.write_spec), so a failing one is the same replayable JSON (and runs there too). A
design whose Verilog differs is simulated once more alone in cocotb, which names the unit (and in a recurrent unit
the time step and cell tensor) where the difference enters.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from .. import __version__
from ..backends.hls.writer import library_headers
from ..errors import Rtl4mlError, fail
from ..golden.model import quantize_inputs, run_codes
from ..simulation.csim import compare_codes
from ..simulation.harness import run_streams, whole_events
from ..simulation.localize import describe_location
from .batch import bank_templates, build_rtl_bank, compile_csim_bank, write_spec
from .round_trip import round_trip_problems
from .random_designs import stimulus
from .vhdl_bank import run_vhdl_bank


def write_stream_designs(specs: list[dict], work_dir: Path, count: int) -> tuple[list, list[dict]]:
    """Convert specs with IOType io_stream, in order, and write the first `count` that plan as streaming cores as
    projects s<k> (drawn streamable, a few still are not: e.g. a window larger than its padded input); return
    the designs and their specs."""
    designs, kept = [], []
    for spec in specs:
        if len(designs) == count:
            break
        try:
            designs.append(write_spec(spec, f"s{len(designs):03d}", work_dir, io_type="io_stream"))
        except Rtl4mlError:
            continue
        kept.append(spec)
    return designs, kept


def build_stream_csim_bank(designs: list, work_dir: Path) -> Path:
    """One g++ run for every design's streaming HLS C++, each in its own namespace."""
    entries = []
    for design in designs:
        core = design.core
        entries.append({"project": core.top, "source": str(Path(design.out_dir) / "hls" / "firmware" /
                                                            f"{core.top}.cpp"),
                        "in_beats": core.in_shape.pixels, "in_channels": core.in_shape.channels,
                        "out_beats": core.out_shape.pixels, "out_channels": core.out_shape.channels,
                        "output_type": design.hls_project().units[-1].out_type})
    text = bank_templates().get_template("stream_bank_csim.cpp.j2").render(version=__version__, designs=entries,
                                                                       library_headers=library_headers())
    return compile_csim_bank(text, [Path(entry["source"]) for entry in entries], work_dir)


def timing_problems(stats: dict, design) -> list[str]:
    """Of a full-rate run: the first frame (into an idle core) takes exactly the planned latency, and frames sent
    back to back are never further apart than the planned interval."""
    if stats.get("events", 0) < 2:
        return []
    problems = []
    if stats.get("LatencyFirst") != design.core.latency:
        problems.append(f"RTL: first frame's latency {stats.get('LatencyFirst')}, planned {design.core.latency}")
    if stats["IntervalMax"] > design.core.interval:
        problems.append(f"RTL: frames up to {stats['IntervalMax']} cycles apart at full rate, planned "
                        f"{design.core.interval}")
    return problems


def run_stream_batch(specs: list[dict], work_dir: Path, count: int, frames: int = 6, seed: int = 0,
                     idle: float = 0.2, backpressure: float = 0.3, vhdl: bool = True) -> list[dict]:
    """Per design (the first `count` specs that plan as streaming cores): golden vs Verilog, HLS C++ (and VHDL)
    verdicts ({"index", "spec", "passed", "problems", ...}). The Verilog bank runs twice: at full rate (timing as
    planned) and with random idle cycles and backpressure; the VHDL with them."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    designs, specs = write_stream_designs(specs, work_dir, count)
    codes = [quantize_inputs(design.graph, stimulus(spec, frames, seed + k))
             for k, (design, spec) in enumerate(zip(designs, specs))]
    expected = [run_codes(d.graph, c) for d, c in zip(designs, codes)]
    binary, _ = build_rtl_bank(designs, work_dir, streamed=True)
    channels = [d.core.out_shape.channels for d in designs]
    runs = {"full rate": run_streams(binary, work_dir / "full_rate", codes, channels, 0.0, 0.0, seed),
            "stalled": run_streams(binary, work_dir / "stalled", codes, channels, idle, backpressure, seed)}
    csim_binary = build_stream_csim_bank(designs, work_dir)
    completed = subprocess.run([str(csim_binary), str(work_dir / "full_rate"), str(frames)], capture_output=True,
                               text=True)
    if completed.returncode != 0:
        raise fail(f"bank C simulation of the streaming designs failed (exit {completed.returncode})")
    vhdl_results = run_vhdl_bank(designs, codes, expected, work_dir / "vhdl", idle, backpressure, seed) if vhdl \
        else [None] * len(designs)
    verdicts = []
    for index, design in enumerate(designs):
        problems = []
        for label, streams in runs.items():
            problems += [f"RTL ({label}): {p}" for p in _verilog_problems(streams[index], design, expected[index])]
        if problems and not any(streams[index]["error"] for streams in runs.values()):
            problems.append(f"RTL: {located_alone(design, codes[index], idle, backpressure, seed)}")
        problems += timing_problems(runs["full rate"][index], design)
        csim = np.fromfile(work_dir / "full_rate" / f"csim_{index}.bin", dtype="<i8").reshape(-1, design.graph.n_out)
        problems += [f"csim: {p}" for p in compare_codes(expected[index], csim, design.graph.output_scale)["problems"]]
        if vhdl_results[index] is not None:
            problems += [f"VHDL: {p}" for p in vhdl_results[index]["problems"]]
        problems += [f"reload: {p}" for p in round_trip_problems(design, codes[index], expected[index])]
        verdicts.append({"index": index, "spec": specs[index], "passed": not problems, "latency": design.core.latency,
                         "interval": design.core.interval, "problems": problems,
                         "stats": {label: {k: v for k, v in streams[index].items() if k != "outputs"}
                                   for label, streams in runs.items()}})
    return verdicts


def located_alone(design, codes: np.ndarray, idle: float, backpressure: float, seed: int) -> str:
    """A design the bank found wrong, simulated alone in cocotb (stalled as in the bank), where a mismatch is
    located (simulation/localize.py): where its first difference enters, in one line."""
    X = codes * 2.0 ** -design.graph.input.result_type.frac
    results = design.simulate(X, idle=idle, backpressure=backpressure, seed=seed, run_name="located")
    if results["passed"]:
        return "alone in cocotb the design passes (the bank's run differs: its harness or its schedule)"
    if "location" not in results:  # no frame differs: a protocol or timing problem
        return "; ".join(results["problems"][:2])
    return describe_location(results["location"])


def _verilog_problems(stats: dict, design, expected) -> list[str]:
    if stats["error"]:
        return [stats["error"]]
    return compare_codes(expected, whole_events(stats["outputs"], design.graph.n_out),
                         design.graph.output_scale)["problems"]
