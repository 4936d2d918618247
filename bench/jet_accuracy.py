"""Accuracy of the bundled jet taggers on the full Pythia test split: Keras float, golden fixed point and
the RTL's own outputs (compiled Verilator harness), with per-class ROC AUC, argmax agreement, ROC plots
(float vs fixed) and a scan of accuracy against ap_fixed<W,I>.

    python bench/jet_accuracy.py [--models jet_tagger jet_tagger_qkeras jet_tagger_pruned] [--plots docs/figures]
                                 [--json bench/results/jet_accuracy.json]
"""

from __future__ import annotations

import argparse
from importlib import metadata
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import rtl4ml  # noqa: E402
from rtl4ml.datasets.jets import CLASSES, Scaler, load_jets  # noqa: E402
from rtl4ml.keras_reference import keras_outputs  # noqa: E402
from rtl4ml.report.accuracy import argmax_agreement, class_scores, roc_curves  # noqa: E402
from rtl4ml.report.analytic import estimate_core  # noqa: E402
from rtl4ml.report.plots import plot_accuracy_scan, plot_accuracy_vs_cost, plot_roc_curves  # noqa: E402
from rtl4ml.training import JetSplit  # noqa: E402

from bundled import bundled_job  # noqa: E402
from results_file import write_results  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCAN_WIDTHS = list(range(6, 19, 2))
SCAN_INTEGER_BITS = (4, 6, 8)


def scores_line(name: str, outputs: np.ndarray, y: np.ndarray) -> str:
    scores = class_scores(outputs, y, CLASSES)
    return f"  {name:<22} accuracy {100 * scores['accuracy']:6.2f} %   AUC " + " ".join(
        f"{c} {a:.4f}" for c, a in scores["auc"].items())


def evaluate(name: str, X_raw: np.ndarray, y: np.ndarray, plots: Path | None) -> tuple[np.ndarray, dict]:
    """Print scores of Keras, golden and RTL outputs for a bundled model; returns the Keras outputs and the scores."""
    model_path, config = bundled_job(name)
    X = Scaler.load(model_path.parent / "scaler.json").transform(X_raw)
    design = rtl4ml.convert(model_path, config)
    keras = keras_outputs(model_path, None, X)
    golden = design.predict(X)
    with tempfile.TemporaryDirectory() as scratch:
        design.write(Path(scratch) / "prj")
        started = time.perf_counter()
        rtl = design.simulate_bulk(X, return_outputs=True)
        elapsed = time.perf_counter() - started
    print(f"{name}: {len(y)} test jets")
    print(scores_line("Keras float", keras, y))
    print(scores_line("golden fixed point", golden, y))
    print(scores_line("RTL (Verilator)", rtl["outputs"], y))
    print(f"  RTL vs golden: {rtl['mismatches']} mismatching events; argmax agreement RTL-Keras "
          f"{100 * argmax_agreement(rtl['outputs'], keras):.2f} %, golden-Keras {100 * argmax_agreement(golden, keras):.2f} %")
    print(f"  RTL run: {elapsed:.1f} s including a {rtl['build_time_s']:.1f} s harness build "
          f"({rtl['run_time_s']:.2f} s simulating)")
    if plots:
        path = plot_roc_curves({"Keras float": roc_curves(keras, y, CLASSES),
                                "RTL fixed": roc_curves(rtl["outputs"], y, CLASSES)},
                               plots / f"roc_{name}.png", f"{name}: ROC, Keras float vs RTL outputs")
        print(f"  ROC plot: {path}")
    keras_scores, rtl_scores = class_scores(keras, y, CLASSES), class_scores(rtl["outputs"], y, CLASSES)
    return keras, {"jets": len(y), "keras_accuracy": keras_scores["accuracy"],
                   "golden_accuracy": class_scores(golden, y, CLASSES)["accuracy"],
                   "rtl_accuracy": rtl_scores["accuracy"], "rtl_auc": rtl_scores["auc"],
                   "rtl_golden_mismatches": int(rtl["mismatches"]),
                   "rtl_keras_argmax_agreement": argmax_agreement(rtl["outputs"], keras),
                   "roc_plot": f"roc_{name}.png" if plots else None}


