"""Build the IR from a frontend ModelSpec and a Config: quantize weights, derive accumulators, make tables."""

from __future__ import annotations

import warnings

import numpy as np

from ..config import Config
from ..errors import fail
from ..fixed_point import MAX_ACCUM_WIDTH, FixedType, bits_for_range, quantize_float, to_float
from ..frontends.keras_model import ActivationSpec, DenseSpec, ModelSpec
from .layers import ActivationLayer, DenseLayer, InputLayer, ModelGraph
from .tables import build_softmax, build_table_activation


def _quantize_tensor(values: np.ndarray, qkeras_type: FixedType | None, target: FixedType) -> np.ndarray:
    """Codes of `values` in `target`; a QKeras quantizer is applied first, exactly as QKeras does."""
    if qkeras_type is not None:
        values = to_float(quantize_float(values, qkeras_type), qkeras_type.frac)
    return quantize_float(values, target)


def accumulator_bounds(weight: np.ndarray, bias_aligned: np.ndarray, x_type: FixedType, shift: int) -> tuple[int, int]:
    """Range that holds every partial sum of any subset of the products and the bias (codes at accum frac).

    Each product lies between min and max of w*x_min, w*x_max, and both ends straddle 0,
    so summing the negative ends and the positive ends bounds every adder-tree node.
    """
    w = weight.astype(object)  # Python ints: the bound itself must not overflow
    ends = np.stack([w * x_type.min_code, w * x_type.max_code])
    low = (ends.min(axis=0) * (1 << shift)).sum(axis=0) + np.minimum(bias_aligned.astype(object), 0)
    high = (ends.max(axis=0) * (1 << shift)).sum(axis=0) + np.maximum(bias_aligned.astype(object), 0)
    return int(min(low)), int(max(high))


def _check_reuse_factor(name: str, reuse: int, n_in: int, n_out: int) -> None:
    """hls4ml's rule: the multiplications (n_in * n_out) split evenly over the reuse factor."""
    products = n_in * n_out
    if reuse > products or products % reuse:
        valid = [r for r in range(1, products + 1) if products % r == 0]
        nearest = sorted(valid, key=lambda r: abs(r - reuse))[:3]
        raise fail(f"layer {name}: ReuseFactor {reuse} does not divide its {products} multiplications "
                   f"({n_in} x {n_out}); nearest valid values: {', '.join(map(str, sorted(nearest)))}")


def _build_dense(spec: DenseSpec, input_type: FixedType, config: Config) -> DenseLayer:
    settings = config.resolve(spec.name, ("Dense",) if spec.keras_class == "Dense" else ("Dense", spec.keras_class))
    _check_reuse_factor(spec.name, settings.reuse_factor, spec.kernel.shape[0], spec.kernel.shape[1])
    weight_type = settings.precision["weight"]
    if spec.kernel_type is not None and "weight" not in settings.explicit:
        weight_type = spec.kernel_type
    bias_type = settings.precision["bias"]
    if spec.bias_type is not None and "bias" not in settings.explicit:
        bias_type = spec.bias_type
    weight = _quantize_tensor(spec.kernel, spec.kernel_type, weight_type)
    bias = _quantize_tensor(spec.bias, spec.bias_type, bias_type)
    product_frac = input_type.frac + weight_type.frac
    exact_frac = max(product_frac, bias_type.frac)
    low, high = accumulator_bounds(weight, bias << (exact_frac - bias_type.frac), input_type,
                                   exact_frac - product_frac)
    width, signed = bits_for_range(low, high)
    accum_type = settings.precision.get("accum")
    where = f"layer {spec.name}"
    if accum_type is None:
        if width > MAX_ACCUM_WIDTH:
            raise fail(f"{where}: accumulator needs {width} bits (> {MAX_ACCUM_WIDTH} supported); "
                       f"narrow the input ({input_type}) or weight ({weight_type}) precision")
        accum_type = FixedType(width, width - exact_frac, signed)
        exact = True
    else:
        if accum_type.width > MAX_ACCUM_WIDTH:
            raise fail(f"{where}: accum precision {accum_type} is wider than {MAX_ACCUM_WIDTH} bits")
        exact = False
        shift_to_accum = accum_type.frac - exact_frac
        scaled = (low << shift_to_accum, high << shift_to_accum) if shift_to_accum >= 0 else \
            (low >> -shift_to_accum, high >> -shift_to_accum)
        if scaled[0] < accum_type.min_code or scaled[1] > accum_type.max_code:
            message = (f"{where}: accum precision {accum_type} can overflow (worst-case sums need {width} bits "
                       f"at {exact_frac} fractional bits)")
            if accum_type.overflow != "AP_WRAP":
                raise fail(message + f"; {accum_type.overflow} accumulation is order-dependent, use AP_WRAP or "
                           "remove accum to get an exact accumulator")
            warnings.warn(message, stacklevel=3)
    return DenseLayer(spec.name, spec.kernel.shape[0], spec.kernel.shape[1], input_type, weight, weight_type,
                      bias, bias_type, accum_type, exact, settings.precision["result"],
                      settings.reuse_factor, settings.strategy, settings.pipeline_budget, settings.luts_per_dsp)


def _build_activation(spec: ActivationSpec, n: int, input_type: FixedType, config: Config):
    type_names = {"softmax": "Softmax", "relu": "ReLU", "sigmoid": "Activation", "tanh": "Activation"}
    settings = config.resolve(spec.name, tuple(dict.fromkeys(("Activation", spec.keras_class,
                                                              type_names.get(spec.function, "Activation")))))
    result_type = settings.precision["result"]
    if spec.result_type is not None and "result" not in settings.explicit:
        result_type = spec.result_type
    if spec.function == "softmax":
        layer = build_softmax(spec.name, n, input_type, result_type, settings.table_size)
    elif spec.function in ("sigmoid", "tanh"):
        layer = build_table_activation(spec.name, n, spec.function, input_type, result_type, settings.table_size)
    else:
        layer = ActivationLayer(spec.name, n, spec.function, input_type, result_type)
    layer.pipeline_budget = settings.pipeline_budget
    return layer


def build_ir(spec: ModelSpec, config: Config, name: str | None = None) -> ModelGraph:
    config.check_layer_names(spec.layer_names())
    input_settings = config.resolve(spec.input.name, ("Input", "InputLayer"))
    graph = ModelGraph(name or config.project_name,
                       InputLayer(spec.input.name, spec.input.size, input_settings.precision["result"]))
    current_type, width = graph.input.result_type, spec.input.size
    for layer_spec in spec.layers:
        if isinstance(layer_spec, DenseSpec):
            layer = _build_dense(layer_spec, current_type, config)
        else:
            layer = _build_activation(layer_spec, width, current_type, config)
        graph.layers.append(layer)
        current_type, width = layer.result_type, layer.n_out
    return graph
