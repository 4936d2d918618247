"""Mutation score of the golden arithmetic and types: mutmut mutates the modules below one small change at a time and
runs the unit tests that reach the changed function; a mutant the tests do not fail on survived.

mutmut expects a package under ./ or src/, so the package is staged as it is installed (gen/rtl4ml -> src/rtl4ml,
rtl/hls/tb inside it) with the tests in a scratch folder, one per group of modules (GROUPS: the fixed-point
arithmetic and value ranges, the auto types, the IR layers' golden computations), and mutmut runs there. Survivors are matched against the
triage file (bench/mutation/equivalent_mutants.yml: a mutant that changes no result, each with the reason); the score
is killed / (mutants - equivalent). Prints a table per module and writes JSON with the tool versions and the commit.

    .venv/bin/python bench/mutation_python.py [--groups layers ...] [--json bench/results/mutation_python.json]
                                              [--resume | --rerun-open | --collect]
"""

from __future__ import annotations

import argparse
import datetime
import fnmatch
import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import yaml

from mutation_scores import print_scores, scores, write_result
from results_file import git_commit

ROOT = Path(__file__).resolve().parent.parent
STAGES = ROOT / "sim" / "build" / "mutation" / "python"
TRIAGE = ROOT / "bench" / "mutation" / "equivalent_mutants.yml"
# The unit tests that own the golden layers' arithmetic: the scalar reference (hypothesis), the golden model against
# Keras/QKeras, the element quantizers, the threshold compares, the graphs and the output heads.
LAYER_TESTS = ["tests/test_random_designs.py", "tests/test_golden.py", "tests/test_element_quantizer.py",
               "tests/test_layer_registry.py", "tests/test_graphs.py", "tests/test_output_heads.py",
               "tests/test_threshold_compare.py"]
# The golden computations of the IR layers: what turns input codes into output codes (golden and the products,
# windows, rearrangements and tables it is made of), not their builders, value ranges or the report's exact sums.
GOLDEN_FUNCTIONS = ("golden", "_run", "_pow2", "maxima", "reciprocals", "exact_values", "matrix_product",
                    "accumulator_bias", "_patches", "_window", "rearrange", "windows", "shifts", "_round_half_up")
LAYER_MODULES = ["activation", "batchnorm", "conv", "dense", "element_quantizer", "linear", "merge", "padding",
                 "piecewise_linear", "pooling", "resampling", "reshape", "softmax", "table_activation", "tables",
                 "wiring"]
# One mutmut run per group (its own stage: mutmut runs a mutant against the tests of its group that reach the
# mutated function): the tests, and per module (as installed) the functions mutated (None: all).
GROUPS = {
    "arithmetic": (["tests/test_fixed_point.py", "tests/test_config.py", "tests/test_auto_precision.py"],
                   {"rtl4ml/fixed_point.py": None, "rtl4ml/ir/value_range.py": None}),
    "auto_types": (["tests/test_auto_precision.py"], {"rtl4ml/ir/auto_types.py": None}),
    "layers": (LAYER_TESTS, {f"rtl4ml/ir/layers/{module}.py": GOLDEN_FUNCTIONS for module in LAYER_MODULES}),
}
# where each installed package's files come from (pyproject.toml's package-dir)
PACKAGE_DIRS = {"rtl4ml": "gen/rtl4ml", "rtl4ml/rtl": "rtl", "rtl4ml/hls": "hls", "rtl4ml/tb": "tb"}
TARGET_FLOOR = 0.95


HYPOTHESIS_PROFILE = """
import hypothesis
hypothesis.settings.register_profile("mutation", derandomize=True, database=None,
                                     phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
hypothesis.settings.load_profile("mutation")
"""


def stage(group: str) -> Path:
    """A fresh copy of the package, the tests and the bundled models, with mutmut's config for `group`."""
    tests, modules = GROUPS[group]
    folder = STAGES / group
    shutil.rmtree(folder, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "build", "*.pyc")
    for installed, source in PACKAGE_DIRS.items():
        shutil.copytree(ROOT / source, folder / "src" / installed, ignore=ignore, dirs_exist_ok=True)
    shutil.copytree(ROOT / "tests", folder / "tests", ignore=ignore)
    # the same examples for every mutant, and no shrinking: a failing example is a killed mutant
    with open(folder / "tests" / "conftest.py", "a") as conftest:
        conftest.write(HYPOTHESIS_PROFILE)
    for part in ("models", "configs", "tests.yml"):
        copy = shutil.copytree if (ROOT / "sim" / part).is_dir() else shutil.copy2
        (folder / "sim").mkdir(exist_ok=True)
        copy(ROOT / "sim" / part, folder / "sim" / part)
    config = {
        "tool": {
            "pytest": {"ini_options": {"testpaths": ["tests"], "python_files": ["test_*.py"],
                                       "addopts": "-m 'not sim and not synth and not deep'",
                                       "filterwarnings": ["ignore::DeprecationWarning"],
                                       "markers": ["sim: -", "synth: -", "deep: -"]}},
            "mutmut": {"source_paths": ["src/rtl4ml"], "also_copy": ["sim"],
                       "only_mutate": [f"src/{module}" for module in modules],
                       "pytest_add_cli_args_test_selection": tests},
        }
    }
    (folder / "pyproject.toml").write_text(toml_text(config))
    return folder


