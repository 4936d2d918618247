"""Turn a Keras/QKeras architecture + weights into framework-neutral layer specs wired by name (frontends/spec.py).

This is the only place that knows Keras class names. It walks Sequential and functional models
(branches, merges, several outputs), folds BatchNormalization into the preceding float Dense or
convolution when nothing else reads it, drops Dropout, resolves a Flatten in front of everything
into the input's shape, and splits a layer with a built-in activation into two (as hls4ml does). Anything it
does not know is refused with the layer's name: Lambda and custom layers would run
arbitrary code, and guessing at unknown layers would make silently wrong hardware.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import Rtl4mlError, fail
from ..ir.layers.conv import output_geometry
from ..ir.layers.piecewise_linear import STEP_FUNCTIONS
from .hgq_types import element_type, exact_between_quantizers
from .keras_file import KerasFile, read_keras_file, weights_by_layer_name
from .qkeras_quantizers import (activation_quantizer, binary_weights, levels_type, quantized_bits_type,
                                quantized_weights, quantizer_name_and_params, ternary_weights)
from .spec import (ActivationSpec, BatchNormSpec, ConvSpec, CroppingSpec, DenseSpec, ElementQuantizerSpec, InputSpec,
                   MergeSpec, ModelSpec, PermuteSpec, PoolingSpec, RECURRENT_GATES, RecurrentSpec, ReshapeSpec,
                   UpSamplingSpec, ZeroPaddingSpec, per_channel_kernel)

ACTIVATIONS = ("linear", "relu", "softmax", "sigmoid", "tanh", "relu6", "relu1", "hard_sigmoid", "hard_tanh", "elu",
               "selu", "softplus", "softsign", "binary_tanh", "ternary_tanh")
_NO_OPS = ("Dropout", "AlphaDropout", "GaussianDropout", "GaussianNoise", "ActivityRegularization")
_REFUSED = ("Lambda", "TFOpLambda", "SlicingOpLambda")


# ----------------------------------------------------------------------------- the Keras layer graph


# What reading a hand-edited or damaged architecture raises where it assumed a mapping, a list or a number
MALFORMED = (AttributeError, TypeError, KeyError, IndexError, ValueError, OverflowError, RecursionError)


@contextmanager
def malformed_config(where: str):
    """Turn the error of a config value of the wrong kind into one line naming where it was."""
    try:
        yield
    except Rtl4mlError:
        raise
    except MALFORMED as exc:
        raise fail(f"{where}: malformed config ({exc.__class__.__name__}: {exc})"[:500]) from None


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


def _layer_name(layer: dict) -> str:
    return str(layer.get("name", (layer.get("config") or {}).get("name")))


def _endpoints(value) -> list[str]:
    """Layer names of a functional model's input_layers/output_layers ([name, node, tensor] or a list of them)."""
    if isinstance(value, list) and value and isinstance(value[0], str):
        return [value[0]]
    return [name for item in (value or []) for name in _endpoints(item)]


def _layer_graph(config: dict) -> tuple[str, list[dict], dict[str, list[str]], list[str]]:
    """(model name, layers in data-flow order, inbound layer names per layer, output layer names)."""
    class_name = config.get("class_name")
    inner = config.get("config", {})
    if class_name == "Sequential":
        layers = list(inner if isinstance(inner, list) else inner.get("layers", []))
        name = "sequential" if isinstance(inner, list) else inner.get("name", "sequential")
        names = [_layer_name(layer) for layer in layers]
        inbound = {n: ([names[k - 1]] if k else []) for k, n in enumerate(names)}
        return name, layers, inbound, names[-1:]
    if class_name in ("Model", "Functional"):
        layers = inner.get("layers", [])
        inbound = {_layer_name(layer): _inbound_names(layer.get("inbound_nodes", [])) for layer in layers}
        starts = [n for n, sources in inbound.items() if not sources]
        if len(starts) != 1:
            raise fail(f"model has {len(starts)} inputs ({', '.join(map(str, starts))}); rtl4ml supports one input")
        seen: set[str] = set()
        for layer in layers:  # Keras writes the layers in data-flow order; anything else is refused, not guessed
            name = _layer_name(layer)
            missing = [source for source in inbound[name] if source not in seen]
            if missing:
                raise fail(f"layer {name}: reads {missing[0]!r}, which is not an earlier layer of the model file")
            seen.add(name)
        outputs = _endpoints(inner.get("output_layers")) or [_layer_name(layers[-1])]
        return inner.get("name", "model"), layers, inbound, outputs
    raise fail(f"top-level class {class_name!r} is not a Keras Sequential or functional Model")


def _input_shape(layer_config: dict) -> list | None:
    for key in ("batch_input_shape", "batch_shape"):
        if layer_config.get(key) is not None:
            return list(layer_config[key])[1:]
    return None


def _activation(value, where: str) -> tuple[str, dict]:
    """(function, parameters) of a Keras activation given by name (Keras 3 serializes a dict)."""
    keras3 = isinstance(value, dict)
    if keras3:  # {"class_name": "function", "config": "relu"}
        value = value.get("config", value.get("class_name"))
        if isinstance(value, dict):
            value = value.get("name")
    name = str(value or "linear")
    if name not in ACTIVATIONS:
        raise fail(f"{where}: unsupported activation {name!r}; rtl4ml supports {', '.join(ACTIVATIONS)}")
    if name == "hard_sigmoid":  # tf_keras: clip(0.2 x + 0.5, 0, 1); Keras 3: relu6(x + 3) / 6
        return name, {"slope": 1 / 6 if keras3 else 0.2, "shift": 0.5}
    if name == "hard_tanh":  # Keras 3: clip(x, -1, 1), i.e. 2 * clip(x / 2 + 1/2, 0, 1) - 1
        return name, {"slope": 0.5, "shift": 0.5}
    if name in ("relu6", "relu1"):  # relu1: hls4ml's name for ReLU clipped at 1
        return "relu", {"max_value": float(name[-1])}
    return name, {}


