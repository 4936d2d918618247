"""requantize.v against rtl4ml.fixed_point.requantize: every input code, per rounding/overflow mode."""

from __future__ import annotations

import cocotb
import numpy as np
import pytest
from cocotb.triggers import Timer

from rtl4ml.fixed_point import OVERFLOW_MODES, ROUNDING_MODES, FixedType, requantize
from rtl4ml.tb.module_test import parameters, run_module_test


def _inputs(width: int, signed: bool) -> np.ndarray:
    low = -(1 << (width - 1)) if signed else 0
    if width <= 12:
        return np.arange(low, low + (1 << width), dtype=np.int64)
    rng = np.random.default_rng(width)
    edges = np.array([low, low + 1, -1 if signed else 1, 0, low + (1 << width) - 1], dtype=np.int64)
    return np.concatenate([edges, rng.integers(low, low + (1 << width), 4000, dtype=np.int64)])


@cocotb.test()
async def run_test(dut):
    """Drive every (or many) input codes and compare with the golden requantization."""
    p = parameters()
    target = FixedType(p["OUT_WIDTH"], p["OUT_WIDTH"] - p["OUT_FRAC"], bool(p["OUT_SIGNED"]),
                       ROUNDING_MODES[p["ROUNDING"]], OVERFLOW_MODES[p["OVERFLOW"]])
    codes = _inputs(p["IN_WIDTH"], bool(p["IN_SIGNED"]))
    expected = requantize(np.maximum(codes, 0) if p["RELU"] else codes, p["IN_FRAC"], target)
    out_mask = (1 << p["OUT_WIDTH"]) - 1
    for code, want in zip(codes.tolist(), expected.tolist()):
        dut.in_data.value = code & ((1 << p["IN_WIDTH"]) - 1)
        await Timer(1, unit="ns")
        assert dut.out_data.value.to_unsigned() == want & out_mask, \
            f"input {code}: expected {want} ({target}), got {dut.out_data.value.to_unsigned()}"


SHAPE = {"IN_WIDTH": 9, "IN_FRAC": 5, "IN_SIGNED": 1, "OUT_WIDTH": 5, "OUT_FRAC": 2, "OUT_SIGNED": 1, "RELU": 0}
CASES = (
    [dict(SHAPE, ROUNDING=r, OVERFLOW=1) for r in range(len(ROUNDING_MODES))]
    + [dict(SHAPE, ROUNDING=6, OVERFLOW=o) for o in (0, 2, 3)]
    + [
        # unsigned in, signed out, fused ReLU, fewer fractional bits out
        {"IN_WIDTH": 8, "IN_FRAC": 8, "IN_SIGNED": 0, "OUT_WIDTH": 4, "OUT_FRAC": 3, "OUT_SIGNED": 1, "RELU": 1,
         "ROUNDING": 2, "OVERFLOW": 1},
        # left shift (more fractional bits out) with wrap, signed to unsigned with ReLU
        {"IN_WIDTH": 6, "IN_FRAC": 1, "IN_SIGNED": 1, "OUT_WIDTH": 7, "OUT_FRAC": 3, "OUT_SIGNED": 0, "RELU": 1,
         "ROUNDING": 0, "OVERFLOW": 0},
        # wide accumulator to a narrow result: the jet tagger's shape
        {"IN_WIDTH": 30, "IN_FRAC": 20, "IN_SIGNED": 1, "OUT_WIDTH": 16, "OUT_FRAC": 10, "OUT_SIGNED": 1,
         "RELU": 0, "ROUNDING": 0, "OVERFLOW": 0},
        # every bit dropped (shift beyond the input width) with symmetric saturation
        {"IN_WIDTH": 4, "IN_FRAC": 9, "IN_SIGNED": 1, "OUT_WIDTH": 3, "OUT_FRAC": 0, "OUT_SIGNED": 1, "RELU": 0,
         "ROUNDING": 3, "OVERFLOW": 3},
    ]
)


@pytest.mark.sim
@pytest.mark.parametrize("params", CASES, ids=lambda p: "-".join(f"{k.lower()}{v}" for k, v in p.items()))
def test_requantize(params):
    run_module_test("requantize", __file__, params)
