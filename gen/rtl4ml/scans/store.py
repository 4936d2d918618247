"""SCANDIR on disk: the scan's inputs (so --resume needs nothing else) and one file per finished point.

    SCANDIR/scan.json            grid, base config, options, input file names, rtl4ml version
    SCANDIR/inputs/              the model (and weights), X.npy, labels.npy, keras.npy (the Keras outputs)
    SCANDIR/points/<key>.json    one finished point's row, written atomically as it completes
    SCANDIR/results.parquet/.csv, scan.html, plots/   the table and its page, written at the end

Only the client (the machine running `rtl4ml scan`) touches SCANDIR; workers send rows back.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import __version__
from ..errors import fail
from .grid import Grid, parse_grid
from .point import ModelFiles, PointOptions, ScanData

SCAN_FILE = "scan.json"
FORMAT = 1


@dataclass
class ScanPlan:
    grid_source: dict
    grid: Grid
    model: ModelFiles
    data: ScanData
    options: PointOptions
    data_note: str  # where the inputs came from, for the page


def save_plan(scan_dir: Path, plan: ScanPlan) -> None:
    inputs = scan_dir / "inputs"
    inputs.mkdir(parents=True)
    plan.model.write(inputs)
    np.save(inputs / "X.npy", plan.data.X)
    for name in ("labels", "keras"):
        if getattr(plan.data, name) is not None:
            np.save(inputs / f"{name}.npy", getattr(plan.data, name))
    (scan_dir / "points").mkdir()
    record = {"format": FORMAT, "rtl4ml": __version__, "grid": plan.grid_source, "model": plan.model.name,
              "weights": plan.model.weights_name, "check_events": plan.options.check_events,
              "synth": plan.options.synth, "seed": plan.options.seed, "base_config": plan.options.base_config,
              "data": plan.data_note}
    (scan_dir / SCAN_FILE).write_text(json.dumps(record, indent=2) + "\n")


def load_plan(scan_dir: Path) -> ScanPlan:
    path = scan_dir / SCAN_FILE
    if not path.is_file():
        raise fail(f"{str(scan_dir)!r} is not a scan folder (no {SCAN_FILE}); start one with rtl4ml scan MODEL "
                   "--grid grid.yml -o SCANDIR")
    record = json.loads(path.read_text())
    if record.get("format") != FORMAT:
        raise fail(f"{str(path)!r} has scan format {record.get('format')!r}; this rtl4ml reads format {FORMAT}")
    inputs = scan_dir / "inputs"
    weights = record.get("weights")
    model = ModelFiles(record["model"], (inputs / record["model"]).read_bytes(), weights,
                       (inputs / weights).read_bytes() if weights else None)

    def optional(name):
        file = inputs / f"{name}.npy"
        return np.load(file, allow_pickle=False) if file.is_file() else None

    data = ScanData(np.load(inputs / "X.npy", allow_pickle=False), optional("labels"), optional("keras"))
    options = PointOptions(int(record["check_events"]), bool(record["synth"]), int(record["seed"]),
                           record.get("base_config") or {})
    return ScanPlan(record["grid"], parse_grid(record["grid"]), model, data, options, record.get("data", ""))


def finished_rows(scan_dir: Path) -> dict[str, dict]:
    rows = {}
    for file in sorted((scan_dir / "points").glob("*.json")):
        rows[file.stem] = json.loads(file.read_text())
    return rows


def _plain(value):
    """JSON-safe scalars (NaN as null)."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value


def save_row(scan_dir: Path, key: str, row: dict) -> None:
    """Write a finished point so that a reader sees all of it or nothing (rename is atomic)."""
    target = scan_dir / "points" / f"{key}.json"
    partial = target.with_name(f".{key}.{os.getpid()}.tmp")
    partial.write_text(json.dumps({k: _plain(v) for k, v in row.items()}, indent=1) + "\n")
    partial.rename(target)