def _weights_for(weights: dict, name: str, count: int, keras_class: str) -> list[np.ndarray]:
    arrays = weights.get(name)
    if arrays is None or len(arrays) < count:
        found = 0 if arrays is None else len(arrays)
        raise fail(f"layer {name} ({keras_class}): expected {count} weight arrays, found {found} in the weights file")
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    for index, array in enumerate(arrays):
        if not np.all(np.isfinite(array)):
            bad = array[~np.isfinite(array)]
            raise fail(f"layer {name} ({keras_class}): weight array {index} (shape {array.shape}) holds {bad.size} "
                       f"non-finite values (first: {bad[0]}); the model file's weights are damaged or diverged")
    return arrays


def _batchnorm_scale_shift(layer: dict, weights: dict) -> tuple[np.ndarray, np.ndarray]:
    """Inference-time BatchNormalization as y = x * scale + shift."""
    config = layer["config"]
    name = config["name"]
    arrays = _weights_for(weights, name, 2 + int(config.get("scale", True)) + int(config.get("center", True)),
                          "BatchNormalization")
    return _scale_shift(arrays, config)


def _scale_shift(statistics: list[np.ndarray], config: dict) -> tuple[np.ndarray, np.ndarray]:
    """y = x * scale + shift from gamma (when `scale`), beta (when `center`), moving mean and variance, in order."""
    statistics = list(statistics)
    gamma = statistics.pop(0) if config.get("scale", True) else 1.0
    beta = statistics.pop(0) if config.get("center", True) else 0.0
    mean, variance = statistics[:2]
    factor = gamma / np.sqrt(variance + float(config.get("epsilon", 1e-3)))
    return factor * np.ones_like(mean), beta - mean * factor


def _fold_batchnorm(dense: DenseSpec | ConvSpec, layer: dict, weights: dict) -> None:
    factor, shift = _batchnorm_scale_shift(layer, weights)
    dense.kernel = dense.kernel * factor
    dense.bias = dense.bias * factor + shift


def _folded_conv_batchnorm(name: str, config: dict, weights: dict) -> dict:
    """QKeras QConv2DBatchnorm at inference: the kernel and bias with the batch norm folded in (moving statistics,
    as its call() does outside training), which its kernel and bias quantizers then quantize; as a weights entry."""
    use_bias = config.get("use_bias", True)
    arrays = _weights_for(weights, name, 3 + int(use_bias), "QConv2DBatchnorm")
    kernel = arrays.pop(0)
    bias = arrays.pop(0) if use_bias else 0.0
    # the scalar `iteration` counter sits among the batch norm's arrays
    factor, shift = _scale_shift([a for a in arrays if a.ndim > 0], config)
    return {name: [kernel * factor, bias * factor + shift]}


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
    """The PoolingSpec of a Keras average or max pooling layer and its output shape."""
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


_CONVOLUTIONS = {"Conv1D": 1, "Conv2D": 2, "QConv1D": 1, "QConv2D": 2, "QConv2DBatchnorm": 2}
_POOLINGS = {f"{scope}{kind}Pooling{rank}D": rank for scope in ("", "Global") for kind in ("Average", "Max")
             for rank in (1, 2)}
# Keras wiring layers: (spatial rank, the config field of their per-axis setting, spec class)
_SPATIAL_ENDS = {"ZeroPadding1D": (1, "padding", ZeroPaddingSpec), "ZeroPadding2D": (2, "padding", ZeroPaddingSpec),
                 "Cropping1D": (1, "cropping", CroppingSpec), "Cropping2D": (2, "cropping", CroppingSpec)}
_UPSAMPLINGS = {"UpSampling1D": 1, "UpSampling2D": 2}


def _spatial_ends(name: str, keras_class: str, config: dict, shape: list, where: str):
    """The spec of a Keras ZeroPadding or Cropping 1D/2D ((before, after) per axis, or one symmetric width per axis
    or for all) and its output shape."""
    rank, field, spec_class = _SPATIAL_ENDS[keras_class]
    _check_channels_last(config, shape, rank, where)
    value = config.get(field, 1)
    if isinstance(value, (list, tuple)):
        axes = [value] if rank == 1 else list(value)  # 1-D: (before, after); 2-D: one entry per axis
    else:
        axes = [value] * rank
    pairs = []
    for axis in axes:
        pair = _per_axis(axis, 2, field, where)
        if min(pair) < 0:
            raise fail(f"{where}: {field} {value!r} is negative")
        pairs.append(pair)
    if len(pairs) != rank:
        raise fail(f"{where}: {field} {value!r} does not have {rank} entries")
    sign = -1 if spec_class is CroppingSpec else 1
    out_shape = [n + sign * (a + b) for n, (a, b) in zip(shape[:-1], pairs)] + [shape[-1]]
    if min(out_shape) < 1:
        raise fail(f"{where}: cropping {value!r} leaves nothing of its input {shape}")
    return spec_class(name, keras_class, tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)), out_shape


