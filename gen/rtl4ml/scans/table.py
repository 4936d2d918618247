"""The results table of a scan: one row per point in grid order, the Pareto fronts marked, parquet and CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .point import DSP_IN_LUTS

TIME_COLUMNS = ("wall_time_s",)  # the only columns that may differ between two runs of the same scan
METRIC_COLUMNS = ("status", "error", "accuracy", "auc_mean", "keras_agreement", "keras_max_abs_error",
                  "mismatches", "checked_events", "protocol_errors", "LatencyAnalytic", "LatencyMin", "LatencyMax",
                  "IntervalMax", "LUT", "FF", "DSP", "BRAM_18K", "LUT_yosys", "FF_yosys", "DSP_yosys",
                  "BRAM_18K_yosys", "cost", "pareto_resources", "pareto_latency", "warnings", "wall_time_s", "point")


def quality_column(frame) -> str:
    """Accuracy on the user's labels when there are any, else agreement with Keras."""
    return "accuracy" if frame.get("accuracy") is not None and frame["accuracy"].notna().any() else "keras_agreement"


def pareto_front(quality: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """True where no other point is at least as good in both and better in one (higher quality, lower cost)."""
    front = np.zeros(len(quality), dtype=bool)
    valid = ~(np.isnan(quality) | np.isnan(cost))
    for i in np.flatnonzero(valid):
        others = valid & (quality >= quality[i]) & (cost <= cost[i]) & ((quality > quality[i]) | (cost < cost[i]))
        front[i] = not others.any()
    return front


# Counts: whole numbers, empty on failed points (pandas' nullable integers, not floats)
COUNT_COLUMNS = ("mismatches", "checked_events", "protocol_errors", "LatencyAnalytic", "LatencyMin", "LatencyMax",
                 "IntervalMax", "LUT", "FF", "DSP", "BRAM_18K", "LUT_yosys", "FF_yosys", "DSP_yosys", "BRAM_18K_yosys",
                 "cost")
# Fractions: floats, NaN where there is nothing to score (no labels, a failed point); a saved row has null
FRACTION_COLUMNS = ("accuracy", "auc_mean", "keras_agreement", "keras_max_abs_error", "wall_time_s")


def results_frame(axes: tuple[str, ...], rows: list[dict]):
    import pandas as pd

    frame = pd.DataFrame(rows)
    for column in METRIC_COLUMNS:
        if column not in frame and not column.endswith("_yosys"):  # Yosys columns only when Yosys ran
            frame[column] = np.nan
    for column in FRACTION_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["error"] = frame["error"].fillna("")
    frame["warnings"] = frame["warnings"].fillna("")
    ok = frame["status"] == "ok"
    synthesized = "LUT_yosys" in frame
    lut, dsp = ("LUT_yosys", "DSP_yosys") if synthesized else ("LUT", "DSP")
    frame["cost"] = (frame[lut] + DSP_IN_LUTS * frame[dsp]).where(ok)
    quality = frame[quality_column(frame)].where(ok).to_numpy(dtype=float)
    frame["pareto_resources"] = pareto_front(quality, frame["cost"].to_numpy(dtype=float))
    frame["pareto_latency"] = pareto_front(quality, frame["LatencyMax"].where(ok).to_numpy(dtype=float))
    for column in COUNT_COLUMNS:
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    columns = list(axes) + [c for c in METRIC_COLUMNS if c in frame] + \
        [c for c in frame.columns if c not in axes and c not in METRIC_COLUMNS]
    return frame[columns]


def write_tables(frame, scan_dir: Path) -> tuple[Path, Path]:
    parquet, csv = scan_dir / "results.parquet", scan_dir / "results.csv"
    frame.to_parquet(parquet, index=False)
    frame.to_csv(csv, index=False)
    return parquet, csv
