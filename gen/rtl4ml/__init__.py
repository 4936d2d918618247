"""rtl4ml: Keras/QKeras models to bit-exact, pipelined Verilog cores, verified with open tools.

Flow: model -> IR -> (golden | RTL) -> simulation -> report. The public API mirrors the CLI:
config_from_keras_model, convert (-> Design with predict/write/simulate), load_design.
"""

__version__ = "0.1.0"

from .design import Design, config_from_keras_model, convert, load_design  # noqa: E402
from .errors import Rtl4mlError  # noqa: E402

__all__ = ["Design", "Rtl4mlError", "config_from_keras_model", "convert", "load_design", "__version__"]
