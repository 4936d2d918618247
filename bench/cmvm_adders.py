"""Adders of the constant-matrix solver (backends/rtl/cmvm.py) on random matrices, next to da4ml's published figures.

Two sets of random N x N matrices of 8-bit constants, times 8-bit signed inputs:
- "published": uniform integers in [129, 255], drawn as da4ml's artifact evaluation draws them
  (github.com/calad0i/da4ml-ae, table2.ipynb: floor(rand(N, N) * 127) + 129, after the H_CMVM paper's benchmark):
  the matrices behind da4ml's published means (98.1 adders at N = 8, 343.2 at N = 16, 1,000 trials);
- "signed": uniform in [-128, 127], a signed weight matrix as a quantized network has.
The mean number of two-input adders (shared nodes and output trees) over TRIALS matrices of each, with no depth
bound and at minimum depth (the depth of each output's plain signed-digit tree). Every graph is checked against
the matrix product. With --da4ml-python (repeatable), da4ml's solver (bench/da4ml_cmvm.py, in that interpreter)
solves the same matrices.

    .venv/bin/python bench/cmvm_adders.py [--trials 1000] [--seed 0] [--da4ml-python D/bin/python ...]
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

SIZES = (8, 16)
# da4ml's published means over 1,000 matrices of the "published" set, unbounded depth (quoted by issue 15)
DA4ML_PUBLISHED = {8: 98.1, 16: 343.2}
# each set: (low, high) of its uniform integer constants
MATRIX_SETS = {"published": (129, 255), "signed": (-128, 127)}


def draw(rng: np.random.Generator, trials: int) -> dict[str, dict[int, np.ndarray]]:
    """{set: {N: [trials, N, N] integer matrices}}."""
    return {name: {n: rng.integers(low, high + 1, size=(trials, n, n)) for n in SIZES}
            for name, (low, high) in MATRIX_SETS.items()}


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


def da4ml_figures(python: str, matrices: dict[str, dict[int, np.ndarray]]) -> dict:
    """da4ml's means on the same matrices, from bench/da4ml_cmvm.py run by `python`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "matrices.npz"
        np.savez(path, **{f"{name}_n{n}": stack for name, sizes in matrices.items() for n, stack in sizes.items()})
        done = subprocess.run([python, str(Path(__file__).with_name("da4ml_cmvm.py")), str(path)],
                              capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"da4ml run by {python} failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--da4ml-python", action="append", default=[],
                        help="an interpreter with da4ml installed: it solves the same matrices (repeatable)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    matrices = draw(rng, args.trials)
    theirs = [da4ml_figures(python, matrices) for python in args.da4ml_python]
    print(f"{args.trials} random N x N matrices of 8-bit constants per set and size; mean adders "
          f"(da4ml: default solve / hard_dc=0 / the artifact evaluation's call)")
    for name, (low, high) in MATRIX_SETS.items():
        print(f"\n{name}: constants uniform in [{low}, {high}]")
        header = f"{'N':>3} {'no sharing':>11} {'unbounded':>10} {'depth':>6} {'min depth':>10} {'depth':>6} " \
                 f"{'s/solve':>8}"
        header += "".join(f"  {'da4ml ' + figures['version']:>24}" for figures in theirs)
        print(header + (f" {'published':>10}" if name == "published" else ""))
        for n, stack in matrices[name].items():
            f = run(stack, rng)
            line = (f"{n:>3} {f['plain']:>11.1f} {f['unbounded']:>10.1f} {f['depth_unbounded']:>6.2f} "
                    f"{f['minimum']:>10.1f} {f['depth_minimum']:>6.2f} {f['seconds_unbounded']:>8.2f}")
            for figures in theirs:
                mine = figures[f"{name}_n{n}"]
                line += f"  {mine['unbounded']:>8.1f}/{mine['minimum']:>6.1f}/{mine['artifact']:>6.1f}"
            print(line + (f" {DA4ML_PUBLISHED[n]:>10.1f}" if name == "published" else ""))


if __name__ == "__main__":
    main()
