"""rtl4ml: Keras/QKeras models to bit-exact, pipelined Verilog cores, verified with open tools.

Flow: model -> IR -> (golden | RTL) -> simulation -> report. The public API mirrors the CLI:
config_from_keras_model, convert (-> Design with predict/write/simulate), load_design, and scan /
resume_scan (design-space scans on Dask, -> a pandas DataFrame).
"""

__version__ = "0.1.0"

from .design import Design, config_from_keras_model, convert, load_design  # noqa: E402
from .errors import Rtl4mlError  # noqa: E402
from .scans import resume as resume_scan, scan  # noqa: E402
from . import converters, model, report, utils  # noqa: E402  hls4ml's API: `import rtl4ml as hls4ml` (hls4ml_api.py)

__all__ = ["Design", "Rtl4mlError", "config_from_keras_model", "convert", "load_design", "resume_scan", "scan", "__version__"]
