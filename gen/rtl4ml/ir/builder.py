"""Build the IR from a frontend ModelSpec and a Config: quantize weights, derive accumulators, make tables.

The layer classes own their rules (accumulator sizing, tables); this module resolves each
layer's settings from the config and wires the layers into a graph.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from ..arrays import input_batch
from ..config import Config
from ..errors import fail
from ..fixed_point import MAX_ACCUM_WIDTH, MAX_TYPE_WIDTH, FixedType, quantize_float, to_float
from ..frontends.spec import (ActivationSpec, BatchNormSpec, ConvSpec, CroppingSpec, DenseSpec, ElementQuantizerSpec,
                              MergeSpec, ModelSpec, PermuteSpec, PoolingSpec, RecurrentSpec, ReshapeSpec,
                              UpSamplingSpec, ZeroPaddingSpec)
from .auto_types import TypeDeriver, is_auto
from .graph import ModelGraph
from .layers import (ActivationLayer, AveragePoolingLayer, BatchNormLayer, ConcatenateLayer, ConvLayer, CroppingLayer,
                     DenseLayer, DotLayer, ElementQuantizerLayer, ElementwiseMergeLayer, InputLayer, MaxPoolingLayer, PermuteLayer,
                     ReshapeLayer, UpSamplingLayer, ZeroPaddingLayer)
from .layers.conv import output_geometry
from .layers.element_quantizer import holding_type
from .layers.linear import check_reuse_factor, choose_accumulator
from .recurrent import build_recurrent
from .activation_layers import build_activation_layer


def _quantize_tensor(values: np.ndarray, trained_type: FixedType | None, target: FixedType) -> np.ndarray:
    """Codes of `values` in `target`; the type the model was trained with (a quantizer's) is applied first."""
    if trained_type is not None:
        values = to_float(quantize_float(values, trained_type), trained_type.frac)
    return quantize_float(values, target)


def _exact_result(name: str, exact: FixedType | None, configured: FixedType) -> FixedType:
    """A spec that asks for its exact result (the next layer quantizes it, as in HGQ) gets it when a data tensor
    may be that wide; else the configured type, with a warning."""
    if exact is not None and exact.width <= MAX_TYPE_WIDTH:
        return exact
    warnings.warn(f"layer {name}: its exact result needs more than {MAX_TYPE_WIDTH} bits (or an explicit accum "
                  f"rounds it); it is kept in {configured}, so the next quantizer sees it rounded", stacklevel=3)
    return configured


def _linear_settings(spec, source, config: Config, type_names: tuple[str, ...], kernel_2d: np.ndarray):
    """Settings, weight/bias types and codes, and accumulator of a Dense or convolution spec."""
    settings = config.resolve(spec.name, type_names)
    check_reuse_factor(spec.name, settings.reuse_factor, kernel_2d.shape[0], kernel_2d.shape[1])
    weight_type = settings.precision["weight"]
    if spec.kernel_type is not None and "weight" not in settings.explicit:
        weight_type = spec.kernel_type
    bias_type = settings.precision["bias"]
    if spec.bias_type is not None and "bias" not in settings.explicit:
        bias_type = spec.bias_type
    weight = _quantize_tensor(spec.kernel, spec.kernel_type, weight_type)
    bias = _quantize_tensor(spec.bias, spec.bias_type, bias_type)
    accum_type, exact = choose_accumulator(spec.name, weight.reshape(kernel_2d.shape), bias, source.result_type,
                                           weight_type, bias_type, settings.precision.get("accum"))
    result_type = settings.precision["result"]
    if getattr(spec, "exact_result", False) and "result" not in settings.explicit:
        result_type = _exact_result(spec.name, accum_type if exact else None, result_type)
    return dict(name=spec.name, inputs=(source.name,), input_type=source.result_type, weight=weight,
                weight_type=weight_type, bias=bias, bias_type=bias_type, accum_type=accum_type,
                accum_is_exact=exact, result_type=result_type, reuse_factor=settings.reuse_factor,
                reuse_chosen=settings.reuse_chosen, strategy=settings.strategy, pipeline_budget=settings.pipeline_budget,
                luts_per_dsp=settings.luts_per_dsp)


def _build_dense(spec: DenseSpec, source, config: Config) -> DenseLayer:
    n_in = int(np.prod(source.shape))
    if spec.kernel.shape[0] != n_in:
        raise fail(f"layer {spec.name} ({spec.layer_type}): its kernel has {spec.kernel.shape[0]} rows, its input "
                   f"{source.name} has {n_in} values (shape {source.shape})")
    types = ("Dense",) if spec.layer_type == "Dense" else ("Dense", spec.layer_type)
    return DenseLayer(shape=(spec.kernel.shape[1],), **_linear_settings(spec, source, config, types, spec.kernel))


def _build_conv(spec: ConvSpec, source, config: Config) -> ConvLayer:
    rank = spec.kernel.ndim - 2
    if len(source.shape) != rank + 1 or spec.kernel.shape[-2] != source.shape[-1]:
        raise fail(f"layer {spec.name} ({spec.layer_type}): its kernel {spec.kernel.shape} (kernel size, input "
                   f"channels, filters) does not fit its input {source.name} of shape {source.shape}")
    types = tuple(dict.fromkeys((f"Conv{rank}D", spec.layer_type)))
    geometry = [output_geometry(n, k, s, spec.padding)
                for n, k, s in zip(source.shape[:-1], spec.kernel.shape[:rank], spec.strides)]
    settings = _linear_settings(spec, source, config, types, spec.kernel.reshape(-1, spec.kernel.shape[-1]))
    return ConvLayer(shape=tuple(size for size, _, _ in geometry) + (spec.kernel.shape[-1],),
                     input_shape=source.shape, strides=spec.strides, pad_before=tuple(g[1] for g in geometry),
                     pad_after=tuple(g[2] for g in geometry), **settings)


def _build_batchnorm(spec: BatchNormSpec, source, config: Config) -> BatchNormLayer:
    if spec.scale.shape != (source.shape[-1],) or spec.shift.shape != (source.shape[-1],):
        raise fail(f"layer {spec.name} ({spec.layer_type}): {spec.scale.size} scales and {spec.shift.size} shifts "
                   f"for the {source.shape[-1]} channels of {source.name}")
    linear = DenseSpec(spec.name, spec.layer_type, spec.scale[None, :], spec.shift, spec.scale_type, spec.shift_type,
                       exact_result=spec.exact_result)  # one product per channel
    settings = _linear_settings(linear, source, config, ("BatchNormalization",), linear.kernel)
    settings["weight"] = settings["weight"].reshape(-1)
    return BatchNormLayer(shape=source.shape, **settings)


def _build_pooling(spec: PoolingSpec, source, config: Config) -> AveragePoolingLayer | MaxPoolingLayer:
    glob = spec.layer_type.startswith("Global")
    layer_class = MaxPoolingLayer if "Max" in spec.layer_type else AveragePoolingLayer
    hls4ml_type = f"{'Global' if glob else ''}Pooling{len(spec.pool_size)}D"  # hls4ml's LayerType names
    settings = config.resolve(spec.name, (hls4ml_type, spec.layer_type))
    geometry = [output_geometry(n, k, s, spec.padding)
                for n, k, s in zip(source.shape[:-1], spec.pool_size, spec.strides)]
    channels = source.shape[-1]
    if glob:
        shape = (1,) * len(spec.pool_size) + (channels,) if spec.keep_dims else (channels,)
    else:
        shape = tuple(g[0] for g in geometry) + (channels,)
    result_type = settings.precision["result"]
    if spec.exact_result and layer_class is MaxPoolingLayer and "result" not in settings.explicit:
        result_type = source.result_type  # the largest of its inputs, exactly
    return layer_class(name=spec.name, inputs=(source.name,), shape=shape, input_type=source.result_type,
                       result_type=result_type, input_shape=source.shape, pool_size=spec.pool_size,
                       strides=spec.strides, pad_before=tuple(g[1] for g in geometry),
                       pad_after=tuple(g[2] for g in geometry), pipeline_budget=settings.pipeline_budget)


# per wiring spec: its IR class, the hls4ml LayerType name a config uses for it, and the class's own fields
_WIRING = {ZeroPaddingSpec: (ZeroPaddingLayer, "ZeroPadding", ("before", "after")),
           CroppingSpec: (CroppingLayer, "Cropping", ("before", "after")),
           UpSamplingSpec: (UpSamplingLayer, "Resize", ("size",)),
           PermuteSpec: (PermuteLayer, "Transpose", ("axes",))}


def _build_wiring(spec, source, config: Config):
    layer_class, hls4ml_type, fields = _WIRING[type(spec)]
    # the type is kept (hls4ml's too): the codes are only moved (or are zeros), so a precision would change nothing
    explicit = config.resolve(spec.name, (hls4ml_type, spec.layer_type)).explicit
    if explicit:
        raise fail(f"layer {spec.name} ({spec.layer_type}): Precision {sorted(explicit)[0]} is not used, "
                   f"{layer_class.description.lower()} keeps its input's type ({source.result_type}); remove it "
                   "from the config")
    layer = layer_class(name=spec.name, inputs=(source.name,), shape=(), result_type=source.result_type,
                        input_shape=source.shape, **{field: getattr(spec, field) for field in fields})
    problem = layer.problem()
    if problem:
        raise fail(f"layer {spec.name} ({spec.layer_type}): {problem}")
    layer.shape = layer.rearranged_shape()
    return layer


def _build_reshape(spec: ReshapeSpec, source, config: Config) -> ReshapeLayer:
    return ReshapeLayer(name=spec.name, inputs=(source.name,), shape=spec.shape, result_type=source.result_type)


def _build_element_quantizer(spec: ElementQuantizerSpec, source, config: Config):
    """Per-element types: one quantizing activation when they are all the same, else an element quantizer whose
    result type holds every one of them exactly (the quantizer's types are the layer; a config does not retype it)."""
    where = f"layer {spec.name} ({spec.layer_type})"
    if len(spec.types) != source.n_out:
        raise fail(f"{where}: {len(spec.types)} element types for a tensor of {source.n_out} elements")
    distinct = list(dict.fromkeys(spec.types))
    if len(distinct) == 1:
        return ActivationLayer(name=spec.name, inputs=(source.name,), shape=source.shape, function="linear",
                               input_type=source.result_type, result_type=distinct[0])
    result_type = holding_type(distinct)
    if result_type.width > MAX_TYPE_WIDTH:
        raise fail(f"{where}: its element types ({', '.join(map(str, distinct[:4]))}, ...) together need "
                   f"{result_type.width} bits (> {MAX_TYPE_WIDTH}): their LSBs and ranges are too far apart")
    return ElementQuantizerLayer(name=spec.name, inputs=(source.name,), shape=source.shape,
                                 input_type=source.result_type, element_types=tuple(distinct),
                                 groups=tuple(distinct.index(t) for t in spec.types), result_type=result_type)


# hls4ml's LayerType names of the activations (a config's LayerType section may use these)
_ACTIVATION_TYPES = {"softmax": "Softmax", "relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU",
                     "hard_sigmoid": "HardActivation", "hard_tanh": "HardActivation", "ternary_tanh": "TernaryTanh"}


def _build_activation(spec: ActivationSpec, source, config: Config):
    settings = config.resolve(spec.name, tuple(dict.fromkeys(("Activation", spec.layer_type,
                                                              _ACTIVATION_TYPES.get(spec.function, "Activation")))))
    result_type = settings.precision["result"]
    if spec.result_type is not None and "result" not in settings.explicit:
        result_type = spec.result_type
    elif spec.exact_result and spec.function in ("relu", "linear") and not spec.parameters and \
            "result" not in settings.explicit:
        result_type = source.result_type  # relu or identity: the input's type holds the result exactly
    if "channel_scale" in spec.parameters:  # a batch normalization folded into a step function's thresholds
        channels = len(spec.parameters["channel_scale"])
        if channels != source.shape[-1]:
            raise fail(f"layer {spec.name} ({spec.layer_type}): {channels} per-channel thresholds for "
                       f"{source.shape[-1]} channels")
    return build_activation_layer(spec.name, (source.name,), source.shape, spec.function, spec.parameters,
                                  source.result_type, result_type, settings)


# hls4ml's LayerType names for the merge layers (Add, Subtract, Multiply are all its "Merge")
_MERGE_TYPES = {"add": "Merge", "subtract": "Merge", "multiply": "Merge", "average": "Merge", "maximum": "Merge",
               "minimum": "Merge", "concatenate": "Concatenate", "dot": "Dot"}


def _check_merge_shapes(spec: MergeSpec, sources: list) -> None:
    shapes = [source.shape for source in sources]
    where = f"layer {spec.name} ({spec.layer_type})"
    if len(sources) != 2:  # as in hls4ml, whose merge layers are binary
        raise fail(f"{where}: has {len(sources)} inputs; merges of exactly two inputs are supported")
    if spec.operation == "concatenate":
        rest = {shape[:spec.axis] + shape[spec.axis + 1:] for shape in shapes}
        if len({len(shape) for shape in shapes}) != 1 or spec.axis >= len(shapes[0]) or len(rest) != 1:
            raise fail(f"{where}: cannot concatenate shapes {', '.join(map(str, shapes))} along axis {spec.axis}")
    elif spec.operation == "dot":
        if any(len(shape) != 1 for shape in shapes) or shapes[0] != shapes[1]:
            raise fail(f"{where}: Dot takes two flat tensors of one length; got shapes {shapes[0]} and {shapes[1]}")
    elif len(set(shapes)) != 1:
        raise fail(f"{where}: its inputs have different shapes ({', '.join(map(str, shapes))})")


def _build_merge(spec: MergeSpec, sources: list, config: Config):
    _check_merge_shapes(spec, sources)
    settings = config.resolve(spec.name, tuple(dict.fromkeys((_MERGE_TYPES[spec.operation], spec.layer_type))))
    common = dict(name=spec.name, inputs=tuple(source.name for source in sources),
                  input_types=tuple(source.result_type for source in sources), result_type=settings.precision["result"],
                  pipeline_budget=settings.pipeline_budget)
    if spec.operation == "concatenate":
        shape = list(sources[0].shape)
        shape[spec.axis] = sum(source.shape[spec.axis] for source in sources)
        return ConcatenateLayer(shape=tuple(shape), axis=spec.axis,
                                input_shapes=tuple(source.shape for source in sources), **common)
    if spec.operation == "dot":
        layer = DotLayer(shape=(1,), input_n=sources[0].n_out, **common)
    else:
        layer = ElementwiseMergeLayer(shape=sources[0].shape, operation=spec.operation,
                                      luts_per_dsp=settings.luts_per_dsp, **common)
    if layer.exact_type.width > MAX_ACCUM_WIDTH:
        raise fail(f"layer {spec.name} ({spec.layer_type}): its exact result needs {layer.exact_type.width} bits "
                   f"(> {MAX_ACCUM_WIDTH} supported); narrow its inputs' precisions")
    if spec.exact_result and "result" not in settings.explicit:
        layer.result_type = _exact_result(spec.name, layer.exact_type, layer.result_type)
    return layer


_BUILDERS = {DenseSpec: _build_dense, ConvSpec: _build_conv, BatchNormSpec: _build_batchnorm,
             PoolingSpec: _build_pooling, ReshapeSpec: _build_reshape, ActivationSpec: _build_activation,
             ZeroPaddingSpec: _build_wiring, CroppingSpec: _build_wiring, UpSamplingSpec: _build_wiring,
             PermuteSpec: _build_wiring, ElementQuantizerSpec: _build_element_quantizer}


def _build_input(spec: ModelSpec, config: Config) -> InputLayer:
    settings = config.resolve(spec.input.name, ("Input", "InputLayer"))
    result_type = settings.precision["result"]
    if spec.input.result_type is not None and "result" not in settings.explicit:
        result_type = spec.input.result_type
    return InputLayer(name=spec.input.name, inputs=(), shape=spec.input.shape, result_type=result_type)


def calibration_array(spec: ModelSpec, data, source: str) -> np.ndarray:
    """Calibration inputs as real values [events, *input shape], checked (shape, finite numbers)."""
    batch = input_batch(data, tuple(spec.input.shape), source, f"model input {spec.input.name}")
    if not len(batch):
        raise fail(f"{source} holds no events")
    return batch.reshape((len(batch),) + tuple(spec.input.shape)).astype(np.float64)


def build_ir(spec: ModelSpec, config: Config, name: str | None = None, calibration=None,
             calibration_source: str = "calibration data") -> ModelGraph:
    """The IR of `spec` under `config`; `calibration` (real input values) sizes `auto` types by observed ranges."""
    config.check_layer_names(spec.layer_names())
    deriver = None
    if config.uses_auto:
        config = dataclasses.replace(config, derived={})  # the derived types belong to this build only
        deriver = TypeDeriver(None if calibration is None else calibration_array(spec, calibration,
                                                                                   calibration_source),
                              calibration_source)
    elif calibration is not None:
        warnings.warn(f"{calibration_source} is not used: no Precision in the config is auto", stacklevel=2)

    def finished(build):
        """build() with every auto result type derived (a rebuild per derivation), its range recorded."""
        layer = build()
        if deriver is None:
            return layer
        if is_auto(layer):
            auto = layer.result_type
            config.derived[layer.name] = deriver.interval_type(layer)
            layer = build()
            if deriver.calibrating:
                config.derived[layer.name] = deriver.calibrated_type(layer, auto)
                layer = build()
        deriver.record(layer)
        return layer

    model_input = finished(lambda: _build_input(spec, config))
    tensors, layers, previous = {model_input.name: model_input}, [], model_input
    for layer_spec in spec.layers:
        missing = [name for name in layer_spec.inputs if name not in tensors]
        if missing:
            raise fail(f"layer {layer_spec.name}: reads {missing[0]!r}, which no earlier layer produces")
        sources = [tensors[name] for name in layer_spec.inputs] or [previous]
        if isinstance(layer_spec, MergeSpec):
            built = [finished(lambda: _build_merge(layer_spec, sources, config))]
        elif isinstance(layer_spec, RecurrentSpec):  # lowered to the layers of its cells, the last one its output
            built = [finished(lambda layer=layer: layer) for layer in build_recurrent(layer_spec, sources[0], config)]
        else:
            built = [finished(lambda: _BUILDERS[type(layer_spec)](layer_spec, sources[0], config))]
        for previous in built:
            tensors[previous.name] = previous
            layers.append(previous)
    return ModelGraph(name or config.project_name, model_input, layers, tuple(spec.outputs),
                      derived_types=deriver.notes if deriver else {})
