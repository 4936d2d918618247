"""Write an output directory all at once, without ever writing outside it.

Files are first written to OUTDIR/.staging-<pid>; only when everything succeeded do they replace
OUTDIR's previous content. On any error the staging folder is deleted (and OUTDIR itself when
this call created it), so a failure never leaves a half-written OUTDIR. rtl4ml never
overwrites a folder it did not make (a marker file says it did) unless the user forces it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from .errors import fail

MARKER = "rtl4ml.json"
STAGING = ".staging"  # + process id, so concurrent writers never share a staging folder
KEPT = ("sim",)  # simulation builds are keyed by content hash: keep them for reuse


def check_writable(out_dir: Path, force: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise fail(f"output path {str(out_dir)!r} exists and is not a directory")
    if out_dir.is_dir() and any(not p.name.startswith(STAGING) for p in out_dir.iterdir()) \
            and not (out_dir / MARKER).is_file() and not force:
        raise fail(f"output directory {str(out_dir)!r} exists and was not made by rtl4ml; "
                   "choose another or pass --force (force=True) to replace it")


@contextlib.contextmanager
def staged_directory(out_dir: Path, force: bool = False):
    """Yield a staging folder inside OUTDIR; on success its content replaces OUTDIR's, on error it is deleted."""
    out_dir = Path(out_dir).resolve()
    check_writable(out_dir, force)
    created = not out_dir.exists()
    staging = out_dir / f"{STAGING}-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        yield staging
        for old in out_dir.iterdir():
            if not old.name.startswith(STAGING) and old.name not in KEPT:
                shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
        for new in staging.iterdir():
            if (out_dir / new.name).exists():
                shutil.rmtree(out_dir / new.name)
            new.rename(out_dir / new.name)
        staging.rmdir()
    except BaseException:
        shutil.rmtree(out_dir if created else staging, ignore_errors=True)
        raise
