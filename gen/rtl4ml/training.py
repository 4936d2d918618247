"""Train the hls4ml jet tagger (16-64-32-32-5): float, QKeras quantization-aware, magnitude-pruned, binary or
ternary.

The recipes follow the hls4ml tutorial: Adam, sparse cross-entropy, early stopping on a
validation split; QKeras with `quantized_bits(6,0,alpha=1)` weights and `quantized_relu(6)`
activations; pruning with tensorflow-model-optimization's polynomial-decay schedule, stripped
before saving so the file holds plain Dense layers with exact zeros. Everything is seeded
(Python, NumPy, TensorFlow, deterministic ops), so a rerun gives the same weights.

Needs the `train` extra (TensorFlow, tf_keras, QKeras, tensorflow-model-optimization, scikit-learn).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .datasets.jets import Scaler
from .errors import fail

SEED = 42
TEST_FRACTION = 0.3
VARIANTS = ("float", "qkeras", "pruned", "binary", "ternary")


@dataclass
class TrainingRecipe:
    """What to train: `variant` is float, qkeras, pruned, binary or ternary; `bits` for qkeras, `sparsity` for
    pruned."""

    variant: str = "float"
    bits: int = 6
    sparsity: float = 0.7
    epochs: int = 40
    batch_size: int = 1024
    seed: int = SEED
    hidden: tuple[int, ...] = (64, 32, 32)  # the hidden layers' widths (float, qkeras, pruned)
    quantize_input: bool = False  # qkeras: the features quantized too, quantized_bits(bits + 3, 3): the weights'
    # resolution over +-8 standard deviations
    logits: bool = False  # no softmax: the model ends at the last Dense (a trigger threshold reads logits)

    def check(self) -> None:
        if self.variant not in VARIANTS:
            raise fail(f"training variant {self.variant!r} is unknown; use one of {', '.join(VARIANTS)}")
        if not 2 <= self.bits <= 16:
            raise fail(f"QKeras bits={self.bits} is outside 2..16")
        if not 0.0 < self.sparsity < 1.0:
            raise fail(f"pruning sparsity={self.sparsity} must lie strictly between 0 and 1")
        if not self.hidden or any(int(units) < 1 for units in self.hidden):
            raise fail(f"hidden layer widths {self.hidden} must be one or more positive integers")


@dataclass
class JetSplit:
    """Raw train/test features and labels, split reproducibly (stratified, seed 42)."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray

    @classmethod
    def of(cls, X: np.ndarray, y: np.ndarray, seed: int = SEED) -> "JetSplit":
        from sklearn.model_selection import train_test_split

        return cls(*train_test_split(X, y, test_size=TEST_FRACTION, random_state=seed, stratify=y))


def _keras():
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # QKeras needs tf_keras, set before TF loads
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        import tf_keras as keras
    except ImportError:
        raise fail("training needs TensorFlow and tf_keras: pip install 'rtl4ml[train]'") from None
    return keras


