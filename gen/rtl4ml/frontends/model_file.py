"""A model file of any framework rtl4ml reads, recognised by its content (not its extension)."""

from __future__ import annotations

from pathlib import Path

from ..errors import fail
from .hgq2_model import is_hgq2_file, load_hgq2_model
from .keras_model import load_keras_model
from .onnx_model import is_onnx_file, load_onnx_model
from .spec import ModelSpec


def load_model_file(model_path: str | Path, weights_path: str | Path | None = None) -> ModelSpec:
    """Keras (.h5, .keras, .json + weights), HGQ2 (.keras) or ONNX / QONNX (.onnx) -> the model's layer specs."""
    path = Path(model_path)
    if not path.is_file():
        raise fail(f"model file {str(path)!r} does not exist")
    if is_onnx_file(path):
        if weights_path is not None:
            raise fail(f"{path}: an ONNX file holds its own weights; drop the weights file {str(weights_path)!r}")
        try:
            import onnx  # noqa: F401
        except ImportError:
            raise fail(f"{path}: reading ONNX files needs the onnx package (pip install 'rtl4ml[onnx]')") from None
        return load_onnx_model(path)
    if is_hgq2_file(path):
        if weights_path is not None:
            raise fail(f"{path}: a .keras file holds its own weights; drop the weights file {str(weights_path)!r}")
        return load_hgq2_model(path)
    return load_keras_model(path, weights_path)
