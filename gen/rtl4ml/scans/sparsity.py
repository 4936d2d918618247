"""Magnitude pruning of a model's given weights, without retraining (the scan's Sparsity axis)."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..frontends.spec import DenseSpec, ModelSpec


def prune(spec: ModelSpec, sparsity: float, seed: int = 0) -> ModelSpec:
    """A copy of `spec` whose every Dense kernel has round(sparsity * size) of its smallest-magnitude weights zeroed.

    Per layer, as tfmot's magnitude pruning does; weights already zero count towards the fraction.
    Ties in magnitude are broken by a permutation drawn from `seed`, so a point is reproducible.
    """
    if not sparsity:
        return spec
    rng = np.random.default_rng(seed)
    layers = []
    for layer in spec.layers:
        if isinstance(layer, DenseSpec):
            kernel = layer.kernel.copy()
            count = int(round(sparsity * kernel.size))
            tie_break = rng.permutation(kernel.size)
            order = np.lexsort((tie_break, np.abs(kernel).ravel()))
            kernel.ravel()[order[:count]] = 0.0
            layer = dataclasses.replace(layer, kernel=kernel)
        layers.append(layer)
    return dataclasses.replace(spec, layers=layers)
