"""Run many random designs through golden model, RTL and HLS C simulation with two builds in all.

The designs' cores sit side by side in one Verilog wrapper (one Verilator build, one
compiled harness that streams all of them in lockstep and checks the AXI rules), and
their HLS C++ sits in one program, each design in its own namespace (one g++ run).
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
import warnings
from pathlib import Path

import jinja2
import numpy as np

from .. import __version__
from ..design import convert
from ..errors import Rtl4mlError, fail
from ..golden.model import quantize_inputs, run_codes
from ..resources import harness_template_dir, hls_dir
from ..backends.hls.writer import library_headers
from ..simulation.csim import CXXFLAGS, find_ap_types
from ..simulation.harness import QUICK_BUILD_ARGS, build_harness, core_ports, judge, run_streams, stream_core_ports
from .random_designs import realize, stimulus
from .round_trip import round_trip_problems
from .vhdl_bank import run_vhdl_bank

# The bank program is large and run once: optimize for compile time (a 50-design bank: 73 s at -O0, 145 s at
# -O1, the same outputs; it runs its 48 events per design in 0.3 s).
BANK_CXXFLAGS = tuple(flag if flag != "-O3" else "-O0" for flag in CXXFLAGS)


@functools.lru_cache(maxsize=None)  # one per process: jinja2 compiles each template once per environment
def bank_templates() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(harness_template_dir())), trim_blocks=True,
                              lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def write_spec(spec: dict, project: str, work_dir: Path, io_type: str | None = None):
    """Convert one spec as `project` (with IOType `io_type` when given) and write it to work_dir/project with the
    spec beside it (replayable as it is); return the design."""
    model, config = realize(spec, project)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # narrow accumulators may warn about overflow: intended here
        design = convert(model, dict(config, IOType=io_type) if io_type else config)
    design.write(work_dir / project, force=True)
    (work_dir / project / "spec.json").write_text(json.dumps(spec))
    return design


def write_designs(specs: list[dict], work_dir: Path) -> list:
    """Convert and write every spec as project d<k>; return the designs."""
    return [write_spec(spec, f"d{index:03d}", work_dir) for index, spec in enumerate(specs)]


def build_rtl_bank(designs: list, work_dir: Path, streamed: bool = False) -> tuple[Path, list[dict]]:
    """One Verilator build of every design's core side by side (ports prefixed c<k>_) with the compiled harness;
    streamed: io_stream cores, driven frame by frame."""
    cores, shared, sources = [], {}, []
    ports = stream_core_ports if streamed else core_ports
    for design in designs:
        rtl_dir = Path(design.out_dir) / "rtl"
        meta = json.loads((rtl_dir / "core.json").read_text())
        files = [rtl_dir / name for name in (rtl_dir / f"{meta['top']}.f").read_text().split()]
        for f in files:  # the hand-written primitives, once each (a core with branches adds its FIFO)
            if not f.name.startswith(meta["top"]):
                shared.setdefault(f.name, f)
        sources.extend(f for f in files if f.name.startswith(meta["top"]))
        cores.append(dict(ports(meta, f"c{len(cores)}_"), top=meta["top"], s_width=meta["s_axis_data_width"],
                          m_width=meta["m_axis_data_width"]))
    bank = work_dir / "bank.v"
    bank.write_text(bank_templates().get_template("bank.v.j2").render(version=__version__, cores=cores))
    return build_harness(list(shared.values()) + sources + [bank], "bank", cores, work_dir / "cache",
                         QUICK_BUILD_ARGS, streamed), cores


def build_csim_bank(designs: list, work_dir: Path) -> Path:
    entries = [{"project": d.core.top, "source": str(Path(d.out_dir) / "hls" / "firmware" / f"{d.core.top}.cpp"),
                "outputs": d.hls_project().outputs} for d in designs]
    text = bank_templates().get_template("bank_csim.cpp.j2").render(version=__version__, designs=entries,
                                                                library_headers=library_headers())
    return compile_csim_bank(text, [Path(entry["source"]) for entry in entries], work_dir)


def compile_csim_bank(text: str, sources: list[Path], work_dir: Path) -> Path:
    """Compile a bank program (text) that includes the designs' HLS sources (cached by content); return it."""
    digest = hashlib.sha256(text.encode() + " ".join(BANK_CXXFLAGS).encode())
    for source in sources:
        digest.update(source.read_bytes())
        for header in sorted(source.parent.rglob("*.h")):
            digest.update(header.read_bytes())
    binary = work_dir / "cache" / f"bank_csim_{digest.hexdigest()[:16]}"
    if binary.is_file():
        return binary
    source = work_dir / "bank_csim.cpp"
    source.write_text(text)
    binary.parent.mkdir(parents=True, exist_ok=True)
    command = ["g++", *BANK_CXXFLAGS, "-isystem", str(find_ap_types()), "-I", str(hls_dir() / "nnet_utils"),
               "-o", str(binary), str(source)]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        (work_dir / "bank_csim.log").write_text(completed.stderr)
        raise fail(f"bank C simulation does not compile; see {work_dir / 'bank_csim.log'}")
    return binary


