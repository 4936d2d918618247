"""A recurrent layer computed by one cell reused for every time step (static; io_stream: a step per beat).

The cell is a small graph of the IR's own layers (the Dense of [x; h] per gate, the activations, the gate products
and sums) built by ir/recurrent.py exactly as one unrolled step is, reading three named inputs: the time step x, the
state h and (LSTM) the cell state c, and producing the next h (and c). The state starts at zero for every
sequence; with zero state a cell computes what the unrolled form's first step computes (its left-out recurrent rows
and products are exact zeros), so both forms give the same codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..value_range import ValueRange
from .base import Layer, layer_class
from .input import InputLayer


@dataclass
class RecurrentCell:
    """One step: `inputs` x, h[, c] (input layers), `layers` in data-flow order, `outputs` the next h[, c]."""

    inputs: tuple[InputLayer, ...]
    layers: list[Layer]
    outputs: tuple[str, ...]

    def __post_init__(self):
        self.inputs, self.outputs = tuple(self.inputs), tuple(self.outputs)

    @property
    def states(self) -> tuple[InputLayer, ...]:
        """The state inputs h[, c], in the order of `outputs` (the next value of each)."""
        return self.inputs[1:]

    def all_layers(self) -> list[Layer]:
        return list(self.inputs) + list(self.layers)

    def consumers(self, name: str) -> list[Layer]:
        return [layer for layer in self.layers if name in layer.inputs]

    def stored_ranges(self) -> dict[str, ValueRange]:
        """Every tensor's stored range, the inputs taking any code of their types."""
        ranges: dict[str, ValueRange] = {}
        for layer in self.all_layers():
            ranges[layer.name] = layer.stored_range([ranges[name] for name in layer.inputs])
        return ranges

    def run(self, x: np.ndarray, steps: int):
        """Every step over x [batch, steps, features] from a zero state: yields each step's codes of every tensor of
        the cell by name (its inputs included), the layers' constants prepared once."""
        functions = [layer.golden() for layer in self.layers]
        state = [np.zeros((len(x), s.n_out), dtype=np.int64) for s in self.states]
        for t in range(steps):
            values = {layer.name: value for layer, value in zip(self.inputs, [x[:, t]] + state)}
            for layer, function in zip(self.layers, functions):
                values[layer.name] = function(*(values[name] for name in layer.inputs))
            yield values
            state = [values[name] for name in self.outputs]


@layer_class
@dataclass(kw_only=True)
class RecurrentLayer(Layer):
    """A SimpleRNN, LSTM or GRU over [steps, features], one `cell` reused per step; output [steps, units] with
    return_sequences, else [units]."""

    kind = "recurrent"
    cell_kind: str  # simple_rnn | lstm | gru
    steps: int
    cell: RecurrentCell
    return_sequences: bool = False

    @property
    def units(self) -> int:
        return self.cell.states[0].n_out

    @property
    def features(self) -> int:
        return self.cell.inputs[0].n_out

    @property
    def multipliers(self) -> int:
        return sum(layer.multipliers for layer in self.cell.layers)

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        return ValueRange.of_type(self.result_type)  # the state's type, saturated or wrapped into it every step

    def golden(self):
        def run(x: np.ndarray) -> np.ndarray:
            states = [values[self.cell.outputs[0]] for values in self.cell.run(x, self.steps)]
            return np.stack(states, axis=1) if self.return_sequences else states[-1]
        return run
