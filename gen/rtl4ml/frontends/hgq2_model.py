"""Read an HGQ2 model (.keras, Keras 3) without importing HGQ2: per-element bit widths become exact types.

HGQ2 layers are Keras layers with quantizers whose bit widths are weights of the file: `k` (keep negative), and `b`,
`i` (q_type kbi) or `i`, `f` (q_type kif), one per element where the quantizer is heterogeneous. At inference a
quantizer is the ap_fixed type <k + i + f, k + i> of its rounding and overflow modes, element by element (HGQ2's
quantizers package: `i` raised to at least `-f`; saturation, then rounding; wrapping after rounding; an element of
no bits is 0). So:

- a kernel or bias is quantized here, weight by weight, and carries the narrowest type holding its values: a weight
  of fewer bits costs less in the adder graphs;
- an input quantizer (`iq`) or output quantizer (`oq`) becomes an element quantizer before or after the layer; an
  input element of no bits is 0, so the Dense after it gets a zero kernel row instead.

The file is rewritten as a plain Keras model (Dense, Conv2D, ... with the quantized weights, and a linear Activation
where a quantizer sits; a QSoftmax as the exact layers and tables it computes with), read by the Keras frontend, and
the quantizers' types are then put back by layer name.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path

import numpy as np

from ..errors import fail
from ..fixed_point import FixedType
from .hgq_types import ROUNDING, element_type, exact_between_quantizers
from .isolated import read_isolated
from .keras_file import DAMAGED_FILE_ERRORS, KerasFile, snake_case
from .keras_model import build_model_spec
from .spec import DenseSpec, ElementQuantizerSpec, ModelSpec

# HGQ2 layer class -> the Keras class it computes as (the quantizers aside)
_LAYERS = {"QDense": "Dense", "QConv1D": "Conv1D", "QConv2D": "Conv2D", "QEinsumDense": "EinsumDense",
           "QBatchNormalization": "BatchNormalization", "QBatchNormDense": "Dense"}
# HGQ2 merges: an input quantizer per input, then the Keras merge
_MERGES = {"QAdd": "Add", "QSubtract": "Subtract", "QMultiply": "Multiply", "QMaximum": "Maximum",
           "QMinimum": "Minimum", "QAveragePow2": "Average"}
# HGQ2 pooling layers: an input quantizer, then the Keras pooling of the name without its Q
_POOLINGS = tuple(f"Q{kind}Pooling{rank}D" for kind in ("Max", "Average", "GlobalMax", "GlobalAverage")
                  for rank in (1, 2))
_OVERFLOWS = ("WRAP", "SAT", "SAT_SYM")


def is_hgq2_file(path: Path) -> bool:
    """A .keras zip whose config names HGQ2 layers (registered as "hgq>...")."""
    try:
        with zipfile.ZipFile(path) as archive:
            return '"hgq>' in archive.read("config.json").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        return False


class _Quantizer:
    """One HGQ2 fixed-point quantizer: its modes and its k, i, f arrays (broadcastable to the tensor)."""

    def __init__(self, config: dict, variables: list[np.ndarray], where: str):
        q_type = config.get("q_type")
        if q_type not in ("kbi", "kif"):
            raise fail(f"{where}: quantizer type {q_type!r} is not supported (fixed point: kbi, kif)")
        rounding = str(config.get("round_mode", "TRN")).upper().removeprefix("S_")  # stochastic only in training
        overflow = str(config.get("overflow_mode", "WRAP")).upper()
        if rounding not in ROUNDING or overflow not in _OVERFLOWS:
            raise fail(f"{where}: round mode {rounding!r} / overflow mode {overflow!r} is not supported "
                       f"({', '.join(ROUNDING)} / {', '.join(_OVERFLOWS)})")
        self.rounding, self.overflow, self.where = rounding, overflow, where
        self.weight = bool(config.get("is_weight", False))
        # saved as the trainable variables, then the others, each in creation order (Keras 3's save_own_variables)
        wrap = overflow == "WRAP"
        created = ["k", "b", "i"] if q_type == "kbi" else ["k", "i", "f"]
        trainable = {"k": False, "b": True, "f": True, "i": not wrap}
        order = [v for v in created if trainable[v]] + [v for v in created if not trainable[v]]
        if len(variables) < 3:
            raise fail(f"{where}: {len(variables)} quantizer variables in the weights file, expected 3 or more")
        named = dict(zip(order, variables))
        self.k = np.asarray(named["k"], dtype=np.float64)
        self.i = np.round(np.asarray(named["i"], dtype=np.float64))  # HGQ2 rounds half to even, as np.round
        self.f = np.round(np.asarray(named["f"], dtype=np.float64)) if "f" in named else \
            np.round(np.asarray(named["b"], dtype=np.float64)) - self.i
        if not (np.all(np.isfinite(self.i)) and np.all(np.isfinite(self.f))) or np.any(np.abs(self.f) > 64) or \
                np.any(np.abs(self.i) > 64):
            raise fail(f"{where}: bit widths out of range (i {self.i.min()}..{self.i.max()}, f {self.f.min()}.."
                       f"{self.f.max()})")

    def kif(self, shape: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        try:
            return tuple(np.broadcast_to(a, shape) for a in (self.k, self.i, self.f))
        except ValueError:
            raise fail(f"{self.where}: bit widths of shape {self.k.shape} do not fit the tensor {shape}") from None

    def quantize(self, values: np.ndarray) -> np.ndarray:
        """A constant through the quantizer, as HGQ2 computes it at inference."""
        k, i, f = self.kif(values.shape)
        i_used = np.maximum(i, -f)
        scale = 2.0 ** f
        high, low = 2.0 ** i_used - 2.0 ** -f, -k * 2.0 ** i_used
        if self.overflow == "SAT_SYM":
            low = -k * high
        x = values if self.overflow == "WRAP" else np.clip(values, low, high)
        x = _round(x * scale, self.rounding) / scale
        if self.overflow == "WRAP" and not self.weight:  # a trainable weight quantizer in WRAP mode only rounds
            span, bias = 2.0 ** (i_used + k), k * 2.0 ** (i_used + k - 1)
            x = np.mod(x + bias, span) - bias
        return np.where(k + i + f > 0, x, 0.0)

    def element_types(self, shape: tuple) -> tuple[list[FixedType | None], np.ndarray]:
        """Per element (flattened): its ap_fixed type, or None for an element of no bits (always 0)."""
        k, i, f = (a.reshape(-1) for a in self.kif((1, *shape)))  # the bit widths keep the batch axis
        types = []
        for kk, ii, ff in zip(k.astype(int).tolist(), i.astype(int).tolist(), f.astype(int).tolist()):
            ii = max(ii, -ff) if kk + ii + ff > 0 else ii  # HGQ2 raises i to -f; no bits stays no bits
            types.append(element_type(kk, kk + ii + ff, kk + ii, self.rounding, self.overflow, self.where))
        return types, np.array([t is None for t in types])


def _round(x: np.ndarray, mode: str) -> np.ndarray:
    if mode == "TRN":
        return np.floor(x)
    if mode == "RND":
        return np.floor(x + 0.5)
    if mode == "RND_CONV":
        return np.round(x)
    if mode == "TRN_ZERO":
        return np.trunc(x)
    if mode == "RND_ZERO":
        return -np.floor(-np.abs(x) + 0.5) * np.sign(x)
    if mode == "RND_MIN_INF":
        return -np.floor(-x + 0.5)
    return np.floor(np.abs(x) + 0.5) * np.sign(x)  # RND_INF


def _read_archive(path: Path) -> tuple[dict, dict]:
    """config.json, and the weights file's groups as nested dicts of arrays (read in a child process with a time
    limit: see isolated.py)."""
    return read_isolated(_read_archive_here, str(path))


def _read_archive_here(path: str) -> tuple[dict, dict]:
    import h5py

    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json").decode("utf-8"))
            with h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as handle:
                def tree(group):
                    return {key: tree(group[key]) if hasattr(group[key], "keys") else np.asarray(group[key])
                            for key in group}
                weights = tree(handle["layers"]) if "layers" in handle else {}
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError, *DAMAGED_FILE_ERRORS) as exc:
        raise fail(f"{path}: not a valid HGQ2 .keras archive ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        raise fail(f"{path}: config.json is not a Keras model config")
    return config, weights


def _variables(group: dict | None) -> list[np.ndarray]:
    variables = (group or {}).get("vars") or {}
    return [variables[key] for key in sorted(variables, key=int)]


def _quantizer(group: dict, name: str, config: dict, where: str) -> _Quantizer | None:
    conf = config.get(f"{name}_conf")
    if not conf:
        return None
    inner = conf.get("config") or {}
    return _Quantizer(inner, _variables((group.get(name) or {}).get("quantizer")), f"{where}, {name}")


def _tensor_history(name: str) -> dict:
    return {"class_name": "__keras_tensor__", "config": {"keras_history": [name, 0, 0]}}


def load_hgq2_model(path: str | Path) -> ModelSpec:
    """Read an HGQ2 .keras file into a model spec, every quantizer an exact type."""
    path = Path(path)
    config, groups = _read_archive(path)
    inner = config["config"]
    layers = inner.get("layers")
    if not isinstance(layers, list):
        raise fail(f"{path}: config.json has no layer list")
    rewrite = _Rewrite(inner)
    counters: dict[str, int] = {}
    for layer in layers:
        class_name, layer_config = layer.get("class_name"), dict(layer.get("config") or {})
        name = layer_config.get("name", layer.get("name"))
        snake = snake_case(str(class_name))
        count = counters.get(snake, 0)
        counters[snake] = count + 1
        group = groups.get(snake if count == 0 else f"{snake}_{count}", {})
        if not str(layer.get("registered_name") or "").startswith("hgq>"):
            rewrite.keras_layer(layer, name, group)
        else:
            rewrite.hgq_layer(layer, class_name, layer_config, name, group, f"{path}: layer {name} ({class_name})")
    model_config = copy.deepcopy(config)
    model_config["config"]["layers"] = rewrite.layers
    spec = build_model_spec(KerasFile(model_config, rewrite.weights, str(path), "names"))
    return _typed(spec, rewrite.quantizers, str(path))


class _Rewrite:
    """The HGQ2 model as plain Keras layers (quantized weights; a linear Activation where a quantizer sits)."""

    def __init__(self, model: dict):
        self.model = model
        self.layers: list[dict] = []
        self.weights: dict[str, list[np.ndarray]] = {}
        self.quantizers: dict[str, tuple] = {}  # activation name -> (quantizer, the Dense it feeds, tensor shape)

    def keras_layer(self, layer: dict, name: str, group: dict) -> None:
        if _variables(group):
            self.weights[name] = _variables(group)
        self.layers.append(layer)

    def hgq_layer(self, layer: dict, class_name: str, config: dict, name: str, group: dict, where: str) -> None:
        if class_name == "Quantizer":
            inner = (config.get("config") or {}).get("config") or {}
            if inner.get("scaler") is not None or inner.get("affine") is not None:
                raise fail(f"{where}: a quantizer with a scaler or an affine map is not supported")
            quantizer = _Quantizer(inner, _variables(group.get("quantizer")), where)
            self.quantizers[name] = (quantizer, None, _input_shape(layer, where))
            self.layers.append({**layer, "class_name": "Activation", "registered_name": None,
                                "config": {"name": name, "activation": "linear"}})
            return
        if class_name in _MERGES:
            self.merge(layer, class_name, config, name, group, where)
            return
        if class_name == "QSoftmax":
            self.softmax(layer, config, name, group, where)
            return
        keras_class = _LAYERS.get(class_name) or (class_name[1:] if class_name in _POOLINGS else None)
        if keras_class is None:
            raise fail(f"{where}: HGQ2 layer {class_name!r} is not supported; rtl4ml reads "
                       f"{', '.join([*_LAYERS, *_POOLINGS, *_MERGES, 'Quantizer'])} and the Keras layers between "
                       "them")
        iq = _quantizer(group, "iq", config, where) if config.get("enable_iq", True) else None
        oq = _quantizer(group, "oq", config, where) if config.get("enable_oq", False) else None
        if oq is not None and class_name != "QDense":
            raise fail(f"{where}: an output quantizer (enable_oq) is supported after a QDense only")
        keras_config = {key: value for key, value in config.items() if not key.endswith("_conf")}
        rewritten = {"class_name": keras_class, "config": keras_config, "name": name,
                     "inbound_nodes": copy.deepcopy(layer.get("inbound_nodes") or [])}
        if iq is not None:  # a linear Activation in front of the layer, retyped in _typed
            before = {"class_name": "Activation", "config": {"name": f"{name}_iq", "activation": "linear"},
                      "name": f"{name}_iq", "inbound_nodes": copy.deepcopy(layer.get("inbound_nodes") or [])}
            if rewritten["inbound_nodes"]:
                rewritten["inbound_nodes"] = [{"args": [_tensor_history(f"{name}_iq")], "kwargs": {}}]
            self.layers.append(before)
            self.quantizers[f"{name}_iq"] = (iq, name, _input_shape(layer, where))
        self.layers.append(rewritten)
        if class_name == "QEinsumDense":
            kernel, bias = _quantized_weights(group, dict(config, use_bias=bool(config.get("bias_axes"))), where)
            rank = _einsum_as_linear(config, kernel, _input_shape(layer, where), rewritten, where)
            self.weights[name] = [kernel.reshape((1,) * rank + kernel.shape)] + ([bias] if bias is not None else [])
        elif class_name == "QBatchNormDense":
            kernel, bias = _fused_batch_norm_dense(group, config, where)
            rewritten["config"] = {key: value for key, value in rewritten["config"].items()
                                   if key in ("name", "units", "activation", "use_bias")}
            self.weights[name] = [kernel, bias]
        elif class_name == "QBatchNormalization":
            if iq is None:
                raise fail(f"{where}: a QBatchNormalization without its input quantizer is not supported")
            self.weights[name] = _batch_norm_weights(group, config, rewritten, where)
        elif class_name in _LAYERS:
            kernel, bias = _quantized_weights(group, config, where)
            self.weights[name] = [kernel] + ([bias] if bias is not None else [])
        if oq is not None:
            functional = bool(rewritten["inbound_nodes"])
            _rename_readers(self.model.get("layers") or [], self.model, name, f"{name}_oq")
            self.layers.append({"class_name": "Activation", "config": {"name": f"{name}_oq", "activation": "linear"},
                                "name": f"{name}_oq",
                                "inbound_nodes": [{"args": [_tensor_history(name)], "kwargs": {}}] if functional
                                else []})
            self.quantizers[f"{name}_oq"] = (oq, None, (int(config.get("units", 0)),))


    def merge(self, layer: dict, class_name: str, config: dict, name: str, group: dict, where: str) -> None:
        """An input quantizer per input (a linear Activation each, retyped in _typed), then the Keras merge."""
        shapes = (layer.get("build_config") or {}).get("input_shape")
        nodes = layer.get("inbound_nodes") or []
        sources = nodes[0]["args"][0] if nodes and nodes[0].get("args") else None
        if not isinstance(shapes, list) or not isinstance(sources, list) or len(shapes) != len(sources):
            raise fail(f"{where}: cannot read its inputs (a merge in a functional model is read)")
        confs = config.get("iq_confs") or []
        groups = (group.get("iq") or {}).get("quantizers") or {}
        renamed = []
        for index, source in enumerate(sources):
            if not config.get("enable_iq", True):
                renamed.append(source)
                continue
            conf = confs[index] if isinstance(confs, list) and index < len(confs) else None
            key = "quantizer" if index == 0 else f"quantizer_{index}"
            if not isinstance(conf, dict) or key not in groups:
                raise fail(f"{where}: input quantizer {index} is missing from the file")
            quantizer = _Quantizer(conf.get("config") or {}, _variables(groups[key].get("quantizer")),
                                   f"{where}, iq {index}")
            label = f"{name}_iq{index}"
            self.layers.append({"class_name": "Activation", "config": {"name": label, "activation": "linear"},
                                "name": label, "inbound_nodes": [{"args": [source], "kwargs": {}}]})
            self.quantizers[label] = (quantizer, None, tuple(shapes[index][1:]))
            renamed.append(_tensor_history(label))
        keras_config = {key: value for key, value in config.items() if not key.endswith(("_conf", "_confs"))}
        self.layers.append({"class_name": _MERGES[class_name], "config": keras_config, "name": name,
                            "inbound_nodes": [{"args": [renamed], "kwargs": {}}]})


    def softmax(self, layer: dict, config: dict, name: str, group: dict, where: str) -> None:
        """HGQ2's QSoftmax over the classes, from rtl4ml's exact layers: d = max(x) - x, its quantizer, the
        exponential table, the sum, its quantizer, the inverse table, and exp(d) * 1/sum, each as HGQ2 computes it
        (the tables' entries in float32, then through their output quantizers)."""
        nodes = layer.get("inbound_nodes") or []
        shape = _input_shape(layer, where)
        if not nodes or len(shape) != 1:
            raise fail(f"{where}: a QSoftmax is read over the last axis of a flat tensor in a functional model")
        if not config.get("stable", True) or [int(a) for a in config.get("axes") or [-1]] not in ([-1], [1]):
            raise fail(f"{where}: only the stable softmax over the last axis is read")
        classes, source = shape[0], nodes[0]["args"][0]
        if config.get("enable_iq", False):
            self.quantizer_layer(f"{name}_iq", _quantizer(group, "iq", config, where), source, shape)
            source = _tensor_history(f"{name}_iq")
        tables = {part: ((group.get(f"{part}_table") or {}), config.get(f"{part}_iq_conf"), config.get(f"{part}_oq_conf"))
                  for part in ("exp", "inv")}
        quantizers = {}
        for part, (table_group, iq_conf, oq_conf) in tables.items():
            if not iq_conf or not oq_conf:
                raise fail(f"{where}: its {part} table has no input or output quantizer in the file")
            quantizers[part] = [_Quantizer(conf.get("config") or {}, _variables((table_group.get(q) or {})
                                                                                .get("quantizer")),
                                           f"{where}, {part} table {q}")
                                for q, conf in (("iq", iq_conf), ("oq", oq_conf))]
        scaler = np.float32(config.get("input_scaler", 1.0))
        ones = np.ones((classes, 1)), np.ones((1, classes))
        self.plain("Reshape", f"{name}_column", {"target_shape": [classes, 1]}, [source])
        self.plain("GlobalMaxPooling1D", f"{name}_max", {}, [_tensor_history(f"{name}_column")])
        self.plain("Dense", f"{name}_max_each", {"units": classes, "use_bias": False},
                   [_tensor_history(f"{name}_max")], [ones[1]])
        self.plain("Subtract", f"{name}_d", {}, [[_tensor_history(f"{name}_max_each"), source]])
        exp_iq, exp_oq = quantizers["exp"]
        self.quantizer_layer(f"{name}_d_q", exp_iq, _tensor_history(f"{name}_d"), shape)
        self.table(f"{name}_exp", exp_iq, exp_oq, lambda v: np.exp(-v * scaler), _tensor_history(f"{name}_d_q"))
        self.plain("Dense", f"{name}_sum", {"units": 1, "use_bias": False}, [_tensor_history(f"{name}_exp")],
                   [ones[0]])
        inv_iq, inv_oq = quantizers["inv"]
        self.quantizer_layer(f"{name}_sum_q", inv_iq, _tensor_history(f"{name}_sum"), (1,))
        self.table(f"{name}_inv", inv_iq, inv_oq, lambda v: np.float32(1) / (v + np.float32(1e-7)),
                   _tensor_history(f"{name}_sum_q"))
        self.plain("Dense", f"{name}_inv_each", {"units": classes, "use_bias": False},
                   [_tensor_history(f"{name}_inv")], [ones[1]])
        self.plain("Multiply", name, {}, [[_tensor_history(f"{name}_exp"), _tensor_history(f"{name}_inv_each")]])

    def plain(self, class_name: str, name: str, config: dict, args: list, weights: list | None = None) -> None:
        self.layers.append({"class_name": class_name, "config": {"name": name, **config}, "name": name,
                            "inbound_nodes": [{"args": args, "kwargs": {}}]})
        if weights is not None:
            self.weights[name] = weights

    def quantizer_layer(self, name: str, quantizer, source: dict, shape: tuple) -> None:
        """A linear Activation, retyped in _typed as the quantizer's element quantizer."""
        self.plain("Activation", name, {"activation": "linear"}, [source])
        self.quantizers[name] = (quantizer, None, shape)

    def table(self, name: str, iq, oq, function, source: dict) -> None:
        """A table of `function` over every code of the (homogeneous) input quantizer, through the output
        quantizer: read by the Keras walker as HGQ's UnaryLUT."""
        k, i, f = (int(np.max(a)) for a in (iq.k, iq.i, iq.f))
        kk, ii, ff = (int(np.max(a)) for a in (oq.k, oq.i, oq.f))
        if any(np.ptp(a) for a in (iq.k, iq.i, iq.f, oq.k, oq.i, oq.f)) or k + i + f > 16:
            raise fail(f"{name}: a table quantizer with different bit widths per element, or an input of more than "
                       "16 bits, is not supported")
        size = 1 << (k + i + f)
        codes = np.arange(size)
        codes = np.where(codes >= size >> 1, codes - size, codes) if k else codes
        values = function((codes * 2.0 ** -f).astype(np.float32)).astype(np.float64)  # float32, as HGQ2
        table = oq.quantize(values.reshape(-1, 1)).reshape(-1) if oq.k.ndim else oq.quantize(values)
        self.layers.append({"class_name": "HGQ>UnaryLUT", "name": name, "inbound_nodes": [{"args": [source],
                                                                                           "kwargs": {}}],
                            "config": {"name": name, "kif_in": [k, i, f], "kif_out": [kk, ii, ff]}})
        self.weights[name] = [table]


def _einsum_as_linear(config: dict, kernel: np.ndarray, input_shape: tuple, rewritten: dict, where: str) -> int:
    """A QEinsumDense that is a Dense over the last axis ("...c,cd->...d"): a Dense on a flat input, a pointwise
    Conv1D/Conv2D on a sequence or an image. Rewrites the layer; returns the kernel's spatial rank."""
    equation = str(config.get("equation", "")).replace(" ", "")
    try:
        operands, output = equation.split("->")
        data, weights = operands.split(",")
    except ValueError:
        raise fail(f"{where}: equation {equation!r} is not an einsum equation") from None
    bias_axes = str(config.get("bias_axes") or "")
    linear = len(weights) == 2 and kernel.ndim == 2 and data[-1] == weights[0] and \
        output == data[:-1] + weights[1] and bias_axes in ("", weights[1]) and len(data) == len(input_shape) + 1
    if not linear:
        raise fail(f"{where}: equation {equation!r} (bias axes {bias_axes!r}) is not a Dense over the last axis; "
                   "rtl4ml reads QEinsumDense of the form '...c,cd->...d'")
    rank = len(input_shape) - 1
    keras = {"name": rewritten["config"]["name"], "activation": config.get("activation") or "linear",
             "use_bias": bool(bias_axes)}
    if rank == 0:
        rewritten.update(class_name="Dense", config={**keras, "units": int(kernel.shape[1])})
    elif rank in (1, 2):
        rewritten.update(class_name=f"Conv{rank}D", config={**keras, "filters": int(kernel.shape[1]),
                                                            "kernel_size": [1] * rank, "strides": [1] * rank,
                                                            "padding": "valid"})
    else:
        raise fail(f"{where}: a QEinsumDense over a tensor of rank {rank + 1} is not supported")
    return rank


def _fused_batch_norm_dense(group: dict, config: dict, where: str) -> tuple[np.ndarray, np.ndarray]:
    """HGQ2's QBatchNormDense at inference: the batch norm of its inputs fused into the kernel (gamma / sqrt(variance
    + epsilon) per input row) and the bias (minus mean . kernel), each through its quantizer; computed in float32,
    as HGQ2 computes them, before the exact quantization."""
    arrays = [np.asarray(a, dtype=np.float32) for a in _variables(group)]
    scale_on = bool(config.get("scale", True))
    if len(arrays) < 4 + int(scale_on) or not all(np.all(np.isfinite(a)) for a in arrays):
        raise fail(f"{where}: expected {4 + int(scale_on)} finite weight arrays, found {len(arrays)}")
    kernel, bias = arrays[0], arrays[1]
    gamma = arrays[2] if scale_on else np.float32(1)
    mean, variance = arrays[-2], arrays[-1]
    scaler = gamma / np.sqrt(variance + np.float32(config.get("epsilon", 1e-3)))
    kq, bq = _quantizer(group, "kq", config, where), _quantizer(group, "bq", config, where)
    fused_kernel = (scaler[:, None] * kernel).astype(np.float64)
    fused_bias = (bias - np.dot(mean, kernel)).astype(np.float64)
    return (kq.quantize(fused_kernel) if kq is not None else fused_kernel,
            bq.quantize(fused_bias) if bq is not None else fused_bias)


def _batch_norm_weights(group: dict, config: dict, rewritten: dict, where: str) -> list[np.ndarray]:
    """HGQ2's QBatchNormalization at inference: scale = gamma / sqrt(variance + epsilon) and offset = beta - mean *
    scale, each through its quantizer; as the weights of a Keras BatchNormalization that computes exactly
    x * scale + offset (gamma = scale, beta = offset, mean 0, variance 1, epsilon 0)."""
    arrays = [np.asarray(a, dtype=np.float32) for a in _variables(group)]  # computed in float32, as HGQ2 does
    scale_on, center_on = bool(config.get("scale", True)), bool(config.get("center", True))
    needed = 2 + int(scale_on) + int(center_on)
    if len(arrays) < needed or not all(np.all(np.isfinite(a)) for a in arrays[:needed]):
        raise fail(f"{where}: expected {needed} finite weight arrays, found {len(arrays)}")
    trained = arrays[:int(scale_on) + int(center_on)]
    gamma = trained.pop(0) if scale_on else np.float32(1)
    beta = trained.pop(0) if center_on else np.float32(1)  # HGQ2 uses 1 when `center` is off
    mean, variance = arrays[int(scale_on) + int(center_on):needed]
    scale = gamma / np.sqrt(variance + np.float32(config.get("epsilon", 1e-3)))
    offset = (beta - mean * scale).astype(np.float64)
    scale = scale.astype(np.float64)
    kq, bq = _quantizer(group, "kq", config, where), _quantizer(group, "bq", config, where)
    scale = kq.quantize(scale) if kq is not None else scale
    offset = bq.quantize(offset) if bq is not None else offset
    rewritten.update(class_name="BatchNormalization",
                     config={"name": rewritten["config"]["name"], "axis": config.get("axis", -1), "epsilon": 0.0,
                             "scale": True, "center": True})
    return [scale, offset, np.zeros_like(scale), np.ones_like(scale)]


def _input_shape(layer: dict, where: str) -> tuple[int, ...]:
    shape = (layer.get("build_config") or {}).get("input_shape")
    if not isinstance(shape, list) or len(shape) < 2 or not all(isinstance(n, int) and n > 0 for n in shape[1:]):
        raise fail(f"{where}: build_config holds no input shape ({shape!r}); save the model after it is built")
    return tuple(shape[1:])


def _quantized_weights(group: dict, config: dict, where: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The kernel and bias through their quantizers, as HGQ2 computes them at inference."""
    arrays = _variables(group)
    use_bias = bool(config.get("use_bias", True))
    if len(arrays) < 1 + int(use_bias):
        raise fail(f"{where}: expected {1 + int(use_bias)} weight arrays, found {len(arrays)}")
    kernel = np.asarray(arrays[0], dtype=np.float64)
    bias = np.asarray(arrays[1], dtype=np.float64) if use_bias else None
    for label, array in (("kernel", kernel), ("bias", bias)):
        if array is not None and not np.all(np.isfinite(array)):
            raise fail(f"{where}: its {label} holds non-finite values")
    kq, bq = _quantizer(group, "kq", config, where), _quantizer(group, "bq", config, where)
    if kq is not None:
        kernel = kq.quantize(kernel)
    if bq is not None and bias is not None:
        bias = bq.quantize(bias)
    return kernel, bias


def _rename_readers(layers: list, model: dict, source: str, target: str) -> None:
    """The layers and model outputs that read `source` now read `target` (its output quantizer)."""
    old, new = f'"keras_history": ["{source}", ', f'"keras_history": ["{target}", '
    for layer in layers:
        nodes = layer.get("inbound_nodes") or []
        layer["inbound_nodes"] = json.loads(json.dumps(nodes).replace(old, new))
    outputs = model.get("output_layers")
    if isinstance(outputs, list):
        model["output_layers"] = json.loads(json.dumps(outputs).replace(f'["{source}", ', f'["{target}", '))


def _typed(spec: ModelSpec, quantizers: dict, source: str) -> ModelSpec:
    """Give the quantizers' linear Activations their per-element types, then HGQ's exact types everywhere else."""
    layers = []
    for layer in spec.layers:
        if layer.name in quantizers:
            quantizer, consumer, shape = quantizers[layer.name]
            types, zero = quantizer.element_types(shape)
            if zero.any() and consumer is not None:
                _zero_rows(spec, consumer, np.flatnonzero(zero))  # cheaper than the zeros themselves
            layer = ElementQuantizerSpec(layer.name, "Quantizer", tuple(types), inputs=layer.inputs)
        layers.append(layer)
    spec.layers = layers
    return exact_between_quantizers(spec, source)


def _zero_rows(spec: ModelSpec, consumer: str, rows: np.ndarray) -> None:
    """Input elements of no bits are 0: a Dense reading them gets zero kernel rows, which cost nothing."""
    layer = next((s for s in spec.layers if s.name == consumer), None)
    if isinstance(layer, DenseSpec):
        layer.kernel = layer.kernel.copy()
        layer.kernel[rows] = 0.0
