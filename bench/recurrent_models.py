"""Recurrent taggers in both forms: unrolled (io_parallel, a sequence per beat) and static (io_stream, one cell reused,
a time step per beat). The top-tagger shape (20 constituents x 6 features -> LSTM 20 or GRU 20 with return_sequences
-> Flatten -> Dense 5 -> softmax), trained briefly (float, seeded) on the generated jets' 20 leading constituents:
planned and measured latency and interval, the cycles per time step (unrolled: the pipeline stage of each step's
state; static: the cell's loop), golden = Verilog on N held-out jets, Keras argmax agreement and accuracy, and with
--synth the flat Yosys flow of ../shared/tools/flat_synth.sh for both forms side by side. Then the larger shapes
static (random weights): a GRU 64 over 15 x 44 (a flavour tagger's) and an LSTM 128 over 100 x 3, each simulated
bit-exactly in Verilog. Writes bench/results/recurrent_unrolled.json and recurrent_static.json.

    .venv/bin/python bench/recurrent_models.py [--jets 3000] [--epochs 40] [--synth] [--only lstm] [--form static]
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


def loop_cycles(design, name: str) -> int:
    """Static: the cycles of the cell's loop (a step every so many cycles)."""
    return next(unit.interval for unit in design.core.units if unit.layers == [name])


def measure(model, cell: str, form: str, test, synth: bool, train_time: float) -> dict:
    X_test, y_test = test
    started = time.perf_counter()
    design = rtl4ml.convert(model, CONFIG if form == "unrolled" else {"IOType": "io_stream", "HLSConfig": CONFIG})
    convert_time = time.perf_counter() - started
    out_dir = BUILD / f"{cell.lower()}_{form}"
    design.write(out_dir, force=True)
    keras_out = model.predict(X_test, verbose=0)
    golden = design.predict(X_test)
    rtl = design.simulate_bulk(X_test)
    result = {"model": f"{cell} {UNITS} over {STEPS} x 6, return_sequences -> Dense 5", "form": form,
              "jets": len(X_test), "train_s": round(train_time, 1), "convert_s": round(convert_time, 1),
              "planned_latency": design.latency, "planned_interval": design.interval,
              "LatencyMin": rtl.get("LatencyMin"), "LatencyMax": rtl.get("LatencyMax"),
              "IntervalMax": rtl.get("IntervalMax"), "mismatches": rtl.get("mismatches"),
              "verilog_bit_exact": bool(rtl["passed"]),
              "keras_argmax_agreement": float((golden.argmax(1) == keras_out.argmax(1)).mean()),
              "max_abs_difference": float(np.abs(golden - keras_out).max()),
              "float_accuracy": float((keras_out.argmax(1) == y_test).mean()),
              "rtl_accuracy": float((golden.argmax(1) == y_test).mean())}
    if form == "unrolled":
        stages = step_cycles(design, cell.lower())
        result |= {"first_step_cycles": stages[0], "cycles_per_step": (stages[-1] - stages[0]) / (STEPS - 1)}
    else:
        result |= {"cycles_per_step": loop_cycles(design, cell.lower())}
    if synth:
        result["yosys_flat"] = flat_synth(out_dir)
    print(json.dumps(result), flush=True)
    return result


# the larger shapes of the recurrent issue, static: (cell, units, steps, features)
LARGE_SHAPES = (("GRU", 64, 15, 44), ("LSTM", 128, 100, 3))


def measure_large(cell: str, units: int, steps: int, features: int, sequences: int) -> dict:
    """A random-weight model of the shape, static: converted and simulated bit-exactly in Verilog."""
    keras.utils.set_random_seed(12)
    model = keras.Sequential([keras.Input((steps, features), name="constituents"),
                              getattr(keras.layers, cell)(units, name=cell.lower()),
                              keras.layers.Dense(5, name="logits")])
    started = time.perf_counter()
    types = {key: value for key, value in CONFIG.items() if key != "LayerName"}  # its input: the default type
    design = rtl4ml.convert(model, {"IOType": "io_stream", "HLSConfig": types})
    convert_time = time.perf_counter() - started
    out_dir = BUILD / f"{cell.lower()}{units}_{steps}x{features}"
    design.write(out_dir, force=True)
    X = np.random.default_rng(13).normal(0, 1, size=(sequences, steps, features))
    started = time.perf_counter()
    rtl = design.simulate_bulk(X)
    result = {"model": f"{cell} {units} over {steps} x {features} -> Dense 5 (random weights)", "form": "static",
              "sequences": sequences, "convert_s": round(convert_time, 1),
              "simulate_s": round(time.perf_counter() - started, 1), "planned_latency": design.latency,
              "planned_interval": design.interval, "LatencyMin": rtl.get("LatencyMin"),
              "LatencyMax": rtl.get("LatencyMax"), "IntervalMax": rtl.get("IntervalMax"),
              "mismatches": rtl.get("mismatches"), "verilog_bit_exact": bool(rtl["passed"]),
              "cycles_per_step": loop_cycles(design, cell.lower())}
    print(json.dumps(result), flush=True)
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jets", type=int, default=3000, help="held-out jets simulated")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--synth", action="store_true", help="flat Yosys synthesis (long for these cores)")
    parser.add_argument("--only", choices=("lstm", "gru"), default=None)
    parser.add_argument("--form", choices=("unrolled", "static"), default=None, help="one form only (default both)")
    parser.add_argument("--sequences", type=int, default=300, help="sequences simulated per larger shape")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results",
                        help="where recurrent_unrolled.json and recurrent_static.json go")
    args = parser.parse_args(argv)
    jets = load_constituent_jets(JETS)
    train_index, test_index = split_indices(jets)
    train = (sequence_inputs(jets.take(train_index), STEPS), jets.y[train_index])
    test = (sequence_inputs(jets.take(test_index[:args.jets]), STEPS), jets.y[test_index[:args.jets]])
    cells = [cell for cell in ("LSTM", "GRU") if args.only in (None, cell.lower())]
    forms = [form for form in ("unrolled", "static") if args.form in (None, form)]
    results = {form: [] for form in forms}
    for cell in cells:
        started = time.perf_counter()
        model = trained_model(cell, *train, args.epochs)
        train_time = time.perf_counter() - started
        for form in forms:
            results[form].append(measure(model, cell, form, test, args.synth, train_time))
    if "static" in forms:
        results["static"] += [measure_large(*shape, args.sequences) for shape in LARGE_SHAPES
                              if args.only in (None, shape[0].lower())]
    for form, measured in results.items():  # one file per form: each is measured (and may be re-run) on its own
        write_results(f"recurrent_{form}", {"config": CONFIG, "results": measured}, {"rtl4ml": rtl4ml.__version__},
                      args.results / f"recurrent_{form}.json")
    return 0 if all(r["verilog_bit_exact"] for form in results.values() for r in form) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
