"""Random small MLPs, some behind a convolution (zero padding before it; average or max pooling, then a cropping,
up-sampling or permute and a softmax over the rows after it) or a recurrent layer (SimpleRNN, LSTM, GRU over a short
sequence), some with a side branch merged into the last layer (add/subtract/multiply/
average/maximum/minimum/concatenate/dot, sometimes a second output), with every activation the frontend reads
(parametrized ones with their constants), as plain JSON specs, and how to turn one into a model + config.

A spec holds everything as integer codes and type strings (weights at the extremes of
their type and exact zeros included), so a failing case is a self-contained JSON file
that can be kept as a regression case and replayed without any randomness.
"""

from __future__ import annotations

import numpy as np

from ..fixed_point import FixedType, parse_precision
from ..frontends.spec import (ActivationSpec, BatchNormSpec, ConvSpec, CroppingSpec, DenseSpec, InputSpec, MergeSpec,
                             ModelSpec, PermuteSpec, PoolingSpec, RECURRENT_GATES, RecurrentSpec, ReshapeSpec,
                             UpSamplingSpec, ZeroPaddingSpec, per_channel_kernel)
from ..ir.layers.conv import output_geometry
from ..ir.recurrent import LAYER_TYPES
from ..ir.layers.piecewise_linear import STEP_FUNCTIONS

ACTIVATIONS = ("relu", "linear", "sigmoid", "tanh", None, "leaky_relu", "clipped_relu", "hard_sigmoid", "hard_tanh",
               "binary_tanh", "ternary_tanh", "ternary", "elu", "selu", "softplus", "softsign")


def _draw_activation(choose, options=ACTIVATIONS) -> dict:
    """An activation name and, for the parametrized ones, its constants (as the Keras frontend would pass them)."""
    function = choose.choice(options)
    parameters = {}
    if function == "leaky_relu":
        parameters = {"alpha": choose.choice((0.01, 0.25, 0.3))}
    elif function == "clipped_relu":  # ReLU(max_value, threshold, negative_slope)
        function, parameters = "relu", {"max_value": choose.choice((1.0, 6.0, 2.75)),
                                        "threshold": choose.choice((0.0, 0.5, 1.0)),
                                        "negative_slope": choose.choice((0.0, 0.125, 0.2))}
    elif function in ("hard_sigmoid", "hard_tanh"):
        parameters = {"slope": choose.choice((0.2, 0.5)), "shift": 0.5}
    elif function == "ternary":
        parameters = {"threshold": choose.choice((0.33, 0.5, 1.0)), "alpha": choose.choice((1.0, 0.5))}
    elif function == "elu":
        parameters = {"alpha": choose.choice((1.0, 0.5))}
    return {"activation": function, "activation_parameters": parameters}


def _fold_a_batchnorm(choose, layer: dict, units: int) -> None:
    """Sometimes a step activation with a batch normalization folded in (per-channel scale and shift: positive,
    negative and zero scales), as the Keras frontend folds one in front of binary/ternary activations."""
    if layer["activation"] in STEP_FUNCTIONS and choose.integer(0, 1):
        layer["activation_parameters"] = dict(layer["activation_parameters"],
                                              channel_scale=[choose.choice((-1.5, -0.3, 0.0, 0.25, 2.0))
                                                             for _ in range(units)],
                                              channel_shift=[choose.choice((-0.7, 0.0, 0.1, 1.25))
                                                             for _ in range(units)])


def _layer_config(layer: dict) -> dict:
    precision = {"weight": layer["weight_type"], "bias": layer["bias_type"], "result": layer["result_type"]}
    if layer.get("accum_type"):
        precision["accum"] = layer["accum_type"]
    config = {"Precision": precision}
    if layer.get("reuse_factor"):  # only when drawn: ReuseFactor 1 given would keep a streamed Dense unfolded
        config["ReuseFactor"] = layer["reuse_factor"]
    if layer.get("pipeline_budget"):
        config["PipelineBudget"] = layer["pipeline_budget"]
    if layer.get("luts_per_dsp") is not None:
        config["LutsPerDsp"] = layer["luts_per_dsp"]
    return config


