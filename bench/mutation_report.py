"""Write docs/test_strength.md from the mutation benchmarks' JSON (bench/mutation_python.py, mutation_rtl.py,
mutation_generated.py and mutation_vhdl.py): the scores per module, the tools and the commit and date they were
measured at, every mutant argued equivalent with its reason, and every survivor still open. The page is generated:
rerun the benchmarks and this script, do not edit it.

    .venv/bin/python bench/mutation_report.py [--python bench/results/mutation_python.json]
                                              [--rtl ...] [--generated ...] [--vhdl ...] [-o docs/test_strength.md]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "results"


def measured(result: dict) -> str:
    tools = ", ".join(f"{name} {version}" for name, version in result["tools"].items())
    return f"Measured on {result['date']} at commit `{result['commit']}` with {tools}."


def scores_table(first: str, counts: dict[str, dict], columns: list[str], tests: dict[str, str] | None = None) -> list[str]:
    """One row per module or primitive: its name (and the tests that guard it), its counts of `columns`, its score."""
    heads = [first] + (["tests"] if tests else []) + columns + ["score"]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for name, c in counts.items():
        cells = [f"`{name}`"] + ([tests.get(name, "")] if tests else []) + [str(c[k]) for k in columns]
        lines.append("| " + " | ".join(cells + [f"{c['score']:.1%}"]) + " |")
    return lines


def section(title: str, intro: str, result: dict, table: list[str], score_rule: str,
            equivalents: list[tuple[str, str, str]], survivors: list[str]) -> list[str]:
    return [f"## {title}", "", f"{intro} {measured(result)}", ""] + table + \
        ["", f"Score: {score_rule}; the target is {result['target']:.0%}.", ""] + \
        equivalent_list(equivalents) + open_list(survivors)


def changed_since(module: str, commit: str) -> str:
    """Whether the module's source changed after `commit` (git log), in words."""
    path = "gen/" + module.replace(".", "/") + ".py"
    log = subprocess.run(["git", "-C", str(ROOT), "log", "--oneline", f"{commit}..HEAD", "--", path],
                         capture_output=True, text=True).stdout.split("\n")
    commits = [line for line in log if line]
    return "unchanged since" if not commits else f"changed since by {len(commits)} commit(s): measure it again"


def python_section(result: dict) -> list[str]:
    def dotted(module: str) -> str:
        return f"rtl4ml.{module[len('rtl4ml/'):-3].replace('/', '.')}"

    functions = result.get("functions", {})
    shared = sorted({tuple(names) for names in result["tests"].values() if len(names) > 3})
    tests = {dotted(module): "the layer tests¹" if tuple(names) in shared else
             ", ".join(f"`{Path(n).name}`" for n in names) for module, names in result["tests"].items()}
    notes = []
    if shared:
        notes.append("¹ " + ", ".join(f"`{Path(n).name}`" for n in shared[0]) + ".")
    measured = result.get("measured", {})
    if len({(m["commit"], m["date"]) for m in measured.values()}) > 1:
        notes.append("Measured per module: " + "; ".join(
            f"`{module}` at commit `{m['commit']}` on {m['date']} ({changed_since(module, m['commit'])})"
            for module, m in measured.items() if (m["commit"], m["date"]) != (result["commit"], result["date"])) +
            "; the others as stated above.")
    if functions:
        names = sorted({name for listed in functions.values() for name in listed})
        notes.append(f"In the IR layer modules only their golden computations are mutated (the functions named "
                     f"{', '.join(f'`{n}`' for n in names)}); in the other modules every function.")
    lines = section(
        "Golden arithmetic and types (mutmut)",
        "mutmut changes one operator, constant or argument of a function at a time and runs the unit tests that reach "
        "that function; a mutant no test fails on survives.", result,
        scores_table("module", result["modules"], ["mutants", "killed", "equivalent", "survived", "no tests"], tests),
        "killed / (mutants − equivalent)",
        [(f"`{e['module']}.{e['function']}`", f"`{e['from']}` → `{e['to']}`", e["why"]) for e in result["equivalent"]],
        [f"`{o['module']}.{o['function']}`: `{o['from']}` → `{o['to']}`" for o in result["open"]])
    table_end = lines.index("", 4)  # after the scores table
    return lines[:table_end] + [line for note in notes for line in ("", note)] + lines[table_end:]


