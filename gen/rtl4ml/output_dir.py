"""Write an output directory all at once: into a temporary sibling, then renamed into place.

So a failure never leaves a half-written OUTDIR, and rtl4ml never overwrites a folder it
did not make (a marker file says it did) unless the user forces it.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from .errors import fail

MARKER = "rtl4ml.json"


def check_writable(out_dir: Path, force: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise fail(f"output path {str(out_dir)!r} exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file() and not force:
        raise fail(f"output directory {str(out_dir)!r} exists and was not made by rtl4ml; "
                   "choose another or pass --force (force=True) to replace it")


@contextlib.contextmanager
def staged_directory(out_dir: Path, force: bool = False):
    """Yield a temporary directory; on success it replaces out_dir, on error it is deleted."""
    out_dir = Path(out_dir).resolve()
    check_writable(out_dir, force)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        yield staging
        if out_dir.exists():
            keep = out_dir / "sim"  # simulation builds are keyed by content hash: keep them for reuse
            if keep.is_dir() and not (staging / "sim").exists():
                shutil.move(str(keep), str(staging / "sim"))
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
