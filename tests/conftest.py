"""Shared fixtures: paths to bundled and shared data, and small Keras models built on the fly."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # QKeras needs tf_keras; must precede any TF import
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BUNDLE = ROOT / "sim" / "models" / "jet_tagger"
JET_CONFIG = ROOT / "sim" / "configs" / "jet_tagger.yml"


@pytest.fixture(scope="session")
def keras():
    return pytest.importorskip("tf_keras")


@pytest.fixture(scope="session")
def shared_models() -> Path:
    if not (SHARED / "models").is_dir():
        pytest.skip(f"{SHARED}/models is absent (reference models live beside the repository, not in it)")
    return SHARED / "models"


def make_mlp(keras, sizes, activations, seed=0, weight_scale=1.0, zero_fraction=0.0, batchnorm=False):
    """A Sequential MLP with random weights; sizes = [n_in, hidden..., n_out]."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(sizes[0],), name="features")])
    for index, (units, activation) in enumerate(zip(sizes[1:], activations)):
        model.add(keras.layers.Dense(units, activation=activation if not batchnorm else "linear",
                                     name=f"dense{index}"))
        if batchnorm:
            model.add(keras.layers.BatchNormalization(name=f"bn{index}"))
            model.add(keras.layers.Activation(activation, name=f"act{index}"))
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        weights = layer.get_weights()
        if isinstance(layer, keras.layers.Dense):
            kernel = rng.normal(0, weight_scale, weights[0].shape)
            kernel[rng.random(kernel.shape) < zero_fraction] = 0.0
            weights = [kernel, rng.normal(0, weight_scale / 2, weights[1].shape)]
        elif isinstance(layer, keras.layers.BatchNormalization):
            weights = [rng.uniform(0.5, 2, w.shape) if i in (0, 3) else rng.normal(0, 0.5, w.shape)
                       for i, w in enumerate(weights)]
        layer.set_weights(weights)
    return model

