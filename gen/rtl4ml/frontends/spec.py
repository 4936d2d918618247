"""The frontend seam: framework-neutral layer specs a frontend produces and the IR builder consumes.

A frontend (Keras/QKeras today) reads its framework's files and hands over float weights in
rtl4ml's layout (Dense kernel [n_in, n_out]), optional quantizer types, and the LayerType name a
config uses for each layer. Nothing here knows a framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..fixed_point import FixedType


@dataclass
class InputSpec:
    name: str
    shape: tuple[int, ...] | int  # channels last; an int is a flat vector of that size
    result_type: FixedType | None = None  # the type a quantizer on the input gives it in training (a QActivation)

    def __post_init__(self):
        self.shape = (int(self.shape),) if isinstance(self.shape, (int, np.integer)) else tuple(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))


@dataclass
class DenseSpec:
    name: str
    layer_type: str  # what a config's LayerType section calls it (hls4ml class names: Dense, QDense, ...)
    kernel: np.ndarray  # float64 [n_in, n_out]
    bias: np.ndarray  # float64 [n_out]
    kernel_type: FixedType | None = None  # the type it was trained with (a quantizer, e.g. QKeras)
    bias_type: FixedType | None = None
    exact_result: bool = False  # the result in its exact type, not the config's (a quantizer follows, as in HGQ)
    inputs: tuple[str, ...] = ()  # names of the specs (or the input) read; () means the previous one


@dataclass
class ConvSpec:
    """Convolution over the spatial axes of a channels-last tensor (1 or 2 of them)."""

    name: str
    layer_type: str  # Conv1D, Conv2D, QConv1D, QConv2D
    kernel: np.ndarray  # float64 [*kernel_size, in_channels, filters]
    bias: np.ndarray  # float64 [filters]
    strides: tuple[int, ...]
    padding: str  # "valid" | "same"
    kernel_type: FixedType | None = None  # the type it was trained with (a quantizer, e.g. QKeras)
    bias_type: FixedType | None = None
    exact_result: bool = False  # the result in its exact type, not the config's (a quantizer follows, as in HGQ)
    inputs: tuple[str, ...] = ()  # names of the specs (or the input) read; () means the previous one


def per_channel_kernel(depthwise: np.ndarray) -> np.ndarray:
    """A depthwise kernel [*k, C, m] as the full convolution kernel [*k, C, C*m] it equals: output channel c*m + j
    reads input channel c only (every other weight an exact zero, which costs nothing in hardware)."""
    *window, channels, multiplier = depthwise.shape
    full = np.zeros((*window, channels, channels * multiplier))
    for c in range(channels):
        full[..., c, c * multiplier:(c + 1) * multiplier] = depthwise[..., c, :]
    return full


@dataclass
class BatchNormSpec:
    """Per-channel y = x * scale + shift (a BatchNormalization that could not be folded into a linear layer)."""

    name: str
    layer_type: str
    scale: np.ndarray  # float64 [channels]
    shift: np.ndarray  # float64 [channels]
    scale_type: FixedType | None = None  # the types it was trained with (a quantizer, e.g. HGQ2's)
    shift_type: FixedType | None = None
    exact_result: bool = False  # the result in its exact type, not the config's (a quantizer follows, as in HGQ)
    inputs: tuple[str, ...] = ()  # names of the specs (or the input) read; () means the previous one


@dataclass
class PoolingSpec:
    """Average or max pooling over windows of the spatial axes, or over all of them (global)."""

    name: str
    layer_type: str  # AveragePooling1D, GlobalMaxPooling2D, ... (says which: average or max)
    pool_size: tuple[int, ...]
    strides: tuple[int, ...]
    padding: str  # "valid" | "same"
    keep_dims: bool = False  # global pooling with keepdims=True keeps size-1 spatial axes
    exact_result: bool = False  # the result in its exact type, not the config's (a quantizer follows, as in HGQ)
    inputs: tuple[str, ...] = ()  # names of the specs (or the input) read; () means the previous one


@dataclass
class ZeroPaddingSpec:
    """Zeros before and after each spatial axis (ZeroPadding1D/2D)."""

    name: str
    layer_type: str
    before: tuple[int, ...]
    after: tuple[int, ...]
    inputs: tuple[str, ...] = ()  # names of the specs (or the input) read; () means the previous one


@dataclass
class CroppingSpec:
    """Elements cut from the start and the end of each spatial axis (Cropping1D/2D)."""

    name: str
    layer_type: str
    before: tuple[int, ...]
    after: tuple[int, ...]
    inputs: tuple[str, ...] = ()  # names of the specs (or the input) read; () means the previous one


@dataclass
class UpSamplingSpec:
    """Each element repeated `size` times along each spatial axis (nearest-neighbour UpSampling1D/2D)."""

    name: str
    layer_type: str
    size: tuple[int, ...]
    inputs: tuple[str, ...] = ()  # names of the specs (or the input) read; () means the previous one


@dataclass
class PermuteSpec:
    """The axes reordered: output axis k is input axis axes[k] (axes without the batch axis, from 0)."""

    name: str
    layer_type: str
    axes: tuple[int, ...]
    inputs: tuple[str, ...] = ()  # names of the specs (or the input) read; () means the previous one


@dataclass
class ReshapeSpec:
    """Flatten or Reshape: the same elements in the same (row-major) order, another shape."""

    name: str
    layer_type: str
    shape: tuple[int, ...]
    inputs: tuple[str, ...] = ()  # names of the specs (or the input) read; () means the previous one


@dataclass
class ActivationSpec:
    name: str
    layer_type: str  # what a config's LayerType section calls it (Activation, ReLU, QActivation, ...)
    function: str
    result_type: FixedType | None = None  # the type it was trained with (a quantizer, e.g. QKeras)
    exact_result: bool = False  # the result in its exact type, not the config's (a quantizer follows, as in HGQ)
    inputs: tuple[str, ...] = ()  # names of the specs (or the input) read; () means the previous one
    parameters: dict = field(default_factory=dict)  # the function's constants (alpha, max_value, slope, ...)


@dataclass
class ElementQuantizerSpec:
    """Each element quantized to its own type (HGQ's per-element bit widths, QONNX per-channel activation scales):
    `types` holds one type per element of the tensor, row-major, channels last."""

    name: str
    layer_type: str
    types: tuple[FixedType, ...]
    inputs: tuple[str, ...] = ()  # names of the specs (or the input) read; () means the previous one


@dataclass
class MergeSpec:
    """A layer of several inputs: elementwise add/subtract/multiply/average/maximum/minimum, concatenate along an axis,
    or a dot product."""

    name: str
    layer_type: str  # Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot
    operation: str  # add | subtract | multiply | average | maximum | minimum | concatenate | dot
    inputs: tuple[str, ...]
    axis: int | None = None  # concatenate: axis of the tensor without batch axis (non-negative)
    exact_result: bool = False  # the result in its exact type, not the config's (a quantizer follows, as in HGQ)


RECURRENT_GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}  # column blocks of a cell's kernels, in Keras's order


@dataclass
class RecurrentSpec:
    """A SimpleRNN, LSTM or GRU over a [steps, features] sequence, its state starting at zero. Gate order in the
    kernels as Keras stores them: LSTM i, f, c, o; GRU z, r, h (candidate)."""

    name: str
    layer_type: str  # SimpleRNN, LSTM, GRU (or their QKeras twins)
    cell: str  # simple_rnn | lstm | gru
    units: int
    kernel: np.ndarray  # float64 [features, gates * units]
    recurrent_kernel: np.ndarray  # float64 [units, gates * units]
    bias: np.ndarray  # float64 [gates * units]
    activation: tuple[str, dict]  # (function, parameters): the candidate's (SimpleRNN: the state's)
    recurrent_activation: tuple[str, dict] = ("sigmoid", {})  # the gates' (LSTM, GRU)
    recurrent_bias: np.ndarray | None = None  # GRU reset_after: the bias added to U h before the reset gate
    reset_after: bool = False  # GRU: the reset gate multiplies U h + recurrent_bias (True, TF2's default) or h
    return_sequences: bool = False  # the state after every step [steps, units], else after the last [units]
    go_backwards: bool = False  # the steps read last to first (the outputs in the order they are computed)
    unroll: bool = False  # Keras's unroll (a graph-building choice of the framework; a streamed layer refuses it)
    time_order: bool = False  # return_sequences in the input's step order whatever the reading order (Bidirectional)
    wrapper: str | None = None  # the Bidirectional it is a direction of: its config entry applies too
    # the types it was trained with (QKeras quantizers): kernel, recurrent kernel, bias (both GRU biases), the
    # state (QKeras quantizes h and the LSTM's c with it before each step), the activations' results
    kernel_type: FixedType | None = None
    recurrent_type: FixedType | None = None
    bias_type: FixedType | None = None
    state_type: FixedType | None = None
    activation_type: FixedType | None = None
    recurrent_activation_type: FixedType | None = None
    inputs: tuple[str, ...] = ()  # names of the specs (or the input) read; () means the previous one

    @property
    def gates(self) -> int:
        return RECURRENT_GATES[self.cell]


@dataclass
class ModelSpec:
    """Input, then layer specs in data-flow order (each after the ones it reads), then the model's outputs."""

    name: str
    input: InputSpec
    layers: list = field(default_factory=list)
    outputs: tuple[str, ...] = ()  # names of the specs whose tensors the model returns; () means the last one

    def layer_names(self) -> list[str]:
        return [self.input.name] + [layer.name for layer in self.layers]
