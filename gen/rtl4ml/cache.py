"""Where rtl4ml keeps caches shared by all designs: ~/.cache/rtl4ml, or $RTL4ML_CACHE_DIR."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    root = os.environ.get("RTL4ML_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "rtl4ml")
    return Path(root)
