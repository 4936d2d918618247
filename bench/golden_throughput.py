"""Golden-model throughput on the bundled jet tagger, one core (events/s).

    OPENBLAS_NUM_THREADS=1 python bench/golden_throughput.py [--events 1000000]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: measure one core
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import rtl4ml  # noqa: E402
from rtl4ml.golden.model import quantize_inputs, run_codes  # noqa: E402
from results_file import write_results  # noqa: E402

BUNDLE = Path(__file__).resolve().parent.parent / "sim" / "models" / "jet_tagger"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    design = rtl4ml.convert(BUNDLE / "model.h5", BUNDLE.parent.parent / "configs" / "jet_tagger.yml")
    base = np.load(BUNDLE / "test_vectors.npz")["X"]
    X = np.resize(base, (args.events, base.shape[1]))
    totals, cores = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        codes = quantize_inputs(design.graph, X)
        middle = time.perf_counter()
        run_codes(design.graph, codes)
        end = time.perf_counter()
        totals.append(args.events / (end - start))
        cores.append(args.events / (end - middle))
    # This machine's CPU is shared: report the best run (least disturbed) and the median.
    print(f"golden model, jet tagger 16-64-32-32-5 at ap_fixed<16,6>, {args.events} events, 1 thread, "
          f"{args.repeats} runs:")
    print(f"  predict (float in, quantize + layers): best {max(totals) / 1e6:.2f}, "
          f"median {np.median(totals) / 1e6:.2f} M events/s")
    print(f"  layers only (integer codes in):        best {max(cores) / 1e6:.2f}, "
          f"median {np.median(cores) / 1e6:.2f} M events/s")
    write_results("golden_throughput", {"events": args.events, "runs": args.repeats, "threads": 1,
                                        "predict_events_per_s": {"best": max(totals), "median": float(np.median(totals))},
                                        "layers_events_per_s": {"best": max(cores), "median": float(np.median(cores))}},
                  {"numpy": np.__version__})


if __name__ == "__main__":
    main()
