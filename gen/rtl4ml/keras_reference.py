"""Keras's own outputs for a model, and how the fixed-point outputs agree with them, head by head.

TensorFlow is optional: without it, keras_outputs returns None and callers skip the
comparison (and say so). Loading goes through tf_keras with QKeras's layers registered.
A model with several outputs is scored per output ("head"): a softmax head by argmax
agreement and class accuracy, any other head by its errors (against Keras, and against the
truth when a target is given).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .ir.graph import ModelGraph


def keras_outputs(model_path, weights_path, X) -> np.ndarray | None:
    """Float predictions of the Keras model in `model_path` (outputs flattened side by side), or None without TF."""
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
    return np.concatenate(list(named_outputs(model, X).values()), axis=1)


def named_outputs(model, X) -> dict[str, np.ndarray]:
    """A loaded Keras model's float outputs by output layer name, in the model's output order, each [events, n]."""
    X = np.asarray(X, dtype=np.float32)
    outputs = model.predict(X, verbose=0, batch_size=4096)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    return {name: np.asarray(value).reshape(len(X), -1) for name, value in zip(model.output_names, outputs)}


@dataclass(frozen=True)
class OutputHead:
    """One model output: its name, its columns in an output row, and whether it is a class distribution."""

    name: str
    columns: slice
    classifier: bool


def output_heads(graph: ModelGraph) -> list[OutputHead]:
    heads, start = [], 0
    for layer in graph.output_layers:
        heads.append(OutputHead(layer.name, slice(start, start + layer.n_out), layer.is_class_distribution))
        start += layer.n_out
    return heads


def _head_figures(head: OutputHead, fixed: np.ndarray, reference: np.ndarray, labels, target) -> dict:
    fixed, reference = fixed[:, head.columns], reference[:, head.columns]
    figures = {"keras_max_abs_error": float(np.abs(fixed - reference).max())}
    if head.classifier:
        sums = fixed.sum(axis=1)
        figures.update(keras_argmax_agreement=float((fixed.argmax(axis=1) == reference.argmax(axis=1)).mean()),
                       output_sum_min=float(sums.min()), output_sum_max=float(sums.max()))
        if labels is not None:
            figures.update(accuracy=float((fixed.argmax(axis=1) == labels).mean()),
                           keras_accuracy=float((reference.argmax(axis=1) == labels).mean()))
    elif target is not None:
        target = np.asarray(target, dtype=np.float64).reshape(fixed.shape)
        figures.update(rms_error=float(np.sqrt(np.mean((fixed - target) ** 2))),
                       keras_rms_error=float(np.sqrt(np.mean((reference - target) ** 2))))
    return figures


def agreement(graph: ModelGraph, fixed: np.ndarray, reference: np.ndarray, labels=None,
              targets: dict | None = None) -> dict:
    """{"heads": {output: figures}}; a one-output model also has its figures at the top level.

    Figures: keras_max_abs_error always; for a softmax head keras_argmax_agreement and the range
    of the output sums, plus accuracy / keras_accuracy against integer `labels`; for another head
    rms_error / keras_rms_error against `targets[name]` when given.
    """
    labels = None if labels is None else np.asarray(labels)[: len(fixed)]
    targets = {name: np.asarray(value)[: len(fixed)] for name, value in (targets or {}).items()}
    heads = {head.name: _head_figures(head, fixed, reference, labels, targets.get(head.name))
             for head in output_heads(graph)}
    results = {"heads": heads}
    if len(heads) == 1:
        results.update(next(iter(heads.values())))
    return results
