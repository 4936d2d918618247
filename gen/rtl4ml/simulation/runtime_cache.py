"""Verilator's runtime objects (verilated*.o), compiled once per tool version and flags, reused by every build.

They are compiled from Verilator's include folder alone (no design header, no precompiled header),
so one set serves every design built with the same arguments. verilated.mk makes them depend on
the design's new makefile (Vtop.mk); a build that seeds them must tell make to take Vtop.mk as old
(`--assume-old=Vtop.mk`), or make compiles them again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from ..cache import cache_root

ASSUME_OLD_MAKEFILE = "--assume-old=Vtop.mk"


def runtime_folder(key: str) -> Path:
    """The saved objects for `key`, per Verilator installation (its path and when it was installed).

    Their make dependency files name the installation's include folder, and make compares their
    times with its sources: objects saved from another venv, or from before a reinstall, would
    be recompiled by every build (and never replaced), so each installation keeps its own.
    """
    from .toolchain import verilator_root

    include = verilator_root() / "include"
    stamp = f"{include}:{(include / 'verilated.cpp').stat().st_mtime_ns}"
    return cache_root() / "verilator_runtime" / f"{key}_{hashlib.sha256(stamp.encode()).hexdigest()[:8]}"


def seed_runtime(runtime: Path, build_dir: Path) -> None:
    """Copy the saved runtime objects (and make's dependency files) into a new build folder."""
    if runtime.is_dir():
        build_dir.mkdir(parents=True, exist_ok=True)
        for path in runtime.iterdir():
            shutil.copy2(path, build_dir / path.name)  # keeps the mtime: make sees them up to date


def keep_runtime(build_dir: Path, runtime: Path, objects: tuple[str, ...]) -> None:
    """Save a finished build's runtime objects for the next builds (atomically: builds run in parallel)."""
    if runtime.is_dir():
        return
    files = [f"{name}{suffix}" for name in objects for suffix in (".o", ".d")]
    if not all((build_dir / name).is_file() for name in files):
        return
    staging = runtime.with_name(f"{runtime.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in files:
        shutil.copy2(build_dir / name, staging / name)
    try:
        staging.rename(runtime)
    except OSError:  # another build saved it first
        shutil.rmtree(staging, ignore_errors=True)
