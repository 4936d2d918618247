"""`make sim` jobs: the bundled taggers (MLPs, Deep-Sets, jet image, LSTM) stream through the core bit-exactly at II 1."""

import json
import subprocess
import sys

import numpy as np
import pytest

import rtl4ml

from conftest import ROOT

pytestmark = pytest.mark.sim


def test_jet_tagger_main_job():
    completed = subprocess.run([sys.executable, str(ROOT / "sim" / "run_test.py"), "jet_tagger"],
                               capture_output=True, text=True, cwd=ROOT)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    summary = json.loads((ROOT / "sim" / "build" / "jet_tagger" / "summary.json").read_text())
    assert summary["events"] >= 2000 and summary["mismatches"] == 0
    assert summary["LatencyMax"] <= 9 and summary["LatencyMin"] == summary["LatencyMax"]
    assert summary["IntervalMin"] == summary["IntervalMax"] == 1
    assert summary["keras_argmax_agreement"] >= 0.995
    assert 0.99 <= summary["output_sum_min"] and summary["output_sum_max"] <= 1.01
    for key in ("events", "mismatches", "LatencyMin", "LatencyMax", "IntervalMin", "IntervalMax",
                "keras argmax agreement", "wall time"):
        assert key in completed.stdout


@pytest.mark.parametrize("name, min_agreement", [("jet_tagger_qkeras", 0.99), ("jet_tagger_pruned", 0.995)])
def test_qkeras_and_pruned_bundles_simulate_bit_exactly(name, min_agreement):
    completed = subprocess.run([sys.executable, str(ROOT / "sim" / "run_test.py"), name],
                               capture_output=True, text=True, cwd=ROOT)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    summary = json.loads((ROOT / "sim" / "build" / name / "summary.json").read_text())
    assert summary["events"] >= 2000 and summary["mismatches"] == 0
    assert summary["LatencyMax"] <= 9 and summary["IntervalMax"] == 1
    assert summary["keras_argmax_agreement"] >= min_agreement


def test_reuse_factor_4_job_is_bit_exact_at_interval_4():
    completed = subprocess.run([sys.executable, str(ROOT / "sim" / "run_test.py"), "jet_tagger_reuse4"],
                               capture_output=True, text=True, cwd=ROOT)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    summary = json.loads((ROOT / "sim" / "build" / "jet_tagger_reuse4" / "summary.json").read_text())
    assert summary["events"] == 1000 and summary["mismatches"] == 0
    assert summary["IntervalMin"] == summary["IntervalMax"] == 4
    assert summary["LatencyMin"] == summary["LatencyMax"] == summary["analytic_latency"]


def test_bundled_qkeras_and_pruned_models_are_within_a_point_of_float():
    """The issue's target, on the accuracies each training run recorded for the full 30k test split."""
    def accuracy(name):
        return float(np.load(ROOT / "sim" / "models" / name / "test_vectors.npz")["float_test_accuracy"])

    for name in ("jet_tagger_qkeras", "jet_tagger_pruned"):
        assert accuracy(name) >= accuracy("jet_tagger") - 0.01, name


def test_unknown_test_name_lists_the_valid_ones():
    completed = subprocess.run([sys.executable, str(ROOT / "sim" / "run_test.py"), "no_such_job"],
                               capture_output=True, text=True, cwd=ROOT)
    assert completed.returncode == 2 and "valid names: jet_tagger" in completed.stderr


def _run_job(name):
    completed = subprocess.run([sys.executable, str(ROOT / "sim" / "run_test.py"), name],
                               capture_output=True, text=True, cwd=ROOT)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return json.loads((ROOT / "sim" / "build" / name / "summary.json").read_text()), completed.stdout


def _bit_exact_in_csim(name, events=1000):
    from rtl4ml.design import load_design

    X = np.load(ROOT / "sim" / "models" / name / "test_vectors.npz")["X"][:events]
    return load_design(ROOT / "sim" / "build" / name).csim(X)["mismatches"] == 0


