"""A model too large to unroll: 16-200-200-200-200-200-5 with ReuseFactor R, generated, built and simulated.

    python bench/large_model.py [--reuse 40] [--events 2000] [--zero-fraction 0.0]

Fully parallel, this model needs 164,200 multipliers (more than any FPGA has DSPs; rtl4ml refuses
it). With R = 40 every layer's multiplications divide evenly and each multiplier serves 40 weights:
the script prints the multipliers per layer, their share of a VU9P's DSPs, latency and interval,
the analytic resource estimate (Yosys on this size takes too long for a benchmark), the Verilator
build time and the bit-exact result of a compiled-harness run against the golden model.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from rtl4ml.config import load_config
from rtl4ml.design import Design
from rtl4ml.frontends.spec import ActivationSpec, DenseSpec, InputSpec, ModelSpec
from rtl4ml.ir.builder import build_ir
from rtl4ml.report.parts import find_part

SIZES = [16, 200, 200, 200, 200, 200, 5]


def large_model(seed: int, zero_fraction: float) -> ModelSpec:
    rng = np.random.default_rng(seed)
    layers = []
    for index, (n_in, n_out) in enumerate(zip(SIZES, SIZES[1:])):
        kernel = rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out))
        kernel[rng.random(kernel.shape) < zero_fraction] = 0.0
        layers.append(DenseSpec(f"fc{index + 1}", "Dense", kernel, rng.normal(0, 0.1, n_out)))
        last = index == len(SIZES) - 2
        layers.append(ActivationSpec(f"act{index + 1}", "Activation", "linear" if last else "relu"))
    return ModelSpec("large", InputSpec("x", SIZES[0]), layers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", type=int, default=40)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--zero-fraction", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    config = load_config({"Model": {"Precision": "ap_fixed<16,6>", "ReuseFactor": args.reuse, "Strategy": "Resource"}})
    started = time.perf_counter()
    design = Design(build_ir(large_model(args.seed, args.zero_fraction), config, "large"), config)
    core = design.core
    planned = time.perf_counter() - started
    print(f"model {'-'.join(map(str, SIZES))}, ap_fixed<16,6>, ReuseFactor {args.reuse}, "
          f"{args.zero_fraction:.0%} zero weights")
    total = 0
    for block in core.blocks:
        if block.sequential:
            multipliers = len(block.plan.multipliers)
            total += multipliers
            print(f"  {block.identifier}: {multipliers} multipliers, ROM {block.plan.rom_style} "
                  f"{args.reuse} x {multipliers * block.plan.weight_width} bits, latency {block.latency}")
    dsps = find_part("xcvu9p").DSP
    print(f"multipliers: {total} ({100 * total / dsps:.1f} % of a VU9P's {dsps} DSPs); "
          f"latency {core.latency} cycles, II {core.interval}; planned in {planned:.1f} s")
    X = np.random.default_rng(args.seed + 1).normal(0, 1, (args.events, SIZES[0]))
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        design.write(Path(scratch) / "large")
        written = time.perf_counter() - started
        results = design.simulate_bulk(X)
        estimate = design.report(run_synthesis=False)
    print(f"analytic estimate: LUT {estimate['LUT']:,}, FF {estimate['FF']:,}, DSP {estimate['DSP']:,}, "
          f"BRAM_18K {estimate['BRAM_18K']}")
    print(f"written in {written:.1f} s; harness build {results['build_time_s']:.1f} s, "
          f"{args.events} events simulated in {results['run_time_s']:.2f} s ({results['cycles']} cycles)")
    print(f"bit-exact against the golden model: {results['passed']} ({results['mismatches']} mismatching events)")


if __name__ == "__main__":
    main()
