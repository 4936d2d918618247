"""hls4ml's `model.profiling` namespace: numerical (values against their fixed-point types), get_ymodel_keras."""

from ..hls4ml_api import get_ymodel_keras, numerical

__all__ = ["get_ymodel_keras", "numerical"]
