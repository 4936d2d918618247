"""Read an ONNX or QONNX model file into rtl4ml's layer specs, channels last, without executing it.

The file is parsed as protobuf (the `onnx` package): no operator runs, nothing is imported from the file. ONNX
tensors of rank 3 or more are channels first (N, C, *spatial); rtl4ml's are channels last, so the reader keeps
every spatial tensor as (*spatial, C) and converts each operator's axes, kernels and paddings. A Flatten of a
spatial tensor costs nothing: the flat tensor keeps rtl4ml's element order through elementwise layers, and a
Gemm/MatMul reading it gets its kernel's rows in that order; any other reader gets the elements reordered by a
Permute (wiring).

QONNX Quant/BipolarQuant/Trunc nodes become exact types (see onnx_quant.py): on a weight, the kernel's or bias's
type; on an activation, the result type of a quantizing activation (fused into a ReLU right before it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import Rtl4mlError, fail
from ..fixed_point import FixedType
from .onnx_quant import bipolar_activation, bipolar_constant, quant_types, quantized_constant, trunc_types
from .spec import (ActivationSpec, BatchNormSpec, ConvSpec, DenseSpec, ElementQuantizerSpec, InputSpec, MergeSpec,
                   ModelSpec, PermuteSpec, PoolingSpec, ReshapeSpec, UpSamplingSpec, ZeroPaddingSpec)

# ONNX activations: (rtl4ml function, its parameters from the node's attributes)
_ACTIVATIONS = {
    "Relu": lambda a: ("relu", {}),
    "LeakyRelu": lambda a: ("leaky_relu", {"alpha": float(a.get("alpha", 0.01))}),
    "Sigmoid": lambda a: ("sigmoid", {}),
    "Tanh": lambda a: ("tanh", {}),
    "HardSigmoid": lambda a: ("hard_sigmoid", {"slope": float(a.get("alpha", 0.2)),
                                               "shift": float(a.get("beta", 0.5))}),
    "Elu": lambda a: ("elu", {"alpha": float(a.get("alpha", 1.0))}),
    "Selu": lambda a: ("selu", {}),
    "Softplus": lambda a: ("softplus", {}),
    "Softsign": lambda a: ("softsign", {}),
}
_NO_OPS = ("Identity", "Dropout")
_QUANTIZERS = ("Quant", "BipolarQuant", "Trunc")
SUPPORTED = ("Gemm", "MatMul", "Conv", "BatchNormalization", *_ACTIVATIONS, "Clip", "Softmax", "MaxPool",
             "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Add", "Sub", "Mul", "Div", "Concat", "Flatten",
             "Reshape", "Squeeze", "Unsqueeze", "Pad", "Resize", "Identity", "Dropout", "Constant", *_QUANTIZERS)
# Largest tensor (elements per event) the reader accepts: far beyond any trigger model (a 32x32x3 image is 3,072),
# small enough that a damaged shape cannot exhaust memory
MAX_TENSOR_ELEMENTS = 1 << 22
# Selu's constants in ONNX's defaults equal Keras's
_SELU = (1.67326319217681884765625, 1.05070102214813232421875)


def is_onnx_file(path: Path) -> bool:
    """An ONNX ModelProto: a protobuf whose first field is ir_version (field 1, varint: byte 0x08)."""
    with open(path, "rb") as handle:
        head = handle.read(2)
    return len(head) == 2 and head[0] == 0x08


@dataclass
class _Tensor:
    """A data tensor: the spec (or the input) that produces it and its shape, channels last without the batch axis.
    A flat tensor made of a spatial one (a Flatten) may keep rtl4ml's element order, (*spatial, C), instead of
    ONNX's, (C, *spatial): `unflat` is then the spatial shape, and a reader that needs ONNX's order reorders it."""

    spec: str
    shape: tuple[int, ...]
    unflat: tuple[int, ...] | None = None

    @property
    def spatial(self) -> bool:
        return len(self.shape) >= 2

    @property
    def onnx_shape(self) -> tuple[int, ...]:
        return (self.shape[-1], *self.shape[:-1]) if self.spatial else self.shape

    @property
    def order(self) -> np.ndarray | None:
        """ONNX's flat index of each of our elements, or None when they are in ONNX's order."""
        if self.unflat is None:
            return None
        onnx_index = np.arange(int(np.prod(self.unflat))).reshape((self.unflat[-1], *self.unflat[:-1]))
        return np.moveaxis(onnx_index, 0, -1).reshape(-1)


def _attributes(node) -> dict:
    from onnx import helper

    return {attribute.name: helper.get_attribute_value(attribute) for attribute in node.attribute}


def _clean(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")


def _channel_vector(values: np.ndarray, channels: int) -> np.ndarray | None:
    """A constant that broadcasts over a tensor as one value per channel (or one value), as a [channels] vector;
    None when it varies along another axis."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 1:
        return np.full(channels, float(values.reshape(-1)[0]))
    squeezed = values.reshape(-1) if values.size == channels else None
    if squeezed is None:
        return None
    # channels first: (C,), (C, 1), (C, 1, 1), (1, C, 1, 1) ... all hold one value per channel
    if values.ndim >= 2 and [n for n in values.shape if n != 1] != [channels]:
        return None
    return squeezed


