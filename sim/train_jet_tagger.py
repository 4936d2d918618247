"""Train the bundled 16-64-32-32-5 jet tagger on the generated Pythia jets (seeded, ~1 minute).

Writes sim/models/jet_tagger/: model.h5 (tf_keras full model), scaler.json, and
test_vectors.npz (raw and scaled features, labels, and Keras's own outputs for a few
thousand held-out jets, so `make sim` can report Keras agreement without TensorFlow).

    python sim/train_jet_tagger.py [--jets ../shared/jets/pythia_jets_hlf.npz] [--out sim/models/jet_tagger]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from rtl4ml.datasets.jets import Scaler, load_jets_npz  # noqa: E402

SEED = 42
TEST_VECTORS = 3000


def build_model(keras):
    inputs = keras.Input(shape=(16,), name="input_1")
    x = inputs
    for index, units in enumerate((64, 32, 32), start=1):
        x = keras.layers.Dense(units, activation="relu", name=f"fc{index}")(x)
    outputs = keras.layers.Dense(5, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="jet_tagger")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = Path(__file__).resolve().parent
    parser.add_argument("--jets", default=str(here.parent.parent / "shared" / "jets" / "pythia_jets_hlf.npz"))
    parser.add_argument("--out", default=str(here / "models" / "jet_tagger"))
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()

    import tf_keras as keras
    from sklearn.model_selection import train_test_split

    keras.utils.set_random_seed(SEED)
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    X, y = load_jets_npz(args.jets)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=SEED, stratify=y)
    scaler = Scaler.fit(X_train)
    model = build_model(keras)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(scaler.transform(X_train), y_train, batch_size=1024, epochs=args.epochs, validation_split=0.2,
              callbacks=[keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)], verbose=2)
    scaled_test = scaler.transform(X_test)
    accuracy = float((model.predict(scaled_test, verbose=0).argmax(1) == y_test).mean())
    print(f"float test accuracy on {len(y_test)} jets: {accuracy:.4f}")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "model.h5")
    scaler.save(out / "scaler.json")
    keep = slice(0, TEST_VECTORS)
    np.savez_compressed(out / "test_vectors.npz", X_raw=X_test[keep], X=scaled_test[keep], y=y_test[keep],
                        keras_output=model.predict(scaled_test[keep], verbose=0).astype(np.float32),
                        float_test_accuracy=np.float64(accuracy))


if __name__ == "__main__":
    main()