def _float(codes, type_text: str) -> np.ndarray:
    return np.asarray(codes, dtype=np.float64) * 2.0**-parse_precision(type_text).frac


def padded_spatial(conv: dict) -> list[int]:
    """The spatial axes the convolution reads: its input's, with the zero padding before it."""
    spatial = conv["input_shape"][:-1]
    pad = conv.get("zero_padding") or {"before": [0] * len(spatial), "after": [0] * len(spatial)}
    return [n + a + b for n, a, b in zip(spatial, pad["before"], pad["after"])]


def conv_output_shape(conv: dict) -> list[int]:
    """The convolution's output shape, after its pooling when it has one."""
    spatial = [output_geometry(n, k, s, conv["padding"])[0]
               for n, k, s in zip(padded_spatial(conv), conv["kernel_size"], conv["strides"])]
    skip = conv.get("skip")  # a concatenated skip connection adds the input's channels
    channels = conv["filters"] + (conv["input_shape"][-1] if skip and skip["operation"] == "concatenate" else 0)
    pool = conv.get("pool")
    if pool and pool["global"]:
        return [channels]
    if pool:
        spatial = [output_geometry(n, k, s, pool["padding"])[0]
                   for n, k, s in zip(spatial, pool["pool_size"], pool["strides"])]
    shape = spatial + [channels]
    wiring = conv.get("wiring")
    if wiring and wiring["kind"] == "cropping":
        return [n - a - b for n, a, b in zip(spatial, wiring["before"], wiring["after"])] + shape[-1:]
    if wiring and wiring["kind"] == "upsampling":
        return [n * k for n, k in zip(spatial, wiring["size"])] + shape[-1:]
    if wiring:
        return [shape[a] for a in wiring["axes"]]
    return shape


def _wiring_spec(wiring: dict, rank: int):
    """The spec of a conv design's wiring layer after the convolution (and its pooling)."""
    if wiring["kind"] == "permute":
        return PermuteSpec("wire", "Permute", tuple(wiring["axes"]))
    if wiring["kind"] == "upsampling":
        return UpSamplingSpec("wire", f"UpSampling{rank}D", tuple(wiring["size"]))
    return CroppingSpec("wire", f"Cropping{rank}D", tuple(wiring["before"]), tuple(wiring["after"]))


RECURRENT_TENSORS = ("weight", "recurrent_weight", "bias", "preactivation", "gate", "candidate", "cell", "result")


def recurrent_output_size(recurrent: dict) -> int:
    return recurrent["units"] * (recurrent["steps"] if recurrent["return_sequences"] else 1)


def _recurrent_spec(recurrent: dict) -> RecurrentSpec:
    cell = recurrent["cell"]
    bias = _float(recurrent["bias"], recurrent["bias_type"])
    return RecurrentSpec(
        "rnn", LAYER_TYPES[cell], cell, recurrent["units"],
        _float(recurrent["weights"], recurrent["weight_type"]),
        _float(recurrent["recurrent_weights"], recurrent["recurrent_weight_type"]),
        bias[0] if recurrent["reset_after"] else bias, activation=(recurrent["activation"], {}),
        recurrent_activation=(recurrent["recurrent_activation"], {}),
        recurrent_bias=bias[1] if recurrent["reset_after"] else None, reset_after=recurrent["reset_after"],
        return_sequences=recurrent["return_sequences"], go_backwards=recurrent["go_backwards"])


