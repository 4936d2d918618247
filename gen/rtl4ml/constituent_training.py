"""Train the bundled constituent taggers: a two-headed Deep-Sets tagger and a Conv2D jet-image tagger (QKeras).

Deep-Sets (the CMS Phase-2 L1 style, on 16 constituents x (pt fraction, d eta, d phi, charge)):
  BatchNormalization -> QConv1D 16 (kernel 1) -> relu -> QConv1D 16 (kernel 1) -> relu -> GlobalAveragePooling1D
  -> head "classes": QDense -> relu -> QDense(5) -> softmax over g, q, w, z, t
  -> head "mass":    QDense -> relu -> QDense(1), the jet mass in units of 100 GeV (a regression)
Jet image (16 x 16 pT-fraction pixels over |d eta|, |d phi| < 0.8):
  QConv2D(3x3) -> relu -> MaxPooling2D(2) -> Flatten -> QDense -> relu -> QDense(5) -> softmax
SVHN-architecture image CNN (hls4ml's SVHN digit classifier's layers, for the streamed core; 32 x 32 pixels, charged and
neutral pT fractions in two channels):
  three blocks of QConv2D(3x3; 16, 16, 24 filters) -> BatchNormalization -> relu -> MaxPooling2D(2), then Flatten ->
  QDense 42 -> relu -> QDense 64 -> relu -> QDense(5) -> softmax, then fine-tuned with the batch norms fixed
Sequence (the 20 leading constituents in pT order x (pt fraction, d eta, d phi, energy fraction, charge, photon)):
  QLSTM 16 (quantized_tanh, QKeras's hard_sigmoid, a state quantizer) -> QDense(5) -> softmax
Weights are QKeras `quantized_bits(bits, 0, alpha=1)`, activations `quantized_relu(bits, relu_integer)`;
Adam, early stopping on a validation split, everything seeded (as the MLP recipes in training.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .datasets.constituents import ConstituentJets, deep_sets_inputs, jet_images, mass_target, sequence_inputs
from .datasets.jets import CLASSES
from .errors import fail
from .keras_reference import named_outputs
from .training import SEED, TEST_FRACTION, _keras

ARCHITECTURES = ("deep_sets", "jet_image", "svhn_cnn", "lstm")
FROZEN_NORM_EPOCHS = {"svhn_cnn": 15}  # a last fine-tuning with the batch norms fixed (_fine_tune_with_frozen_norms)


@dataclass
class ConstituentRecipe:
    """What to train; `slots` constituents (Deep-Sets) or `pixels` per side (jet image)."""

    architecture: str = "deep_sets"
    bits: int = 8
    relu_integer: int = 2  # integer bits of the quantized ReLUs: they saturate at 2**relu_integer
    slots: int = 16
    phi_filters: tuple[int, ...] = (16, 16)  # Deep-Sets: the pointwise Conv1D layers
    pixels: int = 16
    filters: int = 4  # jet image: the Conv2D
    block_filters: tuple[int, ...] = (16, 16, 24)  # SVHN CNN: the Conv2D of each block
    hidden: tuple[int, ...] = (42, 64)  # SVHN CNN: the Dense layers before the output
    steps: int = 20  # sequence: constituents read
    units: int = 16  # sequence: the LSTM's state
    epochs: int = 200
    batch_size: int = 512
    mass_loss_weight: float = 1.0
    seed: int = SEED

    def check(self) -> None:
        if self.architecture not in ARCHITECTURES:
            raise fail(f"architecture {self.architecture!r} is unknown; use one of {', '.join(ARCHITECTURES)}")
        if not 2 <= self.bits <= 16:
            raise fail(f"QKeras bits={self.bits} is outside 2..16")
        if not 0 <= self.relu_integer < self.bits:
            raise fail(f"relu_integer={self.relu_integer} must lie in 0..bits-1 ({self.bits - 1})")

    def inputs(self, jets: ConstituentJets) -> np.ndarray:
        if self.architecture == "lstm":
            return sequence_inputs(jets, self.steps)
        if self.architecture == "svhn_cnn":
            return jet_images(jets, self.pixels, by_charge=True)
        return deep_sets_inputs(jets, self.slots) if self.architecture == "deep_sets" else jet_images(jets, self.pixels)

    def targets(self, jets: ConstituentJets) -> dict[str, np.ndarray]:
        """Training targets per model output (by output layer name)."""
        targets = {"classes": jets.y}
        if self.architecture == "deep_sets":
            targets["mass"] = mass_target(jets)
        return targets


def split_indices(jets: ConstituentJets, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Stratified 70/30 train/test jet indices (the split of the data's README checks)."""
    from sklearn.model_selection import train_test_split

    return train_test_split(np.arange(len(jets)), test_size=TEST_FRACTION, random_state=seed, stratify=jets.y)


