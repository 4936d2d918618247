"""Run many random streaming designs (IOType io_stream) through golden model, Verilog, VHDL and HLS C++: one
Verilator build (the cores side by side in one wrapper, driven frame by frame by the compiled stream harness), one
VUnit session and one g++ run for all of them.

The designs are random-design specs drawn streamable (random_designs.draw_design(streamable=True): a convolution
with its padding, strides and pooling, pixel-wise layers, Flatten and Dense layers), so a failing one is the same
replayable JSON as the io_parallel batches' (and runs there too).
"""

from __future__ import annotations

import json
import subprocess
import warnings
from pathlib import Path

import numpy as np

from .. import __version__
from ..backends.hls.writer import library_headers
from ..design import convert
from ..errors import Rtl4mlError, fail
from ..golden.model import quantize_inputs, run_codes
from ..simulation.csim import compare_codes
from ..simulation.harness import run_streams
from .batch import bank_templates, build_rtl_bank, compile_csim_bank
from .random_designs import realize, stimulus
from .vhdl_bank import run_vhdl_bank


def write_stream_designs(specs: list[dict], work_dir: Path) -> list:
    """Convert every spec with IOType io_stream and write it as project s<k>; return the designs."""
    designs = []
    for index, spec in enumerate(specs):
        model, config = realize(spec, f"s{index:03d}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # narrow accumulators may warn about overflow: intended here
            design = convert(model, dict(config, IOType="io_stream"))
        design.write(work_dir / f"s{index:03d}", force=True)
        (work_dir / f"s{index:03d}" / "spec.json").write_text(json.dumps(spec))  # replayable as it is
        designs.append(design)
    return designs


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


def run_stream_batch(specs: list[dict], work_dir: Path, frames: int = 6, seed: int = 0, idle: float = 0.2,
                     backpressure: float = 0.3, vhdl: bool = True) -> list[dict]:
    """Per design: golden vs Verilog, HLS C++ (and VHDL) verdicts ({"index", "passed", "problems", ...}). The Verilog
    bank runs twice: at full rate (timing as planned) and with random idle cycles and backpressure; the VHDL with
    them."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    designs = write_stream_designs(specs, work_dir)
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
        problems += timing_problems(runs["full rate"][index], design)
        csim = np.fromfile(work_dir / "full_rate" / f"csim_{index}.bin", dtype="<i8").reshape(-1, design.graph.n_out)
        problems += [f"csim: {p}" for p in compare_codes(expected[index], csim, design.graph.output_scale)["problems"]]
        if vhdl_results[index] is not None:
            problems += [f"VHDL: {p}" for p in vhdl_results[index]["problems"]]
        verdicts.append({"index": index, "passed": not problems, "latency": design.core.latency,
                         "interval": design.core.interval, "problems": problems,
                         "stats": {label: {k: v for k, v in streams[index].items() if k != "outputs"}
                                   for label, streams in runs.items()}})
    return verdicts


def _verilog_problems(stats: dict, design, expected) -> list[str]:
    if stats["error"]:
        return [stats["error"]]
    flat = stats["outputs"].reshape(-1)
    got = flat[: len(flat) // design.graph.n_out * design.graph.n_out].reshape(-1, design.graph.n_out)
    return compare_codes(expected, got, design.graph.output_scale)["problems"]


def streamable(specs: list[dict]) -> list[dict]:
    """The specs whose models plan as streaming cores (drawn streamable, a few still are not: e.g. a window larger
    than its padded input)."""
    kept = []
    for spec in specs:
        model, config = realize(spec, "probe")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                convert(model, dict(config, IOType="io_stream"))
        except Rtl4mlError:
            continue
        kept.append(spec)
    return kept

