"""report.md: the report as tables a firmware engineer reads in a terminal or a merge request."""

from __future__ import annotations

from pathlib import Path


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def resource_lines(report: dict) -> list[str]:
    source = report.get("Yosys", report["Analytic"])
    keys = ("LUT", "FF", "DSP", "BRAM_18K", "CARRY")
    lines = [f"## Resources ({report['ResourceSource']}, part {report['Part']}, family {report['Family']})", ""]
    rows = [[name] + [layer.get(key, "") for key in keys] + [report["Analytic"]["per_layer"][name].get("LUT", ""),
                                                              report["Analytic"]["per_layer"][name].get("DSP", "")]
            for name, layer in source["per_layer"].items()]
    rows.append(["**total**"] + [source["total"].get(key, "") for key in keys] +
                [report["Analytic"]["total"]["LUT"], report["Analytic"]["total"]["DSP"]])
    rows.append(["% of part"] + [source["utilization_percent"].get(key, "") for key in keys] + ["", ""])
    lines += _table(["layer"] + list(keys) + ["LUT (analytic)", "DSP (analytic)"], rows)
    if "AnalyticError" in report:
        lines.append("Analytic estimate vs Yosys (total): " + ", ".join(
            f"{key} {100 * err:+.1f} %" for key, err in report["AnalyticError"].items()) + "")
        lines.append("")
    return lines


def write_markdown(report: dict, path: Path) -> Path:
    lines = [f"# rtl4ml report: {report['ProjectName']}", ""]
    latency = report.get("LatencyMin")
    lines += _table(["quantity", "value"], [
        ["latency (analytic pipeline depth)", f"{report['LatencyAnalytic']} cycles"]
        if report.get("IOType") != "io_stream" else
        ["latency and interval (planned: a frame's first input beat to its last output beat; cycles per frame)",
         f"{report['LatencyAnalytic']} cycles; {report['IntervalAnalytic']} cycles"],
        ["latency (last simulation, min/max/avg)", f"{latency}/{report.get('LatencyMax')}/{report.get('LatencyAvg')}"
         if latency is not None else "no simulation yet (rtl4ml sim)"],
        ["interval (last simulation, min/max)", f"{report.get('IntervalMin')}/{report.get('IntervalMax')}"
         if latency is not None else "n/a"],
        ["LUT / FF / DSP / BRAM_18K", f"{report['LUT']} / {report['FF']} / {report['DSP']} / {report['BRAM_18K']}"],
    ])
    lines += resource_lines(report)
    if report.get("Types"):
        lines += ["## Types", ""]
        lines += _table(["layer", "result", "accumulator", "how"], [
            [row["layer"], f"`{row['result']}`", f"`{row['accum']}`" if row["accum"] else "", row["derived"]]
            for row in report["Types"]])
    if "Timing" in report:
        timing = report["Timing"]
        ends = timing.get("worst_path") or []
        lines += ["## Timing proxy", "", f"Worst layer: **{timing['worst_layer']}**, "
                  f"{timing['worst_logic_depth']} cells deep"
                  + (", from " + " to ".join(f"`{name}`" for name in ends) if ends else "") + f". {timing['note']}.", ""]
        lines += _table(["layer", "logic depth (cells)"], [[k, v] for k, v in timing["logic_depth_per_layer"].items()])
    if report.get("PipelineStages"):
        stages = report["PipelineStages"]
        worst = max(stages, key=lambda stage: stage["levels"])
        lines += ["", "## Pipeline stages as planned", "",
                  f"Logic levels per stage (about one carry-chain adder each; the planner's unit, not a timing "
                  f"sign-off). Deepest: stage {worst['stage']} ({' + '.join(worst['layers'])}, {worst['levels']} levels).",
                  ""]
        lines += _table(["stage (cycle)", "layers", "steps", "levels / budget"], [
            [stage["stage"], " + ".join(stage["layers"]), ", ".join(stage["steps"]),
             f"{stage['levels']} / {stage['budget']}"] for stage in stages])
    if "Profiling" in report:
        lines += ["## Numerical profiling (your input data)", ""]
        lines += _table(["layer", "quantity", "type", "min", "max", "overflow", "underflow", "at limit"], [
            [row["layer"], row["quantity"], f"`{row['type']}`", f"{row['min']:.4g}", f"{row['max']:.4g}",
             f"{row['overflow']} {row['overflow_effect']}" if row["overflow"] else 0, row["underflow"],
             row["at_limit"]] for row in report["Profiling"]])
    if "Accuracy" in report:
        accuracy = report["Accuracy"]
        lines += ["## Accuracy (golden model = RTL outputs)", "", f"Accuracy {100 * accuracy['accuracy']:.2f} %; AUC "
                  + ", ".join(f"{name} {auc:.4f}" for name, auc in accuracy["auc"].items()), ""]
    lines += ["Plots: " + ", ".join(report["Plots"].values()), ""]
    Path(path).write_text("\n".join(lines))
    return Path(path)
