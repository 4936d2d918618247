"""Accuracy of the bundled jet tagger on the full Pythia test split: Keras float, golden fixed point, and
the RTL's own outputs (compiled Verilator harness), with per-class ROC AUC and argmax agreement.

    python bench/jet_accuracy.py [--jets ../shared/jets/pythia_jets_hlf.npz]
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
from rtl4ml.datasets.jets import CLASSES, Scaler, load_jets  # noqa: E402
from rtl4ml.keras_reference import keras_outputs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "sim" / "models" / "jet_tagger"


def scores(name: str, outputs: np.ndarray, y: np.ndarray) -> str:
    from sklearn.metrics import roc_auc_score

    accuracy = (outputs.argmax(axis=1) == y).mean()
    aucs = [roc_auc_score(y == k, outputs[:, k]) for k in range(len(CLASSES))]
    return f"  {name:<22} accuracy {100 * accuracy:6.2f} %   AUC " + " ".join(
        f"{c} {a:.4f}" for c, a in zip(CLASSES, aucs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jets", default=str(ROOT.parent / "shared" / "jets" / "pythia_jets_hlf.npz"))
    args = parser.parse_args()
    from sklearn.model_selection import train_test_split

    X, y = load_jets(args.jets)
    _, X_test, _, y_test = train_test_split(X, y, test_size=0.3, random_state=42, stratify=y)
    X_test = Scaler.load(BUNDLE / "scaler.json").transform(X_test)
    design = rtl4ml.convert(BUNDLE / "model.h5", ROOT / "sim" / "configs" / "jet_tagger.yml")
    keras = keras_outputs(BUNDLE / "model.h5", None, X_test)
    golden = design.predict(X_test)
    with tempfile.TemporaryDirectory() as scratch:
        design.write(Path(scratch) / "prj")
        started = time.perf_counter()
        rtl = design.simulate_bulk(X_test, return_outputs=True)
        elapsed = time.perf_counter() - started
    print(f"bundled jet tagger, {len(y_test)} test jets (ap_fixed<16,6>, weights rounded):")
    print(scores("Keras float", keras, y_test))
    print(scores("golden fixed point", golden, y_test))
    print(scores("RTL (Verilator)", rtl["outputs"], y_test))
    print(f"  RTL vs golden: {rtl['mismatches']} mismatching events; RTL argmax agreement with Keras "
          f"{100 * (rtl['outputs'].argmax(1) == keras.argmax(1)).mean():.2f} %")
    print(f"  RTL run: {elapsed:.1f} s including a {rtl['build_time_s']:.1f} s harness build "
          f"({rtl['run_time_s']:.2f} s simulating)")


if __name__ == "__main__":
    main()