def _qkeras(recipe: ConstituentRecipe):
    try:
        import qkeras
    except ImportError:
        raise fail("training the constituent taggers needs qkeras: pip install 'rtl4ml[train]'") from None
    weights = qkeras.quantized_bits(recipe.bits, 0, alpha=1)
    relu = qkeras.quantized_relu(recipe.bits, recipe.relu_integer)
    return qkeras, weights, relu


def build_deep_sets_model(keras, recipe: ConstituentRecipe):
    qkeras, weights, relu = _qkeras(recipe)
    quantized = {"kernel_quantizer": weights, "bias_quantizer": weights}
    x = keras.Input(shape=(recipe.slots, 4), name="constituents")
    h = keras.layers.BatchNormalization(name="norm")(x)
    for index, filters in enumerate(recipe.phi_filters, start=1):
        h = qkeras.QConv1D(filters, 1, name=f"phi{index}", **quantized)(h)
        h = qkeras.QActivation(relu, name=f"phi{index}_relu")(h)
    pooled = keras.layers.GlobalAveragePooling1D(name="pool")(h)
    c = qkeras.QActivation(relu, name="rho_relu")(qkeras.QDense(16, name="rho", **quantized)(pooled))
    logits = qkeras.QDense(len(CLASSES), name="logits", **quantized)(c)
    classes = keras.layers.Softmax(name="classes")(logits)
    m = qkeras.QActivation(relu, name="mass_hidden_relu")(qkeras.QDense(8, name="mass_hidden", **quantized)(pooled))
    mass = qkeras.QDense(1, name="mass", **quantized)(m)
    return keras.Model(x, [classes, mass], name="deep_sets_tagger")


def build_jet_image_model(keras, recipe: ConstituentRecipe):
    qkeras, weights, relu = _qkeras(recipe)
    quantized = {"kernel_quantizer": weights, "bias_quantizer": weights}
    x = keras.Input(shape=(recipe.pixels, recipe.pixels, 1), name="image")
    h = qkeras.QConv2D(recipe.filters, 3, name="conv", **quantized)(x)
    h = qkeras.QActivation(relu, name="conv_relu")(h)
    h = keras.layers.MaxPooling2D(2, name="pool")(h)
    h = keras.layers.Flatten(name="flat")(h)
    h = qkeras.QActivation(relu, name="fc1_relu")(qkeras.QDense(16, name="fc1", **quantized)(h))
    logits = qkeras.QDense(len(CLASSES), name="logits", **quantized)(h)
    return keras.Model(x, keras.layers.Softmax(name="classes")(logits), name="jet_image_tagger")


def build_svhn_cnn_model(keras, recipe: ConstituentRecipe):
    qkeras, weights, relu = _qkeras(recipe)
    quantized = {"kernel_quantizer": weights, "bias_quantizer": weights}
    x = keras.Input(shape=(recipe.pixels, recipe.pixels, 2), name="image")
    h = x
    for block, filters in enumerate(recipe.block_filters):
        h = qkeras.QConv2D(filters, 3, name=f"conv{block}", **quantized)(h)
        h = keras.layers.BatchNormalization(name=f"bn{block}")(h)
        h = qkeras.QActivation(relu, name=f"relu{block}")(h)
        h = keras.layers.MaxPooling2D(2, name=f"pool{block}")(h)
    h = keras.layers.Flatten(name="flat")(h)
    for index, units in enumerate(recipe.hidden):
        h = qkeras.QActivation(relu, name=f"fc{index}_relu")(qkeras.QDense(units, name=f"fc{index}", **quantized)(h))
    logits = qkeras.QDense(len(CLASSES), name="logits", **quantized)(h)
    return keras.Model(x, keras.layers.Softmax(name="classes")(logits), name="svhn_cnn_jet_tagger")


