"""Where a benchmark's figures go: bench/results/<benchmark>.json, with the commit and the date they were measured at
and the tools' versions, the source of the documentation's performance page (bench/perf_pages.py)."""

from __future__ import annotations

import datetime
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def git_commit() -> str:
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()


def write_results(benchmark: str, fields: dict, tools: dict | None = None, path: Path | None = None) -> Path:
    """Write the benchmark's JSON (default bench/results/<benchmark>.json) and return its path."""
    path = path or RESULTS / f"{benchmark}.json"
    result = {"benchmark": benchmark, "date": datetime.date.today().isoformat(), "commit": git_commit(),
              "tools": tools or {}} | fields
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")
    return path
