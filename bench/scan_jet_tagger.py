"""48-point scan of the bundled jet tagger on Dask: wall time with 1 and 2 LocalCluster workers, and with --synth.

    python bench/scan_jet_tagger.py [--workers 1 2] [--synth-points 4]

Grid: Precision 3 x ReuseFactor 2 x PipelineBudget 2 x Sparsity 4 = 48 points, scored on the
3,000 bundled test jets (accuracy, AUC, Keras agreement), 1,000 of them through the compiled RTL
harness per point. Each worker count runs with an empty rtl4ml cache of its own, so no run reuses
another's Verilator builds; prints wall times, the speed-up and the time per point.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from bundled import bundled_job

GRID = {"Precision": ["ap_fixed<8,3>", "ap_fixed<12,5>", "ap_fixed<16,6>"], "ReuseFactor": [1, 4],
        "PipelineBudget": [3, 7], "Sparsity": [0, 0.5, 0.7, 0.9]}
SYNTH_GRID = {"Precision": ["ap_fixed<8,3>", "ap_fixed<12,5>"], "Sparsity": [0.7, 0.9]}


def run_scan(model: Path, config, grid: dict, work: Path, workers: int, extra: list[str]) -> float:
    """One CLI scan in a fresh cache; returns its wall time."""
    (work / "grid.yml").write_text(yaml.safe_dump(grid))
    vectors = np.load(model.parent / "test_vectors.npz")
    np.save(work / "X.npy", vectors["X"])
    np.save(work / "y.npy", vectors["y"])
    command = [str(Path(sys.executable).parent / "rtl4ml"), "scan", str(model), "--grid", str(work / "grid.yml"),
               "-o", str(work / "scan"), "--data", str(work / "X.npy"), "--labels", str(work / "y.npy"),
               "--workers", str(workers), "--force", *extra]
    if isinstance(config, Path):
        command += ["-c", str(config)]
    env = {**os.environ, "RTL4ML_CACHE_DIR": str(work / "cache")}
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"scan failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr[-2000:]}")
    print("\n".join("    " + line for line in completed.stdout.splitlines()[:3]))
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--synth-points", action="store_true", help="also time a 4-point scan with --synth")
    args = parser.parse_args()
    model, config = bundled_job("jet_tagger")
    times = {}
    for workers in args.workers:
        with tempfile.TemporaryDirectory(prefix="rtl4ml-bench-scan-") as scratch:
            print(f"48-point scan, {workers} worker(s), cold cache:")
            times[workers] = run_scan(model, config, GRID, Path(scratch), workers, [])
            print(f"  wall time {times[workers]:.0f} s = {times[workers] / 48:.1f} s per point")
    if len(times) > 1:
        one, most = times[min(times)], times[max(times)]
        print(f"speed-up {min(times)} -> {max(times)} workers: {one / most:.2f}x")
    if args.synth_points:
        with tempfile.TemporaryDirectory(prefix="rtl4ml-bench-scan-") as scratch:
            print("4-point scan with --synth (Yosys per layer, fast LUT mapping), 2 workers, cold cache:")
            elapsed = run_scan(model, config, SYNTH_GRID, Path(scratch), 2, ["--synth"])
            print(f"  wall time {elapsed:.0f} s = {elapsed / 4:.0f} s per point")
    return 0


if __name__ == "__main__":
    sys.exit(main())
