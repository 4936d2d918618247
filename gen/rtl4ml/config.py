"""hls4ml-format configuration: read, validate, resolve per layer, and write a starting point.

Precedence is Model < LayerType < (QKeras quantizer) < LayerName, as in hls4ml. A whole
hls4ml project config (top-level HLSConfig, IOType, Part, ClockPeriod ...) is accepted
as it is. YAML is read with the safe loader only.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from .errors import fail
from .paths import user_path
from .fixed_point import MAX_ACCUM_WIDTH, MAX_TYPE_WIDTH, FixedType, finest_type_holding, parse_precision

DEFAULT_PRECISION = "ap_fixed<16,6>"
# "table" is hls4ml's table_t: the type a sigmoid/tanh/... table's entries are rounded to before the result type
# (without it, each entry is f(x) rounded once, to the result type); layers without such a table ignore it, as hls4ml does
# A recurrent layer's own tensors (ir/recurrent.py): its recurrent kernel, the gates' pre-activations, the gates
# (recurrent activation), the candidate (activation) and the LSTM's cell state; other layers ignore them
RECURRENT_TENSORS = ("recurrent_weight", "preactivation", "gate", "candidate", "cell")
TENSORS = ("weight", "bias", "accum", "result", "table") + RECURRENT_TENSORS
AUTO = "auto"  # Precision: auto derives result types from value ranges (ir/auto_types.py)
AUTO_TENSORS = ("result", "accum", "preactivation", "gate", "candidate", "cell")  # the last four: recurrent
# "Stable" is hls4ml's name for the numerically stable softmax, which is the only softmax rtl4ml builds
STRATEGIES = ("Latency", "Resource", "Stable")
# Keys that are meaningful to rtl4ml, or harmless hls4ml keys it accepts and records.
_KNOWN_LAYER_KEYS = {"Precision", "ReuseFactor", "Strategy", "Trace", "exp_table_t", "inv_table_t", "table_size",
                     "TableSize", "PipelineBudget", "LutsPerDsp", "TableStyle", "static", "FrameInterval"}
# where a softmax's RTL keeps its pow2 tables: "bram", one dual-port block RAM per value whose reads the RAM
# registers (the default); or "lut", plain tables registered where the latency planner places registers
TABLE_STYLES = ("bram", "lut")
DEFAULT_TABLE_STYLE = TABLE_STYLES[0]
_HLS4ML_IGNORED_KEYS = {"BramFactor", "TraceOutput", "ParallelizationFactor", "ConvImplementation", "accum_t",
                        "exp_range", "Implementation", "Skip", "skip"}


@dataclass(frozen=True)
class AutoType(FixedType):
    """A result type the config leaves to `auto`: its fractional bits and modes are the stated ones (the layer's
    default precision); its width is a placeholder until ir/auto_types.py derives the type from value ranges."""

    def __str__(self) -> str:
        return f"auto (LSB 2^{-self.frac}, from {FixedType.__str__(self)})"


@dataclass
class LayerSettings:
    """Everything the IR builder needs to know about one layer, after precedence is applied."""

    precision: dict[str, FixedType]
    reuse_factor: int = 1
    reuse_chosen: bool = False  # ReuseFactor given for this layer (LayerType or LayerName), not only in Model
    strategy: str = "Latency"
    table_size: int | None = None
    table_style: str | None = None
    pipeline_budget: int | None = None
    luts_per_dsp: int | None = None
    static: bool | None = None  # hls4ml's recurrent `static`: one cell reused for every step (None: not given)
    explicit: set[str] = field(default_factory=set)  # tensors given at LayerName level


@dataclass
class Config:
    """A validated rtl4ml/hls4ml config."""

    hls_config: dict
    project: dict = field(default_factory=dict)  # top-level hls4ml keys: ProjectName, Part, ClockPeriod, IOType
    # result types derived for `auto` layers while the IR is built (filled by ir/builder.py on its own copy)
    derived: dict[str, FixedType] = field(default_factory=dict, repr=False)

    @property
    def uses_auto(self) -> bool:
        """Some Precision entry is `auto`."""
        entries = [self.hls_config.get("Model", {})] + [entry for section in ("LayerType", "LayerName")
                                                        for entry in (self.hls_config.get(section) or {}).values()]
        for entry in entries:
            value = entry.get("Precision")
            values = value.values() if isinstance(value, dict) else [value]
            if any(_is_auto(v) for v in values):
                return True
        return False

    @property
    def io_type(self) -> str:
        return str(self.project.get("IOType", "io_parallel"))

    @property
    def project_name(self) -> str:
        return str(self.project.get("ProjectName", "myproject"))

    @property
    def frame_interval(self) -> int | None:
        """io_stream: the most cycles per frame the core may take (Model FrameInterval; None: as fast as it can)."""
        value = self.hls_config.get("Model", {}).get("FrameInterval")
        return None if value is None else int(value)

    @property
    def pipeline_budget(self) -> int | None:
        budget = self.hls_config.get("Model", {}).get("PipelineBudget")
        return None if budget is None else int(budget)

    def resolve(self, layer_name: str, layer_types: tuple[str, ...]) -> LayerSettings:
        """Effective settings for one layer; `layer_types` lists the type names it answers to."""
        levels = [("Model", self.hls_config.get("Model", {}))]
        for type_name in layer_types:
            entry = self.hls_config.get("LayerType", {}).get(type_name)
            if entry:
                levels.append(("LayerType", entry))
        name_entry = self.hls_config.get("LayerName", {}).get(layer_name)
        if name_entry:
            levels.append(("LayerName", name_entry))
        precision: dict[str, FixedType | str] = {}
        settings = LayerSettings(precision={})
        for level, entry in levels:
            where = f"config {level}" + (f" {layer_name}" if level == "LayerName" else "")
            for tensor, value in _precision_entries(entry.get("Precision"), where).items():
                precision[tensor] = value
                if level == "LayerName":
                    settings.explicit.add(tensor)
            if "ReuseFactor" in entry:
                settings.reuse_factor = _whole_number(entry["ReuseFactor"], f"{where}, ReuseFactor")
                settings.reuse_chosen = level != "Model"
            if "Strategy" in entry:
                settings.strategy = _strategy(entry["Strategy"], f"{where}, Strategy")
            if "PipelineBudget" in entry:
                settings.pipeline_budget = _whole_number(entry["PipelineBudget"], f"{where}, PipelineBudget")
            if "LutsPerDsp" in entry:
                settings.luts_per_dsp = _whole_number(entry["LutsPerDsp"], f"{where}, LutsPerDsp", minimum=0)
            for key in ("table_size", "TableSize"):
                if key in entry:
                    settings.table_size = _whole_number(entry[key], f"{where}, {key}")
            if "TableStyle" in entry:
                settings.table_style = _table_style(entry["TableStyle"], f"{where}, TableStyle")
            if "static" in entry:
                settings.static = _flag(entry["static"], f"{where}, static")
        default = precision.get("default", parse_precision(DEFAULT_PRECISION))
        settings.precision = {tensor: precision.get(tensor, default) for tensor in ("weight", "bias", "result")}
        for tensor in ("table",) + RECURRENT_TENSORS:  # only where given: each layer says what it lacks means
            if tensor in precision:
                settings.precision[tensor] = precision[tensor]
        if precision.get("accum", AUTO) != AUTO:  # an auto accumulator is the exact one, as when none is given
            settings.precision["accum"] = precision["accum"]
        if settings.precision["result"] == AUTO:
            settings.precision["result"] = self.derived.get(layer_name) or AutoType(
                default.width, default.integer, default.signed, default.rounding, default.overflow)
        return settings

    def names_layer(self, name: str) -> bool:
        """A LayerName entry exists for `name`."""
        return name in (self.hls_config.get("LayerName") or {})

    def check_layer_names(self, names: list[str]) -> None:
        """Warn about LayerName entries that match no layer (usually a typo)."""
        for name in self.hls_config.get("LayerName", {}):
            if name not in names:
                warnings.warn(f"config LayerName {name!r} matches no layer in the model (layers: {', '.join(names)})",
                              stacklevel=2)


def _whole_number(value, where: str, minimum: int = 1) -> int:
    """A whole number >= minimum (1 unless said otherwise)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise fail(f"{where}: {value!r} is not a whole number") from None
    if number < minimum or number != float(value):
        bound = "a positive whole number" if minimum == 1 else f"a whole number >= {minimum}"
        raise fail(f"{where}: {value!r} must be {bound}")
    return number


