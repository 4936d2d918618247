"""Arrays the user hands over as files (inputs, labels, calibration data): .npy or .npz, never unpickled."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import fail


def load_array(path: str) -> np.ndarray:
    """Read an input array from .npy (never unpickled) or .npz (its first array)."""
    file = Path(path)
    if not file.is_file():
        raise fail(f"input file {path!r} does not exist")
    try:
        data = np.load(file, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise fail(f"input file {path!r} is not a readable .npy/.npz array ({exc})") from None
    if isinstance(data, np.lib.npyio.NpzFile):
        if not data.files:
            raise fail(f"input file {path!r} holds no arrays")
        data = data["X"] if "X" in data.files else data[data.files[0]]
    return data
