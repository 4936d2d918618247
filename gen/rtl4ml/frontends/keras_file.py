"""Read a Keras model file into its architecture (JSON config) and weights, without TensorFlow.

Supported containers: a full-model `.h5` (Keras 2 / tf_keras), a `.keras` zip (Keras 3 or
tf_keras), and an architecture `.json` plus a weights `.h5`. Only JSON and HDF5 datasets
are read: nothing in a model file is ever executed or unpickled.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import Rtl4mlError, fail
from .isolated import read_isolated

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
# What h5py and zipfile raise on a damaged file: a corrupted object header is a KeyError, an impossible datatype a
# TypeError or ValueError, a cut-off compressed member an EOFError or zlib.error
DAMAGED_FILE_ERRORS = (OSError, KeyError, RuntimeError, ValueError, TypeError, EOFError, zlib.error,
                       NotImplementedError)


@dataclass
class KerasFile:
    """The model's top-level config dict and, per layer name, its weight arrays in Keras order."""

    config: dict
    weights: dict[str, list[np.ndarray]] = field(default_factory=dict)
    source: str = ""
    # "names": weights are keyed by layer name (Keras 2 h5, in-memory models);
    # "positions": keyed by Keras 3 object path (dense, dense_1, ...), see keras_model.py
    keys: str = "names"


def _h5py():
    import h5py

    return h5py


def _decode(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _parse_json(text: str, source: str) -> dict:
    try:
        config = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise fail(f"{source}: not valid Keras JSON ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise fail(f"{source}: JSON has no 'class_name'; it is not a Keras model architecture")
    return config


def _read_keras2_weights(group, source: str) -> dict[str, list[np.ndarray]]:
    """Keras 2 layout: attr layer_names; one group per layer with attr weight_names."""
    weights: dict[str, list[np.ndarray]] = {}
    for layer_name in (_decode(n) for n in group.attrs.get("layer_names", [])):
        layer_group = group[layer_name]
        arrays = []
        for weight_name in (_decode(n) for n in layer_group.attrs.get("weight_names", [])):
            try:
                arrays.append(np.asarray(layer_group[weight_name]))
            except KeyError:
                raise fail(f"{source}: layer {layer_name}: weight {weight_name!r} is listed but missing") from None
        weights[layer_name] = arrays
    return weights


def _read_keras3_weights(group) -> dict[str, list[np.ndarray]]:
    """Keras 3 / tf_keras v3 layout: layers/<object path>/vars/<index>, keyed by object path."""
    weights: dict[str, list[np.ndarray]] = {}

    def visit(node, name: str) -> None:
        if "vars" in node and len(node["vars"]) > 0:
            variables = node["vars"]
            weights[name] = [np.asarray(variables[k]) for k in sorted(variables, key=int)]
        for key in node:
            if key != "vars" and hasattr(node[key], "keys"):
                visit(node[key], key)

    visit(group, "")
    return weights


def _read_weights_h5(path_or_file, source: str) -> tuple[dict[str, list[np.ndarray]], str]:
    """Weights and how they are keyed ("names" or "positions")."""
    h5py = _h5py()
    try:
        with h5py.File(path_or_file, "r") as handle:
            group = handle["model_weights"] if "model_weights" in handle else handle
            if "layer_names" in group.attrs:
                return _read_keras2_weights(group, source), "names"
            return _read_keras3_weights(group), "positions"
    except Rtl4mlError:
        raise
    except DAMAGED_FILE_ERRORS as exc:
        raise fail(f"{source}: cannot read HDF5 weights ({exc.__class__.__name__}: {exc})") from None


def read_keras_file(model_path: str | Path, weights_path: str | Path | None = None) -> KerasFile:
    """Load architecture and weights from any supported Keras container (in a child process with a time limit:
    see isolated.py)."""
    return read_isolated(_read_keras_file, str(model_path), None if weights_path is None else str(weights_path))


def _read_keras_file(model_path: str, weights_path: str | None) -> KerasFile:
    path = Path(model_path)
    if not path.is_file():
        raise fail(f"model file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".keras" and path.read_bytes()[:8] == HDF5_SIGNATURE:
        suffix = ".h5"  # published trigger models exist that are HDF5 files named .keras
    if suffix == ".json":
        config = _parse_json(path.read_text(errors="replace"), str(path))
        if weights_path is None:
            raise fail(f"{path}: a .json architecture needs its weights file (--weights W.h5)")
        weights_file = Path(weights_path)
        if not weights_file.is_file():
            raise fail(f"weights file {str(weights_file)!r} does not exist")
        weights, keys = _read_weights_h5(str(weights_file), str(weights_file))
        return KerasFile(config, weights, str(path), keys)
    if suffix in (".h5", ".hdf5"):
        h5py = _h5py()
        try:
            with h5py.File(str(path), "r") as handle:
                raw = handle.attrs.get("model_config")
        except DAMAGED_FILE_ERRORS as exc:
            raise fail(f"{path}: cannot read HDF5 file ({exc.__class__.__name__}: {exc})") from None
        if raw is None:
            raise fail(f"{path}: HDF5 file has no model_config; it holds weights only (pass its architecture .json)")
        config = _parse_json(_decode(raw), str(path))
        weights, keys = _read_weights_h5(str(weights_path or path), str(weights_path or path))
        return KerasFile(config, weights, str(path), keys)
    if suffix == ".keras":
        try:
            with zipfile.ZipFile(path) as archive:
                config = _parse_json(archive.read("config.json").decode("utf-8"), str(path))
                weights, keys = _read_weights_h5(io.BytesIO(archive.read("model.weights.h5")), str(path))
        except Rtl4mlError:
            raise
        except (zipfile.BadZipFile, *DAMAGED_FILE_ERRORS) as exc:
            raise fail(f"{path}: not a valid .keras archive ({exc.__class__.__name__}: {exc})") from None
        return KerasFile(config, weights, str(path), keys)
    raise fail(f"{path}: unknown model file type {suffix!r}; use .h5, .keras, or .json with --weights")


def from_keras_object(model) -> KerasFile:
    """Read architecture and weights from an in-memory tf_keras/Keras model (no file needed)."""
    config = _parse_json(model.to_json(), f"model {getattr(model, 'name', '?')}")
    weights = {layer.name: [np.asarray(w) for w in layer.get_weights()] for layer in model.layers}
    return KerasFile(config, weights, f"model {getattr(model, 'name', '?')}")


def snake_case(class_name: str) -> str:
    """Keras's own rule for naming saved objects (QDense -> q_dense)."""
    text = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", text).lower()


def weights_by_layer_name(keras_file: KerasFile, layers: list[dict]) -> dict[str, list[np.ndarray]]:
    """Weights keyed by layer name; Keras 3 files key them by class and position, so map those back."""
    if keras_file.keys == "names":
        return keras_file.weights
    counters: dict[str, int] = {}
    by_name = {}
    for layer in layers:
        if layer.get("class_name") == "InputLayer":
            continue
        snake = snake_case(str(layer.get("class_name")))
        count = counters.get(snake, 0)
        counters[snake] = count + 1
        key = snake if count == 0 else f"{snake}_{count}"
        name = (layer.get("config") or {}).get("name", layer.get("name"))
        if key in keras_file.weights:
            by_name[name] = keras_file.weights[key]
    return by_name
