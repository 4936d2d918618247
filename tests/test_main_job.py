"""`make sim TEST=jet_tagger`: the bundled jet tagger streams through the core bit-exactly, 9 cycles, II = 1."""

import json
import subprocess
import sys

import pytest

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


def test_unknown_test_name_lists_the_valid_ones():
    completed = subprocess.run([sys.executable, str(ROOT / "sim" / "run_test.py"), "no_such_job"],
                               capture_output=True, text=True, cwd=ROOT)
    assert completed.returncode == 2 and "valid names: jet_tagger" in completed.stderr