def realize(spec: dict, project: str = "myproject") -> tuple[ModelSpec, dict]:
    """ModelSpec and hls4ml-style config of a random-design spec."""
    input_name = "x"
    layers, names = [], {input_name: {"Precision": {"result": spec["input_type"]}}}
    input_shape = spec["n_in"]
    conv = spec.get("conv")
    if conv:
        input_shape = tuple(conv["input_shape"])
    recurrent = spec.get("recurrent")
    if recurrent:  # a recurrent layer over the input sequence, its states flattened for the dense layers
        input_shape = (recurrent["steps"], recurrent["features"])
        layers.append(_recurrent_spec(recurrent))
        names["rnn"] = {"Precision": {tensor: recurrent[f"{tensor}_type"] for tensor in RECURRENT_TENSORS},
                        "ReuseFactor": recurrent.get("reuse_factor", 1)}
        if recurrent["return_sequences"]:
            layers.append(ReshapeSpec("flat", "Flatten", (recurrent_output_size(recurrent),)))
    norm = spec.get("batchnorm")
    if norm:  # a standalone batch norm on the input (per channel: the last axis)
        layers.append(BatchNormSpec("norm", "BatchNormalization", _float(norm["scale"], norm["weight_type"]),
                                    _float(norm["shift"], norm["bias_type"])))
        names["norm"] = _layer_config(norm)
    if conv:  # a convolution over the input tensor (and its pooling), flattened for the dense layers
        rank = len(conv["kernel_size"])
        if conv.get("zero_padding"):
            pad = conv["zero_padding"]
            layers.append(ZeroPaddingSpec("zpad", f"ZeroPadding{rank}D", tuple(pad["before"]), tuple(pad["after"])))
        kernel = _float(conv["weights"], conv["weight_type"])
        if conv.get("depthwise"):  # [*k, C, m] per channel, as the Keras frontend reads a DepthwiseConv
            kernel = per_channel_kernel(kernel)
        layers.append(ConvSpec("conv", f"{'Depthwise' if conv.get('depthwise') else ''}Conv{rank}D", kernel,
                               _float(conv["bias"], conv["bias_type"]), tuple(conv["strides"]), conv["padding"]))
        names["conv"] = _layer_config(conv)
        if conv.get("activation"):
            layers.append(ActivationSpec("conv_act", "Activation", conv["activation"],
                                         parameters=conv.get("activation_parameters") or {}))
            names["conv_act"] = {"Precision": {"result": conv["activation_type"]}}
        skip = conv.get("skip")
        if skip:  # the convolution's output merged with what it read
            read = "zpad" if conv.get("zero_padding") else ("norm" if norm else input_name)
            operation = skip["operation"]
            layers.append(MergeSpec("skip", operation.capitalize(), operation, (layers[-1].name, read),
                                    axis=rank if operation == "concatenate" else None))
            names["skip"] = {"Precision": {"result": skip["result_type"]}}
        pool = conv.get("pool")
        if pool:
            spatial = conv_output_shape(dict(conv, pool=None))[:-1]
            operation = "Max" if pool.get("kind") == "max" else "Average"
            kind = f"{'Global' if pool['global'] else ''}{operation}Pooling{rank}D"
            layers.append(PoolingSpec("pool", kind, tuple(spatial) if pool["global"] else tuple(pool["pool_size"]),
                                      tuple(spatial) if pool["global"] else tuple(pool["strides"]),
                                      "valid" if pool["global"] else pool["padding"]))
            names["pool"] = {"Precision": {"result": pool["result_type"]}}
        if conv.get("wiring"):
            layers.append(_wiring_spec(conv["wiring"], rank))
        if conv.get("softmax_type"):  # a softmax over the last axis, row by row
            layers.append(ActivationSpec("rows_softmax", "Softmax", "softmax"))
            names["rows_softmax"] = {"Precision": {"result": conv["softmax_type"]}}
        layers.append(ReshapeSpec("flat", "Flatten", (int(np.prod(conv_output_shape(conv))),)))
    tensors = [layers[-1].name if layers else input_name]  # what fc0 reads, then each dense layer's output
    for index, layer in enumerate(spec["layers"]):
        tensors.append(_append_dense(layers, names, f"fc{index}", f"act{index}", layer))
    outputs = ()
    branch = spec.get("branch")
    if branch:  # a side Dense from an earlier tensor, merged with the last one; sometimes an output as well
        side = _append_dense(layers, names, "side", "side_act", branch["side"], inputs=(tensors[branch["tap"] + 1],))
        operation = branch["operation"]
        layers.append(MergeSpec("merge", operation.capitalize(), operation, (tensors[-1], side),
                                axis=0 if operation == "concatenate" else None))
        names["merge"] = {"Precision": {"result": branch["result_type"]}}
        outputs = ("merge", side) if branch["side_is_output"] else ("merge",)
    model = ModelSpec(project, InputSpec(input_name, input_shape), layers, outputs)
    return model, {"HLSConfig": {"Model": {"Precision": "ap_fixed<16,6>"}, "LayerName": names}, "ProjectName": project}


