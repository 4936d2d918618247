"""Adders of the constant-matrix solver (backends/rtl/cmvm.py) on random matrices, next to da4ml's published figures.

Random N x N matrices of 8-bit signed constants (uniform in [-128, 127]) times 8-bit signed inputs; the mean number
of two-input adders (shared nodes and output trees) over TRIALS matrices, with no depth bound and at minimum depth
(the depth of each output's plain signed-digit tree). Every graph is checked against the matrix product.

    .venv/bin/python bench/cmvm_adders.py [--trials 100] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from rtl4ml.backends.rtl.cmvm import plain_depth, solve
from rtl4ml.backends.rtl.shift_add import csd_digits

# da4ml 0.5.2's published means over 1,000 random matrices, unbounded depth (issue 15)
DA4ML = {8: 98.1, 16: 343.2}


def run(n: int, trials: int, rng: np.random.Generator) -> dict:
    figures = {"plain": [], "unbounded": [], "minimum": [], "depth_unbounded": [], "depth_minimum": []}
    seconds = {"unbounded": 0.0, "minimum": 0.0}
    x = rng.integers(-128, 128, size=(64, n))
    for _ in range(trials):
        weight = rng.integers(-128, 128, size=(n, n))
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
        {f"seconds_{mode}": s / trials for mode, s in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"random N x N matrices of 8-bit signed constants, {args.trials} trials each (mean adders)")
    print(f"{'N':>3} {'no sharing':>11} {'unbounded':>10} {'depth':>6} {'min depth':>10} {'depth':>6} "
          f"{'da4ml':>6} {'s/solve':>8}")
    for n in (8, 16):
        f = run(n, args.trials, rng)
        print(f"{n:>3} {f['plain']:>11.1f} {f['unbounded']:>10.1f} {f['depth_unbounded']:>6.2f} "
              f"{f['minimum']:>10.1f} {f['depth_minimum']:>6.2f} {DA4ML[n]:>6.1f} "
              f"{f['seconds_unbounded']:>8.2f}")


if __name__ == "__main__":
    main()
