"""Build the IR from a frontend ModelSpec and a Config: quantize weights, derive accumulators, make tables.

The layer classes own their rules (accumulator sizing, tables); this module resolves each
layer's settings from the config and wires the layers into a graph.
"""

from __future__ import annotations

import numpy as np

from ..config import Config
from ..fixed_point import FixedType, quantize_float, to_float
from ..frontends.keras_model import ActivationSpec, DenseSpec, ModelSpec
from .graph import ModelGraph
from .layers import ActivationLayer, DenseLayer, InputLayer
from .layers.dense import check_reuse_factor, choose_accumulator
from .layers.softmax import build_softmax
from .layers.table_activation import build_table_activation


def _quantize_tensor(values: np.ndarray, qkeras_type: FixedType | None, target: FixedType) -> np.ndarray:
    """Codes of `values` in `target`; a QKeras quantizer is applied first, exactly as QKeras does."""
    if qkeras_type is not None:
        values = to_float(quantize_float(values, qkeras_type), qkeras_type.frac)
    return quantize_float(values, target)


def _build_dense(spec: DenseSpec, source, config: Config) -> DenseLayer:
    settings = config.resolve(spec.name, ("Dense",) if spec.keras_class == "Dense" else ("Dense", spec.keras_class))
    check_reuse_factor(spec.name, settings.reuse_factor, spec.kernel.shape[0], spec.kernel.shape[1])
    weight_type = settings.precision["weight"]
    if spec.kernel_type is not None and "weight" not in settings.explicit:
        weight_type = spec.kernel_type
    bias_type = settings.precision["bias"]
    if spec.bias_type is not None and "bias" not in settings.explicit:
        bias_type = spec.bias_type
    weight = _quantize_tensor(spec.kernel, spec.kernel_type, weight_type)
    bias = _quantize_tensor(spec.bias, spec.bias_type, bias_type)
    accum_type, exact = choose_accumulator(spec.name, weight, bias, source.result_type, weight_type, bias_type,
                                           settings.precision.get("accum"))
    return DenseLayer(name=spec.name, inputs=(source.name,), shape=(spec.kernel.shape[1],),
                      input_type=source.result_type, weight=weight, weight_type=weight_type, bias=bias,
                      bias_type=bias_type, accum_type=accum_type, accum_is_exact=exact,
                      result_type=settings.precision["result"], reuse_factor=settings.reuse_factor,
                      strategy=settings.strategy, pipeline_budget=settings.pipeline_budget,
                      luts_per_dsp=settings.luts_per_dsp)


def _build_activation(spec: ActivationSpec, source, config: Config):
    type_names = {"softmax": "Softmax", "relu": "ReLU", "sigmoid": "Activation", "tanh": "Activation"}
    settings = config.resolve(spec.name, tuple(dict.fromkeys(("Activation", spec.keras_class,
                                                              type_names.get(spec.function, "Activation")))))
    result_type = settings.precision["result"]
    if spec.result_type is not None and "result" not in settings.explicit:
        result_type = spec.result_type
    inputs, shape, input_type = (source.name,), source.shape, source.result_type
    if spec.function == "softmax":
        layer = build_softmax(spec.name, inputs, shape, input_type, result_type, settings.table_size)
    elif spec.function in ("sigmoid", "tanh"):
        layer = build_table_activation(spec.name, inputs, shape, spec.function, input_type, result_type,
                                       settings.table_size)
    else:
        layer = ActivationLayer(name=spec.name, inputs=inputs, shape=shape, function=spec.function,
                                input_type=input_type, result_type=result_type)
    layer.pipeline_budget = settings.pipeline_budget
    return layer


def build_ir(spec: ModelSpec, config: Config, name: str | None = None) -> ModelGraph:
    config.check_layer_names(spec.layer_names())
    input_settings = config.resolve(spec.input.name, ("Input", "InputLayer"))
    model_input = InputLayer(name=spec.input.name, inputs=(), shape=(spec.input.size,),
                             result_type=input_settings.precision["result"])
    layers, source = [], model_input
    for layer_spec in spec.layers:
        build = _build_dense if isinstance(layer_spec, DenseSpec) else _build_activation
        source = build(layer_spec, source, config)
        layers.append(source)
    return ModelGraph(name or config.project_name, model_input, layers)
