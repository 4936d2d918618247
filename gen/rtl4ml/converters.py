"""hls4ml's `converters` namespace (`import rtl4ml as hls4ml; hls4ml.converters.convert_from_keras_model(...)`)."""

from .hls4ml_api import convert_from_keras_model, convert_from_onnx_model, convert_from_pytorch_model

__all__ = ["convert_from_keras_model", "convert_from_onnx_model", "convert_from_pytorch_model"]
