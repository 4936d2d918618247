"""Vectors for one generated layer module of a written io_parallel core (OUTDIR/rtl/<top>_<layer>.v), alone: its
input bus and the output bus the golden model gives, packed as on the core's internal buses.

The module's input is the previous module's output (OUTDIR/rtl/core.json lists them in order, each with its stage);
inputs come from the golden model run on uniformly random codes at the core's input (which reach wide and saturating
values) and on real events where given, so the vectors are the codes the module sees in the core.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np

from rtl4ml.bus import encode_bus
from rtl4ml.design import load_design
from rtl4ml.golden.model import quantize_inputs, run_codes


class LayerModuleVectors:
    """The golden model of a written core, run once on `events` uniformly random input events and then X, and each
    layer module's vectors taken from that run."""

    def __init__(self, out_dir: Path, events: int = 1000, X=None, seed: int = 0):
        self.entries = json.loads((Path(out_dir) / "rtl" / "core.json").read_text())["layers"]
        self.graph = load_design(out_dir).graph
        self.events = events
        t = self.graph.input.result_type
        rng = np.random.default_rng(seed)
        self.codes = rng.integers(t.min_code, t.max_code + 1, size=(events, int(np.prod(self.graph.input.shape))))
        if X is not None:
            self.codes = np.concatenate([self.codes, quantize_inputs(self.graph, X).reshape(len(X), -1)])
        _, self.traces = run_codes(self.graph, self.codes, trace=True)
        self._threshold_rng = rng  # each module's threshold inputs continue from here, the same for every module

    def identifiers(self) -> list[str]:
        """The identifiers of the core's layer modules, in order (the input is not a module)."""
        return [entry["identifier"] for entry in self.entries[1:]]

    def of(self, identifier: str) -> tuple[int, list[tuple[int, int]]]:
        """(the module's latency in cycles, [(input bus, expected output bus)]): the random events, then X, then (a
        comparing module) `events` inputs at its thresholds."""
        index = next(i for i, entry in enumerate(self.entries) if entry["identifier"] == identifier and i > 0)
        source, layer = self.entries[index - 1], self.entries[index]
        if self.graph.layer(layer["ir_layers"][0]).inputs != (source["name"],):
            raise ValueError(f"module {identifier} does not read the module before it ({source['identifier']}); "
                             "only chains of layer modules are supported")
        inputs = self.codes if index == 1 else self.traces[source["name"]]
        outputs = self.traces[layer["name"]]
        at_thresholds = _codes_at_thresholds(self.graph, source["name"], layer["ir_layers"], self.events,
                                             copy.deepcopy(self._threshold_rng))
        if at_thresholds is not None:
            inputs, outputs = np.concatenate([inputs, at_thresholds[0]]), np.concatenate([outputs, at_thresholds[1]])
        pairs = [(encode_bus(x, source["width"]), encode_bus(y, layer["width"])) for x, y in zip(inputs, outputs)]
        return layer["stage"] - source["stage"], pairs


def _codes_at_thresholds(graph, source: str, ir_layers: list[str], events: int, rng):
    """(inputs, outputs) of `events` more vectors whose every element lies at one of its row's thresholds or one
    code either side, for a module that starts by comparing (binary and ternary steps, piecewise-linear
    activations): a fault in a comparison shows only there. None for other modules."""
    first = graph.layer(ir_layers[0])
    rows = getattr(first, "thresholds", None)
    if not rows or not any(rows):
        return None
    tensor = graph.layer(source)
    n = int(np.prod(tensor.shape))
    t = tensor.result_type
    codes = np.empty((events, n), dtype=np.int64)
    for i in range(n):  # element i belongs to row i % rows (its channel, or the one shared row)
        near = [code + step for code in rows[i % len(rows)] for step in (-1, 0, 1)]
        codes[:, i] = rng.choice(np.clip(near, t.min_code, t.max_code), size=events)
    values = codes.reshape((events,) + tuple(tensor.shape))
    for name in ir_layers:
        values = graph.layer(name).golden()(values)
    return codes, values.reshape(events, -1)