def test_deep_sets_job_is_bit_exact_in_both_heads_within_10_cycles_at_ii_1():
    summary, stdout = _run_job("deep_sets")
    assert summary["events"] == 3000 and summary["mismatches"] == 0  # both heads: the beat holds both
    assert summary["LatencyMax"] <= 10 and summary["IntervalMin"] == summary["IntervalMax"] == 1
    classes, mass = summary["heads"]["classes"], summary["heads"]["mass"]
    assert classes["keras_argmax_agreement"] >= 0.98 and abs(classes["accuracy"] - classes["keras_accuracy"]) < 0.01
    assert classes["accuracy"] > 0.55  # the data's README: a flat MLP on 16 constituents reaches 0.584
    # the mass head (in 100 GeV) as good as Keras's to 1 GeV RMS, and far better than a constant guess
    assert abs(mass["rms_error"] - mass["keras_rms_error"]) < 0.01 and mass["rms_error"] < 0.35
    assert "classes: keras argmax agreement" in stdout and "mass: keras max abs error" in stdout
    assert _bit_exact_in_csim("deep_sets")


@pytest.mark.deep  # two minutes of Verilator build and csim; `make test-deep` and bench/bundled_jobs.py run it
def test_jet_image_job_is_bit_exact_at_ii_1():
    summary, _ = _run_job("jet_image")
    assert summary["events"] == 3000 and summary["mismatches"] == 0
    assert summary["IntervalMin"] == summary["IntervalMax"] == 1 and summary["LatencyMax"] <= 8
    assert summary["keras_argmax_agreement"] >= 0.98 and abs(summary["accuracy"] - summary["keras_accuracy"]) < 0.01
    assert summary["accuracy"] > 0.5
    assert _bit_exact_in_csim("jet_image")


def test_streamed_lstm_job_is_bit_exact_at_its_planned_timing_with_the_unrolled_codes():
    """The bundled QLSTM streamed: a constituent per beat, one cell reused for the 20 steps; its codes are the
    unrolled job's (same types), a jet every 20 x the cell's loop cycles."""
    from rtl4ml.design import load_design

    summary, _ = _run_job("jet_tagger_lstm_stream")
    assert summary["events"] == 3000 and summary["mismatches"] == 0
    assert summary["IntervalMax"] == summary["analytic_interval"] and summary["analytic_interval"] % 20 == 0
    assert summary["keras_argmax_agreement"] >= 0.95 and abs(summary["accuracy"] - summary["keras_accuracy"]) < 0.01
    streamed = load_design(ROOT / "sim" / "build" / "jet_tagger_lstm_stream")
    X = np.load(ROOT / "sim" / "models" / "jet_tagger_lstm" / "test_vectors.npz")["X"][:500]
    unrolled = rtl4ml.convert(str(ROOT / "sim" / "models" / "jet_tagger_lstm" / "model.h5"),
                              str(ROOT / "sim" / "configs" / "jet_tagger_lstm.yml"))
    assert np.array_equal(streamed.predict_codes(X), unrolled.predict_codes(X))
    assert streamed.csim(X[:200])["mismatches"] == 0


@pytest.mark.deep  # a 280-layer unrolled core: minutes of Verilator build; `make test-deep` and bench/bundled_jobs.py
def test_lstm_job_is_bit_exact_at_ii_1_with_keras_accuracy():
    summary, _ = _run_job("jet_tagger_lstm")
    assert summary["events"] == 3000 and summary["mismatches"] == 0
    assert summary["IntervalMin"] == summary["IntervalMax"] == 1
    assert summary["LatencyMin"] == summary["LatencyMax"] == summary["analytic_latency"] <= 90
    # QKeras rounds in float32 and an 8-bit quantized_tanh flips on the last bit; the recurrence carries such flips
    # on, so a few per cent of argmax calls differ while the accuracy does not move
    assert summary["keras_argmax_agreement"] >= 0.95 and abs(summary["accuracy"] - summary["keras_accuracy"]) < 0.01
    assert summary["accuracy"] > 0.55
    assert _bit_exact_in_csim("jet_tagger_lstm", events=300)
