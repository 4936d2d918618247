"""HLS C simulation throughput on the bundled jet tagger (events/s), and its bit-exactness.

    python bench/csim_throughput.py [--events 100000]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

import rtl4ml
from results_file import write_results

BUNDLE = Path(__file__).resolve().parent.parent / "sim" / "models" / "jet_tagger"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    design = rtl4ml.convert(BUNDLE / "model.h5", BUNDLE.parent.parent / "configs" / "jet_tagger.yml")
    X = np.resize(np.load(BUNDLE / "test_vectors.npz")["X"], (args.events, 16))
    with tempfile.TemporaryDirectory() as scratch:
        design.write(Path(scratch) / "prj")
        first = design.csim(X[:100])  # compiles
        results = design.csim(X)
    print(f"HLS csim, jet tagger 16-64-32-32-5 at ap_fixed<16,6>, {args.events} events:")
    print(f"  compile (g++ -O3, once):  {first['compile_time_s']:.1f} s")
    print(f"  run:                      {results['run_time_s']:.2f} s = {results['events_per_s']:,.0f} events/s")
    print(f"  mismatches vs golden:     {results['mismatches']}")
    write_results("csim_throughput", {"events": args.events, "compile_s": first["compile_time_s"],
                                      "run_s": results["run_time_s"], "events_per_s": results["events_per_s"],
                                      "mismatches": results["mismatches"]})


if __name__ == "__main__":
    main()