def _append_dense(layers: list, names: dict, name: str, activation_name: str, layer: dict,
                  inputs: tuple[str, ...] = ()) -> str:
    """Append a dense layer spec (and its activation) with its config; return the name of its output tensor."""
    layers.append(DenseSpec(name, "Dense", _float(layer["weights"], layer["weight_type"]),
                            _float(layer["bias"], layer["bias_type"]), inputs=inputs))
    names[name] = _layer_config(layer)
    if not layer.get("activation"):
        return name
    layers.append(ActivationSpec(activation_name, "Activation", layer["activation"],
                                 parameters=layer.get("activation_parameters") or {}))
    names[activation_name] = {"Precision": {"result": layer["activation_type"]}}
    return activation_name


def stimulus(spec: dict, events: int, seed: int) -> np.ndarray:
    """Inputs at, inside and beyond the representable range of the input type."""
    t = parse_precision(spec["input_type"])
    rng = np.random.default_rng(seed)
    span = t.max_value - t.min_value
    X = rng.uniform(t.min_value - 0.3 * span, t.max_value + 0.3 * span, size=(events, spec["n_in"]))
    X[: min(events, 4)] = np.array([t.min_value, t.max_value, 0.0, 2.0**-t.frac])[: min(events, 4), None]
    return X


def weight_codes(type_text: str, shape: tuple, rng: np.random.Generator) -> list:
    """Codes with the extremes of the type and exact zeros well represented."""
    t = parse_precision(type_text)
    codes = rng.integers(t.min_code, t.max_code + 1, size=shape)
    pick = rng.random(shape)
    codes = np.where(pick < 0.15, t.min_code, np.where(pick < 0.3, t.max_code, np.where(pick < 0.5, 0, codes)))
    return codes.tolist()


# ----------------------------------------------------------------------------- drawing designs


