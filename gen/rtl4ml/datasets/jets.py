"""The hls4ml jet-tagging features: loading, class order, and the standardizing scaler.

Class order is always g, q, w, z, t (the hls4ml papers' order). Sources with another
order (OpenML sorts them alphabetically: g, q, t, w, z) are remapped explicitly.
Formats: .npz (X, y [, feature_names, class_names]), .npy (X, with y in a sibling *_y.npy or
y.npy), .csv (feature columns + a class column or one-hot j_g..j_t), OpenML .arff, the Zenodo
.h5 with its t_allpar_new table, .parquet (needs pyarrow), and OpenML online (scikit-learn).
"""

from __future__ import annotations

import csv
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


ONE_HOT_COLUMNS = tuple(f"j_{name}" for name in CLASSES)  # the hls4ml dataset's label columns


def _from_columns(columns: dict, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels from named columns (one-hot j_g..j_t, or a 'class' column of names)."""
    missing = [f for f in FEATURES if f not in columns]
    if missing:
        raise fail(f"{source}: missing feature columns {', '.join(missing)}")
    X = np.stack([np.asarray(columns[f], dtype=np.float32) for f in FEATURES], axis=1)
    if all(c in columns for c in ONE_HOT_COLUMNS):
        y = np.stack([np.asarray(columns[c], dtype=np.float64) for c in ONE_HOT_COLUMNS], axis=1).argmax(axis=1)
    else:
        key = next((k for k in ("class", "label", "y") if k in columns), None)
        if key is None:
            raise fail(f"{source}: no label column (one-hot {', '.join(ONE_HOT_COLUMNS)} or 'class')")
        names = [str(v).strip().strip("'\"").lower() for v in columns[key]]
        unknown = sorted(set(names) - set(CLASSES))
        if unknown:
            raise fail(f"{source}: unknown class labels {unknown}; expected {', '.join(CLASSES)}")
        y = np.array([CLASSES.index(n) for n in names])
    return X, y.astype(np.int64)


def load_jets_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise fail(f"{path}: no rows")
    return _from_columns({key: [row[key] for row in rows] for key in rows[0]}, str(path))


def load_jets_arff(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """OpenML's ARFF text: @attribute lines, then comma-separated @data rows."""
    names, rows, in_data = [], [], False
    for line in Path(path).read_text().splitlines():
        text = line.strip()
        if not text or text.startswith("%"):
            continue
        lowered = text.lower()
        if lowered.startswith("@attribute"):
            names.append(text.split()[1].strip("'\""))
        elif lowered.startswith("@data"):
            in_data = True
        elif in_data:
            rows.append([value.strip() for value in text.split(",")])
    if not names or not rows:
        raise fail(f"{path}: not an ARFF file with @attribute and @data sections")
    return _from_columns({name: [row[i] for row in rows] for i, name in enumerate(names)}, str(path))


def load_jets_h5(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The Zenodo release: an HDF5 file whose t_allpar_new dataset is a table with named fields."""
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            if "t_allpar_new" not in handle:
                raise fail(f"{path}: no t_allpar_new table (found {', '.join(handle)})")
            table = handle["t_allpar_new"][()]
    except OSError as exc:
        raise fail(f"{path}: cannot read HDF5 file ({exc})") from None
    return _from_columns({name: table[name] for name in table.dtype.names or ()}, str(path))


def load_jets_parquet(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        raise fail(f"{path}: reading parquet needs pyarrow (pip install pyarrow)") from None
    table = parquet.read_table(path)
    return _from_columns({name: table.column(name).to_numpy() for name in table.column_names}, str(path))


def load_jets_npy(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """X from path; y from <stem>_y.npy, or y.npy beside it (X.npy + y.npy splits)."""
    X = np.load(path, allow_pickle=False)
    for candidate in (path.with_name(path.stem + "_y.npy"), path.with_name(path.stem.replace("X", "y") + ".npy")):
        if candidate != path and candidate.is_file():
            return X.astype(np.float32), np.load(candidate, allow_pickle=False).astype(np.int64)
    raise fail(f"{path}: no labels found beside it ({path.stem}_y.npy or the 'y' counterpart)")


def load_jets_openml(cache_dir: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The public dataset from OpenML (hls4ml_lhc_jets_hlf), cached by scikit-learn; needs a network."""
    from sklearn.datasets import fetch_openml

    try:
        data = fetch_openml("hls4ml_lhc_jets_hlf", version=1, as_frame=False, parser="liac-arff",
                            data_home=None if cache_dir is None else str(cache_dir))
    except Exception as exc:  # noqa: BLE001 - network or cache failures all mean "not available here"
        raise fail(f"OpenML dataset hls4ml_lhc_jets_hlf is not available ({exc.__class__.__name__}); "
                   "use a local file or ../shared/jets/pythia_jets_hlf.npz") from None
    columns = {name: data.data[:, i] for i, name in enumerate(data.feature_names)}
    columns["class"] = data.target
    return _from_columns(columns, "OpenML hls4ml_lhc_jets_hlf")


def load_jets(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Features [n, 16] in FEATURES order and labels in CLASSES order, from any supported file."""
    path = Path(path)
    if not path.is_file():
        raise fail(f"jet data file {str(path)!r} does not exist")
    loaders = {".npz": load_jets_npz, ".npy": load_jets_npy, ".csv": load_jets_csv, ".arff": load_jets_arff,
               ".h5": load_jets_h5, ".hdf5": load_jets_h5, ".parquet": load_jets_parquet}
    loader = loaders.get(path.suffix.lower())
    if loader is None:
        raise fail(f"{path}: unknown jet data format {path.suffix!r}; use one of {', '.join(loaders)}")
    return loader(path)
