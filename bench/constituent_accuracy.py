"""Accuracy of the bundled constituent taggers (Deep-Sets with two heads, jet image) on the full 15,000-jet test
split of ../shared/jets/pythia_jets_constituents.npz: Keras float, the golden fixed point and the RTL's own
outputs (compiled Verilator harness, every output compared bit for bit), per head: class accuracy, per-class
ROC AUC and argmax agreement for the softmax; RMS error against the true jet mass for the regression.

    python bench/constituent_accuracy.py [--models deep_sets jet_image]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import rtl4ml  # noqa: E402
from rtl4ml.constituent_training import ConstituentRecipe, split_indices  # noqa: E402
from rtl4ml.datasets.constituents import MASS_UNIT_GEV, load_constituent_jets  # noqa: E402
from rtl4ml.datasets.jets import CLASSES  # noqa: E402
from rtl4ml.keras_reference import keras_outputs, output_heads  # noqa: E402
from rtl4ml.report.accuracy import argmax_agreement, class_scores  # noqa: E402

from bundled import bundled_job  # noqa: E402

JETS = Path(__file__).resolve().parent.parent.parent / "shared" / "jets" / "pythia_jets_constituents.npz"


def head_lines(graph, outputs: dict[str, np.ndarray], y: np.ndarray, targets: dict[str, np.ndarray]) -> list[str]:
    lines = []
    for head in output_heads(graph):
        for source, values in outputs.items():
            part = values[:, head.columns]
            if head.classifier:
                scores = class_scores(part, y, CLASSES)
                text = f"accuracy {100 * scores['accuracy']:6.2f} %   AUC " + " ".join(
                    f"{c} {a:.3f}" for c, a in scores["auc"].items())
                if source != "Keras float":
                    keras = outputs["Keras float"][:, head.columns]
                    text += f"   argmax agreement with Keras {100 * argmax_agreement(part, keras):.2f} %"
            else:
                rms = np.sqrt(np.mean((part[:, 0] - targets[head.name]) ** 2))
                text = f"RMS error {rms * MASS_UNIT_GEV:.2f} GeV"
            lines.append(f"  {head.name:<8} {source:<20} {text}")
    return lines


def evaluate(name: str, jets, test: np.ndarray) -> None:
    model_path, config = bundled_job(name)
    recipe = ConstituentRecipe(name)
    sample = jets.take(test)
    X = recipe.inputs(sample)
    design = rtl4ml.convert(model_path, config)
    outputs = {"Keras float": keras_outputs(model_path, None, X), "golden fixed point": design.predict(X)}
    with tempfile.TemporaryDirectory() as scratch:
        design.write(Path(scratch) / "prj")
        started = time.perf_counter()
        rtl = design.simulate_bulk(X, return_outputs=True)
        elapsed = time.perf_counter() - started
    outputs["RTL (Verilator)"] = rtl["outputs"]
    print(f"{name}: {len(test)} test jets, latency {design.latency} cycles, II {design.interval}; RTL vs golden: "
          f"{rtl['mismatches']} mismatching events ({elapsed:.1f} s incl. a {rtl['build_time_s']:.1f} s build)")
    for line in head_lines(design.graph, outputs, sample.y, recipe.targets(sample)):
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["deep_sets", "jet_image"])
    parser.add_argument("--jets", default=str(JETS))
    args = parser.parse_args()
    jets = load_constituent_jets(args.jets)
    _, test = split_indices(jets)
    for name in args.models:
        evaluate(name, jets, test)


if __name__ == "__main__":
    main()