def _flag(value, where: str) -> bool:
    if not isinstance(value, bool):
        raise fail(f"{where}: {value!r} is not true or false")
    return value


def _strategy(value, where: str) -> str:
    for name in STRATEGIES:
        if str(value).lower() == name.lower():
            return name
    raise fail(f"{where}: unknown strategy {value!r}; use one of {', '.join(STRATEGIES)}")


def _table_style(value, where: str) -> str:
    if str(value).lower() in TABLE_STYLES:
        return str(value).lower()
    raise fail(f"{where}: unknown table style {value!r}; use bram (the softmax's tables in one block RAM per value, "
               f"the default) or lut (plain tables: one cycle less on some cores, more LUTs)")


def _is_auto(value) -> bool:
    return isinstance(value, str) and value.strip().lower() == AUTO


def _precision_entries(value, where: str) -> dict[str, FixedType | str]:
    """Per tensor, a type or AUTO. `Precision: auto` alone means result and accum auto (weights keep their types)."""
    if value is None:
        return {}
    if isinstance(value, dict):
        entries = {}
        for tensor, text in value.items():
            if tensor not in TENSORS + ("default",):
                raise fail(f"{where}: unknown precision field {tensor!r}; use {', '.join(TENSORS + ('default',))}")
            if _is_auto(text) and tensor not in AUTO_TENSORS:
                raise fail(f"{where}, Precision {tensor}: auto applies to {', '.join(AUTO_TENSORS[:-1])} and "
                           f"{AUTO_TENSORS[-1]} only; give the {tensor} a type such as {DEFAULT_PRECISION} (its "
                           "fractional bits set the auto LSB)")
            widest = MAX_ACCUM_WIDTH if tensor == "accum" else MAX_TYPE_WIDTH
            entries[tensor] = AUTO if _is_auto(text) else parse_precision(text, f"{where}, Precision {tensor}", widest)
        return entries
    if _is_auto(value):
        return {tensor: AUTO for tensor in AUTO_TENSORS}
    return {"default": parse_precision(value, f"{where}, Precision")}