def build_lstm_model(keras, recipe: ConstituentRecipe):
    qkeras, weights, _ = _qkeras(recipe)
    x = keras.Input(shape=(recipe.steps, 6), name="constituents")
    h = qkeras.QLSTM(recipe.units, kernel_quantizer=weights, recurrent_quantizer=weights, bias_quantizer=weights,
                     state_quantizer=qkeras.quantized_bits(recipe.bits + 4, 2, alpha=1),
                     activation=qkeras.quantized_tanh(recipe.bits), recurrent_activation="hard_sigmoid",
                     name="lstm")(x)
    logits = qkeras.QDense(len(CLASSES), name="logits", kernel_quantizer=weights, bias_quantizer=weights)(h)
    return keras.Model(x, keras.layers.Softmax(name="classes")(logits), name="lstm_tagger")


_BUILDERS = {"deep_sets": build_deep_sets_model, "jet_image": build_jet_image_model, "svhn_cnn": build_svhn_cnn_model,
             "lstm": build_lstm_model}


def train_constituent_tagger(jets: ConstituentJets, recipe: ConstituentRecipe, verbose: int = 0):
    """Train on `jets` (the training split); returns the tf_keras model, ready to save."""
    recipe.check()
    keras = _keras()
    keras.utils.set_random_seed(recipe.seed)
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    model = _BUILDERS[recipe.architecture](keras, recipe)
    targets = recipe.targets(jets)
    losses = {"classes": "sparse_categorical_crossentropy", "mass": "mse"}
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss={name: losses[name] for name in targets},
                  loss_weights={"classes": 1.0, "mass": recipe.mass_loss_weight} if "mass" in targets else None,
                  metrics={"classes": ["accuracy"]})
    callbacks = [keras.callbacks.EarlyStopping(patience=6, restore_best_weights=True),
                 keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=3)]
    inputs = recipe.inputs(jets)
    model.fit(inputs, targets, batch_size=recipe.batch_size, epochs=recipe.epochs,
              validation_split=0.2, callbacks=callbacks, verbose=verbose)
    if FROZEN_NORM_EPOCHS.get(recipe.architecture):
        _fine_tune_with_frozen_norms(keras, model, inputs, targets, recipe, verbose)
    return model


def _fine_tune_with_frozen_norms(keras, model, inputs, targets, recipe: ConstituentRecipe, verbose: int) -> None:
    """More epochs with every BatchNormalization in inference mode (its moving statistics fixed). On sparse jet
    images a channel's batch statistics swing from batch to batch, so the moving averages inference uses differ from
    the statistics training saw (validation accuracy jumped between 20 % and 55 % from epoch to epoch); the other
    weights then adapt to the statistics the firmware will use."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    model.compile(optimizer=keras.optimizers.Adam(5e-4), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(inputs, targets["classes"], batch_size=recipe.batch_size, epochs=FROZEN_NORM_EPOCHS[recipe.architecture],
              validation_split=0.2, callbacks=[keras.callbacks.EarlyStopping(patience=4, restore_best_weights=True)],
              verbose=verbose)


def evaluate(model, jets: ConstituentJets, recipe: ConstituentRecipe) -> dict[str, float]:
    """Float figures of merit on `jets`: class accuracy, and the mass head's RMS error (in 100 GeV)."""
    outputs = named_outputs(model, recipe.inputs(jets))
    figures = {"float_test_accuracy": float((outputs["classes"].argmax(axis=1) == jets.y).mean())}
    if "mass" in outputs:
        figures["float_mass_rms_error"] = float(np.sqrt(np.mean((outputs["mass"][:, 0] - mass_target(jets)) ** 2)))
    return figures


def save_constituent_bundle(out: Path, model, test: ConstituentJets, recipe: ConstituentRecipe, test_vectors: int,
                            figures: dict[str, float]) -> None:
    """model.h5 and test_vectors.npz: X, labels y, per-head targets (target_<output>), Keras's outputs."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "model.h5")
    sample = test.take(slice(0, test_vectors))
    X = recipe.inputs(sample)
    outputs = named_outputs(model, X)
    targets = {f"target_{name}": value for name, value in recipe.targets(sample).items() if name != "classes"}
    np.savez_compressed(out / "test_vectors.npz", X=X, y=sample.y, **targets,
                        keras_output=np.concatenate([outputs[name] for name in model.output_names], axis=1)
                        .astype(np.float32), **{key: np.float64(value) for key, value in figures.items()})
