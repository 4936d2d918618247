"""Turn a Keras/QKeras architecture + weights into a framework-neutral chain of layer specs (frontends/spec.py).

This is the only place that knows Keras class names. It folds BatchNormalization into
the preceding Dense, drops Dropout, resolves Flatten into the input size, and splits a
Dense with a built-in activation into Dense + Activation (as hls4ml does). Anything it
does not know is refused with the layer's name: Lambda and custom layers would run
arbitrary code, and guessing at unknown layers would make silently wrong hardware.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import fail
from ..ir.layers.conv import output_geometry
from .keras_file import KerasFile, read_keras_file, weights_by_layer_name
from .qkeras_quantizers import activation_quantizer, weight_quantizer_type
from .spec import ActivationSpec, BatchNormSpec, ConvSpec, DenseSpec, InputSpec, ModelSpec, PoolingSpec, ReshapeSpec

ACTIVATIONS = ("linear", "relu", "softmax", "sigmoid", "tanh")
_NO_OPS = ("Dropout", "AlphaDropout", "GaussianDropout", "GaussianNoise", "ActivityRegularization")
_REFUSED = ("Lambda", "TFOpLambda", "SlicingOpLambda")


# ----------------------------------------------------------------------------- graph → chain


def _inbound_names(node) -> list[str]:
    """Collect producer layer names from any Keras 2 or Keras 3 inbound_nodes structure."""
    names: list[str] = []
    if isinstance(node, dict):
        history = node.get("config", {}).get("keras_history") if isinstance(node.get("config"), dict) else None
        if history:
            names.append(str(history[0]))
        else:
            for value in node.values():
                names.extend(_inbound_names(value))
    elif isinstance(node, list):
        if len(node) >= 3 and isinstance(node[0], str) and isinstance(node[1], int):
            names.append(node[0])
        else:
            for item in node:
                names.extend(_inbound_names(item))
    return names


def _layer_list(config: dict) -> tuple[str, list[dict]]:
    class_name = config.get("class_name")
    inner = config.get("config", {})
    if class_name == "Sequential":
        layers = inner if isinstance(inner, list) else inner.get("layers", [])
        name = "sequential" if isinstance(inner, list) else inner.get("name", "sequential")
        return name, list(layers)
    if class_name in ("Model", "Functional"):
        layers = inner.get("layers", [])
        by_name = {layer.get("name", layer.get("config", {}).get("name")): layer for layer in layers}
        consumers: dict[str, list[str]] = {}
        for layer in layers:
            layer_name = layer.get("name", layer.get("config", {}).get("name"))
            inbound = _inbound_names(layer.get("inbound_nodes", []))
            if len(set(inbound)) > 1:
                raise fail(f"layer {layer_name}: has {len(set(inbound))} inputs; rtl4ml supports chains of layers only")
            for producer in set(inbound):
                consumers.setdefault(producer, []).append(layer_name)
        for producer, users in consumers.items():
            if len(users) > 1:
                raise fail(f"layer {producer}: feeds {len(users)} layers ({', '.join(users)}); only chains are supported")
        starts = [n for n, layer in by_name.items() if not _inbound_names(layer.get("inbound_nodes", []))]
        if len(starts) != 1:
            raise fail(f"model has {len(starts)} inputs ({', '.join(map(str, starts))}); rtl4ml supports one input")
        ordered, current = [], starts[0]
        while current is not None:
            ordered.append(by_name[current])
            nxt = consumers.get(current, [])
            current = nxt[0] if nxt else None
        return inner.get("name", "model"), ordered
    raise fail(f"top-level class {class_name!r} is not a Keras Sequential or functional Model")


def _input_shape(layer_config: dict) -> list | None:
    for key in ("batch_input_shape", "batch_shape"):
        if layer_config.get(key) is not None:
            return list(layer_config[key])[1:]
    return None


def _activation_name(value, where: str) -> str:
    if isinstance(value, dict):  # Keras 3 may serialize {"class_name": "function", "config": "relu"}
        value = value.get("config", value.get("class_name"))
        if isinstance(value, dict):
            value = value.get("name")
    name = str(value or "linear")
    if name not in ACTIVATIONS:
        raise fail(f"{where}: unsupported activation {name!r}; rtl4ml supports {', '.join(ACTIVATIONS)}")
    return name


def _weights_for(weights: dict, name: str, count: int, keras_class: str) -> list[np.ndarray]:
    arrays = weights.get(name)
    if arrays is None or len(arrays) < count:
        found = 0 if arrays is None else len(arrays)
        raise fail(f"layer {name} ({keras_class}): expected {count} weight arrays, found {found} in the weights file")
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _batchnorm_scale_shift(layer: dict, weights: dict) -> tuple[np.ndarray, np.ndarray]:
    """Inference-time BatchNormalization as y = x * scale + shift."""
    config = layer["config"]
    name = config["name"]
    scale, center = config.get("scale", True), config.get("center", True)
    arrays = _weights_for(weights, name, 2 + int(scale) + int(center), "BatchNormalization")
    gamma = arrays.pop(0) if scale else 1.0
    beta = arrays.pop(0) if center else 0.0
    mean, variance = arrays[0], arrays[1]
    factor = gamma / np.sqrt(variance + float(config.get("epsilon", 1e-3)))
    return factor * np.ones_like(mean), beta - mean * factor


def _fold_batchnorm(dense: DenseSpec | ConvSpec, layer: dict, weights: dict) -> None:
    factor, shift = _batchnorm_scale_shift(layer, weights)
    dense.kernel = dense.kernel * factor
    dense.bias = dense.bias * factor + shift


def _batchnorm(name: str, layer: dict, weights: dict, shape: list) -> BatchNormSpec:
    scale, shift = _batchnorm_scale_shift(layer, weights)
    if scale.shape != (shape[-1],):
        raise fail(f"layer {name} (BatchNormalization): {scale.shape[0]} channels, its input has {shape[-1]}")
    return BatchNormSpec(name, "BatchNormalization", scale, shift)


def _check_channels_last(config: dict, shape: list, rank: int, where: str) -> None:
    """A convolution or pooling reads a channels-last tensor with `rank` spatial axes."""
    if config.get("data_format", "channels_last") not in (None, "channels_last"):
        raise fail(f"{where}: data_format {config.get('data_format')!r} is not supported; rtl4ml takes channels_last")
    if len(shape) != rank + 1:
        raise fail(f"{where}: input shape {shape} does not have {rank} spatial axes and channels")


def _padding(config: dict, where: str) -> str:
    padding = str(config.get("padding", "valid")).lower()
    if padding not in ("valid", "same"):
        raise fail(f"{where}: padding {config.get('padding')!r} is not supported; use 'valid' or 'same'")
    return padding


def _pooling(name: str, keras_class: str, config: dict, shape: list, where: str):
    """The PoolingSpec of a Keras average pooling layer and its output shape."""
    rank = _POOLINGS[keras_class]
    _check_channels_last(config, shape, rank, where)
    if keras_class.startswith("Global"):
        keep = bool(config.get("keepdims", False))
        spatial = [int(n) for n in shape[:-1]]
        spec = PoolingSpec(name, keras_class, tuple(spatial), tuple(spatial), "valid", keep)
        return spec, ([1] * rank if keep else []) + [shape[-1]]
    pool = _per_axis(config.get("pool_size", 2), rank, "pool_size", where)
    strides = _per_axis(config.get("strides") or pool, rank, "strides", where)
    padding = _padding(config, where)
    geometry = [output_geometry(n, k, s, padding) for n, k, s in zip(shape[:-1], pool, strides)]
    if any(size < 1 for size, _, _ in geometry):
        raise fail(f"{where}: pool_size {list(pool)} is larger than its input {shape[:-1]}")
    return PoolingSpec(name, keras_class, pool, strides, padding), [g[0] for g in geometry] + [shape[-1]]


_CONVOLUTIONS = {"Conv1D": 1, "Conv2D": 2, "QConv1D": 1, "QConv2D": 2}
_POOLINGS = {"AveragePooling1D": 1, "AveragePooling2D": 2, "GlobalAveragePooling1D": 1,
             "GlobalAveragePooling2D": 2}
_NOT_YET = ("MaxPooling1D", "MaxPooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D")
_ELEMENTWISE = ("Activation", "ReLU", "Softmax", "QActivation")
_FIRST_LAYERS = ("Dense", "QDense", "BatchNormalization") + tuple(_CONVOLUTIONS) + tuple(_POOLINGS)


def _quantizers(spec, keras_class: str, config: dict, where: str) -> None:
    """QKeras layers: the kernel and bias types they were trained with."""
    if keras_class.startswith("Q"):
        spec.kernel_type = weight_quantizer_type(config.get("kernel_quantizer"), f"{where}, kernel_quantizer")
        spec.bias_type = weight_quantizer_type(config.get("bias_quantizer"), f"{where}, bias_quantizer")


def _built_in_activation(name: str, keras_class: str, config: dict, where: str) -> list:
    """A Dense/Conv layer's own activation as a separate spec, as hls4ml splits it (none when linear)."""
    activation = config.get("activation", "linear")
    if keras_class.startswith("Q"):
        function, result_type = activation_quantizer(activation, f"{where}, activation")
    else:
        function, result_type = _activation_name(activation, where), None
    if function == "linear" and result_type is None:
        return []
    return [ActivationSpec(f"{name}_{function}", keras_class, function, result_type)]


