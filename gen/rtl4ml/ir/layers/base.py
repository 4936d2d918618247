"""What every IR layer is: a named node of the graph with its inputs, its output tensor and its golden arithmetic.

A layer type is one class here (one module per type). It owns what is true of the layer for
every backend: its output shape (channels last, no batch axis), its types, its constants as
integer codes, and its golden computation on codes. Backends find their own handler for a
class in a HandlerTable (ir/handlers.py); nothing dispatches on type names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, ClassVar

import numpy as np

from ...fixed_point import FixedType
from ..value_range import ValueRange

# Every layer class, by its serialized kind (for ir/serialize.py and the handler-coverage test).
LAYER_CLASSES: dict[str, type] = {}


def layer_class(cls):
    """Register an IR layer class under its `kind`."""
    if cls.kind in LAYER_CLASSES:
        raise AssertionError(f"two IR layer classes of kind {cls.kind!r}")
    LAYER_CLASSES[cls.kind] = cls
    return cls


@dataclass(kw_only=True)
class Layer:
    """One node: consumes the outputs of `inputs` (layer names, in order), produces one tensor."""

    kind: ClassVar[str]
    is_class_distribution: ClassVar[bool] = False  # its output sums to one over classes (scored by argmax)
    name: str
    inputs: tuple[str, ...]
    shape: tuple[int, ...]  # output tensor, channels last, without the batch axis
    result_type: FixedType
    pipeline_budget: int | None = None  # RTL: logic levels between registers in this layer (None: model default)

    def __post_init__(self):
        # JSON gives lists; shapes and input lists are values, compared and hashed as tuples
        self.inputs = tuple(self.inputs)
        self.shape = tuple(int(n) for n in self.shape)

    @property
    def n_out(self) -> int:
        """Elements of the output tensor (the width of the flattened bus)."""
        return math.prod(self.shape)

    @property
    def multipliers(self) -> int:
        """Multiplications by a non-constant-zero weight the layer needs in parallel (0: none)."""
        return 0

    def value_range(self, inputs: list[ValueRange]) -> ValueRange:
        """The values the exact result this layer requantizes to result_type can take, its inputs in `inputs`."""
        raise NotImplementedError(f"{type(self).__name__} has no value range")

    def stored_range(self, inputs: list[ValueRange]) -> ValueRange:
        """The values the layer's output tensor can hold: its exact range requantized to result_type."""
        return self.value_range(inputs).stored_in(self.result_type)

    def golden(self) -> Callable[..., np.ndarray]:
        """The layer as a function of its input codes (one [batch, ...] array per input) -> output codes.

        Constants are prepared once, when this is called; the function is applied to many batches.
        """
        raise NotImplementedError(f"{type(self).__name__} has no golden computation")
