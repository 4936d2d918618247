"""Design-space scans: precision x reuse x pruning x pipeline budget, one Dask task per point.

    frame = rtl4ml.scan("model.h5", {"Precision": ["ap_fixed<8,3>", "ap_fixed<12,5>"], "ReuseFactor": [1, 2]},
                        data=X, labels=y, out_dir="scan1", client=dask.distributed.Client(...))

The user's inputs are checked and stored in SCANDIR before any point runs (store.py); points run
on Dask (engine.py), each a pure task (point.py); the table and page are written at the end.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ..errors import fail
from ..paths import user_path
from .engine import open_client, run_points
from .grid import parse_grid
from .page import write_page
from .point import CHECK_EVENTS, RANDOM_EVENTS, ModelFiles, PointOptions, ScanData
from .store import SCAN_FILE, ScanPlan, load_plan, save_plan
from .table import quality_column, results_frame, write_tables


def _mapping(source, what: str) -> dict:
    if source is None:
        return {}
    if isinstance(source, dict):
        return source
    from ..config import read_yaml_file

    data = read_yaml_file(source, what)
    if not isinstance(data, dict):
        raise fail(f"{what} file {str(user_path(source))!r} must hold a mapping, got {type(data).__name__}")
    return data


def _array(source) -> np.ndarray | None:
    if source is None or isinstance(source, np.ndarray):
        return source
    from ..arrays import load_array

    return load_array(str(user_path(source)))


def _model_files(model, weights) -> ModelFiles:
    if not isinstance(model, (str, Path)):
        raise fail(f"rtl4ml scan takes a model file path (.h5, .keras, .json with weights, .onnx), got {type(model).__name__}")
    model_path = user_path(model)
    if not model_path.is_file():
        raise fail(f"model file {str(model_path)!r} does not exist")
    weights_path = user_path(weights) if weights else None
    if weights_path is not None and not weights_path.is_file():
        raise fail(f"weights file {str(weights_path)!r} does not exist")
    return ModelFiles(model_path.name, model_path.read_bytes(), weights_path.name if weights_path else None,
                      weights_path.read_bytes() if weights_path else None)


def _scan_data(model: ModelFiles, X, labels, seed: int, random_events: int) -> tuple[ScanData, str]:
    from ..frontends.model_file import load_model_file
    from ..frontends.onnx_model import is_onnx_file
    from ..keras_reference import keras_outputs
    from ..onnx_reference import onnx_outputs

    with tempfile.TemporaryDirectory(prefix="rtl4ml-scan-") as scratch:
        model_path, weights_path = model.write(Path(scratch))
        n_in = load_model_file(model_path, weights_path).input.size
        note = "user data"
        if X is None:
            X = np.random.default_rng(seed).normal(size=(random_events, n_in))
            note = f"{random_events} N(0,1) input vectors (seed {seed})"
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != n_in or not len(X):
            raise fail(f"scan data has shape {X.shape}; the model takes [events, {n_in}]")
        if not np.isfinite(X).all():
            raise fail("scan data holds NaN or Inf values")
        if labels is not None:
            labels = np.asarray(labels).astype(np.int64).ravel()
            if len(labels) != len(X):
                raise fail(f"scan labels have {len(labels)} entries for {len(X)} input events")
        reference = onnx_outputs(model_path, X) if is_onnx_file(model_path) else \
            keras_outputs(model_path, weights_path, X)
    return ScanData(X, labels, reference), note


def _create(scan_dir: Path, plan: ScanPlan, force: bool) -> None:
    """Lay out SCANDIR in a partial folder renamed into place, so a failure leaves nothing behind."""
    if scan_dir.exists():
        if (scan_dir / SCAN_FILE).is_file() and not force:
            raise fail(f"{str(scan_dir)!r} holds a scan already; finish it with rtl4ml scan {scan_dir} --resume, "
                       "or pass --force to start over")
        if scan_dir.is_dir() and any(scan_dir.iterdir()) and not (scan_dir / SCAN_FILE).is_file() and not force:
            raise fail(f"output directory {str(scan_dir)!r} exists and is not a scan folder; choose another or "
                       "pass --force to replace it")
    partial = scan_dir.with_name(f".{scan_dir.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        save_plan(partial, plan)
        if scan_dir.exists():
            shutil.rmtree(scan_dir) if scan_dir.is_dir() else scan_dir.unlink()
        partial.rename(scan_dir)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _finish(plan: ScanPlan, scan_dir: Path, rows: list[dict], wall_time: float):
    frame = results_frame(plan.grid.axes, rows)
    ok = int((frame["status"] == "ok").sum())
    quality = quality_column(frame)
    summary = [f"{len(frame)} points: {ok} ok, {int((frame['status'] == 'error').sum())} failed, "
               f"{int((frame['status'] == 'mismatch').sum())} with RTL mismatches; wall time {wall_time:.1f} s",
               f"scored on {plan.data_note}; {quality.replace('_', ' ')} of the golden model, which the RTL matched "
               f"bit for bit on the first {min(plan.options.check_events, len(plan.data.X))} events of every ok point",
               f"Pareto fronts: {int(frame['pareto_resources'].sum())} points on {quality} vs LUT + 55·DSP, "
               f"{int(frame['pareto_latency'].sum())} on {quality} vs latency"]
    write_tables(frame, scan_dir)
    write_page(frame, plan.grid.axes, scan_dir, summary)
    frame.attrs["summary"] = summary
    return frame


def scan(model, grid, out_dir=None, *, weights=None, config=None, data=None, labels=None, client=None,
         scheduler: str | None = None, workers: int | None = None, synth: bool = False, check_events: int = CHECK_EVENTS,
         random_events: int = RANDOM_EVENTS, seed: int = 0, force: bool = False, progress=sys.stderr):
    """Run every point of `grid` on `model`; return the results as a pandas DataFrame.

    grid and config: mappings or YAML paths; data/labels: arrays or .npy paths (N(0,1) inputs when
    no data is given); out_dir: SCANDIR (a temporary folder when None); client: a dask.distributed
    Client, else one on `scheduler`, else a LocalCluster of `workers` processes.
    """
    started = time.perf_counter()
    grid_source = _mapping(grid, "grid")
    parsed = parse_grid(grid_source)
    base = _mapping(config, "config")
    from ..config import load_config

    load_config(base or None)  # a bad base config is the user's error, not every point's
    if check_events < 1:
        raise fail(f"check_events must be a positive number of events, got {check_events}")
    model_files = _model_files(model, weights)
    scan_data, note = _scan_data(model_files, _array(data), _array(labels), seed, random_events)
    plan = ScanPlan(grid_source, parsed, model_files, scan_data, PointOptions(check_events, synth, seed, base), note)
    with _scan_folder(out_dir) as scan_dir:
        _create(scan_dir, plan, force)
        with open_client(client, scheduler, workers) as dask_client:
            rows = run_points(plan, scan_dir, dask_client, progress)
        return _finish(plan, scan_dir, rows, time.perf_counter() - started)


def resume(scan_dir, *, client=None, scheduler: str | None = None, workers: int | None = None,
           progress=sys.stderr):
    """Finish an interrupted scan: only points without a saved row run; returns the whole table."""
    started = time.perf_counter()
    scan_dir = user_path(scan_dir)
    plan = load_plan(scan_dir)
    with open_client(client, scheduler, workers) as dask_client:
        rows = run_points(plan, scan_dir, dask_client, progress)
    return _finish(plan, scan_dir, rows, time.perf_counter() - started)


@contextlib.contextmanager
def _scan_folder(out_dir):
    """SCANDIR as given (made absolute), or a temporary folder removed afterwards."""
    if out_dir is not None:
        yield user_path(out_dir)
        return
    with tempfile.TemporaryDirectory(prefix="rtl4ml-scan-") as scratch:
        yield Path(scratch) / "scan"
