"""Train a bundled constituent tagger on the generated Pythia jets with constituents (seeded, a few minutes).

Writes OUT/: model.h5 (tf_keras, QKeras layers) and test_vectors.npz (inputs, labels, per-head targets and
Keras's own outputs for a few thousand held-out jets, so `make sim` reports Keras agreement and accuracy
without TensorFlow), and prints the float test figures on the whole 15,000-jet test split.

    python sim/train_constituent_taggers.py deep_sets     # -> sim/models/deep_sets
    python sim/train_constituent_taggers.py jet_image     # -> sim/models/jet_image
    python sim/train_constituent_taggers.py svhn_cnn --bits 6 --pixels 32 --epochs 25 --batch-size 256   # -> sim/models/jet_image_stream
    python sim/train_constituent_taggers.py lstm --epochs 40   # -> sim/models/jet_tagger_lstm
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rtl4ml.constituent_training import (ARCHITECTURES, ConstituentRecipe, evaluate, save_constituent_bundle,
                                         split_indices, train_constituent_tagger)
from rtl4ml.datasets.constituents import load_constituent_jets

TEST_VECTORS = 3000
BUNDLES = {"deep_sets": "deep_sets", "jet_image": "jet_image", "svhn_cnn": "jet_image_stream", "lstm": "jet_tagger_lstm"}
HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("architecture", choices=ARCHITECTURES)
    parser.add_argument("--jets", default=str(HERE.parent.parent / "shared" / "jets" / "pythia_jets_constituents.npz"))
    parser.add_argument("--bits", type=int, default=8, help="QKeras weight and activation bits")
    parser.add_argument("--pixels", type=int, default=None, help="jet images: pixels per side (default 16)")
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--epochs", type=int, default=200, help="at most; early stopping ends sooner")
    parser.add_argument("--test-vectors", type=int, default=TEST_VECTORS)
    parser.add_argument("--out", help="output folder (default sim/models/<architecture>)")
    args = parser.parse_args()

    recipe = ConstituentRecipe(args.architecture, bits=args.bits, epochs=args.epochs, batch_size=args.batch_size)
    if args.pixels:
        recipe.pixels = args.pixels
    jets = load_constituent_jets(args.jets)
    train, test = split_indices(jets)
    model = train_constituent_tagger(jets.take(train), recipe, verbose=2)
    figures = evaluate(model, jets.take(test), recipe)
    print(f"{args.architecture} on {len(test)} test jets:", {key: round(value, 4) for key, value in figures.items()})
    save_constituent_bundle(Path(args.out) if args.out else HERE / "models" / BUNDLES[args.architecture], model,
                            jets.take(test), recipe, args.test_vectors, figures)


if __name__ == "__main__":
    main()
