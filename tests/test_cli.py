"""The rtl4ml command line: the documented flow works, and every user error is one line with exit 2."""

import json
import subprocess
import sys

import numpy as np
import pytest
import yaml

from rtl4ml.cli import main

from conftest import make_mlp


@pytest.fixture
def model_file(keras, tmp_path):
    model = make_mlp(keras, [4, 5, 3], ["relu", "softmax"], seed=11)
    path = tmp_path / "model.h5"
    model.save(str(path))
    return path


def run(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_config_convert_predict(capsys, tmp_path, model_file):
    code, out, _ = run(capsys, "config", model_file, "--granularity", "name", "--precision", "ap_fixed<12,5>",
                       "-o", tmp_path / "c.yml")
    assert code == 0 and yaml.safe_load((tmp_path / "c.yml").read_text())["LayerName"]["dense0"]
    code, out, _ = run(capsys, "convert", model_file, "-c", tmp_path / "c.yml", "-o", tmp_path / "prj")
    assert code == 0 and "latency" in out and (tmp_path / "prj" / "rtl" / "myproject.v").is_file()
    X = np.random.default_rng(0).normal(size=(20, 4))
    np.save(tmp_path / "x.npy", X)
    code, _, _ = run(capsys, "predict", tmp_path / "prj", "--input", tmp_path / "x.npy", "--output", tmp_path / "y.npy")
    assert code == 0
    import rtl4ml

    assert np.array_equal(np.load(tmp_path / "y.npy"), rtl4ml.load_design(tmp_path / "prj").predict(X))


@pytest.mark.sim
def test_sim_writes_results_json_with_latency_and_interval(capsys, tmp_path, model_file):
    assert run(capsys, "convert", model_file, "-o", tmp_path / "prj")[0] == 0
    np.save(tmp_path / "x.npy", np.random.default_rng(1).normal(size=(50, 4)))
    code, out, _ = run(capsys, "sim", tmp_path / "prj", "--input", tmp_path / "x.npy", "--output", tmp_path / "y.npy")
    assert code == 0 and "PASS: bit-exact" in out
    results = json.loads((tmp_path / "prj" / "sim" / "results.json").read_text())
    assert results["events"] == 50 and results["mismatches"] == 0
    assert {"LatencyMin", "LatencyMax", "LatencyAvg", "IntervalMin", "IntervalMax", "IntervalAvg"} <= set(results)
    assert np.load(tmp_path / "y.npy").shape == (50, 3)


@pytest.mark.parametrize("args, fragment", [
    (["convert", "missing.h5", "-o", "OUT"], "missing.h5' does not exist"),
    (["convert", "MODEL", "-c", "nope.yml", "-o", "OUT"], "nope.yml' does not exist"),
    (["convert", "MODEL", "-c", "BADCFG", "-o", "OUT"], "width 0"),
    (["predict", "OUT_MISSING", "--input", "x.npy", "--output", "y.npy"], "not an rtl4ml output directory"),
])
def test_errors_are_one_line_exit_2_and_leave_no_outdir(capsys, tmp_path, model_file, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yml").write_text("Model: {Precision: 'ap_fixed<0,0>'}\n")
    args = [str(model_file) if a == "MODEL" else "bad.yml" if a == "BADCFG" else a for a in args]
    code, out, err = run(capsys, *args)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("rtl4ml: error: ") and fragment in err
    assert not (tmp_path / "OUT").exists()


def test_predict_refuses_wrong_shape_and_pickled_input(capsys, tmp_path, model_file):
    assert run(capsys, "convert", model_file, "-o", tmp_path / "prj")[0] == 0
    np.save(tmp_path / "wide.npy", np.zeros((3, 7)))
    code, _, err = run(capsys, "predict", tmp_path / "prj", "--input", tmp_path / "wide.npy", "--output", tmp_path / "y.npy")
    assert code == 2 and "shape (3, 7)" in err
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    code, _, err = run(capsys, "predict", tmp_path / "prj", "--input", tmp_path / "objects.npy", "--output", tmp_path / "y.npy")
    assert code == 2 and "not a readable .npy" in err


def test_installed_entry_point_runs(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "rtl4ml.cli", "--version"], capture_output=True, text=True)
    assert completed.returncode == 0 and completed.stdout.startswith("rtl4ml ")


def test_csim_compares_the_hls_cpp_with_the_golden_model(capsys, tmp_path, model_file):
    assert run(capsys, "convert", model_file, "-o", tmp_path / "prj")[0] == 0
    np.save(tmp_path / "x.npy", np.random.default_rng(2).normal(size=(64, 4)))
    code, out, _ = run(capsys, "csim", tmp_path / "prj", "--input", tmp_path / "x.npy", "--output", tmp_path / "y.npy")
    assert code == 0 and "mismatches:   0" in out and "PASS" in out
    import rtl4ml

    expected = rtl4ml.load_design(tmp_path / "prj").predict(np.load(tmp_path / "x.npy"))
    assert np.array_equal(np.load(tmp_path / "y.npy"), expected)
