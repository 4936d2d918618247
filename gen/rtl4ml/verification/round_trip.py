"""A written design reopens as it was: the check every test-built design goes through after Design.write.

Three facts, each cheap next to a simulation: model_ir.json loads and prints back byte for byte, the reopened
design's golden model gives the in-memory design's codes on the same inputs, and its config is the same.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..design import IR_FILE, Design, load_design
from ..golden.model import run_codes
from ..ir.serialize import graph_json


def round_trip_problems(design: Design, codes: np.ndarray, expected: np.ndarray | None = None) -> list[str]:
    """What differs between `design` (written to design.out_dir) and the design load_design reopens from there;
    `codes` are input codes, `expected` the in-memory design's output codes on them (computed when None)."""
    if expected is None:
        expected = run_codes(design.graph, codes)
    written = (Path(design.out_dir) / IR_FILE).read_text()
    reopened = load_design(design.out_dir)
    problems = []
    if graph_json(reopened.graph) != written:
        problems.append(f"{IR_FILE} loads and saves to different text")
    if reopened.config.hls_config != design.config.hls_config or reopened.config.project != design.config.project:
        problems.append("the reopened design's config differs from the converted one's")
    got = run_codes(reopened.graph, codes)
    if got.shape != expected.shape:
        problems.append(f"the reopened design's outputs have shape {got.shape}, the converted one's {expected.shape}")
    elif not np.array_equal(got, expected):
        event, output = np.argwhere(got != expected)[0]
        problems.append(f"the reopened design's golden model differs at event {event} output {output}: "
                        f"{got[event, output]}, the converted one's {expected[event, output]}")
    return problems
