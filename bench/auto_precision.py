"""Keras agreement and result bits: the uniform hls4ml default ap_fixed<16,6> against `Precision: auto`.

On standard-normal input vectors (as a new user tries a model), for the reference 16-64-32-32-5 model in
../shared/models and the bundled jet taggers: argmax agreement with Keras, events whose outputs saturate or wrap
somewhere, and the result bits (the sum of every layer's result width, and of width x elements).
`auto` is the config `rtl4ml config --precision auto` writes (results and accumulators auto at the LSB of
ap_fixed<16,6>, 16-bit weights rounded at the finest LSB that holds them, the input ap_fixed<16,6>), from
interval arithmetic, and calibrated on other standard-normal vectors (the input auto too).

    python bench/auto_precision.py [--events 10000]
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import rtl4ml  # noqa: E402
from rtl4ml.config import config_from_model_spec  # noqa: E402
from rtl4ml.design import _model_spec  # noqa: E402
from rtl4ml.keras_reference import keras_outputs  # noqa: E402
from rtl4ml.report.accuracy import argmax_agreement  # noqa: E402

from bundled import bundled_job  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "models"
MODELS = {
    "keras_3layer (../shared)": (SHARED / "keras_3layer" / "KERAS_3layer.json",
                                 SHARED / "keras_3layer" / "KERAS_3layer_weights.h5"),
    "jet_tagger (bundled)": (bundled_job("jet_tagger")[0], None),
    "jet_tagger_pruned (bundled, 70 % zeros)": (bundled_job("jet_tagger_pruned")[0], None),
    "jet_tagger_qkeras (bundled)": (bundled_job("jet_tagger_qkeras")[0], None),
}


def configs(spec) -> dict:
    """label -> (config, calibrated): the uniform default and what `rtl4ml config --precision auto` writes."""
    auto = config_from_model_spec(spec, precision="auto")
    calibrated = copy.deepcopy(auto)
    calibrated["LayerName"][spec.input.name]["Precision"]["result"] = "auto"
    return {"ap_fixed<16,6> everywhere": ({"Model": {"Precision": "ap_fixed<16,6>"}}, False),
            "auto, interval arithmetic": (auto, False),
            "auto, calibrated (input auto too)": (calibrated, True)}


def result_bits(graph) -> tuple[int, int]:
    layers = graph.all_layers()
    return sum(layer.result_type.width for layer in layers), sum(layer.result_type.width * layer.n_out
                                                                 for layer in layers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10000)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    for name, (model, weights) in MODELS.items():
        if not Path(model).is_file():
            print(f"{name}: {model} not found, skipped")
            continue
        spec = _model_spec(model, weights)
        X = rng.standard_normal((args.events,) + tuple(spec.input.shape))
        calibration = rng.standard_normal((args.events,) + tuple(spec.input.shape))
        keras = keras_outputs(model, weights, X)
        print(f"{name}: {args.events} standard-normal vectors (calibration: {args.events} others)")
        for label, (config, calibrated) in configs(spec).items():
            design = rtl4ml.convert(spec, config, calibrate=calibration if calibrated else None)
            outputs = design.predict(X)
            layers, elements = result_bits(design.graph)
            print(f"  {label:<36} Keras argmax agreement {100 * argmax_agreement(outputs, keras):6.2f} %   "
                  f"result bits {layers:4d} (x elements {elements:5d})")
        print(f"  (auto weights and biases: {configs(spec)['auto, interval arithmetic'][0]['Model']['Precision']['weight']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