def run_batch(specs: list[dict], work_dir: Path, events: int = 48, seed: int = 0, idle: float = 0.0,
              backpressure: float = 0.0, vhdl: bool = False) -> list[dict]:
    """Per design: golden vs RTL vs csim verdicts ({"index", "passed", "problems", ...}); with vhdl=True the VHDL
    cores too (VUnit on GHDL), each required to equal the golden outputs, as the Verilog core is."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    designs = write_designs(specs, work_dir)
    codes = [quantize_inputs(d.graph, stimulus(spec, events, seed + k)) for k, (d, spec) in enumerate(zip(designs, specs))]
    expected = [run_codes(d.graph, c) for d, c in zip(designs, codes)]
    rtl_binary, _ = build_rtl_bank(designs, work_dir)
    run_dir = work_dir / "run"
    streams = run_streams(rtl_binary, run_dir, codes, [d.graph.n_out for d in designs], idle, backpressure, seed)
    csim_binary = build_csim_bank(designs, work_dir)
    completed = subprocess.run([str(csim_binary), str(run_dir), str(events)], capture_output=True, text=True)
    if completed.returncode != 0:
        raise fail(f"bank C simulation failed (exit {completed.returncode})")
    vhdl_results = run_vhdl_bank(designs, codes, expected, work_dir / "vhdl", idle, backpressure, seed) if vhdl \
        else [None] * len(designs)
    verdicts = []
    for index, design in enumerate(designs):
        scale = design.graph.output_scale
        rtl = judge(streams[index], expected[index], scale)
        csim_codes = np.fromfile(run_dir / f"csim_{index}.bin", dtype="<i8").reshape(events, design.graph.n_out)
        csim_ok = np.array_equal(csim_codes, expected[index])
        timing = _timing_problems(rtl, design, idle, backpressure)
        problems = [f"RTL: {p}" for p in rtl["problems"]] + timing
        problems += [f"reload: {p}" for p in round_trip_problems(design, codes[index], expected[index])]
        if not csim_ok:
            wrong = np.argwhere(csim_codes != expected[index])[0]
            problems.append(f"csim: event {wrong[0]} output {wrong[1]}: expected {expected[index][tuple(wrong)]}, "
                            f"got {csim_codes[tuple(wrong)]}")
        vhdl_ok = True
        if vhdl_results[index] is not None:
            vhdl_timing = _timing_problems(vhdl_results[index], design, idle, backpressure, "VHDL")
            problems += [f"VHDL: {p}" for p in vhdl_results[index]["problems"]] + vhdl_timing
            vhdl_ok = vhdl_results[index]["passed"] and not vhdl_timing
        verdicts.append({"index": index, "passed": not problems,
                         "rtl_passed": rtl["passed"], "csim_passed": bool(csim_ok),
                         "vhdl_passed": vhdl_ok if vhdl else None, "latency": design.latency, "problems": problems})
    return verdicts


def _timing_problems(rtl: dict, design, idle: float, backpressure: float, label: str = "RTL") -> list[str]:
    """The promised interval is never beaten; without stalls latency and interval are exactly as planned."""
    problems = []
    if rtl.get("IntervalMin", design.interval) < design.interval:
        problems.append(f"{label}: accepted events {rtl['IntervalMin']} cycles apart, the core's interval is "
                        f"{design.interval}")
    if idle == backpressure == 0.0 and rtl.get("events", 0) > 1:
        if not rtl["LatencyMin"] == rtl["LatencyMax"] == design.latency:
            problems.append(f"{label}: latency {rtl['LatencyMin']}..{rtl['LatencyMax']}, planned {design.latency}")
        if rtl.get("IntervalMax") != design.interval:
            problems.append(f"{label}: interval up to {rtl.get('IntervalMax')}, planned {design.interval}")
    return problems


def is_counter_example(spec: dict, work_dir: Path, events: int = 48, seed: int = 0) -> bool:
    """True when a spec builds and disagrees somewhere (used to shrink counter-examples).

    A spec rtl4ml refuses (a shrinking step can make one: a merge of two shapes) is not a counter-example.
    """
    try:
        return not run_batch([spec], work_dir, events, seed, vhdl=True)[0]["passed"]
    except Rtl4mlError:
        return False
