"""Classification figures of merit on a model's outputs: accuracy, per-class ROC curves and AUC.

Computed with NumPy alone (one-vs-rest per class, ties in the scores handled exactly), so the
same function scores Keras float outputs, the golden model and the RTL's own outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import fail


@dataclass
class RocCurve:
    false_positive_rate: np.ndarray
    true_positive_rate: np.ndarray
    auc: float


def roc_curve(scores: np.ndarray, is_signal: np.ndarray) -> RocCurve:
    """ROC of one score against a boolean truth; equal scores move together (one point per distinct score)."""
    scores = np.asarray(scores, dtype=np.float64)
    is_signal = np.asarray(is_signal, dtype=bool)
    signal, background = int(is_signal.sum()), int((~is_signal).sum())
    if signal == 0 or background == 0:
        raise fail(f"ROC needs both classes present ({signal} signal, {background} background)")
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_truth = scores[order], is_signal[order]
    last_of_each_score = np.r_[np.nonzero(np.diff(sorted_scores))[0], len(scores) - 1]
    true_positives = np.cumsum(sorted_truth)[last_of_each_score]
    false_positives = (last_of_each_score + 1) - true_positives
    tpr = np.r_[0.0, true_positives / signal]
    fpr = np.r_[0.0, false_positives / background]
    return RocCurve(fpr, tpr, float(np.trapezoid(tpr, fpr)))


def class_scores(outputs: np.ndarray, labels: np.ndarray, class_names) -> dict:
    """{"accuracy": a, "auc": {class: auc}} for outputs [n, classes] and integer labels [n]."""
    outputs, labels = np.asarray(outputs), np.asarray(labels)
    if outputs.ndim != 2 or outputs.shape[1] != len(class_names) or len(outputs) != len(labels):
        raise fail(f"outputs of shape {outputs.shape} do not match {len(labels)} labels "
                   f"and {len(class_names)} classes")
    return {"accuracy": float((outputs.argmax(axis=1) == labels).mean()),
            "auc": {name: roc_curve(outputs[:, k], labels == k).auc for k, name in enumerate(class_names)}}


def roc_curves(outputs: np.ndarray, labels: np.ndarray, class_names) -> dict[str, RocCurve]:
    return {name: roc_curve(np.asarray(outputs)[:, k], np.asarray(labels) == k) for k, name in enumerate(class_names)}


def argmax_agreement(a: np.ndarray, b: np.ndarray) -> float:
    return float((np.asarray(a).argmax(axis=1) == np.asarray(b).argmax(axis=1)).mean())
