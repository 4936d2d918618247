"""Paths as users type them, made absolute once at the boundary; build folders that make can use.

The CLI and the Python API resolve every path they are given (relative, `..`, `~`, symlinks)
to an absolute one before anything else sees it, because the simulators run in other working
directories. Every message and written file then names absolute paths.

make cannot handle some characters in a file name (a space splits a word, `#` starts a comment,
`$` and `%` expand, `:` and `;` and `=` are rule syntax). Verilator builds run make, so a build
whose folder or sources hold such a character is moved to a content-keyed folder under the
rtl4ml cache, with its sources copied in, and a warning says where. Never used for user output.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

from .cache import cache_root
from .errors import fail

# Characters GNU make treats specially in file names (whitespace splits words; the rest are syntax)
MAKE_UNSAFE = frozenset(" \t\n#$%:;=\\'\"*?[]()|&<>`")


def user_path(text) -> Path:
    """An absolute path for what the user typed (relative to the working directory, `~` expanded)."""
    return Path(os.path.expanduser(os.fspath(text))).resolve()


def unsafe_characters(path: Path) -> str:
    """The characters of `path` that make cannot take in a file name, in order of appearance."""
    return "".join(dict.fromkeys(c for c in str(path) if c in MAKE_UNSAFE))


def describe_characters(chars: str) -> str:
    names = {" ": "a space", "\t": "a tab", "\n": "a newline"}
    return ", ".join(names.get(c, repr(c)) for c in chars)


def make_safe_build(build_dir: Path, sources: list[Path]) -> tuple[Path, bool]:
    """Where to build `build_dir` from `sources` so that make can run there, and whether to copy the sources.

    An already safe folder with safe sources is returned as it is. Otherwise the build goes to
    the same-named folder under <cache>/builds (its name is a content hash, so designs share
    it), and the caller copies the sources in beside the build.
    """
    unsafe = "".join(dict.fromkeys(unsafe_characters(build_dir) + "".join(map(unsafe_characters, sources))))
    if not unsafe:
        return build_dir, False
    root = cache_root() / "builds"
    if unsafe_characters(root):
        raise fail(f"cannot build under {str(build_dir.parent)!r}: its path contains {describe_characters(unsafe)}, "
                   f"which make cannot handle, and so does the rtl4ml cache {str(root)!r}; "
                   "set RTL4ML_CACHE_DIR to a folder whose path has none of them")
    safe_dir = root / build_dir.name
    warnings.warn(f"{str(build_dir.parent)!r} contains {describe_characters(unsafe)}, which make cannot handle "
                  f"in a file name: building in {str(safe_dir)!r} instead", stacklevel=2)
    return safe_dir, True


def copy_sources(sources: list[Path], folder: Path) -> list[Path]:
    """Copies of `sources` in `folder` (names kept; the caller hashed their contents already)."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for source in sources:
        copy = folder / source.name
        if copy in copies and copy.read_bytes() != source.read_bytes():
            raise RuntimeError(f"two different sources are named {source.name}; cannot build them in one folder")
        shutil.copyfile(source, copy)
        copies.append(copy)
    return list(dict.fromkeys(copies))
