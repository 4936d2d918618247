"""add3.v as synthesis sees it (SYNTHESIS defined: LUT6_2 and CARRY8/CARRY4 instances) proved equal to the
expression simulation runs, x +- y +- z, by Yosys's SAT solver with Yosys's own simulation models of the
primitives: every sign pattern, both chains, widths around the chains' segments. A wrong sign pattern must be
refuted (the proof is live)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from rtl4ml.report.synthesis import yosys_command
from rtl4ml.resources import rtl_dir

pytestmark = pytest.mark.synth

REFERENCE = """
module reference #(parameter WIDTH = 8, parameter [2:0] NEGATE = 0, parameter CARRY_CHAIN = 8)
    (input [WIDTH-1:0] x, input [WIDTH-1:0] y, input [WIDTH-1:0] z, output [WIDTH-1:0] sum);
    assign sum = (NEGATE[0] ? -x : x) + (NEGATE[1] ? -y : y) + (NEGATE[2] ? -z : z);
endmodule
"""


def prove(tmp_path, width: int, negate: int, chain: int, reference_negate: int) -> bool:
    shutil.copy(rtl_dir() / "add3.v", tmp_path / "add3.v")
    (tmp_path / "reference.v").write_text(REFERENCE)
    (tmp_path / "prove.ys").write_text(f"""
read_verilog -sv -DSYNTHESIS add3.v
read_verilog -sv reference.v
read_verilog +/xilinx/cells_sim.v
chparam -set WIDTH {width} -set NEGATE {negate} -set CARRY_CHAIN {chain} add3
chparam -set WIDTH {width} -set NEGATE {reference_negate} reference
hierarchy -check
proc
flatten
opt_clean
miter -equiv -flatten -make_assert add3 reference miter
hierarchy -top miter
sat -verify -prove-asserts miter
""")
    completed = subprocess.run(yosys_command() + ["-q", "-s", "prove.ys"], cwd=tmp_path, capture_output=True, text=True)
    return completed.returncode == 0


@pytest.mark.parametrize("chain", [8, 4])
@pytest.mark.parametrize("negate", [0b000, 0b001, 0b010, 0b100, 0b011, 0b101, 0b110])
def test_the_primitive_netlist_equals_the_three_operand_sum(tmp_path, negate, chain):
    for width in (1, chain - 1, chain, 2 * chain + 3):
        assert prove(tmp_path, width, negate, chain, negate), (width, negate, chain)


def test_a_different_sign_pattern_is_refuted(tmp_path):
    assert not prove(tmp_path, 8, 0b001, 8, 0b010)
