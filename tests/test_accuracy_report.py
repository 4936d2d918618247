"""Accuracy, ROC and AUC computed with NumPy agree with scikit-learn; plots are written as PNG."""

import numpy as np
import pytest

from rtl4ml.errors import Rtl4mlError
from rtl4ml.report.accuracy import class_scores, roc_curve, roc_curves
from rtl4ml.report.plots import plot_accuracy_scan, plot_roc_curves


def test_auc_matches_scikit_learn_with_ties():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    truth = rng.random(5000) < 0.3
    scores = np.round(rng.normal(truth * 0.8, 1.0), 1)  # coarse: many ties, like fixed-point outputs
    curve = roc_curve(scores, truth)
    assert curve.auc == pytest.approx(metrics.roc_auc_score(truth, scores), abs=1e-12)
    fpr, tpr, _ = metrics.roc_curve(truth, scores, drop_intermediate=False)
    np.testing.assert_allclose(curve.false_positive_rate, fpr)
    np.testing.assert_allclose(curve.true_positive_rate, tpr)


def test_class_scores_of_a_perfect_and_a_useless_classifier():
    labels = np.array([0, 1, 2, 2, 1, 0])
    perfect = np.eye(3)[labels]
    assert class_scores(perfect, labels, "abc") == {"accuracy": 1.0, "auc": {"a": 1.0, "b": 1.0, "c": 1.0}}
    constant = np.full((6, 3), 1 / 3)
    assert class_scores(constant, labels, "abc")["auc"] == {"a": 0.5, "b": 0.5, "c": 0.5}


def test_mismatched_shapes_and_missing_classes_are_refused():
    with pytest.raises(Rtl4mlError, match="do not match 4 labels"):
        class_scores(np.zeros((3, 5)), np.zeros(4, dtype=int), "gqwzt")
    with pytest.raises(Rtl4mlError, match="both classes"):
        roc_curve(np.arange(4), np.zeros(4, dtype=bool))


def test_plots_are_png_files(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 300)
    outputs = np.eye(3)[labels] + rng.normal(0, 0.6, (300, 3))
    roc = plot_roc_curves({"float": roc_curves(outputs, labels, "abc"),
                           "fixed": roc_curves(np.round(outputs, 1), labels, "abc")}, tmp_path / "roc.png", "t")
    scan = plot_accuracy_scan([8, 10], {"I = 6": [0.5, 0.7]}, tmp_path / "scan.png", "t", {"float": 0.72})
    for path in (roc, scan):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
