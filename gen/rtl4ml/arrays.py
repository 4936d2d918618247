"""Arrays the user hands over (inputs, labels, calibration data): read from .npy or .npz, never unpickled, and
checked as a batch of model inputs."""

from __future__ import annotations

import math
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


def input_batch(X, shape: tuple[int, ...], what: str, owner: str) -> np.ndarray:
    """A checked batch of real-valued inputs [events, n] (tensors flattened row-major).

    Accepted: [events, n], [events, *shape], or one event. `what` names the array and `owner` what reads it
    in the one-line errors (dtype, shape, NaN/Inf).
    """
    X = np.asarray(X)
    if X.dtype == object or not np.issubdtype(X.dtype, np.number):
        raise fail(f"{what} has dtype {X.dtype}; expected a numeric array")
    n = math.prod(shape)
    if X.shape in ((n,), shape):
        X = X[None]
    if X.ndim >= 2 and X.shape[1:] == shape:
        X = X.reshape(len(X), n)
    if X.ndim != 2 or X.shape[1] != n:
        expected = f"(events, {n})" + ("" if len(shape) == 1 else f" or (events, {', '.join(map(str, shape))})")
        raise fail(f"{what} has shape {tuple(X.shape)}; {owner} expects {expected}")
    bad = ~np.isfinite(X.astype(np.float64))
    if bad.any():
        event, feature = (int(v) for v in np.argwhere(bad)[0])
        raise fail(f"{what} has {int(bad.sum())} NaN/Inf values (first at event {event}, "
                   f"feature {feature}: {X[event, feature]})")
    return X
