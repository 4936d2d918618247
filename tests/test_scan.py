"""rtl4ml scan: grids, pruning, Pareto fronts, and whole scans on Dask (LocalCluster, a real scheduler, resume)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rtl4ml.errors import Rtl4mlError
from rtl4ml.scans.grid import parse_grid, point_config
from rtl4ml.scans.table import pareto_front

from conftest import make_mlp

BIN = Path(sys.executable).parent
GRID = {"Precision": ["ap_fixed<8,3>", "ap_fixed<12,5>", "ap_fixed<0,0>"], "ReuseFactor": [1, 2],
        "Sparsity": [0, 0.5]}
TIMES = ["wall_time_s"]


def test_grid_is_the_product_of_its_axes_first_axis_slowest():
    grid = parse_grid({"Precision": ["a", "b"], "ReuseFactor": [1, 2, 4], "LayerName": {"fc1": {"Precision": ["c"]}}})
    assert grid.axes == ("Precision", "ReuseFactor", "LayerName.fc1.Precision")
    assert len(grid.points) == 6 and grid.points[0] == {"Precision": "a", "ReuseFactor": 1, "LayerName.fc1.Precision": "c"}
    assert [p["ReuseFactor"] for p in grid.points] == [1, 2, 4, 1, 2, 4]


def test_explicit_points_and_their_config():
    grid = parse_grid({"points": [{"Precision": "ap_fixed<8,3>", "ReuseFactor": 2}, {"Sparsity": 0.5}]})
    assert grid.axes == ("Precision", "ReuseFactor", "Sparsity")
    assert grid.points[1] == {"Precision": None, "ReuseFactor": None, "Sparsity": 0.5}
    base = {"HLSConfig": {"Model": {"Precision": "ap_fixed<16,6>", "ReuseFactor": 1}}, "Part": "xcvu13p"}
    config = point_config(base, {"Precision": "ap_fixed<8,3>", "ReuseFactor": None, "LayerName.fc1.ReuseFactor": 4})
    assert config == {"HLSConfig": {"Model": {"Precision": "ap_fixed<8,3>", "ReuseFactor": 1},
                                    "LayerName": {"fc1": {"ReuseFactor": 4}}}, "Part": "xcvu13p"}
    assert base["HLSConfig"]["Model"]["Precision"] == "ap_fixed<16,6>"  # the base is not touched


@pytest.mark.parametrize("grid, fragment", [
    ({"Precison": ["ap_fixed<8,3>"]}, "grid axis 'Precison' is not a scan axis"),
    ({"ReuseFactor": []}, "must be a non-empty list"),
    ({"ReuseFactor": 2}, "must be a non-empty list"),
    ({"Sparsity": [0, 1.5]}, "value 1.5 must be a fraction of zero weights in [0, 1)"),
    ({"ReuseFactor": [1, 1]}, "lists a value twice"),
    ({"points": [{"ReuseFactor": 2}], "Precision": ["a"]}, "give one or the other"),
    ({"LayerName": {"fc1": {"Sparsity": [0.5]}}}, "LayerName.fc1.Sparsity' is not a scan axis"),
])
def test_bad_grids_are_refused_in_one_line(grid, fragment):
    with pytest.raises(Rtl4mlError, match=None) as error:
        parse_grid(grid)
    assert fragment in str(error.value) and "\n" not in str(error.value)


def test_pruning_zeroes_the_smallest_weights_per_layer_reproducibly():
    from rtl4ml.frontends.spec import DenseSpec, InputSpec, ModelSpec
    from rtl4ml.scans.sparsity import prune

    kernel = np.array([[0.1, -0.5, 0.1], [2.0, -0.1, 0.3]])
    spec = ModelSpec("m", InputSpec("x", 2), [DenseSpec("fc", "Dense", kernel, np.zeros(3))])
    pruned = prune(spec, 0.5, seed=1)
    assert np.count_nonzero(pruned.layers[0].kernel == 0) == 3
    assert set(np.abs(pruned.layers[0].kernel[pruned.layers[0].kernel != 0])) == {0.5, 2.0, 0.3}
    assert np.array_equal(prune(spec, 0.5, seed=1).layers[0].kernel, pruned.layers[0].kernel)
    assert np.array_equal(spec.layers[0].kernel, kernel)  # the given model is left as it was


def test_pareto_front_keeps_only_undominated_points():
    quality = np.array([0.9, 0.8, 0.95, 0.7, np.nan, 0.9])
    cost = np.array([100, 50, 300, 60, 10, 120])
    assert pareto_front(quality, cost).tolist() == [True, True, True, False, False, False]


# ----------------------------------------------------------------------------- whole scans


@pytest.fixture(scope="module")
def tiny_model(keras, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scan_model") / "tiny.h5"
    make_mlp(keras, [4, 6, 4], ["relu", "softmax"], seed=5).save(str(path))
    return path


def scan_args(model: Path, out: Path, *extra: str) -> list[str]:
    grid = out.parent / "grid.json"
    grid.write_text(json.dumps(GRID))  # JSON is YAML
    return [str(BIN / "rtl4ml"), "scan", str(model), "--grid", str(grid), "-o", str(out), "--events", "300",
            "--check-events", "200", *extra]


def without_times(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=TIMES).reset_index(drop=True)


@pytest.fixture(scope="module")
def local_scan(tiny_model, tmp_path_factory) -> tuple[pd.DataFrame, Path]:
    """The 12-point scan through the Python API on a LocalCluster of two worker processes, and its SCANDIR."""
    import rtl4ml

    out = tmp_path_factory.mktemp("scan_local") / "scan"
    frame = rtl4ml.scan(str(tiny_model), GRID, out, workers=2, random_events=300, check_events=200)
    return frame, out


@pytest.fixture(scope="module")
def uninterrupted(local_scan) -> pd.DataFrame:
    return local_scan[0]


@pytest.mark.sim
@pytest.mark.xdist_group("scan")
def test_local_scan_rows_are_bit_exact_and_failures_are_rows(local_scan):
    frame, out = local_scan
    assert len(frame) == 12 and list(frame.columns[:3]) == ["Precision", "ReuseFactor", "Sparsity"]
    ok = frame[frame["status"] == "ok"]
    assert len(ok) == 8 and (ok["mismatches"] == 0).all() and (ok["checked_events"] == 200).all()
    assert (ok["LatencyMin"] == ok["LatencyAnalytic"]).all() and (ok["LatencyMax"] == ok["LatencyAnalytic"]).all()
    assert (ok["IntervalMax"] == ok["ReuseFactor"]).all()
    assert (ok[ok["Sparsity"] == 0.5]["LUT"] + 55 * ok[ok["Sparsity"] == 0.5]["DSP"]).sum() < \
        (ok[ok["Sparsity"] == 0]["LUT"] + 55 * ok[ok["Sparsity"] == 0]["DSP"]).sum()
    failed = frame[frame["Precision"] == "ap_fixed<0,0>"]
    assert (failed["status"] == "error").all() and failed["error"].str.contains("width 0").all()
    assert frame["pareto_resources"].any() and not failed["pareto_resources"].any()
    assert ok["keras_agreement"].between(0, 1).all() and frame["accuracy"].isna().all()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), frame, check_dtype=False)
    assert len(pd.read_csv(out / "results.csv")) == 12
    page = (out / "scan.html").read_text()
    assert page.count("<tr>") == 13 and "ap_fixed&lt;0,0&gt;" in page and "width 0" in page and "★" in page
    assert all((out / "plots" / name).stat().st_size > 5000 for name in ("pareto_resources.png", "pareto_latency.png"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.sim
@pytest.mark.xdist_group("scan")
def test_scan_on_a_scheduler_and_two_workers_started_as_a_user_would_gives_the_same_table(
        uninterrupted, tiny_model, tmp_path):
    from dask.distributed import Client

    address = f"tcp://127.0.0.1:{_free_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    processes = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port",
                                   address.rsplit(":", 1)[1], "--no-dashboard"], cwd=tmp_path, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for name in ("w1", "w2"):
            processes.append(subprocess.Popen([str(BIN / "dask"), "worker", address, "--nthreads", "1", "--name",
                                               name, "--no-dashboard"], cwd=tmp_path, env=env,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        completed = subprocess.run(scan_args(tiny_model, tmp_path / "scan", "--scheduler", address),
                                   capture_output=True, text=True, env=env, cwd=tmp_path)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "12 to run on 2 Dask workers" in completed.stderr and "internal error" not in completed.stderr
    remote = pd.read_parquet(tmp_path / "scan" / "results.parquet")
    pd.testing.assert_frame_equal(without_times(remote), without_times(uninterrupted), check_dtype=False)


@pytest.mark.sim
@pytest.mark.xdist_group("scan")
def test_resume_after_a_kill_runs_only_the_missing_points(uninterrupted, tiny_model, tmp_path):
    out = tmp_path / "scan"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    run = subprocess.Popen(scan_args(tiny_model, out, "--workers", "1"), cwd=tmp_path, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    while not list((out / "points").glob("*.json")) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(run.pid, signal.SIGKILL)  # the client and its LocalCluster, as a power cut would
    run.wait()
    saved = {file.name: file.read_bytes() for file in (out / "points").glob("*.json")}
    assert 1 <= len(saved) < 12, f"{len(saved)} points were saved before the kill; the scan was not interrupted"
    assert not (out / "results.parquet").exists()
    completed = subprocess.run([str(BIN / "rtl4ml"), "scan", str(out), "--resume", "--workers", "2"], cwd=tmp_path,
                               env=env, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert f"{len(saved)} already done, {12 - len(saved)} to run" in completed.stderr
    assert all((out / "points" / name).read_bytes() == data for name, data in saved.items())  # none ran again
    assert len(list((out / "points").glob("*.json"))) == 12
    resumed = pd.read_parquet(out / "results.parquet")
    pd.testing.assert_frame_equal(without_times(resumed), without_times(uninterrupted), check_dtype=False)


def test_scan_refuses_bad_inputs_in_one_line_and_leaves_nothing(tiny_model, tmp_path):
    import rtl4ml

    with pytest.raises(Rtl4mlError, match=r"scan data has shape \(5, 3\); the model takes \[events, 4\]"):
        rtl4ml.scan(str(tiny_model), {"ReuseFactor": [1]}, tmp_path / "a", data=np.zeros((5, 3)))
    with pytest.raises(Rtl4mlError, match="NaN or Inf"):
        rtl4ml.scan(str(tiny_model), {"ReuseFactor": [1]}, tmp_path / "b", data=np.full((5, 4), np.nan))
    with pytest.raises(Rtl4mlError, match="is not a scan folder"):
        rtl4ml.resume_scan(tmp_path)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "scan.json").write_text("{}")
    with pytest.raises(Rtl4mlError, match="holds a scan already; finish it with rtl4ml scan .* --resume"):
        rtl4ml.scan(str(tiny_model), {"ReuseFactor": [1]}, tmp_path / "old")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine\n")
    with pytest.raises(Rtl4mlError, match="exists and is not a scan folder"):
        rtl4ml.scan(str(tiny_model), {"ReuseFactor": [1]}, tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "mine\n"