def _upsampling(name: str, keras_class: str, config: dict, shape: list, where: str):
    """The UpSamplingSpec of a Keras UpSampling1D/2D (nearest only) and its output shape."""
    rank = _UPSAMPLINGS[keras_class]
    _check_channels_last(config, shape, rank, where)
    if config.get("interpolation", "nearest") != "nearest":
        raise fail(f"{where}: interpolation {config.get('interpolation')!r} is not supported (only 'nearest')")
    size = _per_axis(config.get("size", 2), rank, "size", where)
    if min(size) < 1:
        raise fail(f"{where}: size {config.get('size')!r} must be at least 1 on every axis")
    return UpSamplingSpec(name, keras_class, size), [n * k for n, k in zip(shape[:-1], size)] + [shape[-1]]


def _permute(name: str, config: dict, shape: list, where: str):
    """The PermuteSpec of a Keras Permute (its dims count from 1, after the batch axis) and its output shape."""
    dims = [int(d) for d in config.get("dims", [])]
    if sorted(dims) != list(range(1, len(shape) + 1)):
        raise fail(f"{where}: dims {config.get('dims')!r} is not a permutation of 1..{len(shape)} (input {shape})")
    return PermuteSpec(name, "Permute", tuple(d - 1 for d in dims)), [shape[d - 1] for d in dims]


# HGQ (v1) proxy models (HGQ.proxy.to_proxy_model): per-element fixed-point quantizers between Keras layers
_HGQ_QUANTIZERS = ("HGQ>FixedPointQuantizer", "FixedPointQuantizer")


_HGQ_TABLES = ("HGQ>UnaryLUT", "UnaryLUT")


def _unary_lut(name: str, config: dict, weights: dict, where: str, inputs: tuple) -> ActivationSpec:
    """HGQ's UnaryLUT: a table over every (k, i, f) input code, its entries already in the (k, i, f) output type."""
    kif_in, kif_out = config.get("kif_in"), config.get("kif_out")
    if not (isinstance(kif_in, list) and isinstance(kif_out, list) and len(kif_in) == len(kif_out) == 3):
        raise fail(f"{where}: kif_in / kif_out are not (k, i, f) triples ({kif_in!r}, {kif_out!r})")
    table = _weights_for(weights, name, 1, "UnaryLUT")[0].reshape(-1)
    k, i, f = (int(n) for n in kif_out)
    result_type = element_type(k, k + i + f, k + i, "TRN", "WRAP", where)
    if result_type is None:
        raise fail(f"{where}: its output has no bits")
    return ActivationSpec(name, "UnaryLUT", "lookup", result_type, inputs=inputs,
                          parameters={"table": table, "table_kif": tuple(int(n) for n in kif_in)})


def _fixed_point_quantizer(name: str, config: dict, weights: dict, shape: list, where: str,
                           inputs: tuple) -> ElementQuantizerSpec:
    """keep_negative, bits and integers per element (broadcast over the tensor): ap_fixed<bits, integers>, signed
    when keep_negative, in the layer's RND/SAT modes; an element of 0 bits is 0."""
    arrays = _weights_for(weights, name, 3, "FixedPointQuantizer")
    try:
        keep, bits, integers = (np.broadcast_to(a, (1, *shape)).reshape(-1) for a in arrays[:3])
    except ValueError:
        raise fail(f"{where}: bit widths of shape {arrays[1].shape} do not fit the tensor {tuple(shape)}") from None
    rounding, overflow = str(config.get("RND", "TRN")), str(config.get("SAT", "WRAP"))
    types = tuple(element_type(int(k), int(b), int(i), rounding, overflow, where)
                  for k, b, i in zip(keep.tolist(), bits.tolist(), integers.tolist()))
    return ElementQuantizerSpec(name, "FixedPointQuantizer", types, inputs=inputs)


_ELEMENTWISE = ("Activation", "ReLU", "LeakyReLU", "ThresholdedReLU", "ELU", "Softmax", "QActivation")


def _quantizers(spec, keras_class: str, config: dict, where: str) -> None:
    """QKeras layers: the kernel and bias types they were trained with."""
    if keras_class.startswith("Q"):
        spec.kernel, spec.kernel_type = quantized_weights(spec.kernel, config.get("kernel_quantizer"),
                                                          f"{where}, kernel_quantizer")
        spec.bias, spec.bias_type = quantized_weights(spec.bias, config.get("bias_quantizer"),
                                                      f"{where}, bias_quantizer")
    elif keras_class in _LEGACY_DENSE:
        _legacy_kernel(spec, keras_class, config, where)


# The binary and ternary Dense layers of hls4ml's published binary/ternary jet taggers (Keras 2 custom layers after
# BinaryNet): the kernel binarized (H at and above 0, else -H) or ternarized (H above H/2, -H at and below -H/2,
# else 0: hls4ml's TernaryQuantizer at H = 1); the bias stays a real number, as their call() adds it.
_LEGACY_DENSE = ("BinaryDense", "TernaryDense")


def _legacy_kernel(spec, keras_class: str, config: dict, where: str) -> None:
    scale = config.get("H", 1.0)
    if scale == "Glorot":  # as their build() sets it
        scale = float(np.sqrt(1.5 / (spec.kernel.shape[0] + spec.kernel.shape[1])))
    scale = float(scale)
    if keras_class == "BinaryDense":
        spec.kernel = binary_weights(spec.kernel, scale)
    else:
        spec.kernel = ternary_weights(spec.kernel, scale, scale / 2, strict=True)
    try:
        spec.kernel_type = levels_type([-scale, 0.0, scale], where)
    except Rtl4mlError:
        spec.kernel_type = None  # H is no short binary fraction: the config's weight precision rounds it


