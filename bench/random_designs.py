"""Nightly-size randomized verification: many random designs through golden model, RTL and HLS csim.

    python bench/random_designs.py [--batches 10] [--per-batch 50] [--max-width 24] [--seed S]

Prints pass counts and timing; failing designs are listed with their spec (replay: tests/regressions/).
"""

from __future__ import annotations

import argparse
import json
import random
import time
import warnings
from pathlib import Path

from rtl4ml.verification.batch import run_batch
from rtl4ml.verification.random_designs import random_designs

WORK = Path(__file__).resolve().parent.parent / "sim" / "build" / "bench_random_designs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--per-batch", type=int, default=50)
    parser.add_argument("--max-width", type=int, default=24)
    parser.add_argument("--seed", type=int, default=random.SystemRandom().randrange(2**31))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    started, passed, total = time.perf_counter(), 0, 0
    for batch in range(args.batches):
        specs = random_designs(args.per_batch, args.seed + batch, args.max_width)
        verdicts = run_batch(specs, WORK / f"batch{batch}", events=64, seed=batch, backpressure=0.2 * (batch % 2))
        passed += sum(v["passed"] for v in verdicts)
        total += len(verdicts)
        for verdict in (v for v in verdicts if not v["passed"]):
            print(f"FAIL seed {args.seed + batch} design {verdict['index']}: {verdict['problems'][:2]}")
            print(json.dumps(specs[verdict["index"]]))
        print(f"batch {batch}: {passed}/{total} designs bit-exact so far, {time.perf_counter() - started:.0f} s")
    print(f"random designs (seed {args.seed}, widths 1..{args.max_width}): {passed}/{total} bit-exact in golden, "
          f"RTL and csim; {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
