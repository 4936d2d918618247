"""Run a named simulation job from sim/tests.yml: convert, golden model, Keras agreement, RTL simulation.

    python sim/run_test.py jet_tagger              (what `make sim TEST=jet_tagger` runs: the Verilog core)
    python sim/run_test.py jet_tagger --hdl vhdl   (`make sim TEST=jet_tagger HDL=vhdl`: the VHDL core, VUnit)

Prints events, mismatches, latency, interval, Keras argmax agreement and wall time, and writes the same as
JSON to sim/build/<name>/summary.json (summary_vhdl.json for the VHDL core). Exits non-zero on any mismatch.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import yaml

import rtl4ml
from rtl4ml.errors import Rtl4mlError, fail
from rtl4ml.golden.model import quantize_inputs
from rtl4ml.keras_reference import agreement, keras_outputs
from rtl4ml.simulation.report import summary_lines
from rtl4ml.verification.round_trip import round_trip_problems

SIM_DIR = Path(__file__).resolve().parent
SHARED = SIM_DIR.parent.parent / "shared"


def load_jobs() -> dict:
    return yaml.safe_load((SIM_DIR / "tests.yml").read_text())


def _path(text: str | None) -> Path | None:
    if text is None:
        return None
    if "${SHARED}" in text:
        path = Path(text.replace("${SHARED}", str(SHARED)))
        if not SHARED.is_dir():
            raise fail(f"this job needs {SHARED} (the shared reference data), which is absent on this machine")
        return path
    return SIM_DIR / text


HDLS = ("verilog", "vhdl")


def run(name: str, hdl: str = "verilog") -> dict:
    jobs = load_jobs()
    if name not in jobs:
        raise fail(f"unknown TEST {name!r}; valid names: {', '.join(jobs)}")
    job = jobs[name]
    started = time.perf_counter()
    config = job.get("config")
    config = _path(config) if isinstance(config, str) else config
    model, weights = _path(job["model"]), _path(job.get("weights"))
    design = rtl4ml.convert(model, config, weights)
    design.write(SIM_DIR / "build" / name, force=True)
    vectors = np.load(_path(job["vectors"]))
    X = vectors["X"][: int(job.get("events", len(vectors["X"])))]
    golden = design.predict(X)
    reference = vectors["keras_output"][: len(X)] if job["vectors"].startswith("models/") and \
        job["model"].startswith("models/") else keras_outputs(model, weights, X)
    results = design.simulate_vhdl(X) if hdl == "vhdl" else design.simulate(X)
    reload = round_trip_problems(design, quantize_inputs(design.graph, X))
    if reload:  # the written OUTDIR must give the same design back (rtl4ml predict/sim/csim/report read it)
        results["passed"] = False
        results["problems"] = results.get("problems", []) + [f"reload: {p}" for p in reload]
    if reference is not None:
        targets = {key.removeprefix("target_"): vectors[key] for key in vectors.files if key.startswith("target_")}
        labels = vectors["y"] if "y" in vectors.files else None
        results.update(agreement(design.graph, golden, reference, labels, targets))
    results["test"] = name
    results["description"] = job["description"]
    results["wall_time_total_s"] = time.perf_counter() - started
    results["total_time_s"] = results["wall_time_total_s"]
    results["summary"] = str(SIM_DIR / "build" / name / ("summary_vhdl.json" if hdl == "vhdl" else "summary.json"))
    Path(results["summary"]).write_text(json.dumps(results, indent=2) + "\n")
    return results


def main(argv: list[str]) -> int:
    hdl = argv[2] if len(argv) == 3 and argv[1] == "--hdl" else "verilog"
    if len(argv) not in (1, 3) or hdl not in HDLS or (len(argv) == 3 and argv[1] != "--hdl"):
        print(f"usage: run_test.py NAME [--hdl verilog|vhdl]   (NAME one of: {', '.join(load_jobs())})",
              file=sys.stderr)
        return 2
    try:
        results = run(argv[0], hdl)
    except Rtl4mlError as exc:
        print(f"rtl4ml: error: {exc}", file=sys.stderr)
        return 2
    print(f"== {results['test']}: {results['description']}")
    for line in summary_lines(results):
        print(line)
    print(f"summary: {results['summary']}")
    return 0 if results["passed"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
