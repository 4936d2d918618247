"""The bundled `make sim` jobs of sim/tests.yml, each run as `make sim TEST=<job>` runs it (convert, Verilator build,
every event compared with the golden model), their summaries gathered into one JSON with the commit and date: the
source of the performance page's table of bundled designs (bench/perf_pages.py).

    .venv/bin/python bench/bundled_jobs.py [--jobs jet_tagger deep_sets ...] [--json bench/results/bundled_jobs.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import yaml

from mutation_scores import ROOT, write_result

SIM = ROOT / "sim"
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


def main(argv: list[str]) -> int:
    jobs = yaml.safe_load((SIM / "tests.yml").read_text())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", nargs="+", default=list(jobs), choices=list(jobs))
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "bundled_jobs.json")
    args = parser.parse_args(argv)
    results = {}
    for name in args.jobs:
        results[name] = {"description": jobs[name]["description"]} | run_job(name)
        print(f"{name}: {'pass' if results[name].get('passed') else 'FAIL'}", flush=True)
    tools = {"verilator": metadata.version("verilator"), "cocotb": metadata.version("cocotb")}
    summary = {name: {"score": 1.0 if result.get("passed") else 0.0} for name, result in results.items()}
    return write_result(args.json, "bundled_jobs", tools, 1.0, summary, jobs=results)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