def _per_axis(value, rank: int, field: str, where: str) -> tuple[int, ...]:
    values = tuple(int(v) for v in (value if isinstance(value, (list, tuple)) else [value] * rank))
    if len(values) != rank:
        raise fail(f"{where}: {field} {value!r} does not have {rank} entries")
    return values


def _convolution(name: str, keras_class: str, config: dict, weights: dict, shape: list, where: str):
    """The ConvSpec of a Keras Conv1D/Conv2D (or QKeras twin) and its output shape; refuses what it cannot build."""
    rank = _CONVOLUTIONS[keras_class]
    _check_channels_last(config, shape, rank, where)
    dilation = _per_axis(config.get("dilation_rate", 1), rank, "dilation_rate", where)
    if any(d != 1 for d in dilation):
        raise fail(f"{where}: dilation_rate {list(dilation)} is not supported (only 1)")
    if int(config.get("groups", 1) or 1) != 1:
        raise fail(f"{where}: groups {config.get('groups')} is not supported (only 1)")
    padding = _padding(config, where)
    strides = _per_axis(config.get("strides", 1), rank, "strides", where)
    use_bias = config.get("use_bias", True)
    kernel, *rest = _weights_for(weights, name, 1 + int(use_bias), keras_class)
    expected = tuple(_per_axis(config.get("kernel_size", kernel.shape[:rank]), rank, "kernel_size", where)) + \
        (shape[-1], int(config.get("filters", kernel.shape[-1])))
    if kernel.shape != expected:
        raise fail(f"{where}: kernel shape {kernel.shape} does not match kernel_size, input channels and filters "
                   f"{expected}")
    geometry = [output_geometry(n, k, s, padding) for n, k, s in zip(shape[:-1], kernel.shape[:rank], strides)]
    if any(size < 1 for size, _, _ in geometry):
        raise fail(f"{where}: kernel {list(kernel.shape[:rank])} is larger than its input {shape[:-1]}")
    bias = rest[0] if use_bias else np.zeros(kernel.shape[-1])
    return (ConvSpec(name, keras_class, kernel, bias, strides, padding),
            [size for size, _, _ in geometry] + [int(kernel.shape[-1])])