def bit_width_scan(X_raw: np.ndarray, y: np.ndarray, float_accuracy: float, plots: Path | None) -> dict:
    model_path, _ = bundled_job("jet_tagger")
    X = Scaler.load(model_path.parent / "scaler.json").transform(X_raw)
    print("accuracy of jet_tagger vs ap_fixed<W,I> for the whole model (golden = RTL bit for bit), "
          "and the analytic LUT estimate of its core:")
    print("  W    " + "  ".join(f"I={i:<14}" for i in SCAN_INTEGER_BITS))
    table = {i: [] for i in SCAN_INTEGER_BITS}
    luts = {i: [] for i in SCAN_INTEGER_BITS}
    dsps = {i: [] for i in SCAN_INTEGER_BITS}
    for width in SCAN_WIDTHS:
        for integer in SCAN_INTEGER_BITS:
            design = rtl4ml.convert(model_path, {"Model": {"Precision": f"ap_fixed<{width},{integer}>"}})
            table[integer].append(float((design.predict(X).argmax(1) == y).mean()))
            estimate = estimate_core(design.core).values()
            luts[integer].append(int(sum(block["LUT"] for block in estimate)))
            dsps[integer].append(int(sum(block["DSP"] for block in estimate)))
        print(f"  {width:<4} " + "  ".join(f"{100 * table[i][-1]:6.2f} {luts[i][-1]:>8,}" for i in SCAN_INTEGER_BITS))
    if plots:
        path = plot_accuracy_scan(SCAN_WIDTHS, {f"I = {i}": table[i] for i in SCAN_INTEGER_BITS},
                                  plots / "accuracy_vs_bit_width.png", "jet_tagger: accuracy vs bit width",
                                  reference={"Keras float": float_accuracy})
        print(f"  scan plot: {path}")
        path = plot_accuracy_vs_cost({f"I = {i}": (luts[i], table[i], SCAN_WIDTHS) for i in SCAN_INTEGER_BITS},
                                     plots / "accuracy_vs_luts.png", "jet_tagger: accuracy vs LUTs (labels: W)",
                                     "LUT (analytic estimate)")
        print(f"  cost plot: {path}")
    return {"widths": SCAN_WIDTHS, "accuracy_by_integer_bits": {str(i): table[i] for i in SCAN_INTEGER_BITS},
            "analytic_lut_by_integer_bits": {str(i): luts[i] for i in SCAN_INTEGER_BITS},
            "analytic_dsp_by_integer_bits": {str(i): dsps[i] for i in SCAN_INTEGER_BITS},
            "keras_accuracy": float_accuracy, "plot": "accuracy_vs_bit_width.png" if plots else None,
            "cost_plot": "accuracy_vs_luts.png" if plots else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jets", default=str(ROOT.parent / "shared" / "jets" / "pythia_jets_hlf.npz"))
    parser.add_argument("--models", nargs="+", default=["jet_tagger", "jet_tagger_qkeras", "jet_tagger_pruned"])
    parser.add_argument("--plots", type=Path, help="folder for PNG plots (ROC per model, bit-width scan)")
    parser.add_argument("--no-scan", action="store_true")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "jet_accuracy.json")
    args = parser.parse_args()
    split = JetSplit.of(*load_jets(args.jets))
    float_outputs = None
    result = {"models": {}}
    for name in args.models:
        outputs, result["models"][name] = evaluate(name, split.X_test, split.y_test, args.plots)
        float_outputs = outputs if name == "jet_tagger" else float_outputs
    if not args.no_scan:
        float_accuracy = float((float_outputs.argmax(1) == split.y_test).mean()) if float_outputs is not None else None
        result["bit_width_scan"] = bit_width_scan(split.X_test, split.y_test, float_accuracy or 0.0, args.plots)
    write_results("jet_accuracy", result, {"tensorflow": metadata.version("tensorflow"),
                                           "verilator": metadata.version("verilator")}, args.json)


if __name__ == "__main__":
    main()