def _validate_entry(entry, where: str) -> None:
    if not isinstance(entry, dict):
        raise fail(f"{where}: expected a mapping, got {type(entry).__name__}")
    for key in entry:
        if key not in _KNOWN_LAYER_KEYS and key not in _HLS4ML_IGNORED_KEYS:
            warnings.warn(f"{where}: unknown key {key!r} is ignored", stacklevel=3)
    _precision_entries(entry.get("Precision"), where)
    if "ReuseFactor" in entry:
        _whole_number(entry["ReuseFactor"], f"{where}, ReuseFactor")
    if "Strategy" in entry:
        _strategy(entry["Strategy"], f"{where}, Strategy")
    if "PipelineBudget" in entry:
        _whole_number(entry["PipelineBudget"], f"{where}, PipelineBudget")
    if "LutsPerDsp" in entry:
        _whole_number(entry["LutsPerDsp"], f"{where}, LutsPerDsp", minimum=0)
    if "TableStyle" in entry:
        _table_style(entry["TableStyle"], f"{where}, TableStyle")
    if "static" in entry:
        _flag(entry["static"], f"{where}, static")
    if "FrameInterval" in entry:
        if where != "config Model":
            raise fail(f"{where}: FrameInterval is a Model setting (the cycles per frame of the whole streaming core)")
        _whole_number(entry["FrameInterval"], f"{where}, FrameInterval")


class _ConfigLoader(yaml.SafeLoader):
    """Safe YAML plus the one tag hls4ml writes into project files (`KerasModel: !keras_model 'path'`)."""


_ConfigLoader.add_constructor("!keras_model", lambda loader, node: loader.construct_scalar(node))


