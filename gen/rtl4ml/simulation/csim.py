"""C simulation of the HLS project with g++ and the real Xilinx ap_types headers, checked bit for bit.

The headers are not packaged on their own anywhere; the hls4ml wheel carries them, so they are
located inside it (without importing hls4ml, whose import pulls optional dependencies), or
taken from $RTL4ML_AP_TYPES. The compiled testbench is cached by a hash of its sources.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

from ..errors import fail
from ..golden.model import quantize_inputs, run_codes
from .build_lock import exclusive
from .stream_check import MAX_REPORTED_MISMATCHES, mismatch_line

AP_TYPES_ENV = "RTL4ML_AP_TYPES"
# -Wall -Werror, minus diagnostics that are not about our code: HLS pragmas are unknown to g++,
# and ap_private's default constructor reads its own storage (ap_private.h, clearUnusedBits), which
# g++ reports as (maybe-)uninitialized at every place any ap_fixed is constructed. The pointer and string
# access diagnostics (g++ 12's "access analysis" pass, which they switch on) are off too: the generated code has
# only fixed-size arrays, and the pass took 78 of 92 s compiling one small random convolutional design.
CXXFLAGS = ("-std=c++14", "-O3", "-Wall", "-Werror", "-Wno-unknown-pragmas", "-Wno-uninitialized",
            "-Wno-maybe-uninitialized", "-Wno-stringop-overflow", "-Wno-stringop-overread", "-Wno-dangling-pointer",
            "-Wno-use-after-free", "-Wno-free-nonheap-object", "-Wno-mismatched-dealloc", "-Wno-mismatched-new-delete")


def find_ap_types() -> Path:
    """Folder holding ap_fixed.h, or a clear error saying how to get it."""
    override = os.environ.get(AP_TYPES_ENV)
    candidates = [Path(override)] if override else []
    spec = importlib.util.find_spec("hls4ml")
    if spec is not None and spec.submodule_search_locations:
        candidates.append(Path(list(spec.submodule_search_locations)[0]) / "templates" / "vivado" / "ap_types")
    for candidate in candidates:
        if (candidate / "ap_fixed.h").is_file():
            return candidate
    raise fail("Xilinx ap_types headers not found: install them with pip install 'rtl4ml[hls]' (the hls4ml "
               f"wheel carries them) or point ${AP_TYPES_ENV} at a folder containing ap_fixed.h")


def _sources(hls_dir: Path) -> list[Path]:
    return sorted(p for p in hls_dir.rglob("*") if p.suffix in (".h", ".cpp"))


def compile_testbench(hls_dir: Path, project: str, cache_dir: Path) -> tuple[Path, float]:
    """Build (or reuse) the csim executable; return its path and the compile time (0 when cached)."""
    compiler = shutil.which("g++")
    if compiler is None:
        raise fail("g++ is not installed; C simulation needs a C++ compiler")
    ap_types = find_ap_types()
    digest = hashlib.sha256(" ".join(CXXFLAGS).encode() + str(ap_types).encode())
    for source in _sources(hls_dir):
        digest.update(str(source.relative_to(hls_dir)).encode() + source.read_bytes())
    build_dir = cache_dir / f"csim_{digest.hexdigest()[:16]}"
    with exclusive(build_dir):
        return _compile(build_dir, compiler, ap_types, hls_dir, project)


def _compile(build_dir: Path, compiler: str, ap_types: Path, hls_dir: Path, project: str) -> tuple[Path, float]:
    binary = build_dir / f"{project}_test"
    if binary.is_file():
        return binary, 0.0
    build_dir.mkdir(parents=True, exist_ok=True)
    command = [compiler, *CXXFLAGS, "-isystem", str(ap_types), "-I", str(hls_dir / "firmware"),
               "-I", str(hls_dir / "firmware" / "nnet_utils"), "-o", str(binary),
               str(hls_dir / f"{project}_test.cpp"), str(hls_dir / "firmware" / f"{project}.cpp")]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        (build_dir / "compile.log").write_text(completed.stdout + completed.stderr)
        first = next((line for line in completed.stderr.splitlines() if "error" in line), completed.stderr[:300])
        raise fail(f"HLS testbench does not compile: {first.strip()} (full log: {build_dir / 'compile.log'})")
    return binary, time.perf_counter() - started


def csim_design(design, X, output=None) -> dict:
    """Run the HLS C simulation on X; compare every output code with the golden model."""
    out_dir = Path(design.out_dir)
    hls_dir = out_dir / "hls"
    project = design.core.top
    binary, compile_time = compile_testbench(hls_dir, project, out_dir / "sim")
    codes = quantize_inputs(design.graph, X)
    expected = run_codes(design.graph, codes)
    # A run folder of its own: hls/tb_data keeps the example inputs and their golden outputs together
    run_dir = out_dir / "sim" / "csim_run"
    run_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    actual = _run_in_parallel(binary, codes, run_dir)
    run_time = time.perf_counter() - started
    results = compare_codes(expected, actual, design.graph.output_scale)
    results.update({"events": len(codes), "compile_time_s": compile_time, "run_time_s": run_time,
                    "events_per_s": len(codes) / run_time if run_time > 0 else None})
    if output is not None:
        np.save(output, actual * design.graph.output_scale)
    return results


# Events are independent, so large batches are split over processes (one per core).
EVENTS_PER_WORKER = 20000


def _run_in_parallel(binary: Path, codes: np.ndarray, run_dir: Path) -> np.ndarray:
    workers = max(1, min(os.cpu_count() or 1, len(codes) // EVENTS_PER_WORKER))
    chunks = np.array_split(codes, workers)
    processes = []
    for index, chunk in enumerate(chunks):
        inputs, outputs = run_dir / f"in_{index}.txt", run_dir / f"out_{index}.txt"
        np.savetxt(inputs, chunk, fmt="%d")
        processes.append((subprocess.Popen([str(binary), str(inputs), str(outputs)], stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True, cwd=run_dir), outputs, len(chunk)))
    results = []
    for process, outputs, count in processes:
        _, stderr = process.communicate()
        if process.returncode != 0:
            raise fail(f"HLS C simulation failed (exit {process.returncode}): {stderr.strip()[:300]}")
        results.append(np.loadtxt(outputs, dtype=np.int64, ndmin=2).reshape(count, -1))
    return np.concatenate(results)


def compare_codes(expected: np.ndarray, actual: np.ndarray, scale: np.ndarray) -> dict:
    """Bit-exact comparison with the same mismatch records as the RTL simulation (scale: value of a code per output)."""
    if actual.shape != expected.shape:
        return {"mismatches": int(expected.size), "passed": False,
                "problems": [f"C simulation produced shape {actual.shape}, expected {expected.shape}"],
                "mismatch_details": []}
    wrong = np.argwhere(actual != expected)
    details, problems = [], []
    for event in sorted({int(e) for e, _ in wrong})[:MAX_REPORTED_MISMATCHES]:
        outputs = [{"output": int(j), "expected": int(expected[event, j]), "actual": int(actual[event, j]),
                    "expected_value": float(expected[event, j] * scale[j]),
                    "actual_value": float(actual[event, j] * scale[j])}
                   for j in np.flatnonzero(actual[event] != expected[event])]
        details.append({"event": event, "outputs": outputs})
        problems.extend(mismatch_line(event, output) for output in outputs)
    return {"mismatches": len({int(e) for e, _ in wrong}), "passed": len(wrong) == 0, "mismatch_details": details,
            "problems": problems}
