"""SCANDIR/scan.html: the results table and the two Pareto plots (PNG beside it), no network needed."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np

from ..report.html import PAGE_STYLE
from .point import DSP_IN_LUTS
from .table import quality_column


def _plot(frame, x: str, quality: str, front: str, xlabel: str, path: Path, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = frame[frame["status"] == "ok"]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.scatter(ok[x], ok[quality], s=18, color="#999", label="points")
    best = ok[ok[front]].sort_values(x)
    ax.plot(best[x], best[quality], "o-", color="#c0392b", label="Pareto front")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(quality.replace("_", " "))
    if x == "cost" and len(ok) and ok[x].max() > 20 * max(ok[x].min(), 1):
        ax.set_xscale("log")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _cell(value) -> str:
    import pandas as pd

    if value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and np.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, (bool, np.bool_)):
        return "★" if value else ""
    return html.escape(str(value))


def write_page(frame, axes: tuple[str, ...], scan_dir: Path, summary: list[str]) -> Path:
    plots = scan_dir / "plots"
    plots.mkdir(exist_ok=True)
    quality = quality_column(frame)
    cost_source = "Yosys" if "LUT_yosys" in frame else "analytic estimate"
    images = [
        _plot(frame, "cost", quality, "pareto_resources", f"LUT + {DSP_IN_LUTS}·DSP ({cost_source})",
              plots / "pareto_resources.png", f"{quality.replace('_', ' ')} vs resources"),
        _plot(frame, "LatencyMax", quality, "pareto_latency", "latency (cycles, measured)",
              plots / "pareto_latency.png", f"{quality.replace('_', ' ')} vs latency"),
    ]
    shown = [c for c in list(axes) + ["status", quality, "mismatches", "LatencyMax", "IntervalMax", "LUT", "FF",
                                      "DSP", "BRAM_18K", "LUT_yosys", "DSP_yosys", "cost", "pareto_resources",
                                      "pareto_latency", "wall_time_s", "error"]
             if c in frame and (c in axes or frame[c].notna().any())]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in shown)
    body = "".join("<tr>" + "".join(f"<td>{_cell(row[c])}</td>" for c in shown) + "</tr>"
                   for _, row in frame.iterrows())
    figures = "".join(f'<img src="plots/{p.name}" alt="{html.escape(p.stem)}">' for p in images)
    notes = "".join(f"<li>{html.escape(line)}</li>" for line in summary)
    page = scan_dir / "scan.html"
    page.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>rtl4ml scan</title>"
                    f"<style>{PAGE_STYLE}</style></head><body><h1>rtl4ml scan</h1><ul>{notes}</ul>"
                    f"<h2>Pareto fronts (★ in the table)</h2>{figures}<h2>Points</h2>"
                    f"<table><tr>{head}</tr>{body}</table></body></html>\n")
    return page