def _reshape_target(config: dict, shape: list, where: str) -> list:
    target = [int(n) for n in config.get("target_shape", [])]
    total = int(np.prod(shape))
    if target.count(-1) == 1:
        known = int(np.prod([n for n in target if n != -1]))
        target = [total // known if n == -1 else n for n in target]
    if int(np.prod(target)) != total or any(n < 1 for n in target):
        raise fail(f"{where}: target_shape {config.get('target_shape')} does not hold the {total} elements of {shape}")
    return target


def build_model_spec(keras_file: KerasFile) -> ModelSpec:
    """Walk the layer list once and emit the chain of specs."""
    model_name, layers = _layer_list(keras_file.config)
    if not layers:
        raise fail(f"{keras_file.source}: model has no layers")
    weights = weights_by_layer_name(keras_file, layers)
    input_spec: InputSpec | None = None
    fixed = False  # the input's shape is known once the first computing layer is reached
    shape: list | None = None
    specs: list = []
    for index, layer in enumerate(layers):
        keras_class = layer.get("class_name", "?")
        config = layer.get("config", {}) or {}
        name = str(config.get("name", layer.get("name", f"layer{index}")))
        where = f"layer {name} ({keras_class})"
        if input_spec is None:
            shape = _input_shape(config)
            if shape is None:
                raise fail(f"{where}: cannot find the model's input shape (no batch_input_shape)")
            if keras_class == "InputLayer":
                input_spec = InputSpec(name, 0)
                continue
            input_spec = InputSpec(f"{name}_input", 0)
        if keras_class in _REFUSED:
            raise fail(f"{where}: Lambda layers are refused: loading them would execute code from the model file")
        if keras_class in _NO_OPS:
            continue
        if keras_class in ("Flatten", "Reshape"):
            target = [int(np.prod(shape))] if keras_class == "Flatten" else _reshape_target(config, shape, where)
            if fixed:  # after a computing layer: a node (wires); before one, it only shapes the input
                specs.append(ReshapeSpec(name, keras_class, tuple(target)))
            shape = target
            continue
        if not fixed and keras_class in _FIRST_LAYERS:
            input_spec.shape, fixed = tuple(int(n) for n in shape), True
        if keras_class in ("Dense", "QDense"):
            if len(shape) != 1:
                raise fail(f"{where}: input shape {shape} is not flat; add a Flatten layer")
            kernel, *rest = _weights_for(weights, name, 1 + int(config.get("use_bias", True)), keras_class)
            bias = rest[0] if config.get("use_bias", True) else np.zeros(kernel.shape[1])
            if kernel.shape != (shape[0], int(config.get("units", kernel.shape[1]))):
                raise fail(f"{where}: kernel shape {kernel.shape} does not match input size {shape[0]} and units")
            dense = DenseSpec(name, keras_class, kernel, bias)
            _quantizers(dense, keras_class, config, where)
            specs.append(dense)
            specs.extend(_built_in_activation(name, keras_class, config, where))
            shape = [kernel.shape[1]]
            continue
        if keras_class in _CONVOLUTIONS:
            conv, shape = _convolution(name, keras_class, config, weights, shape, where)
            _quantizers(conv, keras_class, config, where)
            specs.append(conv)
            specs.extend(_built_in_activation(name, keras_class, config, where))
            continue
        if keras_class in _POOLINGS:
            pooling, shape = _pooling(name, keras_class, config, shape, where)
            specs.append(pooling)
            continue
        if keras_class in _NOT_YET:
            raise fail(f"{where}: {keras_class} is not supported yet (average pooling is); the Verilog max tree for "
                       "pooling windows is the next step")
        if not fixed and keras_class in _ELEMENTWISE:
            raise fail(f"{where}: the first computing layer must be Dense, a convolution, a pooling or a "
                       "BatchNormalization")
        if keras_class == "BatchNormalization":
            axis = int(_per_axis(config.get("axis", -1), 1, "axis", where)[0])
            if axis not in (-1, len(shape)):
                raise fail(f"{where}: axis {config.get('axis')} is not the channel axis (the last)")
            folded = specs and isinstance(specs[-1], (DenseSpec, ConvSpec)) and specs[-1].kernel_type is None
            if folded:  # right after a float linear layer: folded into its weights, as hls4ml does
                _fold_batchnorm(specs[-1], layer, weights)
            else:
                specs.append(_batchnorm(name, layer, weights, shape))
            continue
        if keras_class == "Activation":
            specs.append(ActivationSpec(name, keras_class, _activation_name(config.get("activation"), where)))
            continue
        if keras_class == "ReLU":
            if config.get("max_value") is not None or float(config.get("negative_slope", 0) or 0) != 0:
                raise fail(f"{where}: ReLU with max_value or negative_slope is not supported")
            specs.append(ActivationSpec(name, keras_class, "relu"))
            continue
        if keras_class == "Softmax":
            specs.append(ActivationSpec(name, keras_class, "softmax"))
            continue
        if keras_class == "QActivation":
            function, result_type = activation_quantizer(config.get("activation"), f"{where}, activation")
            specs.append(ActivationSpec(name, keras_class, function, result_type))
            continue
        raise fail(f"{where}: unsupported layer type {keras_class!r}; rtl4ml supports Dense, QDense, Conv1D, Conv2D, "
                   "QConv1D, QConv2D, Activation, ReLU, Softmax, QActivation, BatchNormalization (after a linear "
                   "layer), Dropout, Flatten, Reshape")
    if input_spec is None or not fixed or not specs:
        raise fail(f"{keras_file.source}: model has no Dense or convolution layer")
    return ModelSpec(str(model_name), input_spec, specs)


def load_keras_model(model_path: str | Path, weights_path: str | Path | None = None) -> ModelSpec:
    """Read a Keras model file and return its layer chain."""
    return build_model_spec(read_keras_file(model_path, weights_path))
