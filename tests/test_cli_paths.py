"""The installed `rtl4ml` command as users type it: relative paths, `..`, symlinks, spaces, any working directory.

Each test runs the entry point as a subprocess from a fresh working directory, with OUTDIR in one
of the path forms of docs/paths.md, and requires exit 0, the documented files, absolute paths in
what is written, and never an "internal error".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, make_mlp

ENTRY_POINT = Path(sys.executable).parent / "rtl4ml"

# name -> (working directory below the test folder, OUTDIR as typed)
PATH_FORMS = {
    "relative": ("work", "prj"),
    "dot_relative": ("work", "./prj"),
    "parent_relative": ("work", "../other/prj"),
    "relative_with_space": ("work", "my runs/prj"),
    "absolute_with_space": ("work", "ABSOLUTE/my runs/prj"),
    "through_symlink": ("work", "link/prj"),
    "special_characters": ("work", "a#b$c=d;e/prj"),
}


def rtl4ml(cwd: Path, *args: str, expect: int = 0) -> subprocess.CompletedProcess:
    assert ENTRY_POINT.is_file(), f"the rtl4ml entry point is not installed beside {sys.executable}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    completed = subprocess.run([str(ENTRY_POINT), *args], cwd=cwd, capture_output=True, text=True, env=env)
    assert "internal error" not in completed.stderr, completed.stderr
    assert completed.returncode == expect, f"rtl4ml {' '.join(args)} exited {completed.returncode}:\n" \
                                           f"{completed.stdout}\n{completed.stderr}"
    return completed


@pytest.fixture(scope="module")
def model_bytes(keras, tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("model") / "model.h5"
    make_mlp(keras, [4, 5, 3], ["relu", "softmax"], seed=11).save(str(path))
    return path.read_bytes()


def lay_out(tmp_path: Path, model_bytes: bytes, form: str) -> tuple[Path, str, Path]:
    """The working directory with the model and inputs in it, OUTDIR as typed, and where it really is."""
    cwd_name, typed = PATH_FORMS[form]
    cwd = tmp_path / cwd_name
    cwd.mkdir()
    (cwd / "model.h5").write_bytes(model_bytes)
    np.save(cwd / "x.npy", np.random.default_rng(3).normal(size=(40, 4)))
    (tmp_path / "other").mkdir()
    (tmp_path / "real").mkdir()
    (cwd / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    if typed.startswith("ABSOLUTE/"):
        typed = str(tmp_path / typed.removeprefix("ABSOLUTE/"))
    return cwd, typed, (cwd / typed).resolve()


@pytest.mark.sim
@pytest.mark.parametrize("form", PATH_FORMS)
def test_every_command_works_with_outdir_typed_as(tmp_path, model_bytes, form):
    cwd, outdir, real = lay_out(tmp_path, model_bytes, form)
    rtl4ml(cwd, "config", "model.h5", "--granularity", "name", "-o", "cfg.yml")
    rtl4ml(cwd, "convert", "model.h5", "-c", "cfg.yml", "-o", outdir)
    assert (real / "rtl" / "myproject.v").is_file()
    rtl4ml(cwd, "predict", outdir, "--input", "x.npy", "--output", "y.npy")
    sim = rtl4ml(cwd, "sim", outdir, "--input", "x.npy", "--output", "y_rtl.npy")
    assert "PASS: bit-exact" in sim.stdout
    if form in ("relative_with_space", "absolute_with_space", "special_characters"):
        assert "which make cannot handle" in sim.stderr and "building in" in sim.stderr
    results = json.loads((real / "sim" / "results.json").read_text())
    assert results["events"] == 40 and results["mismatches"] == 0
    assert Path(results["build_dir"]).is_absolute()
    assert np.array_equal(np.load(cwd / "y.npy"), np.load(cwd / "y_rtl.npy"))
    csim = rtl4ml(cwd, "csim", outdir, "--input", "x.npy", "--output", "y_csim.npy")
    assert "PASS" in csim.stdout and np.array_equal(np.load(cwd / "y.npy"), np.load(cwd / "y_csim.npy"))
    report = rtl4ml(cwd, "report", outdir, "--no-synth", "--data", "x.npy")
    assert str(real / "report" / "report.html") in report.stdout
    assert (real / "report" / "report.json").is_file()
    rtl4ml(cwd, "ip", outdir)
    datasheet = (real / "ip" / "README.md").read_text()
    assert f"| latency | **{results['LatencyMin']} clock cycles** from the input handshake" in datasheet
    assert "(measured in the last simulation" in datasheet


@pytest.mark.sim
def test_bulk_simulation_through_the_api_with_a_relative_outdir(tmp_path, model_bytes, monkeypatch):
    import rtl4ml as api

    cwd, outdir, real = lay_out(tmp_path, model_bytes, "relative_with_space")
    monkeypatch.chdir(cwd)
    design = api.convert("model.h5")
    assert design.write(outdir) == real
    with pytest.warns(UserWarning, match="make cannot handle"):
        results = api.load_design(outdir).simulate_bulk(np.load("x.npy"))
    assert results["passed"] and results["mismatches"] == 0


@pytest.mark.parametrize("args, code, fragment", [
    (["sim", "prj", "--input", "missing.npy"], 2, "missing.npy' does not exist"),
    (["predict", "../nowhere/prj", "--input", "x.npy", "--output", "y.npy"], 2, "is not an rtl4ml output directory"),
    (["convert", "model.h5", "-o", "foreign"], 2, "was not made by rtl4ml"),
    (["convert", "model.h5", "-c", "./no such.yml", "-o", "prj2"], 2, "no such.yml' does not exist"),
])
def test_errors_with_relative_paths_are_one_line_with_absolute_names(tmp_path, model_bytes, args, code, fragment):
    cwd, _, _ = lay_out(tmp_path, model_bytes, "relative")
    (cwd / "foreign").mkdir()
    (cwd / "foreign" / "notes.txt").write_text("mine\n")
    rtl4ml(cwd, "convert", "model.h5", "-o", "prj")
    completed = rtl4ml(cwd, *args, expect=code)
    assert completed.stderr.startswith("rtl4ml: error: ") and completed.stderr.count("\n") == 1
    assert fragment in completed.stderr and str(tmp_path) in completed.stderr
    assert not (cwd / "prj2").exists() and (cwd / "foreign" / "notes.txt").is_file()


@pytest.mark.sim
def test_scan_with_relative_paths_under_a_folder_with_a_space(tmp_path, model_bytes):
    cwd, _, _ = lay_out(tmp_path, model_bytes, "relative")
    (cwd / "grid.yml").write_text("ReuseFactor: [1]\n")
    completed = rtl4ml(cwd, "scan", "model.h5", "--grid", "grid.yml", "-o", "my runs/scan", "--data", "x.npy",
                       "--workers", "1")
    assert "1 points: 1 ok" in completed.stdout
    assert str(cwd / "my runs" / "scan" / "results.parquet") in completed.stdout
    rtl4ml(cwd, "scan", "./my runs/scan", "--resume", "--workers", "1")
    assert (cwd / "my runs" / "scan" / "scan.html").is_file()


def test_an_unsafe_outdir_and_an_unsafe_cache_are_refused_in_one_line(tmp_path, model_bytes, monkeypatch):
    cwd, outdir, _ = lay_out(tmp_path, model_bytes, "relative_with_space")
    monkeypatch.setenv("RTL4ML_CACHE_DIR", str(tmp_path / "my cache"))
    rtl4ml(cwd, "convert", "model.h5", "-o", outdir)
    completed = rtl4ml(cwd, "sim", outdir, "--input", "x.npy", expect=2)
    assert completed.stderr.startswith("rtl4ml: error: cannot build under ") and completed.stderr.count("\n") == 1
    assert "contains a space, which make cannot handle" in completed.stderr and "set RTL4ML_CACHE_DIR" in completed.stderr


@pytest.mark.sim
def test_make_sim_runs_from_a_clone_whose_path_has_a_space(tmp_path):
    clone = tmp_path / "my clone"
    clone.mkdir()
    shutil.copy(ROOT / "Makefile", clone / "Makefile")
    shutil.copytree(ROOT / "sim", clone / "sim", ignore=shutil.ignore_patterns("build", "__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    completed = subprocess.run(["make", "sim", "TEST=jet_tagger", f"PY={sys.executable}"], cwd=clone,
                               capture_output=True, text=True, env=env)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "PASS: bit-exact" in completed.stdout and "mismatches:   0" in completed.stdout
    assert "which make cannot handle" in completed.stderr
    assert (clone / "sim" / "build" / "jet_tagger" / "summary.json").is_file()
