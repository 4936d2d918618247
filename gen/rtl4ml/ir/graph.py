"""The model as a graph: one input layer, computing layers in a topological order, named outputs.

Edges are the layers' `inputs` (names of the layers whose outputs they consume). Every consumer
that walks the graph in `layers` order sees each layer after all of its producers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import fail
from ..fixed_point import FixedType
from .layers import InputLayer, Layer
from .value_range import ValueRange


@dataclass(frozen=True)
class OutputField:
    """One model output in the output beat: its elements (row-major) at bits [lsb + j*width +: width]."""

    name: str
    shape: tuple[int, ...]
    type: FixedType
    lsb: int

    @property
    def n(self) -> int:
        return int(np.prod(self.shape))

    @property
    def bits(self) -> int:
        return self.n * self.type.width


@dataclass
class ModelGraph:
    name: str
    input: InputLayer
    layers: list[Layer] = field(default_factory=list)
    outputs: tuple[str, ...] = ()  # layers whose tensors are model outputs; () means the last layer
    derived_types: dict[str, str] = field(default_factory=dict)  # layer -> how its `auto` type was derived

    def __post_init__(self):
        self.outputs = tuple(self.outputs) or ((self.layers[-1].name,) if self.layers else (self.input.name,))
        self.check()

    def check(self) -> None:
        """Names are unique, every input is produced earlier, every output exists."""
        seen = {self.input.name}
        for layer in self.layers:
            if layer.name in seen:
                raise fail(f"model {self.name}: two layers are named {layer.name!r}")
            missing = [name for name in layer.inputs if name not in seen]
            if missing or not layer.inputs:
                raise fail(f"model {self.name}: layer {layer.name} reads {missing[0] if missing else 'nothing'!r}, "
                           "which no earlier layer produces")
            seen.add(layer.name)
        for name in self.outputs:
            if name not in seen:
                raise fail(f"model {self.name}: output {name!r} is not a layer of the model")

    def all_layers(self) -> list[Layer]:
        return [self.input] + list(self.layers)

    def layer(self, name: str) -> Layer:
        return next(layer for layer in self.all_layers() if layer.name == name)

    def stored_ranges(self) -> dict[str, ValueRange]:
        """Every tensor's range of values as stored in its type (Layer.stored_range, from its inputs')."""
        ranges: dict[str, ValueRange] = {}
        for layer in self.all_layers():
            ranges[layer.name] = layer.stored_range([ranges[name] for name in layer.inputs])
        return ranges

    def consumers(self, name: str) -> list[Layer]:
        return [layer for layer in self.layers if name in layer.inputs]

    @property
    def output_layers(self) -> list[Layer]:
        return [self.layer(name) for name in self.outputs]

    def is_chain(self) -> bool:
        """Each layer reads only the one before it and the model has one output (what MLPs are)."""
        previous = self.input.name
        for layer in self.layers:
            if layer.inputs != (previous,):
                return False
            previous = layer.name
        return self.outputs == (previous,)

    @property
    def output_type(self) -> FixedType:
        """The one type of every output element (see output_types when the outputs may differ)."""
        types = set(self.output_types)
        if len(types) != 1:
            raise fail(f"model {self.name}: its outputs have different types ({', '.join(map(str, types))})")
        return types.pop()

    @property
    def output_fields(self) -> list[OutputField]:
        """The outputs side by side in one beat, output 0 in the low bits (the core's m_axis_tdata layout)."""
        fields, lsb = [], 0
        for layer in self.output_layers:
            fields.append(OutputField(layer.name, layer.shape, layer.result_type, lsb))
            lsb += fields[-1].bits
        return fields

    @property
    def output_types(self) -> list[FixedType]:
        """The type of every output element, the outputs side by side in `outputs` order (the output beat's fields)."""
        return [field.type for field in self.output_fields for _ in range(field.n)]

    @property
    def output_scale(self) -> np.ndarray:
        """Real value of one code of each output element (2**-frac of its type)."""
        return np.array([2.0**-t.frac for t in self.output_types])

    @property
    def n_in(self) -> int:
        return self.input.n_out

    @property
    def n_out(self) -> int:
        return sum(layer.n_out for layer in self.output_layers)
