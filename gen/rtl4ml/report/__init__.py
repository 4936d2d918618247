"""What a design costs and how well it classifies: accuracy and ROC, resources, profiling, plots."""

from .hls4ml_report import parse_vivado_report, read_vivado_report  # noqa: E402  hls4ml's names for the build report

__all__ = ["parse_vivado_report", "read_vivado_report"]