def build_float_model(keras, recipe: TrainingRecipe = TrainingRecipe()):
    inputs = keras.Input(shape=(16,), name="input_1")
    x = inputs
    for index, units in enumerate(recipe.hidden, start=1):
        x = keras.layers.Dense(units, activation="relu", name=f"fc{index}")(x)
    outputs = keras.layers.Dense(5, activation=None if recipe.logits else "softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="jet_tagger")


def build_qkeras_model(keras, recipe: TrainingRecipe = TrainingRecipe(variant="qkeras")):
    try:
        from qkeras import QActivation, QDense, quantized_bits, quantized_relu
    except ImportError:
        raise fail("QKeras training needs qkeras: pip install 'rtl4ml[train]'") from None
    weights = quantized_bits(recipe.bits, 0, alpha=1)
    inputs = keras.Input(shape=(16,), name="input_1")
    x = inputs
    if recipe.quantize_input:
        x = QActivation(quantized_bits(recipe.bits + 3, 3, alpha=1), name="quantize_input")(x)
    for index, units in enumerate(recipe.hidden, start=1):
        x = QDense(units, kernel_quantizer=weights, bias_quantizer=weights, kernel_initializer="lecun_uniform",
                   name=f"fc{index}")(x)
        x = QActivation(quantized_relu(recipe.bits), name=f"relu{index}")(x)
    x = QDense(5, kernel_quantizer=weights, bias_quantizer=weights, kernel_initializer="lecun_uniform",
               name="output")(x)
    outputs = x if recipe.logits else keras.layers.Activation("softmax", name="softmax")(x)
    return keras.Model(inputs, outputs, name="jet_tagger_qkeras")


def build_binary_model(keras, levels: str):
    """The binary or ternary 16-64-32-32-5 tagger of hls4ml's binary/ternary study, in QKeras: +-1 (or -1/0/+1)
    weights without biases, a batch normalization after each layer, +-1 (or -1/0/+1) activations, softmax."""
    try:
        from qkeras import QActivation, QDense, binary, ternary
    except ImportError:
        raise fail("binary and ternary training needs qkeras: pip install 'rtl4ml[train]'") from None
    def quantizer():
        return binary(alpha=1) if levels == "binary" else ternary(alpha=1, threshold=0.5)
    inputs = keras.Input(shape=(16,), name="input_1")
    x = inputs
    for index, units in enumerate((64, 32, 32), start=1):
        x = QDense(units, kernel_quantizer=quantizer(), use_bias=False, name=f"fc{index}")(x)
        x = keras.layers.BatchNormalization(name=f"bn{index}")(x)
        x = QActivation(quantizer(), name=f"{levels}{index}")(x)
    x = QDense(5, kernel_quantizer=quantizer(), use_bias=False, name="output")(x)
    x = keras.layers.BatchNormalization(name="bn_output")(x)
    outputs = keras.layers.Activation("softmax", name="softmax")(x)
    return keras.Model(inputs, outputs, name=f"jet_tagger_{levels}")


def _pruning(recipe: TrainingRecipe, steps_per_epoch: int):
    try:
        import tensorflow_model_optimization as tfmot
    except ImportError:
        raise fail("pruning needs tensorflow-model-optimization: pip install 'rtl4ml[train]'") from None
    # Reach the target sparsity after a third of the epochs, then fine-tune at that sparsity.
    end_step = max(1, steps_per_epoch * max(1, recipe.epochs // 3))
    schedule = tfmot.sparsity.keras.PolynomialDecay(initial_sparsity=0.0, final_sparsity=recipe.sparsity,
                                                    begin_step=0, end_step=end_step, frequency=max(1, end_step // 50))
    return tfmot, schedule


def train(X_train: np.ndarray, y_train: np.ndarray, recipe: TrainingRecipe, verbose: int = 0):
    """Train on standardized features; returns the tf_keras model, ready to save (pruning stripped)."""
    recipe.check()
    keras = _keras()
    keras.utils.set_random_seed(recipe.seed)
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    callbacks = [keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)]
    if recipe.variant == "qkeras":
        model = build_qkeras_model(keras, recipe)
    elif recipe.variant in ("binary", "ternary"):
        model = build_binary_model(keras, recipe.variant)
    else:
        model = build_float_model(keras, recipe)
    if recipe.variant == "pruned":
        steps_per_epoch = int(np.ceil(len(X_train) * 0.8 / recipe.batch_size))
        tfmot, schedule = _pruning(recipe, steps_per_epoch)
        model = tfmot.sparsity.keras.prune_low_magnitude(model, pruning_schedule=schedule)
        # Early stopping must not restore weights from before the target sparsity was reached.
        callbacks = [tfmot.sparsity.keras.UpdatePruningStep()]
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=recipe.logits), metrics=["accuracy"])
    model.fit(X_train, y_train, batch_size=recipe.batch_size, epochs=recipe.epochs, validation_split=0.2,
              callbacks=callbacks, verbose=verbose)
    if recipe.variant == "pruned":
        model = tfmot.sparsity.keras.strip_pruning(model)
    return model


def sparsity_of(model) -> dict[str, float]:
    """Fraction of exactly-zero kernel entries per Dense layer."""
    return {layer.name: float((layer.get_weights()[0] == 0).mean())
            for layer in model.layers if layer.get_weights() and layer.get_weights()[0].ndim == 2}


def fold_scaler(model, scaler: Scaler):
    """A copy of a float model whose first Dense layer also standardizes, so it takes raw features.

    W' = W / scale (row by row), b' = b - (mean / scale) @ W. The input precision must then cover
    the raw feature ranges (e.g. masses in GeV): choose it in the config.
    """
    keras = _keras()
    folded = keras.models.clone_model(model)
    folded.set_weights(model.get_weights())
    first = next((layer for layer in folded.layers if layer.get_weights()), None)
    if first is None or first.__class__.__name__ != "Dense":
        raise fail("fold_scaler: the first layer with weights must be a plain Dense layer "
                   f"(found {first.__class__.__name__ if first else 'none'}); QKeras kernels cannot absorb it")
    kernel, bias = first.get_weights()
    first.set_weights([kernel / scaler.scale[:, None], bias - (scaler.mean / scaler.scale) @ kernel])
    return folded


def save_bundle(out: Path, model, scaler: Scaler, split: JetSplit, test_vectors: int, extra: dict) -> None:
    """model.h5, scaler.json and test_vectors.npz (raw and scaled features, labels, Keras outputs)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "model.h5")
    scaler.save(out / "scaler.json")
    keep = slice(0, test_vectors)
    scaled = scaler.transform(split.X_test[keep])
    np.savez_compressed(out / "test_vectors.npz", X_raw=split.X_test[keep], X=scaled, y=split.y_test[keep],
                        keras_output=model.predict(scaled, verbose=0).astype(np.float32),
                        **{key: np.float64(value) for key, value in extra.items()})
