"""Helpers shared by the layers that compute through lookup tables."""

from __future__ import annotations

import numpy as np

from ...errors import fail


def round_half_up(values: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(values, dtype=np.float64) + 0.5).astype(np.int64)


def power_of_two(value: int, where: str) -> int:
    """log2 of a table size, refusing sizes that are not powers of two."""
    if value < 1 or value & (value - 1):
        raise fail(f"{where}: table size {value} must be a power of two")
    return value.bit_length() - 1
