"""Where a streaming core first differs from the golden model: the unit, its beat and channel, and inside a recurrent
unit the time step and the cell tensor.

A run that mismatches is repeated on the frames up to the first wrong one with probes on (tb/core/stream_tb.py's
Probes): every beat on each unit's output link, and each recurrent cell tensor once per step. The first unit in
stream order whose beats of that frame differ from its layer's golden codes is where the error enters (the units
before it were right); in a recurrent unit, the first step at which a cell tensor differs, and the first such
tensor in the cell's data-flow order, name the gate.
"""

from __future__ import annotations

import numpy as np

from ..ir.layers import RecurrentLayer


def _recurrent(unit) -> RecurrentLayer | None:
    layer = unit.block.layers[0] if unit.block is not None else None
    return layer if isinstance(layer, RecurrentLayer) else None


def probed_modules(core) -> tuple[str, ...]:
    """The modules a traced run reads inside: the recurrent layers' (their cells' tensors)."""
    return tuple(f"{core.top}_{unit.block.identifier}" for unit in core.units if _recurrent(unit))


def trace_spec(core) -> dict:
    """The job's "trace" entry: each unit's output link, and each recurrent cell's tensors with the stage their
    registers hold a step's value at."""
    links = [{"link": unit.identifier, "channels": unit.out_shape.channels, "width": unit.out_type.width,
              "signed": unit.out_type.signed} for unit in core.units]
    cells = []
    for unit in core.units:
        if not _recurrent(unit):
            continue
        plan = unit.block.plan
        tensors = [{"name": part.layers[-1].name, "signal": instance.output, "n": part.n_out,
                    "width": part.out_type.width, "signed": part.out_type.signed,
                    "stage": plan.schedule.output_stage[instance.output]}
                   for part, instance in zip(unit.block.parts, plan.instances)]
        cells.append({"instance": f"{unit.identifier}_block", "tensors": tensors})
    return {"links": links, "cells": cells}


def _golden_links(core, codes: np.ndarray, traces: dict) -> dict[str, np.ndarray]:
    """Each link's golden beats [frames, beats, channels]: the input, each unit's last layer (a unit without layers
    passes its source on), each FIFO its source's."""
    frames, fifo_sources = len(codes), {fifo.identifier: fifo.source for fifo in core.fifos}
    links = {core.input_link: codes.reshape(frames, core.in_shape.pixels, core.in_shape.channels)}

    def of(link: str) -> np.ndarray:
        while link in fifo_sources:
            link = fifo_sources[link]
        return links[link]

    for unit in core.units:
        values = traces[unit.layers[-1]] if unit.layers else of(unit.sources[0])
        links[unit.identifier] = np.asarray(values).reshape(frames, unit.out_shape.pixels, unit.out_shape.channels)
    return links


def _first_difference(got: np.ndarray, want: np.ndarray) -> tuple[int, int] | None:
    wrong = np.argwhere(got != want)
    return (int(wrong[0][0]), int(wrong[0][1])) if len(wrong) else None


def _cell_difference(unit, layer: RecurrentLayer, probes: dict, x: np.ndarray, frame: int) -> dict | None:
    """The first step, and at it the first cell tensor, whose probed codes differ from the cell's golden run of
    `frame` (x: its steps' codes; a tensor probed fewer times than that counts as differing)."""
    golden = list(layer.cell.run(x[frame:frame + 1], layer.steps))
    for step in range(layer.steps):
        for part in unit.block.parts:
            name, index = part.layers[-1].name, frame * layer.steps + step
            seen, want = probes.get(name, []), golden[step][name][0].tolist()
            got = seen[index] if index < len(seen) else None
            if got != want:
                return {"step": step, "tensor": name, "got": got, "expected": want}
    return None


def localize(core, codes: np.ndarray, traces: dict, probes: dict, frame: int) -> dict:
    """The first unit (in stream order) whose beats of `frame` differ from the golden model, with its beat and
    channel, and for a recurrent unit the first differing step and cell tensor. `codes`: the frames sent; `traces`:
    the golden model's per-layer codes of them; `probes`: the traced run's readings (Probes.write)."""
    links = _golden_links(core, codes, traces)
    for unit in core.units:
        want = links[unit.identifier][frame]
        got = probes["beats"].get(unit.identifier, [])[frame * len(want):(frame + 1) * len(want)]
        if len(got) < len(want):
            return {"unit": unit.identifier, "layers": unit.layers, "beat": len(got), "channel": None,
                    "got": None, "expected": None, "missing": True}
        where = _first_difference(np.asarray(got), want)
        if where is None:
            continue
        found = {"unit": unit.identifier, "layers": unit.layers, "beat": where[0], "channel": where[1],
                 "got": int(got[where[0]][where[1]]), "expected": int(want[where])}
        layer = _recurrent(unit)
        if layer is not None:
            x = np.asarray(traces[layer.inputs[0]]).reshape(len(codes), layer.steps, -1)
            found["cell"] = _cell_difference(unit, layer, probes["steps"], x, frame)
        return found
    return {}


def describe_location(found: dict | None) -> str:
    """One line: where the first difference enters (None: the traced repeat did not differ)."""
    if found is None:
        return "the traced repeat of the frames up to the first wrong one did not differ: no location"
    if not found:
        return "no unit's beats differ (the output register or the testbench)"
    names = ", ".join(found["layers"]) or "no layer"
    if found.get("missing"):
        return f"unit {found['unit']} ({names}) sent only {found['beat']} beats of the frame"
    line = (f"first differing unit {found['unit']} ({names}): beat {found['beat']} channel {found['channel']} is "
            f"{found['got']}, the golden model says {found['expected']}")
    cell = found.get("cell")
    if cell:
        line += (f"; in its cell, step {cell['step']} tensor {cell['tensor']} is {cell['got']}, expected "
                 f"{cell['expected']}")
    return line
