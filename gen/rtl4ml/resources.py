"""Where the files shipped with rtl4ml live (hand-written Verilog, templates, testbenches)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def rtl_dir() -> Path:
    """Folder of the hand-written Verilog modules (rtl/ in the repository)."""
    return Path(str(resources.files("rtl4ml.rtl")))


def rtl_templates_dir() -> Path:
    return rtl_dir() / "templates"


def hls_dir() -> Path:
    """Folder of the HLS C++ layer library and project templates (hls/ in the repository)."""
    return Path(str(resources.files("rtl4ml.hls")))


def harness_template_dir() -> Path:
    """Folder of the compiled Verilator harness template (tb/harness/ in the repository)."""
    return Path(str(resources.files("rtl4ml.tb"))) / "harness"
