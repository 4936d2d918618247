"""Sphinx configuration of the rtl4ml manual: MyST Markdown pages, the CLI and API reference generated from the code,
the tutorial notebooks executed at every build (so they cannot rot). `make docs` builds it; `make test` builds it with
warnings as errors."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "gen"))
# QKeras 0.9 needs the legacy Keras before TensorFlow is imported (the notebooks' kernels inherit this)
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import rtl4ml  # noqa: E402

project = "rtl4ml"
author = "the rtl4ml developers"
release = rtl4ml.__version__
extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinxarg.ext"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3
# the tutorial notebooks write their designs beside them (prj_*), whose datasheets are Markdown too
exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute", "tutorial/prj_*"]
html_theme = "furo"
html_title = f"rtl4ml {release}"
html_static_path = []

# Notebooks are committed without outputs and executed at every build; a cell that raises fails the build
nb_execution_mode = os.environ.get("RTL4ML_DOCS_EXECUTE", "force")
nb_execution_timeout = int(os.environ.get("RTL4ML_DOCS_TIMEOUT", "900"))
nb_execution_raise_on_error = True
nb_execution_show_tb = True
# TensorFlow's start-up chatter on stderr is not part of the lesson
nb_output_stderr = "remove"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_mock_imports = []
nitpicky = False
