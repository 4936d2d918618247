"""Mutation score of the hand-written VHDL primitives: each mutant changes one token of a primitive's architecture (a
'0' for a '1', `and` for `or`, a `not` dropped, `+` for `-`, `=` for `/=`, `<` for `>`, a rising for a falling edge)
and the primitive's VUnit testbench (tb/vhdl/run_primitives.py, every parameter set) runs on it on GHDL; a mutant that
passes survived, one that does not compile is stillborn and not counted.

Survivors are matched against bench/mutation/equivalent_mutants_vhdl.yml (primitive, line, change, why); the score is
killed / (mutants - stillborn - equivalent). Prints a table per primitive and writes JSON with the tool versions.

    .venv/bin/python bench/mutation_vhdl.py [--only axis_skid_buffer ...] [--jobs 2] [--json ...]
    .venv/bin/python bench/mutation_vhdl.py --survivors-of bench/results/mutation_vhdl.json   (triage again only)
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import yaml

from mutation_scores import add_result_arguments, earlier_run, print_scores, scores, write_result

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "rtl" / "vhdl"
RUNNER = ROOT / "tb" / "vhdl" / "run_primitives.py"
WORK = ROOT / "sim" / "build" / "mutation" / "vhdl"
TRIAGE = ROOT / "bench" / "mutation" / "equivalent_mutants_vhdl.yml"
TARGET_FLOOR = 0.98
# (name, pattern, replacement): each match of a pattern in the code (not the comments) of an architecture is a mutant
OPERATORS = (
    ("bit constant", r"'0'", "'1'"), ("bit constant", r"'1'", "'0'"),
    ("logic", r"\band\b", "or"), ("logic", r"\bor\b", "and"), ("logic", r"\bxor\b", "xnor"),
    ("negation", r"\bnot\s+", ""),
    ("arithmetic", r"(?<=\s)\+(?=\s)", "-"), ("arithmetic", r"(?<=\s)-(?=\s)", "+"),
    ("relation", r"(?<=\s)=(?=\s)", "/="), ("relation", r"(?<=\s)/=(?=\s)", "="),
    ("relation", r"(?<=\s)<(?=\s)", ">"), ("relation", r"(?<=\s)>(?=\s)", "<"), ("relation", r"(?<=\s)>=(?=\s)", ">"),
    ("edge", r"\brising_edge\b", "falling_edge"),
)


def mutants_of(text: str) -> list[dict]:
    """Every single-token change of the architecture's code, as (line number, old line, new line)."""
    lines = text.splitlines(keepends=True)
    start = next(index for index, line in enumerate(lines) if line.lstrip().lower().startswith("architecture"))
    found = []
    for number in range(start + 1, len(lines)):
        code, _, _ = lines[number].partition("--")
        for name, pattern, replacement in OPERATORS:
            for match in re.finditer(pattern, code):
                changed = code[:match.start()] + replacement + code[match.end():]
                found.append({"line": number + 1, "operator": name, "from": lines[number].strip(),
                              "to": (changed + lines[number][len(code):]).strip(),
                              "text": "".join(lines[:number]) + changed + lines[number][len(code):] +
                                      "".join(lines[number + 1:])})
    return found


def primitives() -> list[str]:
    return sorted(path.stem for path in SOURCES.glob("*.vhd") if (RUNNER.parent / f"tb_{path.stem}.vhd").is_file())


def run_testbench(primitive: str, sources: Path, output: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RUNNER), "--output-path", str(output), "--no-color", "-p", "1",
                           f"lib.tb_{primitive}.*"], capture_output=True, text=True,
                          env=dict(os.environ, RTL4ML_VHDL_PRIMITIVES=str(sources)))


def worker_folder() -> tuple[Path, Path]:
    """This worker process's own copy of the primitives and VUnit output folder (VUnit recompiles only what
    changed)."""
    folder = WORK / f"worker{os.getpid()}"
    if not (folder / "src").is_dir():
        shutil.copytree(SOURCES, folder / "src")
    return folder / "src", folder / "vunit"


def check_mutant(job: tuple) -> dict:
    primitive, mutant = job
    sources, output = worker_folder()
    target = sources / f"{primitive}.vhd"
    original = target.read_text()
    target.write_text(mutant["text"])
    try:
        completed = run_testbench(primitive, sources, output)
    finally:
        target.write_text(original)
    row = {k: mutant[k] for k in ("line", "operator", "from", "to")} | {"primitive": primitive}
    if completed.returncode == 0:
        return row | {"status": "survived"}
    stillborn = "Compile failed" in completed.stdout or "compile error" in completed.stdout.lower()
    return row | {"status": "stillborn" if stillborn else "killed"}


def simulate_mutants(names: list[str], jobs: int) -> list[dict]:
    """Every mutant of every named primitive through its VUnit testbench: killed, stillborn or survived."""
    shutil.rmtree(WORK, ignore_errors=True)
    work = []
    for primitive in names:
        if run_testbench(primitive, SOURCES, WORK / "unmutated").returncode != 0:
            sys.exit(f"{primitive}: the unmutated primitive fails its VUnit testbench; see {WORK / 'unmutated'}")
        work += [(primitive, mutant) for mutant in mutants_of((SOURCES / f"{primitive}.vhd").read_text())]
    with concurrent.futures.ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(check_mutant, work))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="primitives to mutate (default: every one with a testbench)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    add_result_arguments(parser, "mutation_vhdl")
    args = parser.parse_args(argv)
    if args.survivors_of:
        _, rows = earlier_run(args.survivors_of)
    else:
        rows = simulate_mutants(args.only or primitives(), args.jobs)
    triage = yaml.safe_load(TRIAGE.read_text()) or []
    for row in rows:
        for entry in triage:
            if row["status"] == "survived" and (entry["primitive"], entry["from"], entry["to"]) == \
                    (row["primitive"], row["from"], row["to"]):
                row["status"], row["why"] = "equivalent", entry["why"]
    summary = scores(rows, lambda row: row["primitive"], ("killed", "stillborn", "equivalent", "survived"),
                     uncounted=("stillborn", "equivalent"))
    print_scores("primitive", 24, summary, ("killed", "stillborn", "equivalent", "survived"))
    for row in rows:
        if row["status"] == "survived":
            print(f"  survived: {row['primitive']} line {row['line']}: {row['from']!r} -> {row['to']!r}")
    ghdl = subprocess.run(["ghdl", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return write_result(args.json, "mutation_vhdl", {"vunit-hdl": metadata.version("vunit-hdl"), "ghdl": ghdl},
                        TARGET_FLOOR, summary, primitives=summary, mutants=rows)

if __name__ == "__main__":
    sys.exit(main())