class _Reader:
    def __init__(self, model, source: str):
        self.graph, self.source = model.graph, source
        self.opsets = {entry.domain: int(entry.version) for entry in model.opset_import}
        self.constants: dict[str, np.ndarray] = {}
        self.constant_types: dict[str, FixedType] = {}
        self.tensors: dict[str, _Tensor] = {}
        self.specs: list = []
        self.by_name: dict[str, object] = {}
        self.names: set[str] = set()
        self.readers: dict[str, list] = {}
        self.input_spec: InputSpec | None = None
        from onnx import numpy_helper

        self.to_array = numpy_helper.to_array
        for initializer in self.graph.initializer:
            self.constants[initializer.name] = np.asarray(self.to_array(initializer), dtype=np.float64)
        for node in self.graph.node:
            for name in node.input:
                self.readers.setdefault(name, []).append(node)
        for output in self.graph.output:
            self.readers.setdefault(output.name, []).append(None)

    # ------------------------------------------------------------------ helpers
    def where(self, node) -> str:
        return f"{self.source}: node {node.name or node.output[0]!r} ({node.op_type})"

    def new_name(self, node, suffix: str = "") -> str:
        base = _clean(node.name) or _clean(node.output[0]) or node.op_type.lower()
        name, count = base + suffix, 1
        while name in self.names:
            name, count = f"{base}{suffix}_{count}", count + 1
        self.names.add(name)
        return name

    def add(self, spec, output: str, shape, unflat=None) -> None:
        _check_size(shape, f"{self.source}: node {spec.name!r}")
        self.specs.append(spec)
        self.by_name[spec.name] = spec
        self.tensors[output] = _Tensor(spec.name, tuple(int(n) for n in shape), unflat)

    def data(self, node, index: int = 0) -> _Tensor:
        name = node.input[index]
        if name not in self.tensors:
            kind = "a constant" if name in self.constants else "not produced by an earlier node"
            raise fail(f"{self.where(node)}: input {index} ({name!r}) is {kind}; rtl4ml expects a data tensor there")
        return self.tensors[name]

    def constant(self, node, index: int, what: str, optional: bool = False) -> np.ndarray | None:
        if index >= len(node.input) or not node.input[index]:
            if optional:
                return None
            raise fail(f"{self.where(node)}: has no {what}")
        name = node.input[index]
        if name not in self.constants:
            raise fail(f"{self.where(node)}: its {what} ({name!r}) is computed by the graph, not a constant; "
                       "rtl4ml needs constant weights (export with constant folding)")
        values = self.constants[name]
        if not np.all(np.isfinite(values)):
            raise fail(f"{self.where(node)}: its {what} holds non-finite values")
        return values

    def sole_reader(self, tensor_name: str) -> bool:
        return len(self.readers.get(tensor_name, [])) == 1

    def materialized(self, tensor: _Tensor, node) -> _Tensor:
        """The tensor with its elements in ONNX's order: a flat tensor in rtl4ml's order is reshaped back to its
        spatial shape, permuted channels first and flattened (wiring, no logic)."""
        if tensor.unflat is None:
            return tensor
        spatial = ReshapeSpec(self.new_name(node, "_unflat"), "Reshape", tensor.unflat, inputs=(tensor.spec,))
        self.add(spatial, f"{spatial.name}:out", tensor.unflat)
        permuted = self.channels_first(self.tensors[f"{spatial.name}:out"], node)
        flat = ReshapeSpec(self.new_name(node, "_flat"), "Flatten", tensor.shape, inputs=(permuted.spec,))
        self.add(flat, f"{flat.name}:out", tensor.shape)
        return self.tensors[f"{flat.name}:out"]

    def channels_first(self, tensor: _Tensor, node) -> _Tensor:
        """A spatial tensor permuted into ONNX's axis order (C, *spatial): wiring."""
        rank = len(tensor.shape)
        permute = PermuteSpec(self.new_name(node, "_to_onnx_order"), "Permute", (rank - 1, *range(rank - 1)),
                              inputs=(tensor.spec,))
        self.add(permute, f"{permute.name}:out", tensor.onnx_shape)
        return self.tensors[f"{permute.name}:out"]

    # ------------------------------------------------------------------ the walk
    def read(self) -> ModelSpec:
        initializers = set(self.constants)
        inputs = [value for value in self.graph.input if value.name not in initializers]
        if len(inputs) != 1:
            raise fail(f"{self.source}: the graph has {len(inputs)} inputs; rtl4ml builds models of one input")
        self.read_input(inputs[0])
        for node in self.graph.node:
            try:
                self.node(node)
            except Rtl4mlError:
                raise
            except (KeyError, IndexError, TypeError, ValueError) as exc:
                raise fail(f"{self.where(node)}: malformed ({exc.__class__.__name__}: {exc})") from None
        outputs = []
        for output in self.graph.output:
            if output.name not in self.tensors:
                raise fail(f"{self.source}: graph output {output.name!r} is a constant or not computed by the graph")
            tensor = self.materialized(self.tensors[output.name], self.graph.node[-1])
            outputs.append(tensor.spec)
        if not self.specs or any(name == self.input_spec.name for name in outputs):
            raise fail(f"{self.source}: the graph computes nothing from its input")
        name = _clean(self.graph.name) or Path(self.source).stem
        return ModelSpec(name, self.input_spec, self.specs, tuple(outputs))

    def read_input(self, value) -> None:
        dims = value.type.tensor_type.shape.dim
        shape = [int(d.dim_value) if d.HasField("dim_value") else None for d in dims]
        where = f"{self.source}: input {value.name!r}"
        if len(shape) < 2 or any(n is None or n < 1 for n in shape[1:]):
            raise fail(f"{where}: shape {shape} is not (batch, features) or (batch, channels, *spatial) with known "
                       "sizes")
        onnx_shape = tuple(shape[1:])
        _check_size(onnx_shape, where)
        ours = onnx_shape if len(onnx_shape) == 1 else (*onnx_shape[1:], onnx_shape[0])
        name = _clean(value.name) or "input"
        self.names.add(name)
        self.input_spec = InputSpec(name, ours)
        self.tensors[value.name] = _Tensor(name, ours)

    def node(self, node) -> None:
        op = node.op_type
        where = self.where(node)
        attributes = _attributes(node)
        if op == "Constant":
            value = attributes.get("value")
            if value is None:
                raise fail(f"{where}: only Constant nodes with a tensor `value` are read")
            self.constants[node.output[0]] = np.asarray(self.to_array(value), dtype=np.float64)
            return
        if op not in SUPPORTED:
            raise fail(f"{where}: unsupported operator {op!r}; rtl4ml reads {', '.join(SUPPORTED)}")
        if op in _QUANTIZERS and node.input[0] in self.constants:
            self.quantized_constant(node, attributes, where)
            return
        if op in _NO_OPS:
            self.tensors[node.output[0]] = self.data(node)
            return
        handler = getattr(self, f"op_{op}", None)
        if handler is not None:
            handler(node, attributes, where)
        elif op in _ACTIVATIONS:
            self.activation(node, *_ACTIVATIONS[op](attributes), None)
        elif op in ("GlobalAveragePool", "GlobalMaxPool"):
            self.global_pool(node, op, where)
        elif op in ("Add", "Sub", "Mul", "Div"):
            self.arithmetic(node, op, where)

    # ------------------------------------------------------------------ quantizers
    def quantized_constant(self, node, attributes: dict, where: str) -> None:
        values = self.constants[node.input[0]]
        op = node.op_type
        if op == "Quant":
            quantized, exact = quantized_constant(
                values, self.constant(node, 1, "scale"), self.constant(node, 2, "zero point"),
                self.constant(node, 3, "bit width"), bool(attributes.get("signed", 1)),
                bool(attributes.get("narrow", 0)), _text(attributes.get("rounding_mode", "ROUND")), where)
        elif op == "BipolarQuant":
            quantized, exact = bipolar_constant(values, self.constant(node, 1, "scale"), where)
        else:
            raise fail(f"{where}: a Trunc of a constant is not supported (fold it when exporting)")
        self.constants[node.output[0]] = quantized
        self.constant_types[node.output[0]] = exact

    def op_Quant(self, node, attributes: dict, where: str) -> None:
        scale = self.constant(node, 1, "scale")
        source = self.data(node)
        if scale.size > 1:  # one scale per channel: each element gets its channel's type
            source = self.materialized(source, node)
            scale = _channel_vector(scale, source.shape[-1])
            if scale is None:
                raise fail(f"{where}: its scales are not one per channel ({source.shape[-1]} channels)")
        types = quant_types(scale, self.constant(node, 2, "zero point"), self.constant(node, 3, "bit width"),
                            bool(attributes.get("signed", 1)), bool(attributes.get("narrow", 0)),
                            _text(attributes.get("rounding_mode", "ROUND")), where)
        if len(types) > 1:
            per_element = tuple(types[e % len(types)] for e in range(int(np.prod(source.shape))))
            spec = ElementQuantizerSpec(self.new_name(node), "Quant", per_element, inputs=(source.spec,))
            self.add(spec, node.output[0], source.shape)
            return
        result_type = types[0]
        producer = self.by_name.get(source.spec)
        if isinstance(producer, ActivationSpec) and producer.function == "relu" and not producer.parameters and \
                producer.result_type is None and self.sole_reader(node.input[0]):
            producer.result_type = result_type  # ReLU then Quant: one quantized ReLU
            self.tensors[node.output[0]] = source
            return
        self.activation(node, "linear", {}, result_type, layer_type="Quant")

    def op_BipolarQuant(self, node, attributes: dict, where: str) -> None:
        self.activation(node, *bipolar_activation(self.constant(node, 1, "scale"), where), layer_type="BipolarQuant")

    def op_Trunc(self, node, attributes: dict, where: str) -> None:
        if self.opsets.get(node.domain, 2) < 2:  # the domain's opset picks the version, as qonnx's registry does
            raise fail(f"{where}: Trunc of the QONNX opset 1 (its output divided by 2^(input bits - output bits) "
                       "at the input's scale) is not supported; export with the QONNX opset 2 (as Brevitas does)")
        on_grid, truncated = trunc_types(
            self.constant(node, 1, "scale"), self.constant(node, 2, "zero point"),
            self.constant(node, 3, "input bit width"), self.constant(node, 5, "output bit width"),
            _text(attributes.get("rounding_mode", "FLOOR")), where, self.constant(node, 4, "output scale"),
            bool(attributes.get("signed", 1)), bool(attributes.get("narrow", 0)))
        source = self.data(node)
        first = ActivationSpec(self.new_name(node, "_grid"), "Trunc", "linear", on_grid, inputs=(source.spec,))
        self.add(first, f"{first.name}:out", source.shape, source.unflat)
        self.activation(node, "linear", {}, truncated, layer_type="Trunc", source=self.tensors[f"{first.name}:out"])

    # ------------------------------------------------------------------ elementwise
    def activation(self, node, function: str, parameters: dict, result_type, layer_type: str = "Activation",
                   source: _Tensor | None = None) -> None:
        source = source or self.data(node)  # elementwise: a flat tensor keeps its element order
        if source.spec == self.input_spec.name and function == "linear" and result_type is not None:
            self.input_spec.result_type = result_type  # a quantizer on the input: the input bus gets its type
        spec = ActivationSpec(self.new_name(node), layer_type, function, result_type, inputs=(source.spec,),
                              parameters=parameters)
        self.add(spec, node.output[0], source.shape, source.unflat)

    def op_Clip(self, node, attributes: dict, where: str) -> None:
        low = attributes.get("min", self.constant(node, 1, "min", optional=True))
        high = attributes.get("max", self.constant(node, 2, "max", optional=True))
        low = None if low is None else float(np.asarray(low).reshape(-1)[0])
        high = None if high is None else float(np.asarray(high).reshape(-1)[0])
        if low == 0 and high is not None and high > 0:
            self.activation(node, "relu", {"max_value": high}, None)
        elif low == -1 and high == 1:
            self.activation(node, "hard_tanh", {"slope": 0.5, "shift": 0.5}, None)
        else:
            raise fail(f"{where}: Clip({low}, {high}) is not supported (Clip(0, m) is a clipped ReLU, Clip(-1, 1) "
                       "hard tanh)")

    def op_Selu(self, node, attributes: dict, where: str) -> None:
        if (float(attributes.get("alpha", _SELU[0])), float(attributes.get("gamma", _SELU[1]))) != _SELU:
            raise fail(f"{where}: Selu with alpha/gamma other than the standard constants is not supported")
        self.activation(node, "selu", {}, None)

    def op_Softmax(self, node, attributes: dict, where: str) -> None:
        source = self.data(node)
        axis = int(attributes.get("axis", -1))
        rank = len(source.shape) + 1
        if axis % rank != 1 and not (axis % rank == rank - 1 and not source.spatial):
            raise fail(f"{where}: softmax over axis {axis} is not supported (only over the channels)")
        self.activation(node, "softmax", {}, None)

    def arithmetic(self, node, op: str, where: str) -> None:
        names = list(node.input)
        constant_at = [i for i, name in enumerate(names) if name in self.constants]
        if not constant_at:
            sources = [self.materialized(self.data(node, i), node) for i in range(len(names))]
            if op == "Div":
                raise fail(f"{where}: dividing one tensor by another is not supported")
            operation = {"Add": "add", "Sub": "subtract", "Mul": "multiply"}[op]
            merge = MergeSpec(self.new_name(node), {"add": "Add", "subtract": "Subtract", "multiply": "Multiply"}
                              [operation], operation, tuple(source.spec for source in sources))
            self.add(merge, node.output[0], sources[0].shape)
            return
        if len(constant_at) == 2:
            raise fail(f"{where}: both inputs are constants (fold them when exporting)")
        index = 1 - constant_at[0]
        source = self.data(node, index)
        if source.unflat is not None:
            source = self.materialized(source, node)
        channels = source.shape[-1]
        values = _channel_vector(self.constants[names[constant_at[0]]], channels)
        if values is None:
            raise fail(f"{where}: its constant {self.constants[names[constant_at[0]]].shape} is not one value per "
                       f"channel ({channels} channels); rtl4ml folds only per-channel constants")
        if op == "Add" and self.fold_bias(node, source, values):
            return
        scale, shift = {("Add", 1): (1.0, values), ("Add", 0): (1.0, values), ("Sub", 0): (1.0, -values),
                        ("Sub", 1): (-1.0, values), ("Mul", 0): (values, 0.0), ("Mul", 1): (values, 0.0)}.get(
                            (op, index), (None, None))
        if scale is None:
            if op == "Div" and index == 0 and np.all(values != 0):
                scale, shift = 1.0 / values, 0.0
            else:
                raise fail(f"{where}: dividing a constant by a tensor is not supported")
        spec = BatchNormSpec(self.new_name(node), "BatchNormalization", np.ones(channels) * scale,
                             np.zeros(channels) + shift, inputs=(source.spec,))
        self.add(spec, node.output[0], source.shape)

    def fold_bias(self, node, source: _Tensor, values: np.ndarray) -> bool:
        """MatMul/Conv then Add of a per-channel constant: the Add is the layer's bias."""
        producer = self.by_name.get(source.spec)
        if isinstance(producer, (DenseSpec, ConvSpec)) and producer.bias_type is None and \
                self.sole_reader(node.input[0] if node.input[0] in self.tensors else node.input[1]):
            producer.bias = producer.bias + values
            self.tensors[node.output[0]] = source
            return True
        return False

    def op_Concat(self, node, attributes: dict, where: str) -> None:
        sources = [self.materialized(self.data(node, i), node) for i in range(len(node.input))]
        rank = len(sources[0].shape) + 1
        axis = int(attributes["axis"]) % rank
        if axis == 0:
            raise fail(f"{where}: concatenation along the batch axis is not supported")
        ours = (rank - 2 if axis == 1 else axis - 2) if sources[0].spatial else axis - 1
        shape = list(sources[0].shape)
        shape[ours] = sum(source.shape[ours] for source in sources)
        self.add(MergeSpec(self.new_name(node), "Concatenate", "concatenate", tuple(s.spec for s in sources),
                           axis=ours), node.output[0], shape)

    # ------------------------------------------------------------------ linear layers
    def kernel(self, node, index: int) -> tuple[np.ndarray, FixedType | None]:
        values = self.constant(node, index, "weights")
        return values, self.constant_types.get(node.input[index])

    def bias(self, node, index: int, size: int) -> tuple[np.ndarray, FixedType | None]:
        values = self.constant(node, index, "bias", optional=True)
        if values is None:
            return np.zeros(size), None
        return np.broadcast_to(values.reshape(-1) if values.size == size else values, (size,)).astype(np.float64), \
            self.constant_types.get(node.input[index])

    def op_Gemm(self, node, attributes: dict, where: str) -> None:
        if int(attributes.get("transA", 0)):
            raise fail(f"{where}: transA=1 is not supported")
        kernel, kernel_type = self.kernel(node, 1)
        if kernel.ndim != 2:
            raise fail(f"{where}: weights of shape {kernel.shape} are not a matrix")
        if int(attributes.get("transB", 0)):
            kernel = kernel.T
        alpha, beta = float(attributes.get("alpha", 1.0)), float(attributes.get("beta", 1.0))
        bias, bias_type = self.bias(node, 2, kernel.shape[1])
        if (alpha != 1 and kernel_type is not None) or (beta != 1 and bias_type is not None):
            raise fail(f"{where}: alpha/beta other than 1 on quantized weights would change their types")
        self.dense(node, kernel * alpha, bias * beta, kernel_type, bias_type, where)

    def op_MatMul(self, node, attributes: dict, where: str) -> None:
        kernel, kernel_type = self.kernel(node, 1)
        if kernel.ndim != 2:
            raise fail(f"{where}: weights of shape {kernel.shape} are not a matrix")
        self.dense(node, kernel, np.zeros(kernel.shape[1]), kernel_type, None, where)

    def dense(self, node, kernel: np.ndarray, bias: np.ndarray, kernel_type, bias_type, where: str) -> None:
        source = self.data(node)
        if source.spatial:
            raise fail(f"{where}: its input has shape {source.onnx_shape} (channels first); flatten it first")
        if kernel.shape[0] != source.shape[0]:
            raise fail(f"{where}: weights of shape {kernel.shape} do not match the input size {source.shape[0]}")
        order = source.order
        if order is not None:  # the rows in rtl4ml's element order (the Flatten is wiring)
            kernel = kernel[order]
        spec = DenseSpec(self.new_name(node), "Dense", kernel, bias, kernel_type, bias_type, inputs=(source.spec,))
        self.add(spec, node.output[0], (kernel.shape[1],))

    def op_Conv(self, node, attributes: dict, where: str) -> None:
        source = self.data(node)
        if not source.spatial or len(source.shape) > 3:
            raise fail(f"{where}: input shape {source.onnx_shape} is not (channels, length) or (channels, H, W)")
        weights, kernel_type = self.kernel(node, 1)
        spatial = len(source.shape) - 1
        if weights.ndim != spatial + 2:
            raise fail(f"{where}: weights of shape {weights.shape} do not fit a {spatial}-D convolution")
        if any(int(d) != 1 for d in attributes.get("dilations", [1] * spatial)):
            raise fail(f"{where}: dilations {attributes['dilations']} are not supported")
        filters, per_group, *window = weights.shape
        groups, channels = int(attributes.get("group", 1)), source.shape[-1]
        if per_group * groups != channels or filters % groups:
            raise fail(f"{where}: weights {weights.shape} with group {groups} do not fit {channels} input channels")
        # [M, C/g, *k] -> [*k, C, M], zero outside each group's block (exact zeros cost nothing)
        kernel = np.zeros((*window, channels, filters))
        out_per_group = filters // groups
        for g in range(groups):
            block = weights[g * out_per_group:(g + 1) * out_per_group]
            kernel[..., g * per_group:(g + 1) * per_group, g * out_per_group:(g + 1) * out_per_group] = \
                np.moveaxis(block, (0, 1), (-1, -2))
        strides = tuple(int(s) for s in attributes.get("strides", [1] * spatial))
        source, padding = self.padding(node, attributes, source, tuple(window), strides, where, "Conv")
        bias, bias_type = self.bias(node, 2, filters)
        layer_type = f"Conv{spatial}D" if groups == 1 else f"DepthwiseConv{spatial}D"
        spec = ConvSpec(self.new_name(node), layer_type, kernel, bias, strides, padding, kernel_type, bias_type,
                        inputs=(source.spec,))
        self.add(spec, node.output[0], (*_out_size(source.shape[:-1], tuple(window), strides, padding), filters))

    def padding(self, node, attributes: dict, source: _Tensor, window: tuple, strides: tuple, where: str,
                what: str, zero_pad_ok: bool = True) -> tuple[_Tensor, str]:
        """Keras's `valid`/`same` for the node's padding, with a ZeroPadding before it for any other."""
        spatial = len(window)
        auto = _text(attributes.get("auto_pad", "NOTSET"))
        sizes = source.shape[:-1]
        same = [_same_padding(n, k, s) for n, k, s in zip(sizes, window, strides)]
        if auto == "VALID":
            return source, "valid"
        if auto == "SAME_UPPER":
            return source, "same"
        if auto == "SAME_LOWER":
            pads = [p[1] for p in same] + [p[0] for p in same]
        elif auto == "NOTSET":
            pads = [int(p) for p in attributes.get("pads", [0] * 2 * spatial)]
        else:
            raise fail(f"{where}: auto_pad {auto!r} is not supported")
        before, after = tuple(pads[:spatial]), tuple(pads[spatial:])
        if not any(before + after):
            return source, "valid"
        if list(zip(before, after)) == same:
            return source, "same"
        if not zero_pad_ok:
            raise fail(f"{where}: pads {pads} are not Keras's `same` placement for this input; a {what} over other "
                       "padding is not supported")
        pad = ZeroPaddingSpec(self.new_name(node, "_pad"), "ZeroPadding", before, after, inputs=(source.spec,))
        shape = (*(n + b + a for n, b, a in zip(sizes, before, after)), source.shape[-1])
        self.add(pad, f"{pad.name}:out", shape)
        return self.tensors[f"{pad.name}:out"], "valid"

    def op_BatchNormalization(self, node, attributes: dict, where: str) -> None:
        source = self.data(node)
        gamma, beta, mean, variance = (self.constant(node, i, what) for i, what in
                                       ((1, "scale"), (2, "bias"), (3, "mean"), (4, "variance")))
        factor = gamma / np.sqrt(variance + float(attributes.get("epsilon", 1e-5)))
        shift = beta - mean * factor
        producer = self.by_name.get(source.spec)
        if isinstance(producer, (DenseSpec, ConvSpec)) and producer.kernel_type is None and \
                producer.bias_type is None and self.sole_reader(node.input[0]):
            producer.kernel = producer.kernel * factor  # folded into the float layer before it, as for Keras
            producer.bias = producer.bias * factor + shift
            self.tensors[node.output[0]] = source
            return
        source = self.materialized(source, node)
        self.add(BatchNormSpec(self.new_name(node), "BatchNormalization", factor, shift, inputs=(source.spec,)),
                 node.output[0], source.shape)

    # ------------------------------------------------------------------ pooling
    def op_MaxPool(self, node, attributes: dict, where: str) -> None:
        self.pool(node, attributes, where, "MaxPooling")

    def op_AveragePool(self, node, attributes: dict, where: str) -> None:
        self.pool(node, attributes, where, "AveragePooling")

    def pool(self, node, attributes: dict, where: str, kind: str) -> None:
        source = self.data(node)
        if not source.spatial:
            raise fail(f"{where}: input shape {source.onnx_shape} has no spatial axes")
        if int(attributes.get("ceil_mode", 0)):
            raise fail(f"{where}: ceil_mode=1 is not supported")
        if any(int(d) != 1 for d in attributes.get("dilations", [])):
            raise fail(f"{where}: dilations are not supported")
        window = tuple(int(k) for k in attributes["kernel_shape"])
        strides = tuple(int(s) for s in attributes.get("strides", [1] * len(window)))
        # zeros before an average over all its elements is count_include_pad=1; Keras's `same` average excludes them
        include_pad = kind == "AveragePooling" and int(attributes.get("count_include_pad", 0))
        source, padding = self.padding(node, dict(attributes, auto_pad=attributes.get("auto_pad", "NOTSET")),
                                       source, window, strides, where, "max pooling",
                                       zero_pad_ok=bool(include_pad))
        if include_pad and padding == "same":
            raise fail(f"{where}: count_include_pad=1 with Keras's `same` padding is not supported")
        spatial = len(window)
        spec = PoolingSpec(self.new_name(node), f"{kind}{spatial}D", window, strides, padding, inputs=(source.spec,))
        self.add(spec, node.output[0], (*_out_size(source.shape[:-1], window, strides, padding), source.shape[-1]))

    def global_pool(self, node, op: str, where: str) -> None:
        source = self.data(node)
        if not source.spatial:
            raise fail(f"{where}: input shape {source.onnx_shape} has no spatial axes")
        spatial = len(source.shape) - 1
        kind = "GlobalAveragePooling" if op == "GlobalAveragePool" else "GlobalMaxPooling"
        spec = PoolingSpec(self.new_name(node), f"{kind}{spatial}D", tuple(source.shape[:-1]),
                           tuple(source.shape[:-1]), "valid", keep_dims=True, inputs=(source.spec,))
        self.add(spec, node.output[0], (*([1] * spatial), source.shape[-1]))

    # ------------------------------------------------------------------ shapes
    def op_Flatten(self, node, attributes: dict, where: str) -> None:
        if int(attributes.get("axis", 1)) != 1:
            raise fail(f"{where}: axis {attributes['axis']} is not supported (only 1: flatten each event)")
        self.reshape(node, (int(np.prod(self.data(node).shape)),), where)

    def op_Reshape(self, node, attributes: dict, where: str) -> None:
        source = self.data(node)
        target = [int(n) for n in self.constant(node, 1, "shape")]
        onnx_shape = (1, *source.onnx_shape)
        target = [onnx_shape[i] if n == 0 and not int(attributes.get("allowzero", 0)) else n
                  for i, n in enumerate(target)]
        if target.count(-1) == 1:
            known = int(np.prod([n for n in target if n != -1]))
            target[target.index(-1)] = int(np.prod(onnx_shape)) // max(known, 1)
        if int(np.prod(target)) != int(np.prod(onnx_shape)) or target[0] != 1 and target[0] != -1:
            raise fail(f"{where}: cannot reshape {source.onnx_shape} to {target[1:]} per event")
        self.reshape(node, tuple(target[1:]), where)

    def op_Squeeze(self, node, attributes: dict, where: str) -> None:
        source = self.data(node)
        axes = attributes.get("axes")
        if axes is None and len(node.input) > 1:
            axes = self.constant(node, 1, "axes")
        shape = (1, *source.onnx_shape)
        axes = [int(a) % len(shape) for a in (axes if axes is not None else
                                              [i for i, n in enumerate(shape) if n == 1 and i])]
        if 0 in axes:
            raise fail(f"{where}: squeezing the batch axis is not supported")
        self.reshape(node, tuple(n for i, n in enumerate(shape) if i not in axes)[1:], where)

    def op_Unsqueeze(self, node, attributes: dict, where: str) -> None:
        source = self.data(node)
        axes = attributes.get("axes")
        if axes is None:
            axes = self.constant(node, 1, "axes")
        shape = [1, *source.onnx_shape]
        rank = len(shape) + len(axes)
        for axis in sorted(int(a) % rank for a in axes):
            shape.insert(axis, 1)
        self.reshape(node, tuple(shape[1:]), where)

    def reshape(self, node, onnx_target: tuple[int, ...], where: str) -> None:
        """Reshape in ONNX's (channels first, row-major) element order; the result kept channels last."""
        source = self.data(node)
        if onnx_target == source.onnx_shape:
            self.tensors[node.output[0]] = source
            return
        flat = len(onnx_target) == 1
        if flat and source.spatial:  # kept in rtl4ml's order; a reader that needs ONNX's reorders it
            identity = source.shape[:-1] == (1,) * (len(source.shape) - 1) or source.shape[-1] == 1
            spec = ReshapeSpec(self.new_name(node), "Flatten", onnx_target, inputs=(source.spec,))
            self.add(spec, node.output[0], onnx_target, None if identity else source.shape)
            return
        source = self.materialized(source, node)
        if source.spatial:  # into ONNX's order first
            source = self.channels_first(source, node)
        spec = ReshapeSpec(self.new_name(node), "Reshape", onnx_target, inputs=(source.spec,))
        if flat:
            self.add(spec, node.output[0], onnx_target)
            return
        self.add(spec, f"{spec.name}:onnx", onnx_target)
        rank = len(onnx_target)
        last = PermuteSpec(self.new_name(node, "_channels_last"), "Permute", (*range(1, rank), 0),
                           inputs=(spec.name,))
        self.add(last, node.output[0], (*onnx_target[1:], onnx_target[0]))

    def op_Pad(self, node, attributes: dict, where: str) -> None:
        source = self.data(node)
        if _text(attributes.get("mode", "constant")) != "constant":
            raise fail(f"{where}: mode {attributes['mode']!r} is not supported (constant zeros only)")
        pads = attributes.get("pads")
        pads = [int(p) for p in (pads if pads is not None else self.constant(node, 1, "pads"))]
        value = self.constant(node, 2, "constant value", optional=True)
        if value is not None and np.any(value != 0):
            raise fail(f"{where}: padding with {value.reshape(-1)[0]} is not supported (zeros only)")
        rank = len(pads) // 2
        if not source.spatial or pads[0] or pads[1] or pads[rank] or pads[rank + 1] or min(pads) < 0:
            raise fail(f"{where}: pads {pads} pad other than the spatial axes, or crop")
        before, after = tuple(pads[2:rank]), tuple(pads[rank + 2:])
        spec = ZeroPaddingSpec(self.new_name(node), "ZeroPadding", before, after, inputs=(source.spec,))
        shape = (*(n + b + a for n, b, a in zip(source.shape[:-1], before, after)), source.shape[-1])
        self.add(spec, node.output[0], shape)

    def op_Resize(self, node, attributes: dict, where: str) -> None:
        source = self.data(node)
        if _text(attributes.get("mode", "nearest")) != "nearest" or \
                _text(attributes.get("coordinate_transformation_mode", "half_pixel")) == "align_corners":
            raise fail(f"{where}: only nearest-neighbour resizing by whole factors is supported")
        scales = self.constant(node, 2, "scales", optional=True)
        if scales is None or scales.size == 0:
            sizes = self.constant(node, 3, "sizes")
            scales = sizes / np.array([1, *source.onnx_shape], dtype=np.float64)
        if not source.spatial or list(scales[:2]) != [1, 1] or np.any(scales[2:] != np.round(scales[2:])) or \
                np.any(scales[2:] < 1):
            raise fail(f"{where}: scales {scales.tolist()} are not whole factors on the spatial axes")
        size = tuple(int(s) for s in scales[2:])
        spec = UpSamplingSpec(self.new_name(node), f"UpSampling{len(size)}D", size, inputs=(source.spec,))
        self.add(spec, node.output[0], (*(n * s for n, s in zip(source.shape[:-1], size)), source.shape[-1]))


