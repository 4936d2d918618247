"""One build at a time per cache entry, across processes (parallel tests, parallel users)."""

from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path


@contextlib.contextmanager
def exclusive(build_dir: Path):
    """Hold an exclusive lock named after build_dir while building or checking it."""
    lock = Path(build_dir).with_name(Path(build_dir).name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
