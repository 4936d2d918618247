"""`rtl4ml report OUTDIR`: resources (Yosys and analytic), timing proxy, latency/II, profiling, accuracy.

Writes OUTDIR/report/report.json (stable, hls4ml-like keys), report.md and report.html with PNG
plots beside them. Every figure says where it came from; the logic depth is a proxy, not a
timing sign-off.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from ..errors import fail
from ..simulation.run import last_results
from .accuracy import class_scores, roc_curves
from .analytic import estimate_core, estimate_stream_core
from .blocks import block_summaries, pipeline_stages
from .html import write_html
from .markdown import write_markdown
from .parts import find_part
from .plots import plot_bars, plot_profile, plot_roc_curves
from .profiling import profile
from .synthesis import RESOURCE_KEYS, jobs_for_core, synthesize

REPORT_DIR = "report"
TOTAL_KEYS = ("LUT", "FF", "DSP", "BRAM_18K")
JET_CLASSES = ("g", "q", "w", "z", "t")


def _last_simulation(out_dir: Path) -> dict | None:
    data = last_results(out_dir)
    if data is None:
        return None
    keys = ("LatencyMin", "LatencyMax", "LatencyAvg", "IntervalMin", "IntervalMax", "IntervalAvg", "events",
            "mismatches")
    return {key: data.get(key) for key in keys}


def _totals(per_layer: dict) -> dict:
    return {key: int(sum(layer.get(key, 0) for layer in per_layer.values())) for key in RESOURCE_KEYS
            if any(key in layer for layer in per_layer.values())}


def _utilization(totals: dict, part) -> dict:
    return {key: round(100.0 * totals.get(key, 0) / getattr(part, key), 2) for key in TOTAL_KEYS}


def _relative_error(estimate: dict, synthesized: dict) -> dict:
    return {key: round((estimate[key] - synthesized[key]) / synthesized[key], 3)
            for key in ("LUT", "FF", "DSP") if synthesized.get(key)}


def type_rows(graph) -> list[dict]:
    """Every layer's result (and accumulator) type, and how an `auto` one was derived."""
    return [{"layer": layer.name, "result": str(layer.result_type),
             "accum": str(layer.accum_type) if hasattr(layer, "accum_type") else "",
             "derived": graph.derived_types.get(layer.name, "as configured")} for layer in graph.all_layers()]


def build_report(design, part: str | None = None, X=None, y=None, run_synthesis: bool = True,
                 workers: int = 2, cache_dir: Path | None = None, class_names=None, thorough: bool = False,
                 progress=None) -> dict:
    """Build the report of a written design; returns the report.json content."""
    if design.out_dir is None:
        raise fail("design has not been written yet; call design.write(OUTDIR) first")
    started = time.perf_counter()
    out_dir = Path(design.out_dir)
    report_dir = out_dir / REPORT_DIR
    report_dir.mkdir(parents=True, exist_ok=True)
    chosen = find_part(part or (design.config.project.get("Part") if design.config else None))
    core = design.core
    layers = block_summaries(core)
    analytic = estimate_stream_core(core) if design.streamed else estimate_core(core)
    report = {
        "ProjectName": core.top, "IOType": "io_stream" if design.streamed else "io_parallel",
        "Part": chosen.name, "Family": chosen.family,
        "LatencyAnalytic": core.latency, "IntervalAnalytic": core.interval, "PipelineBudget": core.budget,
        "Layers": [{k: layer[k] for k in ("name", "module", "kind", "n_out", "products", "latency")}
                   for layer in layers],
        "Analytic": {"per_layer": analytic, "total": _totals(analytic)},
        "Capacity": {key: getattr(chosen, key) for key in TOTAL_KEYS},
        "PipelineStages": pipeline_stages(core),
        "Types": type_rows(design.graph),
    }
    report["Analytic"]["utilization_percent"] = _utilization(report["Analytic"]["total"], chosen)
    if run_synthesis:
        meta = json.loads((out_dir / "rtl" / "core.json").read_text())
        jobs = jobs_for_core(out_dir / "rtl", meta, layers, thorough)
        per_layer = synthesize(jobs, chosen.family, workers, cache_dir, thorough, progress)
        totals = _totals(per_layer)
        worst = max(per_layer, key=lambda name: per_layer[name]["logic_depth"])
        report["Yosys"] = {"per_layer": per_layer, "total": totals, "utilization_percent": _utilization(totals, chosen),
                           "seconds": round(sum(layer["seconds"] for layer in per_layer.values()), 1),
                           "all_cached": all(layer["cached"] for layer in per_layer.values())}
        report.update({key: totals.get(key, 0) for key in TOTAL_KEYS})
        report["Timing"] = {
            "logic_depth_per_layer": {name: layer["logic_depth"] for name, layer in per_layer.items()},
            "worst_layer": worst, "worst_logic_depth": per_layer[worst]["logic_depth"],
            "worst_path": per_layer[worst]["worst_path"],
            "note": "cells (LUT, CARRY, DSP) on the longest register-to-register path after synthesis "
                    "(Yosys ltp -noff without the FD* flip-flops and block RAMs); a proxy for the critical "
                    "path, not a timing sign-off",
        }
        report["AnalyticError"] = _relative_error(report["Analytic"]["total"], totals)
    else:
        report.update({key: report["Analytic"]["total"].get(key, 0) for key in TOTAL_KEYS})
    report["ResourceSource"] = ("Yosys synth_xilinx" + ("" if thorough else ", fast LUT mapping")
                                if run_synthesis else "analytic estimate")
    simulation = _last_simulation(out_dir)
    if simulation:
        report.update({key: value for key, value in simulation.items() if key.startswith(("Latency", "Interval"))})
        report["LatencyAgrees"] = simulation["LatencyMin"] == simulation["LatencyMax"] == core.latency
        report["IntervalAgrees"] = simulation.get("IntervalMin") == core.interval
        report["SimulatedEvents"], report["SimulationMismatches"] = simulation["events"], simulation["mismatches"]
    plots = {"resources": str(plot_bars(
        [layer["name"] for layer in layers], {key: [report.get("Yosys", report["Analytic"])["per_layer"]
                                                    [layer["name"]][key] for layer in layers]
                                              for key in ("LUT", "FF", "DSP")},
        report_dir / "resources.png", f"{core.top}: resources per layer ({report['ResourceSource']})", "count",
        log=True).name)}
    if X is not None:
        rows = profile(design.graph, np.asarray(X))
        report["Profiling"] = rows
        plots["profiling"] = plot_profile(rows, report_dir / "profiling.png", f"{core.top}: values vs types").name
    if X is not None and y is not None:
        outputs = design.predict(X)
        names = class_names or (JET_CLASSES if outputs.shape[1] == 5 else [f"class{k}" for k in range(outputs.shape[1])])
        report["Accuracy"] = class_scores(outputs, np.asarray(y), names)
        plots["roc"] = plot_roc_curves({"fixed point": roc_curves(outputs, np.asarray(y), names)},
                                       report_dir / "roc.png", f"{core.top}: ROC (golden = RTL outputs)").name
    report["Plots"] = plots
    report["ReportSeconds"] = round(time.perf_counter() - started, 2)
    (report_dir / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    markdown = write_markdown(report, report_dir / "report.md").read_text()
    write_html(report, markdown, report_dir / "report.html")
    return report
