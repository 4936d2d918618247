"""Keras's own outputs for a model, and how the fixed-point outputs agree with them.

TensorFlow is optional: without it, keras_outputs returns None and callers skip the
comparison (and say so). Loading goes through tf_keras with QKeras's layers registered.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def keras_outputs(model_path, weights_path, X) -> np.ndarray | None:
    """Float predictions of the Keras model in `model_path`, or None if TensorFlow is missing."""
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        import tf_keras as keras
    except ImportError:
        return None
    custom = {}
    try:
        from qkeras.utils import _add_supported_quantized_objects

        _add_supported_quantized_objects(custom)
    except ImportError:
        pass
    path = Path(model_path)
    if path.suffix == ".json":
        model = keras.models.model_from_json(path.read_text(), custom_objects=custom)
        model.load_weights(str(weights_path))
    else:
        model = keras.models.load_model(str(path), custom_objects=custom, compile=False)
    return np.asarray(model.predict(np.asarray(X, dtype=np.float32), verbose=0, batch_size=4096))


def agreement(fixed: np.ndarray, reference: np.ndarray) -> dict:
    """Argmax agreement, max abs error, and the range of output sums (softmax sanity)."""
    sums = fixed.sum(axis=1)
    return {
        "keras_argmax_agreement": float((fixed.argmax(axis=1) == reference.argmax(axis=1)).mean()),
        "keras_max_abs_error": float(np.abs(fixed - reference).max()),
        "output_sum_min": float(sums.min()),
        "output_sum_max": float(sums.max()),
    }
