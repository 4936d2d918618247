"""Mutation score of the golden arithmetic and types: mutmut mutates the modules below one small change at a time and
runs the unit tests that reach the changed function; a mutant the tests do not fail on survived.

mutmut expects a package under ./ or src/, so the package is staged as it is installed (gen/rtl4ml -> src/rtl4ml,
rtl/hls/tb inside it) with the tests in a scratch folder, and mutmut runs there. Survivors are matched against the
triage file (bench/mutation/equivalent_mutants.yml: a mutant that changes no result, each with the reason); the score
is killed / (mutants - equivalent). Prints a table per module and writes JSON with the tool versions and the commit.

    .venv/bin/python bench/mutation_python.py [--json bench/results/mutation_python.json] [--resume]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import yaml

from mutation_scores import print_scores, scores, write_result

ROOT = Path(__file__).resolve().parent.parent
STAGE = ROOT / "sim" / "build" / "mutation" / "python"
TRIAGE = ROOT / "bench" / "mutation" / "equivalent_mutants.yml"
# The unit tests that own the golden layers' arithmetic: the scalar reference (hypothesis), the golden model against
# Keras/QKeras, the element quantizers, the auto types, the graphs and the output heads.
LAYER_TESTS = ["tests/test_random_designs.py", "tests/test_golden.py", "tests/test_conv.py",
               "tests/test_element_quantizer.py", "tests/test_auto_precision.py", "tests/test_layer_registry.py",
               "tests/test_graphs.py", "tests/test_output_heads.py", "tests/test_threshold_compare.py"]
# The golden computations of the IR layers: what turns input codes into output codes (golden and the exact sums,
# windows, rearrangements and tables it is made of), not their builders or value ranges.
GOLDEN_FUNCTIONS = ("golden", "_run", "_pow2", "maxima", "reciprocals", "exact_values", "exact_sum",
                    "exact_matrix_sum", "matrix_product", "accumulator_bias", "_patches", "_window",
                    "_output_geometry", "rearrange", "windows", "clip", "segment_ends", "shifts", "sources",
                    "_round_half_up")
LAYER_MODULES = ["activation", "batchnorm", "conv", "dense", "element_quantizer", "linear", "merge", "padding",
                 "piecewise_linear", "pooling", "resampling", "reshape", "softmax", "table_activation", "tables",
                 "wiring"]
# module (as installed) -> (the unit tests that own its arithmetic, the functions mutated; None: all)
TARGETS = {
    "rtl4ml/fixed_point.py": (["tests/test_fixed_point.py", "tests/test_config.py"], None),
    "rtl4ml/ir/value_range.py": (["tests/test_fixed_point.py", "tests/test_auto_precision.py"], None),
    "rtl4ml/ir/auto_types.py": (["tests/test_auto_precision.py"], None),
    **{f"rtl4ml/ir/layers/{module}.py": (LAYER_TESTS, GOLDEN_FUNCTIONS) for module in LAYER_MODULES},
}
# where each installed package's files come from (pyproject.toml's package-dir)
PACKAGE_DIRS = {"rtl4ml": "gen/rtl4ml", "rtl4ml/rtl": "rtl", "rtl4ml/hls": "hls", "rtl4ml/tb": "tb"}
TARGET_FLOOR = 0.95


HYPOTHESIS_PROFILE = """
import hypothesis
hypothesis.settings.register_profile("mutation", derandomize=True)
hypothesis.settings.load_profile("mutation")
"""


def stage() -> None:
    """A fresh copy of the package, the tests and the bundled models, with mutmut's config."""
    shutil.rmtree(STAGE, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "build", "*.pyc")
    for installed, source in PACKAGE_DIRS.items():
        shutil.copytree(ROOT / source, STAGE / "src" / installed, ignore=ignore, dirs_exist_ok=True)
    shutil.copytree(ROOT / "tests", STAGE / "tests", ignore=ignore)
    with open(STAGE / "tests" / "conftest.py", "a") as conftest:  # the same hypothesis examples for every mutant
        conftest.write(HYPOTHESIS_PROFILE)
    for part in ("models", "configs", "tests.yml"):
        copy = shutil.copytree if (ROOT / "sim" / part).is_dir() else shutil.copy2
        (STAGE / "sim").mkdir(exist_ok=True)
        copy(ROOT / "sim" / part, STAGE / "sim" / part)
    tests = sorted({test for selection, _ in TARGETS.values() for test in selection})
    config = {
        "tool": {
            "pytest": {"ini_options": {"testpaths": ["tests"], "python_files": ["test_*.py"],
                                       "addopts": "-m 'not sim and not synth and not deep'",
                                       "filterwarnings": ["ignore::DeprecationWarning"],
                                       "markers": ["sim: -", "synth: -", "deep: -"]}},
            "mutmut": {"source_paths": ["src/rtl4ml"], "also_copy": ["sim"],
                       "only_mutate": [f"src/{module}" for module in TARGETS],
                       "pytest_add_cli_args_test_selection": tests},
        }
    }
    (STAGE / "pyproject.toml").write_text(toml_text(config))


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


def mutant_patterns() -> list[str]:
    """mutmut's names of the mutants to run (fnmatch patterns): every function of a module, or the listed ones."""
    patterns = []
    for module, (_, functions) in TARGETS.items():
        dotted = module[:-3].replace("/", ".")
        patterns += [f"{dotted}.*"] if functions is None else \
            [f"{dotted}.x*{name}__mutmut_*" for name in functions]
    return patterns


def run_mutmut() -> None:
    completed = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(os.cpu_count() or 2),
                                *mutant_patterns()],
                               cwd=STAGE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if completed.returncode != 0:
        sys.exit(f"mutmut run failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}")


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


def mutant_rows() -> list[dict]:
    """Every mutant's name, status and (unless killed) diff, read with mutmut's own functions in the stage."""
    metas = [str(STAGE / "mutants" / "src" / (module + ".meta")) for module in TARGETS]
    completed = subprocess.run([sys.executable, "-c", MUTANT_REPORT, *metas], cwd=STAGE, capture_output=True,
                               text=True, check=True)
    return json.loads(completed.stdout)


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
    """Mark survivors that a triage entry (module, function, from, to) argues equivalent."""
    for row in rows:
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
    args = parser.parse_args(argv)
    if not (args.resume and (STAGE / "mutants").is_dir()):
        stage()
    run_mutmut()
    rows = mutant_rows()
    triage(rows, yaml.safe_load(TRIAGE.read_text()) or [])
    modules = scores(rows, lambda row: function_of(row["name"])[0],
                     ("killed", "equivalent", "survived", "no tests", "other"))
    print_scores("module", 32, modules, ("killed", "equivalent", "survived", "no tests"))
    open_rows = [row for row in rows if row["status"] not in ("killed", "equivalent")]
    for row in open_rows:
        print(f"  {row['status']}: {row['module']}.{row['function']}: {row['from']!r} -> {row['to']!r}")
    return write_result(
        args.json, "mutation_python", {"mutmut": metadata.version("mutmut"), "pytest": metadata.version("pytest")},
        TARGET_FLOOR, modules, tests={module: tests for module, (tests, _) in TARGETS.items()},
        functions={module: functions for module, (_, functions) in TARGETS.items() if functions}, modules=modules,
        open=[{k: row[k] for k in ("status", "module", "function", "from", "to")} for row in open_rows],
        equivalent=[{k: row[k] for k in ("module", "function", "from", "to", "why")}
                    for row in rows if row["status"] == "equivalent"])

if __name__ == "__main__":
    sys.exit(main())