def _built_in_activation(name: str, keras_class: str, config: dict, where: str) -> list:
    """A Dense/Conv layer's own activation as a separate spec, as hls4ml splits it (none when linear)."""
    activation = config.get("activation", "linear")
    if keras_class.startswith("Q"):
        function, parameters, result_type = activation_quantizer(activation, f"{where}, activation")
    else:
        (function, parameters), result_type = _activation(activation, where), None
    if function == "linear" and result_type is None:
        return []
    return [ActivationSpec(f"{name}_{function}", keras_class, function, result_type, parameters=parameters)]


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


_DEPTHWISE = {"DepthwiseConv1D": 1, "DepthwiseConv2D": 2, "SeparableConv1D": 1, "SeparableConv2D": 2,
              "QDepthwiseConv2D": 2, "QSeparableConv1D": 1, "QSeparableConv2D": 2}


def _depthwise(name: str, keras_class: str, config: dict, weights: dict, shape: list, where: str) -> list:
    """[(ConvSpec, output shape)] of a Keras DepthwiseConv1D/2D (one convolution) or SeparableConv1D/2D (the
    depthwise convolution `<name>_depthwise`, then the pointwise one `<name>` with the bias)."""
    rank = _DEPTHWISE[keras_class]
    separable = "Separable" in keras_class
    _check_channels_last(config, shape, rank, where)
    if any(d != 1 for d in _per_axis(config.get("dilation_rate", 1), rank, "dilation_rate", where)):
        raise fail(f"{where}: dilation_rate {config.get('dilation_rate')} is not supported (only 1)")
    use_bias = config.get("use_bias", True)
    arrays = _weights_for(weights, name, 1 + int(separable) + int(use_bias), keras_class)
    depthwise = arrays[0]
    multiplier = int(config.get("depth_multiplier", 1))
    if depthwise.shape[rank:] != (shape[-1], multiplier):
        raise fail(f"{where}: depthwise kernel shape {depthwise.shape} does not match {shape[-1]} input channels "
                   f"and depth_multiplier {multiplier}")
    quantized = keras_class.startswith("Q")  # QKeras: each tensor through its own quantizer, as trained
    depthwise_type = pointwise_type = bias_type = None
    if quantized:
        depthwise, depthwise_type = quantized_weights(depthwise, config.get("depthwise_quantizer"),
                                                      f"{where}, depthwise_quantizer")
        if separable:
            arrays[1], pointwise_type = quantized_weights(arrays[1], config.get("pointwise_quantizer"),
                                                          f"{where}, pointwise_quantizer")
        if use_bias:
            arrays[-1], bias_type = quantized_weights(arrays[-1], config.get("bias_quantizer"),
                                                      f"{where}, bias_quantizer")
    full = per_channel_kernel(depthwise)
    padding, strides = _padding(config, where), _per_axis(config.get("strides", 1), rank, "strides", where)
    geometry = [output_geometry(n, k, s, padding) for n, k, s in zip(shape[:-1], full.shape[:rank], strides)]
    if any(size < 1 for size, _, _ in geometry):
        raise fail(f"{where}: kernel {list(full.shape[:rank])} is larger than its input {shape[:-1]}")
    spatial = [size for size, _, _ in geometry]
    bias = arrays[-1] if use_bias else np.zeros(arrays[1].shape[-1] if separable else full.shape[-1])
    if not separable:
        return [(ConvSpec(name, keras_class, full, bias, strides, padding, depthwise_type, bias_type),
                 spatial + [full.shape[-1]])]
    pointwise = arrays[1]
    depthwise_spec = ConvSpec(f"{name}_depthwise", keras_class, full, np.zeros(full.shape[-1]), strides, padding,
                              depthwise_type)
    pointwise_spec = ConvSpec(name, keras_class, pointwise, bias, (1,) * rank, "valid", pointwise_type, bias_type,
                              inputs=(depthwise_spec.name,))
    return [(depthwise_spec, spatial + [full.shape[-1]]), (pointwise_spec, spatial + [pointwise.shape[-1]])]