def toml_text(tables: dict, prefix: str = "") -> str:
    """The few TOML forms the config needs (tables of strings and lists of strings)."""
    lines, nested = [], []
    for key, value in tables.items():
        if isinstance(value, dict):
            nested.append((f"{prefix}{key}", value))
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    text = (f"[{prefix.rstrip('.')}]\n" if prefix and lines else "") + "".join(line + "\n" for line in lines)
    return text + "".join(toml_text(table, name + ".") for name, table in nested)


def mutant_patterns(modules: dict) -> list[str]:
    """mutmut's names of the mutants to run (fnmatch patterns): every function of a module, or the listed ones."""
    patterns = []
    for module, functions in modules.items():
        dotted = module[:-3].replace("/", ".")
        patterns += [f"{dotted}.*"] if functions is None else \
            [f"{dotted}.x*{name}__mutmut_*" for name in functions]
    return patterns


def run_mutmut(group: str, names: list[str] | None = None) -> None:
    """mutmut over the group's functions (or only the mutants `names`)."""
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(os.cpu_count() or 2),
               *(names or mutant_patterns(GROUPS[group][1]))]
    completed = subprocess.run(command, cwd=STAGES / group, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    if completed.returncode != 0:
        sys.exit(f"mutmut run ({group}) failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}")


MUTANT_REPORT = """
import json, sys
from mutmut.__main__ import find_mutant, get_diff_for_mutant
from mutmut.stats import status_by_exit_code
rows = []
for meta in sys.argv[1:]:
    for name, code in json.load(open(meta))["exit_code_by_key"].items():
        if code is None:  # a function outside the measured ones: never run
            continue
        status = status_by_exit_code[code]
        diff = "" if status == "killed" else get_diff_for_mutant(name, path=find_mutant(name).path)
        rows.append({"name": name, "status": status, "diff": diff})
print(json.dumps(rows))
"""


def mutant_rows(group: str) -> list[dict]:
    """Every measured mutant's name, status and (unless killed) diff, read with mutmut's own functions in the
    stage; mutants of functions outside the group's list are left out."""
    folder = STAGES / group
    metas = [str(folder / "mutants" / "src" / (module + ".meta")) for module in GROUPS[group][1]]
    completed = subprocess.run([sys.executable, "-c", MUTANT_REPORT, *metas], cwd=folder, capture_output=True,
                               text=True, check=True)
    patterns = mutant_patterns(GROUPS[group][1])
    return [row for row in json.loads(completed.stdout)
            if any(fnmatch.fnmatch(row["name"], pattern) for pattern in patterns)]


def rerun_open(group: str) -> None:
    """Copy the current tests and the modules not mutated into the group's stage, and run again only the mutants
    neither caught nor argued equivalent."""
    folder = STAGES / group
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build")
    shutil.copytree(ROOT / "tests", folder / "tests", dirs_exist_ok=True, ignore=ignore)
    mutated = set(GROUPS[group][1])
    for installed, source in PACKAGE_DIRS.items():
        for path in (ROOT / source).rglob("*.py"):
            module = f"{installed}/{path.relative_to(ROOT / source)}"
            if module not in mutated and "__pycache__" not in path.parts:
                for tree in (folder / "src", folder / "mutants" / "src"):
                    (tree / module).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, tree / module)
    with open(folder / "tests" / "conftest.py", "a") as conftest:
        conftest.write(HYPOTHESIS_PROFILE)
    patterns = mutant_patterns(GROUPS[group][1])
    rows = mutant_rows(group)
    triage(rows, yaml.safe_load(TRIAGE.read_text()) or [])
    settled = {row["name"] for row in rows if row["status"] in ("killed", "equivalent")}
    names = [name for module in GROUPS[group][1]
             for name in json.loads((folder / "mutants" / "src" / (module + ".meta")).read_text())["exit_code_by_key"]
             if any(fnmatch.fnmatch(name, pattern) for pattern in patterns) and name not in settled]
    if names:
        run_mutmut(group, names)


def changed_lines(diff: str) -> tuple[str, str]:
    """The first removed and added lines of a mutant's diff, stripped."""
    removed = next((line[1:].strip() for line in diff.splitlines() if line.startswith("-") and
                    not line.startswith("---")), "")
    added = next((line[1:].strip() for line in diff.splitlines() if line.startswith("+") and
                  not line.startswith("+++")), "")
    return removed, added