class NumpyChooser:
    """Random choices from a seeded numpy generator (for batches of many designs)."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def integer(self, low: int, high: int) -> int:
        return int(self.rng.integers(low, high + 1))

    def choice(self, options):
        return options[int(self.rng.integers(0, len(options)))]

    def seed(self) -> int:
        return int(self.rng.integers(0, 2**32 - 1))


class HypothesisChooser:
    """The same choices drawn through hypothesis (so failures shrink)."""

    def __init__(self, draw):
        from hypothesis import strategies as st

        self.draw, self.st = draw, st

    def integer(self, low: int, high: int) -> int:
        return self.draw(self.st.integers(low, high))

    def choice(self, options):
        return self.draw(self.st.sampled_from(list(options)))

    def seed(self) -> int:
        return self.draw(self.st.integers(0, 2**32 - 1))


ODD_TYPES = ("ap_fixed<3,1>", "ap_fixed<18,2>", "ap_int<8>", "ap_ufixed<4,0>")


def draw_type(choose, max_width: int = 18, signed: bool | None = None) -> str:
    from ..fixed_point import OVERFLOW_MODES, ROUNDING_MODES

    odd = choose.choice(ODD_TYPES + (None,) * 6)
    if odd and signed is None:
        base = parse_precision(odd)
    else:
        width = choose.integer(2, max_width)
        base = FixedType(width, choose.integer(-2, width + 2), bool(choose.integer(0, 1)) if signed is None else signed)
    t = FixedType(base.width, base.integer, base.signed, choose.choice(ROUNDING_MODES), choose.choice(OVERFLOW_MODES))
    return str(t)


def _draw_reuse(choose, products: int) -> dict:
    """Sometimes time-multiplexed multipliers (ReuseFactor > 1), as hls4ml allows them."""
    if choose.integer(0, 2) == 0:
        divisors = [r for r in range(2, 9) if products % r == 0]
        if divisors:
            return {"reuse_factor": choose.choice(tuple(divisors))}
    return {}


def _draw_linear_types(choose, activation: dict) -> dict:
    accum = None
    if choose.integer(0, 3) == 0:  # sometimes an explicit (wrapping) accumulator
        accum = str(parse_precision(draw_type(choose, signed=True)).with_modes(overflow="AP_WRAP"))
    # by default nearly every product is shift-add; LutsPerDsp 0 or 2 keeps many on DSP multipliers, 4096 puts a
    # streamed Dense's generic products in LUTs
    return {"weight_type": draw_type(choose, 12), "bias_type": draw_type(choose, 12), "result_type": draw_type(choose),
            **activation, "activation_type": draw_type(choose) if activation["activation"] else None,
            "accum_type": accum, "luts_per_dsp": choose.choice((None, 0, 2, 4096))}


def draw_conv(choose, rng: np.random.Generator, max_width: int, streamable: bool = False) -> dict:
    """A Conv1D/Conv2D over a small channels-last input: any kernel that fits, stride 1-2, valid or same.

    streamable: only what a streaming core builds (no permute, and pooling windows without padding),
    over larger frames."""
    rank = choose.integer(1, 2)
    largest = min(7, max_width) if rank == 1 else max(1, min(4, max_width // 2 - 1))
    if streamable:
        largest = 9 if rank == 1 else 6
    spatial = [choose.integer(1, largest) for _ in range(rank)]
    channels, filters = choose.integer(1, 3), choose.integer(1, 3)
    depthwise = choose.integer(0, 3) == 0  # sometimes a depthwise convolution: `filters` is its depth multiplier
    padding = None
    if choose.integer(0, 3) == 0:  # sometimes zero padding before it
        padding = {"before": [choose.integer(0, 2) for _ in spatial], "after": [choose.integer(0, 2) for _ in spatial]}
    reach = [n + (padding["before"][i] + padding["after"][i] if padding else 0) for i, n in enumerate(spatial)]
    kernel = [choose.integer(1, n) for n in reach]
    conv = {"input_shape": spatial + [channels], "zero_padding": padding, "kernel_size": kernel,
            "strides": [choose.integer(1, 2) for _ in range(rank)], "padding": choose.choice(("valid", "same")),
            "filters": channels * filters if depthwise else filters, "depthwise": depthwise,
            **_draw_linear_types(choose, _draw_activation(choose, ("relu", "linear", None, "leaky_relu", "elu")))}
    conv["weights"] = weight_codes(conv["weight_type"], tuple(kernel) + (channels, filters), rng)
    filters = conv["filters"]
    conv["bias"] = weight_codes(conv["bias_type"], (filters,), rng) if choose.integer(0, 1) else [0] * filters
    conv.update(_draw_reuse(choose, int(np.prod(kernel)) * channels * filters))
    if choose.integer(0, 3) == 0:
        conv["pipeline_budget"] = choose.integer(1, 10)
    if streamable and conv["padding"] == "same" and set(conv["strides"]) == {1} and choose.integer(0, 2) == 0:
        conv["skip"] = draw_skip(choose, channels, filters)
    if choose.integer(0, 2) == 0:  # sometimes average or max pooling after it: windows that fit, or global
        spatial = conv_output_shape(conv)[:-1]
        conv["pool"] = {"kind": choose.choice(("average", "max")), "global": bool(choose.integer(0, 1)),
                        "pool_size": [choose.integer(1, n) for n in spatial],
                        "strides": [choose.integer(1, 2) for _ in spatial],
                        "padding": "valid" if streamable else choose.choice(("valid", "same")),
                        "result_type": draw_type(choose)}
    conv["wiring"] = _draw_wiring(choose, conv_output_shape(conv), ("cropping", "upsampling") if streamable else
                                  ("cropping", "upsampling", "permute"))
    if len(conv_output_shape(conv)) > 1 and choose.integer(0, 5) == 0:  # sometimes a softmax over its rows
        conv["softmax_type"] = draw_type(choose, signed=False)
    return conv


def draw_skip(choose, channels: int, filters: int) -> dict:
    """A skip connection around a 'same' stride-1 convolution: its output merged with its input, elementwise when
    the channels agree, else concatenated."""
    operations = ("concatenate",) + (tuple(m for m in MERGES if m not in ("concatenate", "dot"))
                                     if channels == filters else ())
    return {"operation": choose.choice(operations), "result_type": draw_type(choose)}


def _draw_wiring(choose, shape: list[int], kinds: tuple[str, ...]) -> dict | None:
    """Sometimes a cropping, nearest up-sampling or permute (of `kinds`) of the convolution's (pooled) output."""
    kind = choose.choice(kinds + (None,) * len(kinds))
    if kind is None or len(shape) < 2:
        return None
    spatial = shape[:-1]
    if kind == "permute":
        axes = list(range(len(shape)))
        for k in range(len(axes) - 1, 0, -1):  # a random permutation, drawn through the chooser
            j = choose.integer(0, k)
            axes[k], axes[j] = axes[j], axes[k]
        return {"kind": "permute", "axes": axes}
    if kind == "upsampling":
        return {"kind": "upsampling", "size": [choose.integer(1, 3) for _ in spatial]}
    before = [choose.integer(0, n - 1) for n in spatial]
    return {"kind": "cropping", "before": before,
            "after": [choose.integer(0, n - 1 - b) for n, b in zip(spatial, before)]}


