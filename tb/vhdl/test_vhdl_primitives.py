"""The hand-written VHDL primitives (rtl/vhdl/) through VUnit on GHDL, one pytest test per primitive.

Each runs tb/vhdl/run_primitives.py for the primitive's testbench: every parameter set and input of its
Verilog twin's cocotb test, checked against the same Python reference.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("vunit")
pytestmark = [pytest.mark.sim, pytest.mark.skipif(shutil.which("ghdl") is None, reason="GHDL is not installed")]

HERE = Path(__file__).resolve().parent
OUTPUT = HERE.parents[1] / "sim" / "build" / "tb" / "vhdl"


@pytest.mark.parametrize("primitive, configurations", [
    ("requantize", 17), ("pipe_reg", 3), ("lookup_table", 3), ("reduction_tree", 5), ("axis_pipeline_control", 4),
    ("valid_stream_adapter", 1), ("ap_ctrl_hs_adapter", 1), ("add3", 8), ("lut_multiplier", 8),
    ("axis_skid_buffer", 2), ("axis_fifo", 3), ("upsample_buffer", 3), ("reverse_buffer", 3), ("window_buffer", 6)])
def test_vhdl_primitive_equals_the_python_reference(primitive, configurations):
    completed = subprocess.run([sys.executable, str(HERE / "run_primitives.py"), "--output-path",
                                str(OUTPUT / primitive), "--no-color", "-p", "1", f"lib.tb_{primitive}.*"],
                               capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    assert f"pass {configurations} of {configurations}" in completed.stdout, completed.stdout[-2000:]