def _check_size(shape, where: str) -> None:
    if int(np.prod([int(n) for n in shape], dtype=object)) > MAX_TENSOR_ELEMENTS or min(shape, default=1) < 1:
        raise fail(f"{where}: a tensor of shape {tuple(shape)} is empty or larger than {MAX_TENSOR_ELEMENTS:,} elements "
                   "per event")


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """Keras's `same`: the total padding split with the odd zero after."""
    total = max((-(-size // stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _out_size(sizes: tuple, window: tuple, strides: tuple, padding: str) -> tuple[int, ...]:
    if padding == "same":
        return tuple(-(-n // s) for n, s in zip(sizes, strides))
    return tuple((n - k) // s + 1 for n, k, s in zip(sizes, window, strides))


def read_onnx(model, source: str) -> ModelSpec:
    """An onnx.ModelProto (its weights inside it) -> a model spec."""
    return _Reader(model, source).read()


def load_onnx_model(path: str | Path) -> ModelSpec:
    """Read an ONNX / QONNX file (parsed, never executed) into a model spec."""
    import onnx
    from google.protobuf.message import DecodeError

    path = Path(path)
    try:
        model = onnx.load(str(path), load_external_data=False)
    except (DecodeError, ValueError, OSError, RuntimeError, EOFError) as exc:
        raise fail(f"{path}: cannot read ONNX file ({exc.__class__.__name__}: {exc})") from None
    if any(initializer.data_location == onnx.TensorProto.EXTERNAL for initializer in model.graph.initializer):
        raise fail(f"{path}: its weights are in external data files; save the model with the weights inside "
                   "(onnx.save(model, path, save_as_external_data=False))")
    return read_onnx(model, str(path))