def _draw_recurrent_type(choose) -> str:
    """A type of 4 to 14 bits with its binary point inside it, so [x; h] and h - cand fit a data tensor exactly."""
    from ..fixed_point import OVERFLOW_MODES, ROUNDING_MODES

    width = choose.integer(4, 14)
    signed = bool(choose.integer(0, 1))
    return str(FixedType(width, choose.integer(0, width), signed, choose.choice(ROUNDING_MODES),
                         choose.choice(OVERFLOW_MODES)))


def draw_recurrent(choose, rng: np.random.Generator) -> dict:
    """A SimpleRNN, LSTM or GRU (either reset_after, either direction) over 1-4 steps of 1-3 features, 1-3 units,
    each of its tensors in a random type, its activations among those with a recurrent form."""
    cell = choose.choice(tuple(RECURRENT_GATES))
    recurrent = {"cell": cell, "steps": choose.integer(1, 4), "features": choose.integer(1, 3),
                 "units": choose.integer(1, 3), "return_sequences": bool(choose.integer(0, 1)),
                 "go_backwards": bool(choose.integer(0, 1)), "reset_after": cell == "gru" and bool(choose.integer(0, 1)),
                 "activation": choose.choice(("tanh", "relu", "linear", "hard_sigmoid", "sigmoid")),
                 "recurrent_activation": choose.choice(("sigmoid", "hard_sigmoid", "tanh")),
                 **{f"{tensor}_type": _draw_recurrent_type(choose) for tensor in RECURRENT_TENSORS}}
    if cell == "simple_rnn":
        recurrent["recurrent_activation"] = "linear"
    # a ReuseFactor dividing the units divides every Dense of the cell (each has `units` columns)
    recurrent["reuse_factor"] = choose.choice((1, 1, recurrent["units"]))
    columns = RECURRENT_GATES[cell] * recurrent["units"]
    recurrent["weights"] = weight_codes(recurrent["weight_type"], (recurrent["features"], columns), rng)
    recurrent["recurrent_weights"] = weight_codes(recurrent["recurrent_weight_type"], (recurrent["units"], columns),
                                                  rng)
    recurrent["bias"] = weight_codes(recurrent["bias_type"], (2, columns) if recurrent["reset_after"] else (columns,),
                                     rng)
    return recurrent


def draw_batchnorm(choose, rng: np.random.Generator, channels: int) -> dict:
    """A standalone batch norm on the input: per-channel scale and shift codes in random types."""
    norm = _draw_linear_types(choose, {"activation": None})
    norm["scale"] = weight_codes(norm["weight_type"], (channels,), rng)
    norm["shift"] = weight_codes(norm["bias_type"], (channels,), rng)
    return norm


