"""Shrink a failing random-design spec to a small one that still fails, for a readable regression case.

Greedy: try simpler variants (fewer layers, fewer neurons or inputs, no activation, default
rounding/overflow, zero weights, no reuse factor or pipeline budget) and keep any that still fails. Each try is one small build,
so the number of tries is bounded.
"""

from __future__ import annotations

import copy
import re
from typing import Callable, Iterator


def _drop_neuron(spec: dict, index: int) -> dict | None:
    layer = spec["layers"][index]
    if layer["units"] <= 1:
        return None
    simpler = copy.deepcopy(spec)
    target = simpler["layers"][index]
    target["units"] -= 1
    target["weights"] = [row[:-1] for row in target["weights"]]
    target["bias"] = target["bias"][:-1]
    if index + 1 < len(simpler["layers"]):
        simpler["layers"][index + 1]["weights"] = simpler["layers"][index + 1]["weights"][:-1]
    if simpler.get("branch", {}).get("tap") == index:  # the side branch reads this layer
        simpler["branch"]["side"]["weights"] = simpler["branch"]["side"]["weights"][:-1]
    return simpler


def _variants(spec: dict) -> Iterator[dict]:
    layers = spec["layers"]
    conv = spec.get("conv")
    for part in ("branch", "batchnorm"):  # without the merged side branch, without the batch norm
        if part in spec:
            yield {key: copy.deepcopy(value) for key, value in spec.items() if key != part}
    if conv and conv.get("pool"):
        yield dict(copy.deepcopy(spec), conv=dict(copy.deepcopy(conv), pool=None))
    if conv and not conv.get("pool"):  # without the convolution: its flattened output becomes the input
        simpler = {key: copy.deepcopy(value) for key, value in spec.items() if key != "conv"}
        yield dict(simpler, n_in=len(layers[0]["weights"]), input_type=conv["activation_type"] or conv["result_type"])
    if len(layers) > 1:
        yield dict(copy.deepcopy(spec), layers=copy.deepcopy(layers[:-1]))
        if not conv:
            yield dict(copy.deepcopy(spec), n_in=layers[0]["units"], layers=copy.deepcopy(layers[1:]),
                       input_type=layers[0]["activation_type"] or layers[0]["result_type"])
    for index in range(len(layers)):
        for _ in range(1):
            variant = _drop_neuron(spec, index)
            if variant:
                yield variant
    if spec["n_in"] > 1 and not conv:
        simpler = copy.deepcopy(spec)
        simpler["n_in"] -= 1
        simpler["layers"][0]["weights"] = simpler["layers"][0]["weights"][:-1]
        if simpler.get("branch", {}).get("tap") == -1:  # the side branch reads the input too
            simpler["branch"]["side"]["weights"] = simpler["branch"]["side"]["weights"][:-1]
        yield simpler
    for index, layer in enumerate(layers):
        for key in ("reuse_factor", "pipeline_budget"):
            if key in layer:
                simpler = copy.deepcopy(spec)
                del simpler["layers"][index][key]
                yield simpler
        if layer.get("activation"):
            simpler = copy.deepcopy(spec)
            simpler["layers"][index]["activation"] = None
            yield simpler
        if layer.get("accum_type"):
            simpler = copy.deepcopy(spec)
            simpler["layers"][index]["accum_type"] = None
            yield simpler
        for key in ("weight_type", "bias_type", "result_type", "activation_type"):
            text = layer.get(key)
            if text and "AP_" in text:
                simpler = copy.deepcopy(spec)
                simpler["layers"][index][key] = re.sub(r",\s*AP_\w+", "", text)
                yield simpler
        if any(any(row) for row in layer["weights"]):
            simpler = copy.deepcopy(spec)
            simpler["layers"][index]["weights"] = [[0] * len(row) for row in layer["weights"]]
            yield simpler


def _valid_reuse(spec: dict) -> dict:
    """Drop reuse factors that no longer divide a shrunk layer's multiplications (an invalid config)."""
    n_in = len(spec["layers"][0]["weights"])  # the first dense layer's inputs (a convolution's outputs)
    for layer in spec["layers"]:
        if (n_in * layer["units"]) % layer.get("reuse_factor", 1):
            del layer["reuse_factor"]
        n_in = layer["units"]
    return spec


def shrink(spec: dict, still_fails: Callable[[dict], bool], max_tries: int = 40) -> dict:
    """A smaller spec for which still_fails is True (the input spec if nothing smaller fails)."""
    tries = 0
    improved = True
    while improved and tries < max_tries:
        improved = False
        for variant in map(_valid_reuse, _variants(spec)):
            tries += 1
            if still_fails(variant):
                spec, improved = variant, True
                break
            if tries >= max_tries:
                break
    return spec
