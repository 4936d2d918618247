"""Save and load the IR as plain JSON (integers and type strings), so OUTDIR is self-describing.

JSON rather than pickle: loading a design must never execute anything.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from ..errors import fail
from ..fixed_point import MAX_ACCUM_WIDTH, FixedType, parse_precision
from .graph import ModelGraph
from .layers import LAYER_CLASSES, Layer
from .layers.recurrent import RecurrentCell
from .value_range import ValueRange

FORMAT_VERSION = 4  # 2: base-2 softmax tables; 3: a graph of shaped layers with named inputs and outputs;
# 4: wiring layers (zero padding, cropping) name their ends before/after (a static recurrent layer holds its cell's
# layers; older files have none, so the format stays readable)


def _encode(value):
    if isinstance(value, FixedType):
        return {"type": str(value)}
    if isinstance(value, ValueRange):  # the layer turns the list back into a ValueRange
        return [value.low, value.high, value.frac]
    if isinstance(value, np.ndarray):
        return {"array": value.tolist(), "shape": list(value.shape)}
    if isinstance(value, Layer):
        return layer_to_dict(value)
    if isinstance(value, RecurrentCell):
        return {"cell": {"inputs": _encode(value.inputs), "layers": _encode(value.layers), "outputs": value.outputs}}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    return value


def _decode(value):
    if isinstance(value, dict) and "type" in value:
        return parse_precision(value["type"], "design file", MAX_ACCUM_WIDTH)  # every type convert may write
    if isinstance(value, dict) and "array" in value:
        return np.asarray(value["array"], dtype=np.int64).reshape(value["shape"])
    if isinstance(value, dict) and "kind" in value:
        return layer_from_dict(value)
    if isinstance(value, dict) and "cell" in value:
        cell = value["cell"]
        return RecurrentCell(_decode(cell["inputs"]), _decode(cell["layers"]), cell["outputs"])
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def layer_to_dict(layer) -> dict:
    return {"kind": layer.kind} | {field.name: _encode(getattr(layer, field.name))
                                   for field in dataclasses.fields(layer)}


def layer_from_dict(data: dict):
    cls = LAYER_CLASSES.get(data.get("kind"))
    if cls is None:
        raise fail(f"design file: unknown layer kind {data.get('kind')!r}")
    return cls(**{key: _decode(value) for key, value in data.items() if key != "kind"})


def graph_json(graph: ModelGraph) -> str:
    """The design file's text: loading it and writing it again gives the same text."""
    data = {"format": FORMAT_VERSION, "name": graph.name, "input": layer_to_dict(graph.input),
            "layers": [layer_to_dict(layer) for layer in graph.layers], "outputs": list(graph.outputs),
            "derived_types": graph.derived_types}
    return json.dumps(data)


def save_graph(graph: ModelGraph, path: Path) -> None:
    path.write_text(graph_json(graph))


def load_graph(path: Path) -> ModelGraph:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise fail(f"cannot read design IR {str(path)!r} ({exc})") from None
    if data.get("format") != FORMAT_VERSION:
        raise fail(f"design IR {str(path)!r} has format {data.get('format')!r}; this rtl4ml reads {FORMAT_VERSION} "
                   "(convert the model again)")
    return ModelGraph(data["name"], layer_from_dict(data["input"]), [layer_from_dict(d) for d in data["layers"]],
                      tuple(data["outputs"]), data.get("derived_types", {}))
