"""A scan's grid: named axes (or explicit points) -> the ordered list of points, and a point's config.

    Precision: ['ap_fixed<8,3>', 'ap_fixed<10,4>']      # model-wide
    ReuseFactor: [1, 2, 4]
    Sparsity: [0, 0.5, 0.7]                            # magnitude pruning of the given weights
    LayerName:                                          # per layer (also LayerType), same keys
      fc1: {Precision: ['ap_fixed<6,2>', 'ap_fixed<8,3>']}
    # or, instead of axes:  points: [{Precision: 'ap_fixed<8,3>', ReuseFactor: 2}, ...]

An axis is named by its config path (`Precision`, `LayerName.fc1.Precision`), which is also its
column in the results. The scan is the product of the axes, first axis slowest.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass

from ..errors import fail

CONFIG_KEYS = ("Precision", "ReuseFactor", "Strategy", "PipelineBudget", "LutsPerDsp")
SPARSITY = "Sparsity"
SECTIONS = ("LayerName", "LayerType")


@dataclass(frozen=True)
class Grid:
    axes: tuple[str, ...]
    points: tuple[dict, ...]  # axis -> value, every point naming every axis


def _check_axis(axis: str) -> None:
    parts = axis.split(".")
    if len(parts) == 1 and parts[0] in CONFIG_KEYS + (SPARSITY,):
        return
    if len(parts) == 3 and parts[0] in SECTIONS and parts[2] in CONFIG_KEYS:
        return
    raise fail(f"grid axis {axis!r} is not a scan axis; use one of {', '.join(CONFIG_KEYS + (SPARSITY,))}, "
               f"or LayerName.<layer>.<key> / LayerType.<type>.<key> with a key of {', '.join(CONFIG_KEYS)}")


def _check_value(axis: str, value) -> None:
    if isinstance(value, (dict, list)):
        raise fail(f"grid axis {axis!r}: value {value!r} must be a single string or number")
    if axis == SPARSITY and not (isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1):
        raise fail(f"grid axis Sparsity: value {value!r} must be a fraction of zero weights in [0, 1)")


def _flatten(grid: dict) -> dict[str, list]:
    """Nested LayerName/LayerType sections become dotted axis names."""
    axes = {}
    for key, value in grid.items():
        if key in SECTIONS:
            if not isinstance(value, dict):
                raise fail(f"grid {key} must map layer names to their axes, got {value!r}")
            for layer, entry in value.items():
                if not isinstance(entry, dict):
                    raise fail(f"grid {key}.{layer} must map config keys to lists, got {entry!r}")
                for name, values in entry.items():
                    axes[f"{key}.{layer}.{name}"] = values
        else:
            axes[str(key)] = value
    return axes


def parse_grid(grid) -> Grid:
    """The points of a grid mapping (as read from grid.yml); a clear error for anything off."""
    if not isinstance(grid, dict) or not grid:
        raise fail("grid must be a mapping of axes to lists of values (or a 'points:' list)")
    if "points" in grid:
        if set(grid) != {"points"}:
            raise fail(f"grid has 'points' and axes ({', '.join(k for k in grid if k != 'points')}); give one or the other")
        points = grid["points"]
        if not isinstance(points, list) or not points or not all(isinstance(p, dict) and p for p in points):
            raise fail("grid 'points' must be a non-empty list of mappings, one per point")
        flat = [_flatten(point) for point in points]
        axes = tuple(dict.fromkeys(axis for point in flat for axis in point))
        for point in flat:
            for axis, value in point.items():
                _check_axis(axis)
                _check_value(axis, value)
        return Grid(axes, tuple({axis: point.get(axis) for axis in axes} for point in flat))
    axes = _flatten(grid)
    for axis, values in axes.items():
        _check_axis(axis)
        if not isinstance(values, list) or not values:
            raise fail(f"grid axis {axis!r} must be a non-empty list of values, got {values!r}")
        if len(set(map(repr, values))) != len(values):
            raise fail(f"grid axis {axis!r} lists a value twice: {values!r}")
        for value in values:
            _check_value(axis, value)
    names = tuple(axes)
    return Grid(names, tuple(dict(zip(names, combo)) for combo in itertools.product(*axes.values())))


def point_config(base: dict, point: dict) -> dict:
    """The hls4ml config of one point: `base` (HLSConfig-level or a whole project) with the point's keys set."""
    config = copy.deepcopy(base) if base else {}
    hls = config.setdefault("HLSConfig", {}) if "HLSConfig" in config else config
    hls.setdefault("Model", {}).setdefault("Precision", "ap_fixed<16,6>")
    hls["Model"].setdefault("ReuseFactor", 1)
    for axis, value in point.items():
        if value is None or axis == SPARSITY:
            continue
        parts = axis.split(".")
        if len(parts) == 1:
            hls["Model"][axis] = value
        else:
            section, name, key = parts
            hls.setdefault(section, {}).setdefault(name, {})[key] = value
    return config