def read_yaml_file(source, what: str):
    """The content of a YAML file the user named, with one-line errors for a missing file or bad YAML."""
    path = user_path(source)
    if not path.is_file():
        raise fail(f"{what} file {str(path)!r} does not exist")
    try:
        return yaml.load(path.read_text(), Loader=_ConfigLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        raise fail(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from None


def load_config(source) -> Config:
    """Accept a path to YAML, a dict (HLSConfig-level or whole hls4ml project), a Config, or None."""
    if source is None:
        return Config({"Model": {"Precision": DEFAULT_PRECISION, "ReuseFactor": 1, "Strategy": "Latency"}})
    if isinstance(source, Config):
        return source
    if isinstance(source, (str, Path)):
        data = read_yaml_file(source, "config")
    else:
        data = copy.deepcopy(source)
    if not isinstance(data, dict):
        raise fail(f"config must be a mapping with a 'Model' section, got {type(data).__name__}")
    project = {}
    if "HLSConfig" in data:
        project = {k: v for k, v in data.items() if k != "HLSConfig"}
        data = data["HLSConfig"]
        if not isinstance(data, dict):
            raise fail("config HLSConfig must be a mapping")
    for section in data:
        if section not in ("Model", "LayerType", "LayerName"):
            raise fail(f"config: unknown section {section!r}; use Model, LayerType, LayerName")
    _validate_entry(data.get("Model", {}), "config Model")
    for section in ("LayerType", "LayerName"):
        entries = data.get(section, {}) or {}
        if not isinstance(entries, dict):
            raise fail(f"config {section} must map names to settings")
        for key, entry in entries.items():
            _validate_entry(entry, f"config {section} {key}")
        if section in data:
            data[section] = entries  # an empty section (None in YAML) is an empty mapping
    data.setdefault("Model", {})
    data["Model"].setdefault("Precision", DEFAULT_PRECISION)
    return Config(data, project)


def config_from_model_spec(spec, granularity: str = "model", precision: str = DEFAULT_PRECISION,
                           reuse_factor: int = 1) -> dict:
    """A starting config for the user to edit, in hls4ml's layout.

    precision "auto": result and accum types derived from ranges at the default type's LSB; the model input keeps
    the default type (a range must start somewhere; with calibration data it may be auto too).
    """
    if granularity not in ("model", "type", "name"):
        raise fail(f"granularity {granularity!r} is not one of model, type, name")
    auto = _is_auto(precision)
    fixed = DEFAULT_PRECISION if auto else str(precision)
    parse_precision(fixed, "--precision")
    layer_precision = fixed
    if auto:
        constants = _constants_type(spec, parse_precision(fixed).width)
        layer_precision = {"default": fixed, "weight": constants, "bias": constants, "result": AUTO, "accum": AUTO}
    config: dict = {"Model": {"Precision": layer_precision, "ReuseFactor": int(reuse_factor), "Strategy": "Latency"}}
    names: dict = {spec.input.name: {"Precision": {"result": fixed}}} if auto or granularity == "name" else {}
    if granularity == "type":
        types = sorted({getattr(layer, "layer_type", "Input") for layer in spec.layers})
        config["LayerType"] = {name: {"Precision": AUTO if auto else fixed, "ReuseFactor": int(reuse_factor)}
                               for name in types}
    if granularity == "name":
        for layer in spec.layers:
            entry: dict = {"Precision": {}, "ReuseFactor": int(reuse_factor)}
            for tensor, quantized in (("weight", getattr(layer, "kernel_type", None)),
                                      ("bias", getattr(layer, "bias_type", None)),
                                      ("result", getattr(layer, "result_type", None))):
                if quantized is not None:
                    entry["Precision"][tensor] = str(quantized)
                elif tensor == "result":
                    entry["Precision"][tensor] = AUTO if auto else fixed
                elif hasattr(layer, "kernel"):
                    entry["Precision"][tensor] = constants if auto else fixed
            names[layer.name] = entry
    if names:
        config["LayerName"] = names
    return config


def _constants_type(spec, width: int) -> str:
    """The finest `width`-bit type, rounded to nearest, that holds every weight and bias the model leaves to the
    config (most of the Keras agreement `auto` can reach is lost to truncated weights, not to results)."""
    constants = (("kernel", "kernel_type"), ("bias", "bias_type"), ("scale", None), ("shift", None))
    values = [np.abs(np.asarray(getattr(layer, name))).max(initial=0.0) for layer in spec.layers
              for name, quantizer in constants
              if hasattr(layer, name) and (quantizer is None or getattr(layer, quantizer, None) is None)]
    return str(finest_type_holding(max(values, default=0.0), width))