def function_of(name: str) -> tuple[str, str]:
    """("rtl4ml.fixed_point", "requantize") from mutmut's mangled name (x_requantize__mutmut_3, x__fits__mutmut_1,
    xǁValueRangeǁ__str____mutmut_2)."""
    module, _, mangled = name.rpartition(".x")
    mangled = mangled.split("__mutmut_")[0]
    if "ǁ" in mangled:
        return module, ".".join(part for part in mangled.split("ǁ") if part)
    return module, mangled[1:]


def triage(rows: list[dict], entries: list[dict]) -> None:
    """Mark survivors that a triage entry (module, function, from, to) argues equivalent. A mutant that made the
    tests run past mutmut's time limit changed what they do: caught, as mutmut counts it."""
    for row in rows:
        if row["status"] == "timeout":
            row["status"] = "killed"
        if row["status"] == "killed":
            continue
        module, function = function_of(row["name"])
        removed, added = changed_lines(row["diff"])
        row["module"], row["function"], row["from"], row["to"] = module, function, removed, added
        for entry in entries:
            if (entry["module"], entry["function"], entry["from"].strip(), entry["to"].strip()) == \
                    (module, function, removed, added):
                row["status"], row["why"] = "equivalent", entry["why"]
                break


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "mutation_python.json")
    parser.add_argument("--resume", action="store_true", help="keep the staged mutants and their verdicts")
    parser.add_argument("--rerun-open", action="store_true",
                        help="keep the staged mutants, copy the current tests in, and run only those not caught")
    parser.add_argument("--collect", action="store_true", help="only read the staged verdicts (no mutmut run)")
    parser.add_argument("--groups", nargs="*", default=list(GROUPS), choices=list(GROUPS),
                        help="the groups to run (default: all)")
    args = parser.parse_args(argv)
    rows = []
    for group in args.groups:
        if args.collect and (STAGES / group / "mutants").is_dir():
            pass
        elif args.rerun_open and (STAGES / group / "mutants").is_dir():
            rerun_open(group)
        else:
            if not (args.resume and (STAGES / group / "mutants").is_dir()):
                stage(group)
            run_mutmut(group)
        rows += mutant_rows(group)
    triage(rows, yaml.safe_load(TRIAGE.read_text()) or [])
    modules = scores(rows, lambda row: function_of(row["name"])[0],
                     ("killed", "equivalent", "survived", "no tests", "other"))
    print_scores("module", 32, modules, ("killed", "equivalent", "survived", "no tests"))
    open_rows = [row for row in rows if row["status"] not in ("killed", "equivalent")]
    for row in open_rows:
        print(f"  {row['status']}: {row['module']}.{row['function']}: {row['from']!r} -> {row['to']!r}")
    fields = {
        "tests": {module: GROUPS[group][0] for group in args.groups for module in GROUPS[group][1]},
        "functions": {module: functions for group in args.groups for module, functions in GROUPS[group][1].items()
                      if functions},
        "modules": modules,
        "measured": {module: {"commit": git_commit(), "date": datetime.date.today().isoformat()} for module in modules},
        "open": [{k: row[k] for k in ("status", "module", "function", "from", "to")} for row in open_rows],
        "equivalent": [{k: row[k] for k in ("module", "function", "from", "to", "why")}
                       for row in rows if row["status"] == "equivalent"]}
    if set(args.groups) != set(GROUPS) and args.json.is_file():
        fields = merged(json.loads(args.json.read_text()), fields)
    return write_result(args.json, "mutation_python",
                        {"mutmut": metadata.version("mutmut"), "pytest": metadata.version("pytest")}, TARGET_FLOOR,
                        fields["modules"], **fields)


def merged(earlier: dict, now: dict) -> dict:
    """The groups run now over an earlier result: the earlier modules not run now keep their figures and the commit
    and date they were measured at."""
    ran = set(now["modules"])
    dotted = {f"rtl4ml.{path[len('rtl4ml/'):-3].replace('/', '.')}": path for path in earlier["tests"]}
    kept = [module for module in earlier["modules"] if module not in ran]
    measured = earlier.get("measured", {})
    return {
        "tests": {dotted[m]: earlier["tests"][dotted[m]] for m in kept} | now["tests"],
        "functions": {dotted[m]: earlier["functions"][dotted[m]] for m in kept
                      if dotted[m] in earlier.get("functions", {})} | now["functions"],
        "modules": {m: earlier["modules"][m] for m in kept} | now["modules"],
        "measured": {m: measured.get(m, {"commit": earlier["commit"], "date": earlier["date"]}) for m in kept}
        | now["measured"],
        "open": [row for row in earlier["open"] if row["module"] in kept] + now["open"],
        "equivalent": [row for row in earlier["equivalent"] if row["module"] in kept] + now["equivalent"]}

if __name__ == "__main__":
    sys.exit(main())
