"""One handler per IR layer class, for one backend (RTL blocks, HLS calls, estimate, profiling, ...).

Adding a layer type means one IR class and one registration per backend. A layer whose class a
backend has no handler for is refused there with one line naming the layer and the backend, never
treated as the nearest known kind.
"""

from __future__ import annotations

from typing import Callable

from ..errors import fail


class HandlerTable:
    def __init__(self, backend: str):
        self.backend = backend
        self._handlers: dict[type, Callable] = {}

    def register(self, *layer_classes: type):
        """Decorator: the function handles layers of these classes."""
        def add(function: Callable) -> Callable:
            for cls in layer_classes:
                if cls in self._handlers:
                    raise AssertionError(f"{self.backend}: two handlers for {cls.__name__}")
                self._handlers[cls] = function
            return function
        return add

    def covers(self, cls: type) -> bool:
        return cls in self._handlers

    def __call__(self, layer) -> Callable:
        handler = self._handlers.get(type(layer))
        if handler is None:
            raise fail(f"layer {layer.name}: the {self.backend} has no implementation of "
                       f"{type(layer).__name__} layers yet")
        return handler
