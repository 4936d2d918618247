"""Level-1 trigger models beyond MLPs, with random weights: the calorimeter anomaly detector (an 18x14 unsigned 10-bit
image -> Conv2D 4 filters 2x2 stride 2, no bias -> ReLU -> Flatten -> Dense 16 -> ReLU -> Dense 1), a pointwise
Conv1D over 16 constituents, a two-headed Deep-Sets tagger (BatchNormalization -> pointwise Conv1D x2 ->
GlobalAveragePooling1D -> a 5-class softmax head and a 1-output regression head) and an autoencoder whose anomaly
score (Subtract, self-Dot) is computed in the core. Prints latency and II (planned and measured in the Verilog
core), golden = RTL = HLS C++ on N events, and with --synth the flat Yosys flow of ../shared/tools/flat_synth.sh.

    .venv/bin/python bench/conv_models.py [--events 3000] [--synth]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402

import rtl4ml  # noqa: E402
from flat_synth import flat_synth  # noqa: E402

# the types a user would give the calorimeter model (unsigned 10-bit deposits)
CALO_CONFIG = {"Model": {"Precision": {"default": "ap_fixed<16,6>", "weight": "ap_fixed<12,4>",
                                       "bias": "ap_fixed<12,4>", "result": "ap_ufixed<10,6>"}},
               "LayerName": {"image": {"Precision": {"result": "ap_ufixed<10,10>"}},
                             "score": {"Precision": {"result": "ap_fixed<16,8>"}}}}
POINTWISE_CONFIG = {"Model": {"Precision": "ap_fixed<16,6>"}}


def calorimeter_model():
    keras.utils.set_random_seed(1)
    return keras.Sequential([
        keras.Input(shape=(18, 14, 1), name="image"),
        keras.layers.Conv2D(4, 2, strides=2, use_bias=False, name="conv"), keras.layers.ReLU(name="relu1"),
        keras.layers.Flatten(name="flat"), keras.layers.Dense(16, name="fc1"), keras.layers.ReLU(name="relu2"),
        keras.layers.Dense(1, name="score")])


def pointwise_model():
    keras.utils.set_random_seed(2)
    return keras.Sequential([
        keras.Input(shape=(16, 4), name="constituents"),
        keras.layers.Conv1D(16, 1, activation="relu", name="phi1"),
        keras.layers.Conv1D(8, 1, activation="relu", name="phi2"),
        keras.layers.Flatten(name="flat"), keras.layers.Dense(5, name="rho")])


# Deep-Sets: 16 constituents x (pt/jet pt, delta eta, delta phi, charge); heads with their own types
DEEP_SETS_CONFIG = {"Model": {"Precision": {"default": "ap_fixed<16,6>", "weight": "ap_fixed<8,3>",
                                           "bias": "ap_fixed<8,3>", "result": "ap_fixed<12,5>"}},
                    "LayerName": {"constituents": {"Precision": {"result": "ap_fixed<12,4>"}},
                                  "classes": {"Precision": {"result": "ap_ufixed<10,0,AP_RND,AP_SAT>"}},
                                  "mass": {"Precision": {"result": "ap_fixed<16,8>"}}}}
AUTOENCODER_CONFIG = {"Model": {"Precision": {"default": "ap_fixed<16,6>", "weight": "ap_fixed<8,3>",
                                             "bias": "ap_fixed<8,3>", "result": "ap_fixed<12,5>"}},
                      "LayerName": {"score": {"Precision": {"result": "ap_ufixed<16,10,AP_RND,AP_SAT>"}}}}


def deep_sets_model():
    keras.utils.set_random_seed(3)
    x = keras.Input(shape=(16, 4), name="constituents")
    h = keras.layers.BatchNormalization(name="norm")(x)
    h = keras.layers.Conv1D(16, 1, activation="relu", name="phi1")(h)
    h = keras.layers.Conv1D(16, 1, activation="relu", name="phi2")(h)
    pooled = keras.layers.GlobalAveragePooling1D(name="pool")(h)
    c = keras.layers.Dense(16, activation="relu", name="rho1")(pooled)
    classes = keras.layers.Softmax(name="classes")(keras.layers.Dense(5, name="logits")(c))
    m = keras.layers.Dense(8, activation="relu", name="mass1")(pooled)
    mass = keras.layers.Dense(1, name="mass")(m)
    model = keras.Model(x, [classes, mass])
    norm = model.get_layer("norm")
    norm.set_weights([np.full(4, 1.5), np.full(4, 0.25), np.zeros(4), np.ones(4)])  # not an identity
    return model


def autoencoder_model():
    keras.utils.set_random_seed(4)
    x = keras.Input(shape=(16,), name="features")
    code = keras.layers.Dense(4, activation="relu", name="enc")(keras.layers.Dense(8, activation="relu", name="enc1")(x))
    decoded = keras.layers.Dense(16, name="dec")(keras.layers.Dense(8, activation="relu", name="dec1")(code))
    error = keras.layers.Subtract(name="error")([x, decoded])
    return keras.Model(x, keras.layers.Dot(axes=1, name="score")([error, error]))


def _inputs(name: str, events: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    if name == "calorimeter":
        X = rng.integers(0, 1024, size=(events, 18, 14, 1)).astype(np.float64)
        X[rng.random(X.shape) < 0.8] = 0  # most towers are empty
        return X
    if name == "autoencoder":
        return rng.normal(0, 1, size=(events, 16))
    return rng.normal(0, 1, size=(events, 16, 4))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--synth", action="store_true", help="also run the flat Yosys flow (minutes)")
    parser.add_argument("--only", help="run the models whose name contains this text")
    args = parser.parse_args()
    for name, model, config in (("calorimeter", calorimeter_model(), CALO_CONFIG),
                                ("pointwise Conv1D", pointwise_model(), POINTWISE_CONFIG),
                                ("deep-sets two heads", deep_sets_model(), DEEP_SETS_CONFIG),
                                ("autoencoder score", autoencoder_model(), AUTOENCODER_CONFIG)):
        if args.only and args.only not in name:
            continue
        design = rtl4ml.convert(model, config)
        products = sum(layer.multipliers for layer in design.graph.layers)
        X = _inputs(name.split()[0], args.events)
        with tempfile.TemporaryDirectory() as work:
            design.write(Path(work) / "prj")
            start = time.time()
            bulk = design.simulate_bulk(X)
            sim_time = time.time() - start
            csim = design.csim(X)
            heads = f" ({len(design.graph.outputs)} outputs)" if len(design.graph.outputs) > 1 else ""
            print(f"{name}{heads}: {products} non-zero products, latency {design.latency} cycles, II {design.interval}; "
                  f"Verilog core on {bulk['events']} events: {bulk['mismatches']} mismatches, latency "
                  f"{bulk['LatencyMin']}..{bulk['LatencyMax']}, interval {bulk['IntervalMin']} ({sim_time:.0f} s); "
                  f"HLS csim: {csim['mismatches']} mismatches ({csim['compile_time_s']:.0f} s g++)")
            if args.synth:
                print(f"  flat Yosys: {flat_synth(Path(work) / 'prj', Path(work) / 'synth')['line']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
