"""Recurrent taggers unrolled (io_parallel): the top-tagger shape of the recurrent issue (20 constituents x 6 features ->
LSTM 20 or GRU 20 with return_sequences -> Flatten -> Dense 5 -> softmax), trained briefly (float, seeded) on the
generated jets' 20 leading constituents. Prints the planned and measured latency and interval, the cycles per time step
(the pipeline stage of each step's state), golden = Verilog on N held-out jets, Keras argmax agreement and accuracy,
and with --synth the flat Yosys flow of ../shared/tools/flat_synth.sh. Writes JSON.

    .venv/bin/python bench/recurrent_models.py [--jets 3000] [--epochs 40] [--synth] [--only lstm]
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

import rtl4ml  # noqa: E402
from flat_synth import flat_synth  # noqa: E402
from results_file import write_results  # noqa: E402
from rtl4ml.constituent_training import split_indices  # noqa: E402
from rtl4ml.datasets.constituents import load_constituent_jets, sequence_inputs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "sim" / "build" / "bench_recurrent"
JETS = ROOT.parent / "shared" / "jets" / "pythia_jets_constituents.npz"
STEPS, UNITS = 20, 20
# the types: 18-bit data, pre-activations and states rounded to nearest (AP_RND_CONV: truncation's bias adds up over
# 20 steps), gates and candidates with 13 fractional bits, 4096-entry sigmoid/tanh tables, the inputs (fractions and
# angles within +-2) with 14 fractional bits: chosen for >= 99 % argmax agreement with Keras (16-bit truncating
# types and 1024-entry tables give about 95 %)
CONFIG = {"Model": {"Precision": "ap_fixed<18,6,AP_RND_CONV>"},
          "LayerName": {"constituents": {"Precision": {"result": "ap_fixed<16,2,AP_RND,AP_SAT>"}}},
          "LayerType": {cell: {"table_size": 4096, "Precision": {"gate": "ap_ufixed<14,1,AP_RND_CONV>",
                                                                 "candidate": "ap_fixed<15,2,AP_RND_CONV>"}}
                        for cell in ("LSTM", "GRU")}}


def trained_model(cell: str, X: np.ndarray, y: np.ndarray, epochs: int):
    keras.utils.set_random_seed(11)
    layer = getattr(keras.layers, cell)(UNITS, return_sequences=True, name=cell.lower())
    model = keras.Sequential([keras.Input((STEPS, 6), name="constituents"), layer, keras.layers.Flatten(name="flat"),
                              keras.layers.Dense(5, name="logits"), keras.layers.Activation("softmax", name="classes")])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, y, batch_size=512, epochs=epochs, validation_split=0.1, verbose=0)
    return model


def step_cycles(design, name: str) -> list[int]:
    """The pipeline stage at which each step's state is ready (cycles from the input beat)."""
    stages = {layer.name: stage for block, stage in zip(design.core.blocks, design.core.stages())
              for layer in block.layers}  # a block's stage is its last layer's: the state is the last of its block
    return [stages[f"{name}_t{step}_h"] for step in range(STEPS)]


def measure(cell: str, train, test, epochs: int, synth: bool) -> dict:
    (X_train, y_train), (X_test, y_test) = train, test
    started = time.perf_counter()
    model = trained_model(cell, X_train, y_train, epochs)
    train_time = time.perf_counter() - started
    started = time.perf_counter()
    design = rtl4ml.convert(model, CONFIG)
    convert_time = time.perf_counter() - started
    out_dir = BUILD / cell.lower()
    design.write(out_dir, force=True)
    keras_out = model.predict(X_test, verbose=0)
    golden = design.predict(X_test)
    rtl = design.simulate_bulk(X_test)
    stages = step_cycles(design, cell.lower())
    result = {"model": f"{cell} {UNITS} over {STEPS} x 6, return_sequences -> Dense 5", "jets": len(X_test),
              "train_s": round(train_time, 1), "convert_s": round(convert_time, 1), "layers": len(design.graph.layers),
              "planned_latency": design.latency, "planned_interval": design.interval,
              "LatencyMin": rtl.get("LatencyMin"), "LatencyMax": rtl.get("LatencyMax"),
              "IntervalMax": rtl.get("IntervalMax"), "mismatches": rtl.get("mismatches"),
              "verilog_bit_exact": bool(rtl["passed"]), "first_step_cycles": stages[0],
              "cycles_per_step": (stages[-1] - stages[0]) / (STEPS - 1),
              "keras_argmax_agreement": float((golden.argmax(1) == keras_out.argmax(1)).mean()),
              "max_abs_difference": float(np.abs(golden - keras_out).max()),
              "float_accuracy": float((keras_out.argmax(1) == y_test).mean()),
              "rtl_accuracy": float((golden.argmax(1) == y_test).mean())}
    if synth:
        result["yosys_flat"] = flat_synth(out_dir)
    print(json.dumps(result), flush=True)
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jets", type=int, default=3000, help="held-out jets simulated")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--synth", action="store_true", help="flat Yosys synthesis (long for these cores)")
    parser.add_argument("--only", choices=("lstm", "gru"), default=None)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "recurrent_models.json")
    args = parser.parse_args(argv)
    jets = load_constituent_jets(JETS)
    train_index, test_index = split_indices(jets)
    train = (sequence_inputs(jets.take(train_index), STEPS), jets.y[train_index])
    test = (sequence_inputs(jets.take(test_index[:args.jets]), STEPS), jets.y[test_index[:args.jets]])
    cells = [cell for cell in ("LSTM", "GRU") if args.only in (None, cell.lower())]
    results = [measure(cell, train, test, args.epochs, args.synth) for cell in cells]
    write_results("recurrent_models", {"config": CONFIG, "results": results}, {"rtl4ml": rtl4ml.__version__},
                  args.json)
    return 0 if all(r["verilog_bit_exact"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
