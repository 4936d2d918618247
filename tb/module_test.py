"""Shared plumbing for the per-module cocotb tests in tb/<module>/test_<module>.py.

Builds the module from rtl/ with the given parameters (one cached build directory per
parameter set), runs the calling file's cocotb tests with the parameters in the
environment, and fails the pytest test if any cocotb test failed.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from cocotb_tools.check_results import get_results

from rtl4ml.resources import rtl_dir
from rtl4ml.simulation.build import build, run_cocotb

PARAMETERS_ENV = "RTL4ML_TB_PARAMETERS"


def run_module_test(module: str, test_file: str, parameters: dict, dependencies: tuple[str, ...] = ()) -> None:
    test_path = Path(test_file).resolve()
    if str(test_path.parent) not in sys.path:
        sys.path.insert(0, str(test_path.parent))  # the simulator's Python imports the test module by name
    sources = [rtl_dir() / f"{name}.v" for name in dependencies + (module,)]
    cache = test_path.parents[2] / "sim" / "build" / "tb" / module  # repository root / sim / build
    build_dir = build(sources, module, cache, parameters=parameters)
    run_dir = build_dir / "run"
    run_dir.mkdir(exist_ok=True)
    results = run_cocotb(build_dir, module, test_path.stem, run_dir, {PARAMETERS_ENV: json.dumps(parameters)})
    tests, failed = get_results(Path(results))
    assert tests > 0, f"no cocotb test ran for {module} {parameters}"
    assert failed == 0, f"{failed} of {tests} cocotb tests failed for {module} {parameters}; see {run_dir}/sim.log"


def parameters() -> dict:
    """Inside the simulator: the parameter set this build was made with."""
    return json.loads(os.environ[PARAMETERS_ENV])
