"""Scoring a model head by head: a softmax output by argmax and class accuracy, another output by its errors."""

import numpy as np
import pytest

import rtl4ml
from rtl4ml.keras_reference import agreement, output_heads
from rtl4ml.simulation.report import summary_lines


@pytest.fixture(scope="module")
def two_headed(keras):
    x = keras.Input(shape=(4,), name="features")
    classes = keras.layers.Softmax(name="classes")(keras.layers.Dense(3, name="logits")(x))
    mass = keras.layers.Dense(1, name="mass")(x)
    return rtl4ml.convert(keras.Model(x, [classes, mass]), {"Model": {"Precision": "ap_fixed<16,6>"}}).graph


def test_heads_follow_the_outputs_and_only_a_softmax_is_a_classifier(two_headed):
    heads = output_heads(two_headed)
    assert [(h.name, h.columns, h.classifier) for h in heads] == [("classes", slice(0, 3), True),
                                                                 ("mass", slice(3, 4), False)]


def test_each_head_is_scored_on_its_own_columns(two_headed):
    fixed = np.array([[0.7, 0.2, 0.1, 1.5], [0.1, 0.6, 0.3, 0.5], [0.3, 0.3, 0.4, 2.0]])
    keras_out = np.array([[0.6, 0.3, 0.1, 1.25], [0.5, 0.4, 0.1, 0.5], [0.2, 0.2, 0.6, 2.0]])
    labels, mass = np.array([0, 1, 1]), np.array([1.0, 0.5, 2.0])
    result = agreement(two_headed, fixed, keras_out, labels, {"mass": mass})
    classes, regression = result["heads"]["classes"], result["heads"]["mass"]
    assert classes["keras_argmax_agreement"] == pytest.approx(2 / 3)
    assert classes["accuracy"] == pytest.approx(2 / 3) and classes["keras_accuracy"] == pytest.approx(1 / 3)
    assert classes["keras_max_abs_error"] == pytest.approx(0.4) and classes["output_sum_max"] == pytest.approx(1.0)
    assert regression == pytest.approx({"keras_max_abs_error": 0.25, "rms_error": np.sqrt(0.25 / 3),
                                        "keras_rms_error": np.sqrt(0.0625 / 3)})
    assert "keras_argmax_agreement" not in result  # two heads: no figure at the top level pretends to be both
    results = {"events": 3, "compared": 3, "mismatches": 0, "passed": True, **result}
    text = "\n".join(summary_lines(results))
    assert "classes: keras argmax agreement: 66.67 %" in text and "accuracy 66.67 % (Keras 33.33 %)" in text
    assert "mass: keras max abs error: 0.25; RMS error against the truth 0.2887 (Keras 0.1443)" in text


def test_a_one_output_model_keeps_its_figures_at_the_top_level(keras):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="softmax")])
    graph = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<16,6>"}}).graph
    fixed = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]])
    result = agreement(graph, fixed, fixed)
    assert result["keras_argmax_agreement"] == 1.0 and result["keras_max_abs_error"] == 0.0
    assert "accuracy" not in result  # no labels given
