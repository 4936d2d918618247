"""Parallelization scan: jet taggers across ReuseFactor and pipeline budget, with Yosys resources.

    python bench/reuse_scan.py [--models jet_tagger jet_tagger_qkeras jet_tagger_pruned]
                               [--reuse 1 2 4 8] [--budgets 7 3] [--no-synth] [--events 500] [--jobs 2]

For every (model, R, budget) the core is generated, streamed through the compiled Verilator
harness against the golden model (bit-exact, measured latency and II), and synthesized per layer
with Yosys (synth_xilinx -family xcup, cached). Prints one table row per setting with the VU9P
utilization. R = 1 rows are shown twice: rtl4ml's default (cheap constant products as shift-add
in LUTs, LutsPerDsp 64) and every product on a DSP (LutsPerDsp 0, how hls4ml builds it).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import rtl4ml
from bundled import bundled_job
from rtl4ml.config import load_config
from rtl4ml.report.parts import find_part

MODELS = ("jet_tagger", "jet_tagger_qkeras", "jet_tagger_pruned")


def with_settings(config: dict, reuse: int, budget: int, luts_per_dsp: int | None) -> dict:
    model = {**config.get("Model", {}), "ReuseFactor": reuse, "PipelineBudget": budget}
    if reuse > 1:
        model["Strategy"] = "Resource"
    if luts_per_dsp is not None:
        model["LutsPerDsp"] = luts_per_dsp
    return {**config, "Model": model}


def measure(model: Path, config: dict, X: np.ndarray, synthesize: bool, jobs: int) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        design = rtl4ml.convert(model, config)
    with tempfile.TemporaryDirectory() as scratch:
        design.write(Path(scratch) / "prj")
        sim = design.simulate_bulk(X)
        started = time.perf_counter()
        report = design.report(run_synthesis=synthesize, workers=jobs)
        seconds = time.perf_counter() - started
    return {"latency": design.latency, "interval": design.interval, "sim": sim, "report": report,
            "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--reuse", nargs="+", type=int, default=[1, 2, 4, 8])
    parser.add_argument("--budgets", nargs="+", type=int, default=[7, 3])
    parser.add_argument("--no-synth", action="store_true", help="analytic resource estimate instead of Yosys")
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-dsp-baseline", action="store_true", help="skip the R = 1, LutsPerDsp 0 rows")
    args = parser.parse_args()
    part = find_part("xcvu9p")
    source = "analytic estimate" if args.no_synth else "Yosys synth_xilinx -family xcup, per layer, summed"
    print(f"resources: {source}; % of {part.name} (LUT {part.LUT:,}, DSP {part.DSP:,})")
    print(f"{'model':<18} {'R':>2} {'budget':>6} {'LutsPerDsp':>10} {'latency':>7} {'II':>3} {'bit-exact':>9} "
          f"{'LUT':>8} {'FF':>7} {'DSP':>6} {'BRAM18':>6} {'LUT%':>5} {'DSP%':>5} {'s':>5}")
    for name in args.models:
        model, config = bundled_job(name)
        config = load_config(config).hls_config
        X = np.load(model.parent / "test_vectors.npz")["X"][: args.events]
        for budget in args.budgets:
            for reuse in args.reuse:
                for luts_per_dsp in ([None, 0] if reuse == 1 and not args.no_dsp_baseline else [None]):
                    result = measure(model, with_settings(config, reuse, budget, luts_per_dsp), X,
                                     not args.no_synth, args.jobs)
                    sim, report = result["sim"], result["report"]
                    measured = f"{sim['LatencyMin']}" if sim["LatencyMin"] == sim["LatencyMax"] else \
                        f"{sim['LatencyMin']}-{sim['LatencyMax']}"
                    exact = "yes" if sim["passed"] else f"NO ({sim['mismatches']})"
                    rate = "64" if luts_per_dsp is None else str(luts_per_dsp)
                    print(f"{name:<18} {reuse:>2} {budget:>6} {rate:>10} {measured:>7} {sim['IntervalMin']:>3} "
                          f"{exact:>9} {report['LUT']:>8,} {report['FF']:>7,} {report['DSP']:>6,} "
                          f"{report['BRAM_18K']:>6} {100 * report['LUT'] / part.LUT:>5.1f} "
                          f"{100 * report['DSP'] / part.DSP:>5.1f} {result['seconds']:>5.0f}", flush=True)
                    assert result["latency"] == sim["LatencyMin"] and result["interval"] == sim["IntervalMin"]


if __name__ == "__main__":
    main()
