"""One scan point as a pure task: model and data in (as bytes and arrays), one result row out.

A worker needs no shared file system: the model travels as its file's bytes, the data as arrays
(scattered once to every worker), and the task builds everything it needs in a scratch folder of
its own. Verilator and Yosys builds go to the worker's rtl4ml cache, keyed by content, so equal
cores across points are built once per worker. Any failure becomes the row's `status` and
one-line `error`; the task itself never raises for a bad point.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import __version__
from ..cache import cache_root
from ..errors import Rtl4mlError
from .grid import SPARSITY, point_config

DSP_IN_LUTS = 55  # the cost axis of the Pareto front: LUT + 55 * DSP
CHECK_EVENTS = 1000  # default: events per point through the compiled RTL harness
RANDOM_EVENTS = 2000  # default: N(0, 1) inputs when the user gives no data


@dataclass(frozen=True)
class ModelFiles:
    """A model file (and its weights file, for .json) as bytes, with the names that give their formats."""

    name: str
    data: bytes
    weights_name: str | None = None
    weights: bytes | None = None

    def write(self, folder: Path) -> tuple[Path, Path | None]:
        model = folder / self.name
        model.write_bytes(self.data)
        if self.weights is None:
            return model, None
        weights = folder / self.weights_name
        weights.write_bytes(self.weights)
        return model, weights


@dataclass(frozen=True)
class ScanData:
    """What every point is scored on: inputs, optional labels, and the Keras model's own outputs."""

    X: np.ndarray
    labels: np.ndarray | None = None
    keras: np.ndarray | None = None


@dataclass(frozen=True)
class PointOptions:
    check_events: int = CHECK_EVENTS  # events through the compiled RTL harness, bit-exact against golden
    synth: bool = False  # Yosys (fast LUT mapping), per layer, cached
    seed: int = 0  # pruning tie-break
    base_config: dict = field(default_factory=dict)


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:20]


def _array_bytes(array: np.ndarray | None) -> bytes:
    if array is None:
        return b"none"
    array = np.ascontiguousarray(array)
    return f"{array.dtype.str}{array.shape}".encode() + array.tobytes()


def point_key(model: ModelFiles, data: ScanData, options: PointOptions, point: dict) -> str:
    """Content hash of everything that decides a point's row (apart from its times)."""
    settings = json.dumps({"point": point, "options": {**options.__dict__}, "version": __version__},
                          sort_keys=True, default=str)
    return _digest(model.data, model.weights or b"", _array_bytes(data.X), _array_bytes(data.labels),
                   _array_bytes(data.keras), settings.encode())


def _scores(outputs: np.ndarray, data: ScanData) -> dict:
    from ..report.accuracy import argmax_agreement, roc_curve

    row = {"accuracy": np.nan, "auc_mean": np.nan, "keras_agreement": np.nan, "keras_max_abs_error": np.nan}
    if data.labels is not None and outputs.shape[1] > 1:
        labels = np.asarray(data.labels)
        row["accuracy"] = float((outputs.argmax(axis=1) == labels).mean())
        present = [k for k in range(outputs.shape[1]) if 0 < (labels == k).sum() < len(labels)]
        row["auc_mean"] = float(np.mean([roc_curve(outputs[:, k], labels == k).auc for k in present])) \
            if present else np.nan
    if data.keras is not None:
        if outputs.shape[1] > 1:
            row["keras_agreement"] = argmax_agreement(outputs, data.keras)
        row["keras_max_abs_error"] = float(np.abs(outputs - data.keras).max())
    return row


def _evaluate(model: ModelFiles, data: ScanData, options: PointOptions, point: dict, scratch: Path) -> dict:
    from ..design import convert
    from ..frontends.model_file import load_model_file
    from ..report.analytic import estimate_core
    from ..report.build import TOTAL_KEYS
    from .sparsity import prune

    model_path, weights_path = model.write(scratch)
    spec = prune(load_model_file(model_path, weights_path), float(point.get(SPARSITY) or 0), options.seed)
    design = convert(spec, point_config(options.base_config, point))
    row = _scores(design.predict(data.X), data)
    design.write(scratch / "prj")
    check = data.X[: options.check_events]
    bulk = design.simulate_bulk(check, cache_dir=cache_root() / "scan" / "harness")
    row.update({"mismatches": int(bulk["mismatches"]) if bulk["mismatches"] is not None else len(check),
                "checked_events": len(check), "protocol_errors": len(bulk["protocol_errors"]),
                "LatencyAnalytic": design.latency, "LatencyMin": bulk["LatencyMin"],
                "LatencyMax": bulk["LatencyMax"], "IntervalMax": bulk["IntervalMax"]})
    estimate = estimate_core(design.core)
    row.update({key: int(sum(layer.get(key, 0) for layer in estimate.values())) for key in TOTAL_KEYS})
    if options.synth:
        report = design.report(run_synthesis=True, workers=1)
        row.update({f"{key}_yosys": int(report[key]) for key in TOTAL_KEYS})
    return row


def run_point(model: ModelFiles, data: ScanData, options: PointOptions, point: dict) -> dict:
    """The result row of one point; never raises for a bad point (status and error say what happened)."""
    started = time.perf_counter()
    row = dict(point)
    caught = []
    try:
        with tempfile.TemporaryDirectory(prefix="rtl4ml-scan-") as scratch, \
                warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            row.update(_evaluate(model, data, options, point, Path(scratch)))
        row["status"] = "ok" if row["mismatches"] == 0 and row["protocol_errors"] == 0 else "mismatch"
        row["error"] = "" if row["status"] == "ok" else \
            f"{row['mismatches']} of {row['checked_events']} events differ from the golden model, " \
            f"{row['protocol_errors']} protocol errors"
    except Rtl4mlError as exc:
        row.update({"status": "error", "error": str(exc)})
    except Exception as exc:  # noqa: BLE001 - one bad point must not stop the scan; the row says what broke
        row.update({"status": "error", "error": f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())}"})
    row["warnings"] = "; ".join(dict.fromkeys(" ".join(str(w.message).split()) for w in caught))
    row["wall_time_s"] = round(time.perf_counter() - started, 3)
    return row
