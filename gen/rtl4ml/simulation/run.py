"""Simulate a written design: golden expectations -> job files -> cached build -> cocotb run -> results.

Results land in OUTDIR/sim/results.json with stable keys (events, mismatches,
LatencyMin/Max/Avg, IntervalMin/Max/Avg, ...), whether the run passed or not.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from ..errors import fail
from ..golden.model import quantize_inputs, run_codes
from .build import build, run_cocotb
from .frame_check import describe_frames
from .localize import describe_location, localize, probed_modules, trace_spec
from .stream_check import describe

TEST_MODULE = "rtl4ml.tb.core.core_tb"
STREAM_TEST_MODULE = "rtl4ml.tb.core.stream_tb"  # io_stream cores: frames of pixels


def last_results(out_dir: Path) -> dict | None:
    """The results.json of the last default-named simulation of OUTDIR, or None."""
    results = Path(out_dir) / "sim" / "results.json"
    return json.loads(results.read_text()) if results.is_file() else None


def simulate_design(design, X, idle: float = 0.0, backpressure: float = 0.0, reset_cycles=(), seed: int = 0,
                    waves: bool = False, run_name: str = "", output=None, timeout_cycles: int = 0,
                    frame_gap: int = 0, reset_after_beats: int = 0) -> dict:
    """Stream X (real-valued features) through the design's RTL; return the results dictionary.

    frame_gap (io_stream cores): idle cycles after each frame, so each frame meets an idle core.
    reset_after_beats (io_stream cores): first send that many pixels of the first frame, let them into the units,
    pulse rst mid-frame, then run X from the next frame on; every frame must come out whole after the reset.
    A streaming core that mismatches is run once more, traced, on the frames up to the first wrong one: the results
    then name the first unit (and in a recurrent unit the step and cell tensor) that differs ("location").
    """
    started = time.perf_counter()
    out_dir = Path(design.out_dir)
    rtl_dir = out_dir / "rtl"
    meta = json.loads((rtl_dir / "core.json").read_text())
    sources = [rtl_dir / line.strip() for line in (rtl_dir / f"{meta['top']}.f").read_text().splitlines() if line]
    codes = quantize_inputs(design.graph, X)
    streamed = meta.get("io_type") == "io_stream"
    run_dir = out_dir / "sim" / run_name if run_name else out_dir / "sim"
    settings = {"idle": idle, "backpressure": backpressure, "reset_cycles": list(reset_cycles), "seed": seed,
                "timeout_cycles": timeout_cycles, "frame_gap": frame_gap, "reset_after_beats": reset_after_beats}
    build_started = time.perf_counter()
    build_dir = build(sources, meta["top"], out_dir / "sim", waves=waves,
                      probed=probed_modules(design.core) if streamed else ())
    build_time = time.perf_counter() - build_started
    results, expected, traces = _run(design, meta, codes, build_dir, run_dir, settings, waves, seed)
    if streamed and results["mismatches"] and results["mismatch_details"]:
        results["location"] = _locate(design, meta, codes, build_dir, run_dir, settings, seed,
                                      results["mismatch_details"][0]["frame"])
    results.update({"build_dir": str(build_dir), "build_time_s": build_time,
                    "total_time_s": time.perf_counter() - started,
                    "problems": describe_frames(results) if streamed else describe(results)})
    if "location" in results:
        results["problems"].append(describe_location(results["location"]))
    (run_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    if output is not None:
        np.save(output, expected * design.graph.output_scale)
    return results


def _run(design, meta: dict, codes: np.ndarray, build_dir: Path, run_dir: Path, settings: dict, waves: bool,
         seed: int, trace: dict | None = None) -> tuple[dict, np.ndarray, dict]:
    """One cocotb run of `codes` in run_dir: (its results, the golden outputs, the golden per-layer codes)."""
    expected, traces = run_codes(design.graph, codes, trace=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    vectors = run_dir / "vectors.npz"
    streamed = meta.get("io_type") == "io_stream"
    layer_names = {} if streamed else {layer["identifier"]: layer["name"] for layer in meta["layers"]}
    np.savez(vectors, inputs=codes, expected=expected,
             **{f"trace_{ident}": traces[name] for ident, name in layer_names.items()})
    results_file = run_dir / "results.json"
    results_file.unlink(missing_ok=True)
    job = {"core": str(Path(design.out_dir) / "rtl" / "core.json"), "vectors": str(vectors),
           "results": str(results_file), **settings}
    if trace is not None:
        job |= {"trace": trace, "trace_file": str(run_dir / "probes.json")}
    job_file = run_dir / "job.json"
    job_file.write_text(json.dumps(job, indent=2))
    run_cocotb(build_dir, meta["top"], STREAM_TEST_MODULE if streamed else TEST_MODULE, run_dir,
               {"RTL4ML_SIM_JOB": str(job_file)}, waves=waves, seed=seed)
    if not results_file.is_file():
        raise fail(f"simulation of {meta['top']} produced no results; see {run_dir / 'sim.log'}")
    return json.loads(results_file.read_text()), expected, traces


def _locate(design, meta: dict, codes: np.ndarray, build_dir: Path, run_dir: Path, settings: dict, seed: int,
            frame: int) -> dict | None:
    """The frames up to `frame` again, traced (the same seed: the same idle cycles and backpressure): where the
    first difference enters (localize.py), or None when the traced run does not fail there again."""
    core, traced_dir = design.core, run_dir / "traced"
    results, _, traces = _run(design, meta, codes[:frame + 1], build_dir, traced_dir, settings, False, seed,
                              trace_spec(core))
    probes = json.loads((traced_dir / "probes.json").read_text())
    if not results["mismatches"]:
        return None
    return localize(core, codes[:frame + 1], traces, probes, frame)
