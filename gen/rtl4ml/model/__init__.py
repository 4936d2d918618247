"""hls4ml's `model` namespace; `rtl4ml.model.profiling` holds its numerical profiling."""

from . import profiling

__all__ = ["profiling"]
