"""The build report under hls4ml's keys, so code written for hls4ml reads rtl4ml's figures: `CSynthesisReport` (latency
and interval measured in the Verilator simulation, resources from Yosys), `CosimReport` (the cocotb run of the Verilog
core), `CSimResults` (the HLS C++ compiled with g++). Written to OUTDIR/hls4ml_report.json by the hls4ml-style
`build()`; `read_vivado_report(OUTDIR)` prints it and `parse_vivado_report(OUTDIR)` returns it.

What has no counterpart here is left out rather than made up: there is no `EstimatedClockPeriod` (Yosys gives a logic
depth, in report.json's `Timing`, not a clock estimate) and no `VivadoSynthReport`.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import fail
from ..paths import user_path
from .parts import Part

REPORT_FILE = "hls4ml_report.json"


def csynth_report(simulation: dict, report: dict, part: Part, clock_period: float) -> dict:
    """hls4ml's CSynthesisReport from a simulation's results and rtl4ml's report.json content."""
    return {"TargetClockPeriod": f"{clock_period:.2f}",
            "BestLatency": str(simulation["LatencyMin"]), "WorstLatency": str(simulation["LatencyMax"]),
            "IntervalMin": str(simulation["IntervalMin"]), "IntervalMax": str(simulation["IntervalMax"]),
            "BRAM_18K": str(report["BRAM_18K"]), "DSP": str(report["DSP"]), "FF": str(report["FF"]),
            "LUT": str(report["LUT"]), "URAM": "0",
            "AvailableBRAM_18K": str(part.BRAM_18K), "AvailableDSP": str(part.DSP), "AvailableFF": str(part.FF),
            "AvailableLUT": str(part.LUT), "AvailableURAM": "0",
            "ResourceSource": report["ResourceSource"], "Part": part.name}


def cosim_report(simulation: dict) -> dict:
    """hls4ml's CosimReport from a Verilog simulation's results (cocotb + Verilator)."""
    return {"RTL": "Verilog", "Status": "Pass" if simulation["passed"] else "Fail",
            "LatencyMin": str(simulation["LatencyMin"]), "LatencyMax": str(simulation["LatencyMax"]),
            "IntervalMin": str(simulation["IntervalMin"]), "IntervalMax": str(simulation["IntervalMax"]),
            "Mismatches": simulation["mismatches"], "Events": simulation["events"]}


def write_report(out_dir: Path, report: dict) -> Path:
    path = Path(out_dir) / REPORT_FILE
    path.write_text(json.dumps(report, indent=1) + "\n")
    return path


def parse_vivado_report(hls_dir) -> dict:
    """The report the last `build()` wrote in hls_dir (hls4ml's name; no Vivado is involved)."""
    path = user_path(hls_dir) / REPORT_FILE
    if not path.is_file():
        raise fail(f"{path} does not exist: run hls_model.build() first (it simulates the core and synthesizes it "
                   "with Yosys)")
    return json.loads(path.read_text())


def report_lines(report: dict) -> list[str]:
    lines = []
    synth = report.get("CSynthesisReport")
    if synth:
        lines += [f"== Synthesis report ({synth['ResourceSource']}, {synth['Part']}, latency and interval measured "
                  "in simulation)",
                  f"  Latency: {synth['BestLatency']}..{synth['WorstLatency']} cycles at a target clock period of "
                  f"{synth['TargetClockPeriod']} ns; interval {synth['IntervalMin']}..{synth['IntervalMax']} cycles"]
        for key in ("LUT", "FF", "DSP", "BRAM_18K"):
            used, available = int(synth[key]), int(synth[f"Available{key}"])
            lines.append(f"  {key:<9} {used:>9,} of {available:>9,} ({100 * used / available:.1f} %)")
    cosim = report.get("CosimReport")
    if cosim:
        lines.append(f"== Co-simulation ({cosim['RTL']}, Verilator + cocotb): {cosim['Status']}, {cosim['Events']} "
                     f"events, {cosim['Mismatches']} mismatches, latency {cosim['LatencyMin']}..{cosim['LatencyMax']}, "
                     f"interval {cosim['IntervalMin']}..{cosim['IntervalMax']}")
    if "CSimResults" in report:
        lines.append(f"== C simulation (g++): {len(report['CSimResults'])} events, "
                     f"{report.get('CSimMismatches', 0)} mismatches against the golden model")
    return lines or ["the last build() ran neither csim, synth nor cosim"]


def read_vivado_report(hls_dir, full_report: bool = False) -> None:
    """Print the report of the last `build()` in hls_dir, as hls4ml's function of that name prints Vivado's."""
    report = parse_vivado_report(hls_dir)
    print("\n".join(report_lines(report)))
    if full_report:
        print(json.dumps(report, indent=1))