def draw_design(choose, max_width: int = 24, max_depth: int = 4, streamable: bool = False) -> dict:
    """One random design spec: sometimes a convolution, then 1..max_depth dense layers, sometimes a merged side
    branch; random types and modes. streamable: a convolution (3 in 4) or a recurrent layer (its static form), and
    only what a streaming core builds (one output; sometimes a skip connection around a 'same' convolution)."""
    rng = np.random.default_rng(choose.seed())  # the many weight codes come from here
    fronts = ("conv",) * 3 + ("recurrent",) if streamable else ("conv", "conv", "recurrent") + (None,) * 5
    front = choose.choice(fronts)  # streamable: 3/4 and 1/4; else 1/4 and 1/8
    conv = draw_conv(choose, rng, max_width, streamable) if front == "conv" else None
    recurrent = draw_recurrent(choose, rng) if front == "recurrent" else None
    n_in = int(np.prod(conv["input_shape"])) if conv else choose.integer(1, max_width)
    if recurrent:
        n_in = recurrent["steps"] * recurrent["features"]
    spec = {"n_in": n_in, "input_type": _draw_recurrent_type(choose) if recurrent else draw_type(choose),
            "layers": []}
    if conv:
        spec["conv"] = conv
    if recurrent:
        spec["recurrent"] = recurrent
    elif choose.integer(0, 4) == 0:
        spec["batchnorm"] = draw_batchnorm(choose, rng, conv["input_shape"][-1] if conv else n_in)
    depth = choose.integer(1, max_depth)
    width_in = int(np.prod(conv_output_shape(conv))) if conv else n_in
    if recurrent:
        width_in = recurrent_output_size(recurrent)
    for index in range(depth):
        units = choose.integer(1, max_width)
        options = ACTIVATIONS + (("softmax",) if index == depth - 1 else ())
        layer = {"units": units, **_draw_linear_types(choose, _draw_activation(choose, options))}
        _fold_a_batchnorm(choose, layer, units)
        layer["weights"] = weight_codes(layer["weight_type"], (width_in, units), rng)
        layer["bias"] = weight_codes(layer["bias_type"], (units,), rng)
        layer.update(_draw_reuse(choose, width_in * units))
        if choose.integer(0, 3) == 0:  # sometimes a layer's own pipeline budget
            layer["pipeline_budget"] = choose.integer(1, 10)
        spec["layers"].append(layer)
        width_in = units
    if choose.integer(0, 3) == 0:  # a streaming core has one output: its side branch only merges
        spec["branch"] = draw_branch(choose, rng, spec, max_width, side_output=not streamable)
    return spec


MERGES = ("add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot")


def draw_branch(choose, rng: np.random.Generator, spec: dict, max_width: int, side_output: bool = True) -> dict:
    """A side Dense reading the input of the dense layers or one of their outputs, merged with the last output."""
    tap = choose.integer(-1, len(spec["layers"]) - 1)
    width_in = len(spec["layers"][0]["weights"]) if tap < 0 else spec["layers"][tap]["units"]
    operation = choose.choice(MERGES)
    units = choose.integer(1, max_width) if operation == "concatenate" else spec["layers"][-1]["units"]
    side = {"units": units, **_draw_linear_types(choose, _draw_activation(choose))}
    side["weights"] = weight_codes(side["weight_type"], (width_in, units), rng)
    side["bias"] = weight_codes(side["bias_type"], (units,), rng)
    return {"tap": tap, "operation": operation, "side": side, "result_type": draw_type(choose),
            "side_is_output": side_output and bool(choose.integer(0, 1))}


def random_designs(count: int, seed: int, max_width: int = 24, streamable: bool = False) -> list[dict]:
    choose = NumpyChooser(seed)
    return [draw_design(choose, max_width, streamable=streamable) for _ in range(count)]


def design_strategy(max_width: int = 24, max_depth: int = 4):
    """Hypothesis strategy for one design spec (hypothesis is a dev dependency, imported here)."""
    from hypothesis import strategies as st

    return st.composite(lambda draw: draw_design(HypothesisChooser(draw), max_width, max_depth))()