def triaged_mutate_commands(rows: list[dict], where) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The equivalent mutants (where, command, why) and the open survivors of a Yosys `mutate` run; where(row) names
    the mutated module."""
    return ([(where(r), f"`{r['mutation']}`", r["why"]) for r in rows if r["status"] == "equivalent"],
            [f"{where(r)}: `{r['mutation']}`" for r in rows if r["status"] == "survived"])


def rtl_section(result: dict) -> list[str]:
    rows = result["mutants"]
    return section(
        "Verilog primitives (Yosys `mutate`)",
        f"Yosys lists up to {result['per_case']} single-point faults per parameter set the primitive's cocotb tests "
        "build (a bit inverted, tied to 0 or 1, or connected to another bit); each is applied to the elaborated "
        "module, written as a netlist and run through all of the primitive's cocotb tests on Icarus (the unmutated "
        "netlist passes them first).", result,
        scores_table("primitive", result["primitives"], ["mutants", "killed", "equivalent", "survived"]),
        "killed / (mutants − equivalent)",
        *triaged_mutate_commands(rows, lambda r: f"`{r['module']}` case {r['case']}"))


def generated_section(result: dict) -> list[str]:
    rows = result["mutants"]
    designs = ", ".join(f"`{name}`" for name in result["designs"])
    return section(
        "Generated layer modules (Yosys `mutate`)",
        f"The layer modules rtl4ml writes for the bundled io_parallel designs {designs}: Yosys lists up to "
        f"{result['per_module']} single-point faults in each (its adder graph, requantizers, tables and pipeline "
        "registers; not in the primitives it instantiates, measured above), each is applied and the mutated module "
        "checked alone on Icarus against the golden model's layer, on the codes it sees in the core (random codes at "
        "the core's input and the job's own events; the unmutated netlist passes first).", result,
        scores_table("design/module", result["modules"], ["mutants", "killed", "equivalent", "survived"]),
        "killed / (mutants − equivalent)",
        *triaged_mutate_commands(rows, lambda r: f"`{r['design']}` `{r['module']}`"))


def vhdl_section(result: dict) -> list[str]:
    rows = result["mutants"]
    return section(
        "VHDL primitives (token mutants, VUnit)",
        "Each mutant changes one token of a primitive's architecture (a `'0'` for a `'1'`, `and` for `or`, a `not` "
        "dropped, `+` for `-`, `=` for `/=`, `<` for `>`, a rising for a falling edge) and runs the primitive's VUnit "
        "testbench, every parameter set, on GHDL; a mutant that does not compile is stillborn and not counted.",
        result,
        scores_table("primitive", result["primitives"], ["mutants", "killed", "stillborn", "equivalent", "survived"]),
        "killed / (mutants − stillborn − equivalent)",
        [(f"`{r['primitive']}` line {r['line']}", f"`{r['from']}` → `{r['to']}`", r["why"]) for r in rows
         if r["status"] == "equivalent"],
        [f"`{r['primitive']}` line {r['line']}: `{r['from']}` → `{r['to']}`" for r in rows
         if r["status"] == "survived"])


def equivalent_list(entries: list[tuple[str, str, str]]) -> list[str]:
    if not entries:
        return ["No mutant is argued equivalent.", ""]
    return ["Argued equivalent (they change no output any input can produce):", ""] + \
        [f"- {where}: {change} — {why}" for where, change, why in entries] + [""]


def open_list(entries: list[str]) -> list[str]:
    if not entries:
        return ["No survivor is open.", ""]
    return ["Survivors still open (neither killed by a test nor argued equivalent):", ""] + \
        [f"- {entry}" for entry in entries] + [""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", type=Path, default=BENCH / "mutation_python.json")
    parser.add_argument("--rtl", type=Path, default=BENCH / "mutation_rtl.json")
    parser.add_argument("--generated", type=Path, default=BENCH / "mutation_generated.json")
    parser.add_argument("--vhdl", type=Path, default=BENCH / "mutation_vhdl.json")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "test_strength.md")
    args = parser.parse_args(argv)
    missing = [str(path) for path in (args.python, args.rtl, args.generated, args.vhdl) if not path.is_file()]
    if missing:
        sys.exit(f"run the mutation benchmarks first (make mutation); missing {', '.join(missing)}")
    lines = ["# How strong the tests are: mutation scores", "",
             "<!-- generated by bench/mutation_report.py from the mutation benchmarks' JSON; do not edit -->", "",
             "A test suite is as strong as the faults it catches. `make mutation` plants faults one at a time in the "
             "golden model's arithmetic, in the hand-written Verilog and VHDL primitives and in generated layer "
             "modules and runs the tests that cover them; this page is what it found.", ""]
    lines += python_section(json.loads(args.python.read_text()))
    lines += rtl_section(json.loads(args.rtl.read_text()))
    lines += generated_section(json.loads(args.generated.read_text()))
    lines += vhdl_section(json.loads(args.vhdl.read_text()))
    args.output.write_text("\n".join(lines).rstrip() + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
