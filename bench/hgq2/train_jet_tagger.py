"""Train the HGQ2 jet tagger 16-64-64-32-5 (ReLU, logits out) on a prepared jet split as HGQ2 intends: one run whose
EBOPs weight beta rises log-linearly, HGQ2's ParetoFront keeping every model no other beats in both validation
accuracy and EBOPs; a few models spread over that front in EBOPs are kept, their wrapping activations calibrated, and
each saved as .keras with HGQ2's own outputs on the test jets.

Runs in the HGQ2 environment (hgq2 cannot share rtl4ml's: it shadows QKeras), started by bench/hgq2_vs_qkeras.py,
which prepares the split (standardized features, the split rtl4ml's training uses) and reads the models back with
rtl4ml's HGQ2 reader:

    python bench/hgq2/train_jet_tagger.py --data SPLIT.npz --out DIR [--epochs 600] [--models 4]
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
from hgq.utils.sugar import BetaScheduler, FreeEBOPs, ParetoFront, PieceWiseSchedule  # noqa: E402

HIDDEN = (64, 64, 32)
CLASSES = 5
LOWEST_ACCURACY = 0.6  # front models below it (the last, most starved epochs) are not kept


def tagger() -> keras.Model:
    """HGQ2's recommended setup: weights per element in kbi form saturating, activations per element in kif form
    wrapping (their integer bits calibrated on the training data after training), EBOPs counted in every layer."""
    with QuantizerConfigScope(place="all", default_q_type="kbi", overflow_mode="SAT_SYM"), \
            QuantizerConfigScope(place="datalane", default_q_type="kif", overflow_mode="WRAP"), \
            LayerConfigScope(enable_ebops=True, beta0=1e-7):
        inputs = keras.Input((16,), name="features")
        x = inputs
        for index, units in enumerate(HIDDEN, start=1):
            x = QDense(units, activation="relu", name=f"fc{index}")(x)
        outputs = QDense(CLASSES, name="logits")(x)
    return keras.Model(inputs, outputs, name="hgq2_jet_tagger")


def train_front(data: dict, epochs: int, betas: tuple[float, float], seed: int, front: Path) -> list[Path]:
    """The Pareto front's model files of one run, beta rising log-linearly from betas[0] to betas[1]."""
    keras.utils.set_random_seed(seed)
    model = tagger()
    model.compile(keras.optimizers.Adam(3e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    schedule = PieceWiseSchedule([(0, betas[0], "log"), (epochs, betas[1], "constant")])
    pareto = ParetoFront(front, ["val_accuracy", "ebops"], [1, -1],
                         fname_format="epoch={epoch}_accuracy={val_accuracy:.4f}_ebops={ebops}.keras")
    model.fit(data["X_train"], data["y_train"], batch_size=1024, epochs=epochs, validation_split=0.2, verbose=0,
              callbacks=[FreeEBOPs(), BetaScheduler(schedule), pareto])
    return list(pareto.paths)


def front_entry(path: Path) -> dict:
    fields = dict(part.split("=") for part in path.name.removesuffix(".keras").split("_"))
    return {"path": path, "epoch": int(fields["epoch"]), "val_accuracy": float(fields["accuracy"]),
            "ebops": float(fields["ebops"])}


def spread(front: list[dict], count: int) -> list[dict]:
    """count front models evenly spaced in log EBOPs, from the cheapest usable one to the most accurate."""
    usable = sorted((m for m in front if m["val_accuracy"] >= LOWEST_ACCURACY), key=lambda m: m["ebops"])
    if len(usable) <= count:
        return usable
    logs = np.log([m["ebops"] for m in usable])
    targets = np.linspace(logs[0], logs[-1], count)
    return [usable[int(np.abs(logs - target).argmin())] for target in targets]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="npz with X_train, y_train, X_test, y_test")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=600)
    parser.add_argument("--beta", type=float, nargs=2, default=[1e-7, 1e-4], help="beta at the first and last epoch")
    parser.add_argument("--models", type=int, default=4, help="models kept from the front")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    data = dict(np.load(args.data))
    args.out.mkdir(parents=True, exist_ok=True)
    front = [front_entry(path) for path in train_front(data, args.epochs, tuple(args.beta), args.seed,
                                                      args.out / "front")]
    for chosen in spread(front, args.models):
        model = keras.models.load_model(chosen["path"])
        trace_minmax(model, data["X_train"], batch_size=4096)  # the wrapping activations' integer bits
        logits = np.asarray(model.predict(data["X_test"], batch_size=4096, verbose=0))
        name = f"hgq2_epoch{chosen['epoch']}"
        model.save(args.out / f"{name}.keras")
        np.save(args.out / f"{name}.logits.npy", logits.astype(np.float32))
        summary = {"model": name, "epoch": chosen["epoch"], "ebops": chosen["ebops"],
                   "val_accuracy": chosen["val_accuracy"], "epochs": args.epochs, "beta": list(args.beta),
                   "front_models": len(front), "hgq2": metadata.version("hgq2"), "keras": keras.__version__}
        print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
