"""Train a bundled 16-64-32-32-5 jet tagger on the generated Pythia jets (seeded, 1-3 minutes).

Writes OUT/: model.h5 (tf_keras full model), scaler.json, and test_vectors.npz (raw and scaled
features, labels, and Keras's own outputs for a few thousand held-out jets, so `make sim` can
report Keras agreement without TensorFlow), and prints the float test accuracy.

    python sim/train_jet_tagger.py                                   # -> sim/models/jet_tagger
    python sim/train_jet_tagger.py --variant qkeras --bits 6         # -> sim/models/jet_tagger_qkeras
    python sim/train_jet_tagger.py --variant pruned --sparsity 0.7   # -> sim/models/jet_tagger_pruned
    python sim/train_jet_tagger.py --variant binary                  # -> sim/models/jet_tagger_binary
    python sim/train_jet_tagger.py --variant ternary                 # -> sim/models/jet_tagger_ternary
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rtl4ml.datasets.jets import Scaler, load_jets
from rtl4ml.training import VARIANTS, JetSplit, TrainingRecipe, save_bundle, sparsity_of, train

TEST_VECTORS = 3000
HERE = Path(__file__).resolve().parent
BUNDLE_NAMES = {"float": "jet_tagger", "qkeras": "jet_tagger_qkeras", "pruned": "jet_tagger_pruned",
                "binary": "jet_tagger_binary", "ternary": "jet_tagger_ternary"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jets", default=str(HERE.parent.parent / "shared" / "jets" / "pythia_jets_hlf.npz"))
    parser.add_argument("--variant", choices=VARIANTS, default="float")
    parser.add_argument("--bits", type=int, default=6, help="QKeras weight and activation bits")
    parser.add_argument("--sparsity", type=float, default=0.7, help="pruning target")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--out", help="output folder (default sim/models/<bundle name>)")
    args = parser.parse_args()

    recipe = TrainingRecipe(args.variant, bits=args.bits, sparsity=args.sparsity, epochs=args.epochs)
    split = JetSplit.of(*load_jets(args.jets))
    scaler = Scaler.fit(split.X_train)
    model = train(scaler.transform(split.X_train), split.y_train, recipe, verbose=2)
    accuracy = float((model.predict(scaler.transform(split.X_test), verbose=0).argmax(1) == split.y_test).mean())
    print(f"{args.variant} test accuracy on {len(split.y_test)} jets: {accuracy:.4f}")
    if args.variant == "pruned":
        print("zero weights per layer:", {k: round(v, 3) for k, v in sparsity_of(model).items()})
    out = Path(args.out) if args.out else HERE / "models" / BUNDLE_NAMES[args.variant]
    save_bundle(out, model, scaler, split, TEST_VECTORS, {"float_test_accuracy": accuracy})


if __name__ == "__main__":
    main()
