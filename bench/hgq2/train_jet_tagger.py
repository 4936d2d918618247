"""Train the HGQ2 jet tagger 16-64-64-32-5 (ReLU, logits out) on a prepared jet split, one model per EBOPs
weight beta, and save each as .keras with HGQ2's own outputs on the test jets.

Runs in the HGQ2 environment (hgq2 cannot share rtl4ml's: it shadows QKeras), started by
bench/hgq2_vs_qkeras.py, which prepares the split (standardized features, the split rtl4ml's training uses) and
reads the models back with rtl4ml's HGQ2 reader:

    python bench/hgq2/train_jet_tagger.py --data SPLIT.npz --out DIR --beta 1e-6 1e-5 --epochs 60
"""

import argparse
import json
import os
import sys
from importlib import metadata
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from hgq.config import LayerConfigScope, QuantizerConfigScope  # noqa: E402
from hgq.layers import QDense  # noqa: E402
from hgq.utils import trace_minmax  # noqa: E402
from hgq.utils.sugar import FreeEBOPs  # noqa: E402

HIDDEN = (64, 64, 32)
CLASSES = 5


def tagger(beta: float) -> keras.Model:
    """HGQ2's recommended setup: weights per element in kbi form saturating, activations per element in kif form
    wrapping (their integer bits then calibrated on the training data), every layer's EBOPs weighted by beta."""
    with QuantizerConfigScope(place="all", default_q_type="kbi", overflow_mode="SAT_SYM"), \
            QuantizerConfigScope(place="datalane", default_q_type="kif", overflow_mode="WRAP"), \
            LayerConfigScope(enable_ebops=True, beta0=beta):
        inputs = keras.Input((16,), name="features")
        x = inputs
        for index, units in enumerate(HIDDEN, start=1):
            x = QDense(units, activation="relu", name=f"fc{index}")(x)
        outputs = QDense(CLASSES, name="logits")(x)
    return keras.Model(inputs, outputs, name="hgq2_jet_tagger")


def train(beta: float, data, epochs: int, seed: int) -> tuple[keras.Model, dict, np.ndarray]:
    keras.utils.set_random_seed(seed)
    model = tagger(beta)
    model.compile(keras.optimizers.Adam(3e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(data["X_train"], data["y_train"], batch_size=1024, epochs=epochs, validation_split=0.2,
                        callbacks=[FreeEBOPs()], verbose=0)
    trace_minmax(model, data["X_train"], batch_size=4096)  # the wrapping activations' integer bits
    logits = np.asarray(model.predict(data["X_test"], batch_size=4096, verbose=0))
    return model, {"beta": beta, "epochs": epochs, "ebops": float(history.history["ebops"][-1]),
                   "hgq2": metadata.version("hgq2"), "keras": keras.__version__,
                   "hgq2_accuracy": float((logits.argmax(axis=1) == data["y_test"]).mean())}, logits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="npz with X_train, y_train, X_test, y_test")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--beta", type=float, nargs="+", default=[1e-6, 1e-5, 3e-5])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    data = dict(np.load(args.data))
    args.out.mkdir(parents=True, exist_ok=True)
    for beta in args.beta:
        model, summary, logits = train(beta, data, args.epochs, args.seed)
        name = f"hgq2_beta{beta:.0e}"
        model.save(args.out / f"{name}.keras")
        np.save(args.out / f"{name}.logits.npy", logits.astype(np.float32))
        (args.out / f"{name}.json").write_text(json.dumps(summary) + "\n")
        print(json.dumps({"model": name, **summary}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
