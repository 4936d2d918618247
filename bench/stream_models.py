"""Streaming cores (IOType io_stream) of image models: the architecture of hls4ml's SVHN CNN (32x32x3 -> three blocks of
Conv2D 3x3 (16, 16, 24 filters) + BatchNormalization + ReLU + MaxPooling 2x2 -> Flatten -> Dense 42 -> Dense 64 ->
Dense 10 -> softmax) with random 6-bit weights, and the bundled jet-image tagger of that architecture (32 x 32 x 2,
trained, QKeras 6-bit; make sim TEST=jet_image_stream). Then the SVHN architecture with its products on DSPs
(LutsPerDsp 0): `svhn_dsp` as rate matching folds it (the convolutions after a pooling and the Dense layers on
vectors time-multiplexed to their rate), `svhn_dsp_parallel` with those kept at ReuseFactor 1. Prints the planned latency and
frame interval, the measured ones (compiled Verilator harness, frames back to back), golden = Verilog = HLS C++ on N
frames, the multipliers (DSP, and generic products in LUTs), and with --synth the flat Yosys flow of
../shared/tools/flat_synth.sh (LUT, FF, DSP, BRAM). Writes JSON; with --only the other models' entries are kept.

    .venv/bin/python bench/stream_models.py [--frames 200] [--synth] [--only svhn_dsp] [--json ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402
import yaml  # noqa: E402

import rtl4ml  # noqa: E402
from rtl4ml.backends.rtl.lut_multiplier import products_in_luts  # noqa: E402
from flat_synth import flat_synth  # noqa: E402
from results_file import git_commit, write_results  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "sim" / "build" / "bench_stream"
# 6-bit weights and biases, 8-bit unsigned activations after each ReLU, as a quantized trigger model would have
SVHN_CONFIG = {"IOType": "io_stream", "HLSConfig": {
    "Model": {"Precision": {"default": "ap_fixed<16,6>", "weight": "ap_fixed<6,1>", "bias": "ap_fixed<6,1>",
                            "result": "ap_fixed<12,5>"}},
    "LayerType": {"Activation": {"Precision": {"result": "ap_ufixed<8,3>"}},
                  "MaxPooling2D": {"Precision": {"result": "ap_ufixed<8,3>"}}},
    "LayerName": {"image": {"Precision": {"result": "ap_ufixed<8,0>"}}}}}


# the products on DSPs; rate matching folds the convolutions after a pooling and the Dense layers on vectors, unless
# they are given ReuseFactor 1
SVHN_DSP_CONFIG = {**SVHN_CONFIG, "HLSConfig": {**SVHN_CONFIG["HLSConfig"], "Model": {
    **SVHN_CONFIG["HLSConfig"]["Model"], "LutsPerDsp": 0}}}
SVHN_DSP_PARALLEL_CONFIG = {**SVHN_DSP_CONFIG, "HLSConfig": {
    **SVHN_DSP_CONFIG["HLSConfig"], "LayerType": {**SVHN_CONFIG["HLSConfig"]["LayerType"], "Conv2D": {"ReuseFactor": 1}},
    "LayerName": {**SVHN_CONFIG["HLSConfig"]["LayerName"], "fc1": {"ReuseFactor": 1}, "logits": {"ReuseFactor": 1}}}}


def svhn_model():
    keras.utils.set_random_seed(7)
    layers = [keras.Input(shape=(32, 32, 3), name="image")]
    for block, filters in enumerate((16, 16, 24)):
        layers += [keras.layers.Conv2D(filters, 3, name=f"conv{block}"),
                   keras.layers.BatchNormalization(name=f"bn{block}"),
                   keras.layers.Activation("relu", name=f"relu{block}"),
                   keras.layers.MaxPooling2D(2, name=f"pool{block}")]
    layers += [keras.layers.Flatten(name="flat"), keras.layers.Dense(42, name="fc0"),
               keras.layers.Activation("relu", name="relu_fc0"), keras.layers.Dense(64, name="fc1"),
               keras.layers.Activation("relu", name="relu_fc1"), keras.layers.Dense(10, name="logits"),
               keras.layers.Activation("softmax", name="classes")]
    model = keras.Sequential(layers)
    rng = np.random.default_rng(7)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            n = layer.get_weights()[0].shape[0]
            layer.set_weights([rng.uniform(0.5, 1.5, n), rng.uniform(-0.2, 0.2, n), rng.uniform(-0.1, 0.1, n),
                               rng.uniform(0.5, 1.5, n)])
    return model


def jet_image_stream():
    config = yaml.safe_load((ROOT / "sim" / "configs" / "jet_image_stream.yml").read_text())
    return ROOT / "sim" / "models" / "jet_image_stream" / "model.h5", config


def generic_multipliers(core) -> dict:
    """The time-multiplexed (generic) multipliers of the core: as DSPs (a `*`) and in LUTs (lut_multiplier.v)."""
    counts = {"dsp_multipliers": 0, "lut_multipliers": 0}
    for unit in core.units:
        if unit.block is not None and unit.block.multipliers:
            counts["lut_multipliers" if products_in_luts(unit.block) else "dsp_multipliers"] += unit.block.multipliers
    return counts


def measure(name: str, model, config, frames: int, synth: bool) -> dict:
    started = time.perf_counter()
    design = rtl4ml.convert(model, config)
    convert_time = time.perf_counter() - started
    out_dir = BUILD / name
    design.write(out_dir, force=True)
    shape = design.graph.input.shape
    t = design.graph.input.result_type
    X = np.random.default_rng(0).uniform(t.min_value, t.max_value, size=(frames,) + tuple(shape))
    rtl = design.simulate_bulk(X)
    csim = design.csim(X)
    result = {"model": name, "commit": git_commit(), "frames": frames, "convert_s": round(convert_time, 1),
              "units": len(design.core.units), "planned_latency": design.core.latency,
              "planned_interval": design.core.interval, "LatencyFirst": rtl.get("LatencyFirst"),
              "LatencyMin": rtl.get("LatencyMin"), "LatencyMax": rtl.get("LatencyMax"),
              "IntervalMin": rtl.get("IntervalMin"), "IntervalMax": rtl.get("IntervalMax"),
              "verilog_bit_exact": bool(rtl["passed"]), "csim_bit_exact": bool(csim["passed"]),
              **generic_multipliers(design.core),
              "reuse_factors": {unit.identifier: unit.interval for unit in design.core.units if unit.interval > 1}}
    if synth:
        result["yosys_flat"] = flat_synth(out_dir)
    print(json.dumps(result))
    return result


MODELS = {"jet_image_stream": jet_image_stream, "svhn": lambda: (svhn_model(), SVHN_CONFIG),
          "svhn_dsp": lambda: (svhn_model(), SVHN_DSP_CONFIG),
          "svhn_dsp_parallel": lambda: (svhn_model(), SVHN_DSP_PARALLEL_CONFIG)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--synth", action="store_true", help="flat Yosys synthesis (minutes per model)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "stream_models.json")
    parser.add_argument("--only", choices=tuple(MODELS), default=None)
    args = parser.parse_args(argv)
    names = [args.only] if args.only else list(MODELS)
    results = [measure(name, *MODELS[name](), args.frames, args.synth) for name in names]
    kept = []
    if args.only and args.json.is_file():  # the other models' figures stay, each with the commit it was measured at
        kept = [model for model in json.loads(args.json.read_text())["results"] if model["model"] != args.only]
    write_results("stream_models", {"results": kept + results}, {"rtl4ml": rtl4ml.__version__}, args.json)
    return 0 if all(r["verilog_bit_exact"] and r["csim_bit_exact"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
