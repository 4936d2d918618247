"""PNG plots with matplotlib (Agg backend: no display, no network)."""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import fail


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise fail("plots need matplotlib: pip install matplotlib") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_roc_curves(curves_by_model: dict, path: Path, title: str) -> Path:
    """One ROC panel, a colour per class and a line style per model (e.g. Keras float solid, fixed dashed).

    `curves_by_model` maps a model name to {class name: RocCurve}; axes follow the hls4ml papers
    (signal efficiency on x, background efficiency on a log y axis).
    """
    plt = _pyplot()
    styles = ["-", "--", ":", "-."]
    figure, axes = plt.subplots(figsize=(6.4, 5.2))
    for style, (model_name, curves) in zip(styles, curves_by_model.items()):
        for colour, (class_name, curve) in enumerate(curves.items()):
            axes.plot(curve.true_positive_rate, curve.false_positive_rate, linestyle=style, color=f"C{colour}",
                      label=f"{class_name} {model_name} (AUC {100 * curve.auc:.1f} %)")
    axes.set_yscale("log")
    axes.set_ylim(1e-3, 1.0)
    axes.set_xlim(0.0, 1.0)
    axes.set_xlabel("signal efficiency")
    axes.set_ylabel("background efficiency")
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7, loc="lower right", ncol=len(curves_by_model))
    return _save(plt, figure, path)


def plot_accuracy_scan(widths, accuracies: dict, path: Path, title: str, reference: dict | None = None) -> Path:
    """Accuracy against total bit width W; one line per integer-bit choice, dashed lines for references."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 4.4))
    for label, values in accuracies.items():
        axes.plot(widths, [100 * v for v in values], marker="o", label=label)
    for index, (label, value) in enumerate((reference or {}).items()):
        axes.axhline(100 * value, linestyle="--", color=f"C{index + len(accuracies)}", label=label)
    axes.set_xlabel("total bits W of ap_fixed<W,I> (whole model)")
    axes.set_ylabel("accuracy [%]")
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    return _save(plt, figure, path)


def plot_accuracy_vs_cost(series: dict, path: Path, title: str, xlabel: str) -> Path:
    """Accuracy against a cost per series: {name: (costs, accuracies, point labels)}, each point labelled."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    for name, (costs, accuracies, labels) in series.items():
        axes.plot(costs, [100 * a for a in accuracies], "o-", label=name, markersize=4)
        for cost, accuracy, label in zip(costs, accuracies, labels):
            axes.annotate(str(label), (cost, 100 * accuracy), fontsize=6, xytext=(3, 3), textcoords="offset points")
    axes.set_xscale("log")
    axes.set_xlabel(xlabel)
    axes.set_ylabel("accuracy (%)")
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    return _save(plt, figure, path)


def plot_bars(names, series: dict, path: Path, title: str, ylabel: str, log: bool = False) -> Path:
    """Grouped bars: one group per name (e.g. layer), one bar per series (e.g. LUT, FF, DSP)."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(max(6.4, 1.1 * len(names) + 2), 4.4))
    width = 0.8 / max(1, len(series))
    for index, (label, values) in enumerate(series.items()):
        axes.bar([i + index * width for i in range(len(names))], values, width=width, label=label)
    axes.set_xticks([i + 0.4 - width / 2 for i in range(len(names))], list(names), rotation=30, ha="right")
    if log:
        axes.set_yscale("log")
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend(fontsize=8)
    axes.grid(True, axis="y", alpha=0.3)
    return _save(plt, figure, path)


def _save(plt, figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _figure(width: float, height: float):
    """A figure outside pyplot's state (no backend switch): a notebook displays it, a caller may save it."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise fail("plots need matplotlib: pip install matplotlib") from None
    return Figure(figsize=(width, height))


def profile_figure(rows: list[dict], title: str):
    """Per layer and quantity, the spread of log2|value| (box) against the type's range (grey bar)."""
    rows = [row for row in rows if row["log2_abs_percentiles"]]
    figure = _figure(7.2, 0.35 * len(rows) + 1.6)
    axes = figure.subplots()
    for index, row in enumerate(rows):
        low, q1, median, q3, high = row["log2_abs_percentiles"]
        type_low = math.log2(row["type_lsb"])
        type_high = math.log2(max(abs(row["type_min"]), abs(row["type_max"]), row["type_lsb"]))
        axes.plot([type_low, type_high], [index, index], color="0.85", linewidth=9, solid_capstyle="butt")
        axes.plot([low, high], [index, index], color="C0", linewidth=1)
        axes.plot([q1, q3], [index, index], color="C0", linewidth=5)
        axes.plot([median], [index], "|", color="k", markersize=9)
        if row["overflow"]:
            axes.annotate(f"{row['overflow']} {row['overflow_effect']}", (high, index), fontsize=7, color="C3",
                          xytext=(4, -3), textcoords="offset points")
    axes.set_yticks(range(len(rows)), [f"{row['layer']} {row['quantity']}" for row in rows], fontsize=7)
    axes.invert_yaxis()
    axes.set_xlabel("log2 |value|  (grey: range of the fixed-point type, LSB to max)")
    axes.set_title(title)
    axes.grid(True, axis="x", alpha=0.3)
    figure.tight_layout()
    return figure


def plot_profile(rows: list[dict], path: Path, title: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    profile_figure(rows, title).savefig(path, dpi=110)
    return path


def layer_graph_figure(names: list[str], boxes: list[tuple[str, list[str]]], horizontal: bool = False, dpi: int = 96):
    """The layer graph: one box per layer (its text) in topological order, an arrow from each input it reads."""
    count = len(names)
    figure = _figure(3.2 * count if horizontal else 4.2, 1.6 if horizontal else 0.9 * count + 0.4)
    figure.set_dpi(dpi)
    axes = figure.subplots()
    axes.set_axis_off()
    position = {name: (index, 0) if horizontal else (0, -index) for index, name in enumerate(names)}
    for name, (text, inputs) in zip(names, boxes):
        x, y = position[name]
        for source in inputs:
            if source in position:
                sx, sy = position[source]
                bend = 0.0 if abs(sx - x) + abs(sy - y) <= 1 else 0.4
                axes.annotate("", (x, y), (sx, sy), arrowprops={"arrowstyle": "->", "color": "0.35",
                                                                  "connectionstyle": f"arc3,rad={bend}",
                                                                  "shrinkA": 14, "shrinkB": 14})
        axes.text(x, y, text, ha="center", va="center", fontsize=8,
                  bbox={"boxstyle": "round,pad=0.4", "facecolor": "#eef3fb", "edgecolor": "#3a5a8c"})
    xs = [x for x, _ in position.values()]
    ys = [y for _, y in position.values()]
    axes.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    axes.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    return figure

