"""hls4ml's `utils` namespace: config_from_keras_model (hls4ml's signature and defaults), plot_model."""

from .hls4ml_api import (config_from_keras_model, config_from_onnx_model, config_from_pytorch_model,
                         fetch_example_model, plot_model)

__all__ = ["config_from_keras_model", "config_from_onnx_model", "config_from_pytorch_model", "fetch_example_model",
           "plot_model"]
