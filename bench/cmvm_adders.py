"""Adders of the constant-matrix solver (backends/rtl/cmvm.py) on random matrices, next to da4ml's published figures.

Random N x N matrices of 8-bit signed constants (uniform in [-128, 127]) times 8-bit signed inputs; the mean number
of two-input adders (shared nodes and output trees) over TRIALS matrices, with no depth bound and at minimum depth
(the depth of each output's plain signed-digit tree). Every graph is checked against the matrix product.
With --da4ml-python, da4ml's solver (bench/da4ml_cmvm.py, in that interpreter) solves the same matrices.

    .venv/bin/python bench/cmvm_adders.py [--trials 100] [--seed 0] [--da4ml-python D/bin/python]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from rtl4ml.backends.rtl.cmvm import plain_depth, solve
from rtl4ml.backends.rtl.shift_add import csd_digits

# da4ml's published means over 1,000 random matrices, unbounded depth (quoted by issue 15 for da4ml 0.5.2)
DA4ML = {8: 98.1, 16: 343.2}


def run(matrices: np.ndarray, rng: np.random.Generator) -> dict:
    n = matrices.shape[1]
    figures = {"plain": [], "unbounded": [], "minimum": [], "depth_unbounded": [], "depth_minimum": []}
    seconds = {"unbounded": 0.0, "minimum": 0.0}
    x = rng.integers(-128, 128, size=(64, n))
    for weight in matrices:
        ranges = [(-128, 127)] * n
        figures["plain"].append(sum(len(csd_digits(int(w))) for w in weight.ravel()) - n)
        for mode, bound in (("unbounded", None), ("minimum", 0)):
            start = time.perf_counter()
            graph = solve(weight, ranges, max_depth=bound)
            seconds[mode] += time.perf_counter() - start
            if not np.array_equal(graph.evaluate(x), x.astype(object) @ weight.astype(object)):
                raise SystemExit(f"{n}x{n}: the {mode} graph differs from the matrix product")
            figures[mode].append(graph.adders)
            figures[f"depth_{mode}"].append(graph.depth)
        assert figures["depth_minimum"][-1] <= plain_depth(weight) + 1
    return {key: float(np.mean(values)) for key, values in figures.items()} | \
        {f"seconds_{mode}": s / len(matrices) for mode, s in seconds.items()}


def da4ml_figures(python: str, matrices: dict[int, np.ndarray]) -> dict:
    """da4ml's means on the same matrices, from bench/da4ml_cmvm.py run by `python`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "matrices.npz"
        np.savez(path, **{f"n{n}": stack for n, stack in matrices.items()})
        done = subprocess.run([python, str(Path(__file__).with_name("da4ml_cmvm.py")), str(path)],
                              capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"da4ml run failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--da4ml-python", help="an interpreter with da4ml installed: it solves the same matrices")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    matrices = {n: rng.integers(-128, 128, size=(args.trials, n, n)) for n in (8, 16)}
    theirs = da4ml_figures(args.da4ml_python, matrices) if args.da4ml_python else None
    print(f"random N x N matrices of 8-bit signed constants, {args.trials} trials each (mean adders)")
    header = f"{'N':>3} {'no sharing':>11} {'unbounded':>10} {'depth':>6} {'min depth':>10} {'depth':>6} {'s/solve':>8}"
    if theirs:
        header += f"  da4ml {theirs['version']} (same matrices): {'unbounded':>9} {'min depth':>9}"
    print(header + f" {'da4ml paper':>12}")
    for n, stack in matrices.items():
        f = run(stack, rng)
        line = (f"{n:>3} {f['plain']:>11.1f} {f['unbounded']:>10.1f} {f['depth_unbounded']:>6.2f} "
                f"{f['minimum']:>10.1f} {f['depth_minimum']:>6.2f} {f['seconds_unbounded']:>8.2f}")
        if theirs:
            line += f"  {'':>{len(theirs['version']) + 23}}{theirs[f'n{n}']['unbounded']:>9.1f} " \
                    f"{theirs[f'n{n}']['minimum']:>9.1f}"
        print(line + f" {DA4ML[n]:>12.1f}")


if __name__ == "__main__":
    main()