def _reshape_target(config: dict, shape: list, where: str) -> list:
    target = [int(n) for n in config.get("target_shape", [])]
    total = int(np.prod(shape))
    if target.count(-1) == 1:
        known = int(np.prod([n for n in target if n != -1]))
        target = [total // known if n == -1 else n for n in target]
    if int(np.prod(target)) != total or any(n < 1 for n in target):
        raise fail(f"{where}: target_shape {config.get('target_shape')} does not hold the {total} elements of {shape}")
    return target


_RECURRENT = {"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru", "QSimpleRNN": "simple_rnn", "QLSTM": "lstm",
              "QGRU": "gru"}


def _recurrent_quantizers(config: dict, where: str, kernel, recurrent_kernel, bias) -> dict:
    """A QKeras recurrent layer's trained types: its weights' quantizers read as for QDense, the state quantizer's
    type, and its activations (quantizers or QKeras functions by name)."""
    kernel, kernel_type = quantized_weights(kernel, config.get("kernel_quantizer"), f"{where}, kernel_quantizer")
    recurrent_kernel, recurrent_type = quantized_weights(recurrent_kernel, config.get("recurrent_quantizer"),
                                                         f"{where}, recurrent_quantizer")
    bias, bias_type = quantized_weights(bias, config.get("bias_quantizer"), f"{where}, bias_quantizer")
    state_type = None
    if config.get("state_quantizer") is not None:
        name, params = quantizer_name_and_params(config["state_quantizer"], f"{where}, state_quantizer")
        if name != "quantized_bits":
            raise fail(f"{where}, state_quantizer: {name} is not supported (quantized_bits is)")
        state_type = quantized_bits_type(params, f"{where}, state_quantizer")
    activations = {}
    for field, default in (("activation", "quantized_tanh"), ("recurrent_activation", "hard_sigmoid")):
        function, parameters, result_type = activation_quantizer(config.get(field, default), f"{where}, {field}")
        activations[field], activations[f"{field}_type"] = (function, parameters), result_type
    return dict(kernel=kernel, recurrent_kernel=recurrent_kernel, bias=bias, kernel_type=kernel_type,
                recurrent_type=recurrent_type, bias_type=bias_type, state_type=state_type, **activations)


def _recurrent(name: str, keras_class: str, config: dict, weights: dict, shape: list, where: str):
    """The RecurrentSpec of a Keras SimpleRNN, LSTM or GRU over a [steps, features] input, and its output shape."""
    if len(shape) != 2 or shape[0] is None:
        raise fail(f"{where}: input shape {shape} is not a sequence of a fixed number of steps [steps, features]")
    for flag in ("stateful", "return_state", "time_major"):
        if config.get(flag):
            raise fail(f"{where}: {flag}=True is not supported (each sequence starts from a zero state and the "
                       "layer returns its output only)")
    cell, units = _RECURRENT[keras_class], int(config["units"])
    use_bias = config.get("use_bias", True)
    kernel, recurrent_kernel, *rest = _weights_for(weights, name, 2 + int(use_bias), keras_class)
    gates = RECURRENT_GATES[cell]
    if kernel.shape != (shape[1], gates * units) or recurrent_kernel.shape != (units, gates * units):
        raise fail(f"{where}: kernel {kernel.shape} and recurrent kernel {recurrent_kernel.shape} do not fit "
                   f"{shape[1]} features and {units} units")
    reset_after = cell == "gru" and bool(config.get("reset_after", True))
    bias = rest[0] if use_bias else np.zeros((2, gates * units) if reset_after else gates * units)
    if keras_class.startswith("Q"):
        fields = _recurrent_quantizers(config, where, kernel, recurrent_kernel, bias)
    else:
        fields = dict(kernel=kernel, recurrent_kernel=recurrent_kernel, bias=bias,
                      activation=_activation(config.get("activation", "tanh"), where),
                      recurrent_activation=_activation(config.get("recurrent_activation", "sigmoid"), where))
    if cell == "simple_rnn":  # no gates
        fields.update(recurrent_activation=("linear", {}), recurrent_activation_type=None)
    if reset_after:  # [input bias, recurrent bias]
        fields["bias"], fields["recurrent_bias"] = fields["bias"][0], fields["bias"][1]
    spec = RecurrentSpec(name, keras_class, cell, units, reset_after=reset_after,
                         return_sequences=bool(config.get("return_sequences")),
                         go_backwards=bool(config.get("go_backwards")), unroll=bool(config.get("unroll")), **fields)
    return spec, [shape[0], units] if spec.return_sequences else [units]


_BIDIRECTIONAL_MERGES = {"concat": "concatenate", "sum": "add", "mul": "multiply", "ave": "average"}


def _wrapped(config: dict) -> tuple[str, dict]:
    """(class, config) of the layer a Bidirectional or TimeDistributed wrapper holds."""
    inner = config.get("layer") or {}
    return inner.get("class_name", "?"), dict(inner.get("config") or {})


def _bidirectional(name: str, config: dict, weights: dict, shape: list, where: str):
    """A Bidirectional recurrent layer: the forward and the backward layer (reading the steps the other way; with
    return_sequences, its states back in the input's step order, as Keras reverses them) and their merge."""
    inner_class, inner_config = _wrapped(config)
    if inner_class not in _RECURRENT:
        raise fail(f"{where}: Bidirectional over {inner_class} is not supported (SimpleRNN, LSTM, GRU and their "
                   "QKeras twins are)")
    mode = config.get("merge_mode", "concat")
    if mode not in _BIDIRECTIONAL_MERGES:
        raise fail(f"{where}: merge_mode {mode!r} is not supported (concat, sum, mul, ave; None returns two "
                   "tensors)")
    backward_config = dict((config.get("backward_layer") or {}).get("config") or inner_config)
    arrays = _weights_for(weights, name, 2, "Bidirectional")
    half = len(arrays) // 2
    specs = []
    for direction, layer_config, part in (("forward", inner_config, arrays[:half]),
                                          ("backward", backward_config, arrays[half:])):
        layer_name = f"{name}_{direction}"
        if direction == "backward":
            layer_config["go_backwards"] = not inner_config.get("go_backwards", False)
        spec, out_shape = _recurrent(layer_name, inner_class, layer_config, {layer_name: part}, shape,
                                     f"layer {layer_name} ({inner_class})")
        spec.time_order, spec.wrapper = direction == "backward", name
        specs.append(spec)
    operation = _BIDIRECTIONAL_MERGES[mode]
    merged = list(out_shape)
    if operation == "concatenate":
        merged[-1] *= 2
    merge = MergeSpec(name, "Bidirectional", operation, tuple(spec.name for spec in specs),
                      axis=len(out_shape) - 1 if operation == "concatenate" else None)
    return specs, merge, merged


def _time_distributed_dense(name: str, config: dict, weights: dict, shape: list, where: str):
    """TimeDistributed(Dense) over [steps, features]: the Dense at every step, i.e. a Conv1D of kernel size 1."""
    inner_class, inner_config = _wrapped(config)
    if inner_class not in ("Dense", "QDense") or len(shape) != 2:
        raise fail(f"{where}: TimeDistributed({inner_class}) over shape {shape} is not supported (a Dense or QDense "
                   "over [steps, features] is)")
    kernel, *rest = _weights_for(weights, name, 1 + int(inner_config.get("use_bias", True)), "TimeDistributed")
    bias = rest[0] if inner_config.get("use_bias", True) else np.zeros(kernel.shape[1])
    if kernel.shape[0] != shape[1]:
        raise fail(f"{where}: kernel shape {kernel.shape} does not match the {shape[1]} features of a step")
    conv = ConvSpec(name, inner_class, kernel[None], bias, (1,), "valid")
    _quantizers(conv, inner_class, inner_config, where)
    return conv, inner_class, inner_config, [shape[0], kernel.shape[1]]


_MERGES = {"Add": "add", "Subtract": "subtract", "Multiply": "multiply", "Average": "average", "Maximum": "maximum",
           "Minimum": "minimum", "Concatenate": "concatenate", "Dot": "dot"}


def _merge(name: str, keras_class: str, config: dict, sources: list, where: str) -> tuple[MergeSpec, list]:
    """The MergeSpec of a Keras merge layer and its output shape (shapes are checked by the IR builder)."""
    shapes = [list(shape) for _, shape in sources]
    names = tuple(spec for spec, _ in sources)
    if keras_class == "Concatenate":
        rank = len(shapes[0])
        axis = int(config.get("axis", -1))
        axis = axis + rank if axis < 0 else axis - 1  # Keras counts the batch axis
        if not 0 <= axis < rank:
            raise fail(f"{where}: axis {config.get('axis')} is not an axis of its {rank}-dimensional inputs")
        shape = list(shapes[0])
        shape[axis] = sum(s[axis] for s in shapes) if all(len(s) == rank for s in shapes) else shape[axis]
        return MergeSpec(name, keras_class, "concatenate", names, axis), shape
    if keras_class == "Dot":
        if config.get("normalize"):
            raise fail(f"{where}: normalize=True (cosine proximity) is not supported")
        axes = config.get("axes", -1)
        axes = axes if isinstance(axes, (list, tuple)) else [axes, axes]
        if any(len(shape) != 1 for shape in shapes) or any(int(a) not in (1, -1) for a in axes):
            raise fail(f"{where}: Dot is supported over flat tensors (axes 1 or -1); got shapes {shapes}, "
                       f"axes {config.get('axes')}")
        return MergeSpec(name, keras_class, "dot", names), [1]
    return MergeSpec(name, keras_class, _MERGES[keras_class], names), shapes[0]


class _SpecWalker:
    """Walks the Keras layers once, in data-flow order, turning each into specs wired by name.

    `tensors` maps a Keras layer name to (the spec producing its output, or the input; its shape):
    layers that are no-ops, or a Flatten/Reshape that only shapes the input, map to their source.
    """

    def __init__(self, layers: list[dict], inbound: dict[str, list[str]], weights: dict):
        self.layers, self.inbound, self.weights = layers, inbound, weights
        self.readers: dict[str, int] = {}
        for sources in inbound.values():
            for source in sources:
                self.readers[source] = self.readers.get(source, 0) + 1
        self.input_spec: InputSpec | None = None
        self.fixed = False  # the input's shape is known once a computing layer reads it
        self.hgq = False  # an HGQ proxy model: its quantizers' types are exact, and so is everything between them
        self.tensors: dict[str, tuple[str, list]] = {}
        self.specs: list = []
        self.by_name: dict[str, object] = {}

    def add(self, spec, keras_name: str, shape: list) -> None:
        self.specs.append(spec)
        self.by_name[spec.name] = spec
        self.tensors[keras_name] = (spec.name, list(shape))

    def fix_input(self) -> None:
        if not self.fixed:
            self.input_spec.shape, self.fixed = tuple(int(n) for n in self.tensors[self.input_spec.name][1]), True

    def walk(self) -> None:
        for index, layer in enumerate(self.layers):
            with malformed_config(f"layer {index}"):
                keras_class = layer.get("class_name", "?")
                config = layer.get("config", {}) or {}
                name = str(config.get("name", layer.get("name", f"layer{index}")))
            where = f"layer {name} ({keras_class})"
            with malformed_config(where):
                self.layer(name, keras_class, config, where)

    def layer(self, name: str, keras_class: str, config: dict, where: str) -> None:
        if self.input_spec is None:
            shape = _input_shape(config)
            if shape is None:
                raise fail(f"{where}: cannot find the model's input shape (no batch_input_shape)")
            input_name = name if keras_class == "InputLayer" else f"{name}_input"
            self.input_spec = InputSpec(input_name, 0)
            self.tensors[input_name] = (input_name, shape)
            if keras_class == "InputLayer":
                return
            self.inbound[name] = [input_name]
            self.readers[input_name] = 1
        sources = [self.tensors[source] for source in self.inbound[name]]
        if keras_class in _REFUSED:
            raise fail(f"{where}: Lambda layers are refused: loading them would execute code from the model file")
        if keras_class in _MERGES:
            if len(sources) < 2:
                raise fail(f"{where}: a merge needs at least two inputs, it has {len(sources)}")
            if any(spec == self.input_spec.name for spec, _ in sources):
                self.fix_input()
            merge, shape = _merge(name, keras_class, config, sources, where)
            self.add(merge, name, shape)
            return
        if len(sources) != 1:
            raise fail(f"{where}: has {len(sources)} inputs; only the merge layers take several")
        source, shape = sources[0]
        if keras_class in _NO_OPS:
            self.tensors[name] = (source, shape)
            return
        if keras_class in ("Flatten", "Reshape"):
            target = [int(np.prod(shape))] if keras_class == "Flatten" else _reshape_target(config, shape, where)
            if source == self.input_spec.name and not self.fixed and self.readers.get(source, 0) <= 1:
                self.tensors[name] = (source, target)  # before any computing layer: it only shapes the input
                self.tensors[self.input_spec.name] = (source, target)
            else:
                self.fix_input()
                self.add(ReshapeSpec(name, keras_class, tuple(target), inputs=(source,)), name, target)
            return
        if source == self.input_spec.name:
            self.fix_input()
            shape = self.tensors[self.input_spec.name][1]
        self.computing(name, keras_class, config, where, source, shape)

    def computing(self, name: str, keras_class: str, config: dict, where: str, source: str, shape: list) -> None:
        weights, inputs = self.weights, (source,)
        if keras_class in _HGQ_QUANTIZERS:  # an HGQ proxy model's per-element quantizer
            self.hgq = True
            self.add(_fixed_point_quantizer(name, config, weights, shape, where, inputs), name, shape)
            return
        if keras_class in _HGQ_TABLES:
            self.add(_unary_lut(name, config, weights, where, inputs), name, shape)
            return
        if keras_class in ("Dense", "QDense") + _LEGACY_DENSE:
            if len(shape) != 1:
                raise fail(f"{where}: input shape {shape} is not flat; add a Flatten layer")
            kernel, *rest = _weights_for(weights, name, 1 + int(config.get("use_bias", True)), keras_class)
            bias = rest[0] if config.get("use_bias", True) else np.zeros(kernel.shape[1])
            if kernel.shape != (shape[0], int(config.get("units", kernel.shape[1]))):
                raise fail(f"{where}: kernel shape {kernel.shape} does not match input size {shape[0]} and units")
            dense = DenseSpec(name, keras_class, kernel, bias, inputs=inputs)
            _quantizers(dense, keras_class, config, where)
            self.linear_with_activation(dense, name, keras_class, config, where, [kernel.shape[1]])
            return
        if keras_class in _CONVOLUTIONS:
            if keras_class == "QConv2DBatchnorm":
                weights, config = _folded_conv_batchnorm(name, config, weights), dict(config, use_bias=True)
            conv, out_shape = _convolution(name, keras_class, config, weights, shape, where)
            conv.inputs = inputs
            _quantizers(conv, keras_class, config, where)
            self.linear_with_activation(conv, name, keras_class, config, where, out_shape)
            return
        if keras_class in _DEPTHWISE:
            parts = _depthwise(name, keras_class, config, weights, shape, where)
            for spec, out_shape in parts[:-1]:
                spec.inputs = inputs
                self.add(spec, name, out_shape)
                inputs = (spec.name,)
            last, out_shape = parts[-1]
            last.inputs = inputs
            self.linear_with_activation(last, name, keras_class, config, where, out_shape)
            return
        if keras_class in _RECURRENT:
            recurrent, out_shape = _recurrent(name, keras_class, config, weights, shape, where)
            recurrent.inputs = inputs
            self.add(recurrent, name, out_shape)
            return
        if keras_class == "Bidirectional":
            directions, merge, out_shape = _bidirectional(name, config, weights, shape, where)
            for spec in directions:
                spec.inputs = inputs
                self.add(spec, spec.name, out_shape)
            self.add(merge, name, out_shape)
            return
        if keras_class == "TimeDistributed":
            conv, inner_class, inner_config, out_shape = _time_distributed_dense(name, config, weights, shape, where)
            conv.inputs = inputs
            self.linear_with_activation(conv, name, inner_class, inner_config, where, out_shape)
            return
        if keras_class in _POOLINGS:
            pooling, out_shape = _pooling(name, keras_class, config, shape, where)
            pooling.inputs = inputs
            self.add(pooling, name, out_shape)
            return
        if keras_class in _SPATIAL_ENDS or keras_class in _UPSAMPLINGS or keras_class == "Permute":
            if keras_class == "Permute":
                wiring, out_shape = _permute(name, config, shape, where)
            elif keras_class in _UPSAMPLINGS:
                wiring, out_shape = _upsampling(name, keras_class, config, shape, where)
            else:
                wiring, out_shape = _spatial_ends(name, keras_class, config, shape, where)
            wiring.inputs = inputs
            self.add(wiring, name, out_shape)
            return
        if keras_class == "BatchNormalization":
            axis = int(_per_axis(config.get("axis", -1), 1, "axis", where)[0])
            if axis not in (-1, len(shape)):
                raise fail(f"{where}: axis {config.get('axis')} is not the channel axis (the last)")
            producer = self.by_name.get(source)
            if isinstance(producer, (DenseSpec, ConvSpec)) and producer.kernel_type is None and \
                    producer.layer_type not in _LEGACY_DENSE and self.readers.get(source, 0) == 1:
                # right after a float linear layer that nothing else reads: folded into its weights, as hls4ml does
                _fold_batchnorm(producer, {"config": config}, weights)
                self.tensors[name] = (source, shape)
            else:
                spec = _batchnorm(name, {"config": config}, weights, shape)
                spec.inputs = inputs
                self.add(spec, name, shape)
            return
        function, parameters, result_type = self.activation_of(keras_class, config, where, shape)
        if source == self.input_spec.name and function == "linear" and result_type is not None:
            # a QActivation quantizing the model's input: the input arrives in its type, as QKeras feeds the next layer
            self.input_spec.result_type = result_type
        self.add(ActivationSpec(name, keras_class, function, result_type, inputs=inputs, parameters=parameters),
                 name, shape)

    def activation_of(self, keras_class: str, config: dict, where: str, shape: list) -> tuple[str, dict, object]:
        """(function, parameters, trained result type or None) of an activation layer on a `shape` tensor."""
        if keras_class == "Activation":
            return (*_activation(config.get("activation"), where), None)
        if keras_class == "ReLU":
            parameters = {"max_value": config.get("max_value"),
                          "negative_slope": float(config.get("negative_slope", 0) or 0),
                          "threshold": float(config.get("threshold", 0) or 0)}
            plain = parameters["max_value"] is None and not parameters["negative_slope"] and \
                not parameters["threshold"]
            return "relu", {} if plain else parameters, None
        if keras_class == "LeakyReLU":  # tf_keras calls the slope alpha, Keras 3 negative_slope
            return "leaky_relu", {"alpha": float(config.get("negative_slope", config.get("alpha", 0.3)))}, None
        if keras_class == "ThresholdedReLU":  # x above theta, else 0
            return "relu", {"threshold": float(config.get("theta", 1.0))}, None
        if keras_class == "ELU":
            return "elu", {"alpha": float(config.get("alpha", 1.0))}, None
        if keras_class == "Softmax":
            axis = config.get("axis", -1)
            axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
            if axis not in (-1, len(shape)):  # Keras counts the batch axis
                raise fail(f"{where}: softmax over axis {config.get('axis')} is not supported (only the last "
                           "axis; a Permute before and after it moves another one there)")
            return "softmax", {}, None
        if keras_class == "QActivation":
            return activation_quantizer(config.get("activation"), f"{where}, activation")
        raise fail(f"{where}: unsupported layer type {keras_class!r}; rtl4ml supports Dense, QDense, BinaryDense, "
                   "TernaryDense, Conv1D, Conv2D, QConv1D, QConv2D, QConv2DBatchnorm, DepthwiseConv1D/2D, "
                   "SeparableConv1D/2D, QDepthwiseConv2D, QSeparableConv1D/2D, AveragePooling, MaxPooling, "
                   "GlobalAveragePooling, GlobalMaxPooling, ZeroPadding, Cropping, UpSampling, Permute, Activation, "
                   "ReLU, LeakyReLU, ThresholdedReLU, ELU, Softmax, QActivation, BatchNormalization, Add, Subtract, "
                   "Multiply, Average, Maximum, Minimum, Concatenate, Dot, SimpleRNN, LSTM, GRU (and QKeras twins), "
                   "Bidirectional, TimeDistributed(Dense), Dropout, Flatten, Reshape")

    def linear_with_activation(self, spec, name: str, keras_class: str, config: dict, where: str, shape: list):
        self.add(spec, name, shape)
        for activation in _built_in_activation(name, keras_class, config, where):
            activation.inputs = (spec.name,)
            self.add(activation, name, shape)  # the Keras layer's tensor is the activation's output


def _fold_batchnorm_into_steps(specs: list, outputs: tuple[str, ...]) -> list:
    """A batch normalization read only by a step activation becomes per-channel thresholds of that activation
    (hls4ml folds them the same way): the comparison is made on its input, exactly, and no product is left."""
    by_name = {spec.name: spec for spec in specs}
    readers: dict[str, int] = {}
    for spec in specs:
        for name in spec.inputs:
            readers[name] = readers.get(name, 0) + 1
    folded = set()
    for spec in specs:
        if not (isinstance(spec, ActivationSpec) and spec.function in STEP_FUNCTIONS and len(spec.inputs) == 1):
            continue
        norm = by_name.get(spec.inputs[0])
        if isinstance(norm, BatchNormSpec) and readers.get(norm.name) == 1 and norm.name not in outputs:
            spec.parameters = dict(spec.parameters, channel_scale=[float(v) for v in norm.scale],
                                   channel_shift=[float(v) for v in norm.shift])
            spec.inputs = norm.inputs
            folded.add(norm.name)
    return [spec for spec in specs if spec.name not in folded]


def build_model_spec(keras_file: KerasFile) -> ModelSpec:
    """Walk the layers once, in data-flow order, and emit the specs wired by name, with the model's outputs."""
    with malformed_config(f"{keras_file.source}: model architecture"):  # each layer says its own name
        model_name, layers, inbound, outputs = _layer_graph(keras_file.config)
        if not layers:
            raise fail(f"{keras_file.source}: model has no layers")
        walker = _SpecWalker(layers, inbound, weights_by_layer_name(keras_file, layers))
        walker.walk()
        if walker.input_spec is None or not walker.fixed or not walker.specs:
            raise fail(f"{keras_file.source}: model has no Dense or convolution layer")
        output_specs = tuple(walker.tensors[name][0] for name in outputs)
        walker.specs = _fold_batchnorm_into_steps(walker.specs, output_specs)
    reads_input = [name for name in output_specs if name == walker.input_spec.name]
    if reads_input:
        raise fail(f"model output {outputs[output_specs.index(reads_input[0])]!r} is the model input itself; "
                   "rtl4ml builds outputs computed by layers")
    spec = ModelSpec(str(model_name), walker.input_spec, walker.specs, output_specs)
    return exact_between_quantizers(spec, keras_file.source) if walker.hgq else spec


def load_keras_model(model_path: str | Path, weights_path: str | Path | None = None) -> ModelSpec:
    """Read a Keras model file and return its layer chain."""
    return build_model_spec(read_keras_file(model_path, weights_path))
