"""The hls4ml jet-tagging features: loading, class order, and the standardizing scaler.

Class order is always g, q, w, z, t (the hls4ml papers' order). Sources with another
order (OpenML sorts them alphabetically: g, q, t, w, z) are remapped explicitly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import fail

FEATURES = ("j_zlogz", "j_c1_b0_mmdt", "j_c1_b1_mmdt", "j_c1_b2_mmdt", "j_c2_b1_mmdt", "j_c2_b2_mmdt",
            "j_d2_b1_mmdt", "j_d2_b2_mmdt", "j_d2_a1_b1_mmdt", "j_d2_a1_b2_mmdt", "j_m2_b1_mmdt",
            "j_m2_b2_mmdt", "j_n2_b1_mmdt", "j_n2_b2_mmdt", "j_mass_mmdt", "j_multiplicity")
CLASSES = ("g", "q", "w", "z", "t")


@dataclass
class Scaler:
    """x -> (x - mean) / scale, feature by feature; saved as JSON next to the model."""

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> "Scaler":
        scale = X.std(axis=0)
        return cls(X.mean(axis=0).astype(np.float64), np.where(scale > 0, scale, 1.0).astype(np.float64))

    def transform(self, X: np.ndarray) -> np.ndarray:
        return ((np.asarray(X, dtype=np.float64) - self.mean) / self.scale).astype(np.float32)

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps({"features": list(FEATURES), "mean": self.mean.tolist(),
                                          "scale": self.scale.tolist()}, indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> "Scaler":
        data = json.loads(Path(path).read_text())
        return cls(np.asarray(data["mean"], dtype=np.float64), np.asarray(data["scale"], dtype=np.float64))


def _remap_classes(y: np.ndarray, names) -> np.ndarray:
    names = [str(n).lower() for n in names]
    if sorted(names) != sorted(CLASSES):
        raise fail(f"jet data has classes {names}; expected {', '.join(CLASSES)}")
    lookup = np.array([CLASSES.index(name) for name in names])
    return lookup[np.asarray(y, dtype=np.int64)]


def load_jets_npz(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Features [n, 16] (raw, in FEATURES order) and labels in CLASSES order from an .npz file."""
    path = Path(path)
    if not path.is_file():
        raise fail(f"jet data file {str(path)!r} does not exist")
    with np.load(path, allow_pickle=False) as data:
        if "X" not in data.files or "y" not in data.files:
            raise fail(f"{path}: expected arrays 'X' and 'y', found {', '.join(data.files)}")
        X, y = data["X"], data["y"]
        if "feature_names" in data.files:
            names = [str(n) for n in data["feature_names"]]
            if names != list(FEATURES):
                missing = [f for f in FEATURES if f not in names]
                if missing:
                    raise fail(f"{path}: missing features {', '.join(missing)}")
                X = X[:, [names.index(f) for f in FEATURES]]
        if "class_names" in data.files:
            y = _remap_classes(y, data["class_names"])
    if X.ndim != 2 or X.shape[1] != len(FEATURES) or len(X) != len(y):
        raise fail(f"{path}: X has shape {X.shape} and y {y.shape}; expected (n, {len(FEATURES)}) and (n,)")
    return X.astype(np.float32), np.asarray(y, dtype=np.int64)
