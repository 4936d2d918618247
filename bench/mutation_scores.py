"""What the three mutation benchmarks (mutation_python.py, mutation_rtl.py, mutation_vhdl.py) share: counting verdicts
into a score per module, printing the table, and writing the JSON with the commit, the date and the tools."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from results_file import RESULTS, write_results


def add_result_arguments(parser: argparse.ArgumentParser, benchmark: str) -> None:
    """--json (where the run's verdicts go) and --survivors-of (re-triage an earlier run), as every one takes them."""
    parser.add_argument("--json", type=Path, default=RESULTS / f"{benchmark}.json")
    parser.add_argument("--survivors-of", type=Path,
                        help="take the verdicts of this earlier run's JSON (same commit) and only triage its survivors")


def earlier_run(path: Path) -> tuple[dict, list[dict]]:
    """An earlier run's JSON and its verdicts, the mutants it argued equivalent set back to survived for triage."""
    earlier = json.loads(path.read_text())
    return earlier, [dict(row, status="survived") if row["status"] == "equivalent" else row
                     for row in earlier["mutants"]]


def scores(rows: list[dict], group, statuses: tuple[str, ...], uncounted: tuple[str, ...] = ("equivalent",)) -> dict:
    """Per group (group(row) names it): how many mutants of each status, and the score killed / (mutants - those
    with an `uncounted` status). A status not in `statuses` counts as "other" where that is one of them."""
    summary: dict[str, dict] = {}
    for row in rows:
        counts = summary.setdefault(group(row), {"mutants": 0} | {status: 0 for status in statuses})
        counts["mutants"] += 1
        counts[row["status"] if row["status"] in counts else "other"] += 1
    for counts in summary.values():
        live = counts["mutants"] - sum(counts[status] for status in uncounted)
        counts["score"] = counts["killed"] / live if live else 1.0
    return summary


def print_scores(first: str, width: int, summary: dict, columns: tuple[str, ...]) -> None:
    print(f"{first:{width}} " + " ".join(f"{column:>9}" for column in ("mutants",) + columns) + f" {'score':>7}")
    for name, counts in summary.items():
        print(f"{name:{width}} " + " ".join(f"{counts[column]:9}" for column in ("mutants",) + columns) +
              f" {counts['score']:7.1%}")


def write_result(path: Path, benchmark: str, tools: dict, target: float, summary: dict, **details) -> int:
    """Write the benchmark's JSON; exit status 0 when every module reaches the target."""
    write_results(benchmark, {"target": target} | details, tools, path)
    return 0 if all(counts["score"] >= target for counts in summary.values()) else 1
