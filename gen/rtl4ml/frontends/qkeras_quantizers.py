"""Map QKeras quantizer configs to exact fixed-point types.

QKeras rounds with tf.round (half to even) and clips, so quantized_bits(b, i) is
exactly ap_fixed<b, i+1, AP_RND_CONV, AP_SAT> and quantized_relu(b, i) is
ap_ufixed<b, i, AP_RND_CONV, AP_SAT>. Quantizers are parsed from their JSON config or
from their string form ("quantized_bits(6,0,alpha=1)") with a small parser, never eval.
"""

from __future__ import annotations

import re

from ..errors import fail
from ..fixed_point import FixedType

_CALL_RE = re.compile(r"^\s*([A-Za-z_]\w*)\s*\((.*)\)\s*$")

_POSITIONAL = {
    "quantized_bits": ["bits", "integer", "symmetric", "keep_negative", "alpha", "use_stochastic_rounding"],
    "quantized_relu": ["bits", "integer", "use_sigmoid", "negative_slope", "use_stochastic_rounding", "relu_upper_bound"],
}


def _literal(text: str):
    text = text.strip()
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "none":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text.strip("'\"")


def _parse_call(text: str, where: str) -> tuple[str, dict]:
    match = _CALL_RE.match(text)
    if not match:
        raise fail(f"{where}: cannot parse quantizer {text!r}")
    name, arg_text = match.group(1), match.group(2)
    params: dict = {}
    names = _POSITIONAL.get(name, [])
    for position, arg in enumerate(a for a in arg_text.split(",") if a.strip()):
        if "=" in arg:
            key, value = arg.split("=", 1)
            params[key.strip()] = _literal(value)
        elif position < len(names):
            params[names[position]] = _literal(arg)
        else:
            raise fail(f"{where}: too many arguments in quantizer {text!r}")
    return name, params


def quantizer_name_and_params(spec, where: str) -> tuple[str, dict]:
    """Normalize a quantizer given as a JSON dict or a string into (class name, parameters)."""
    if isinstance(spec, dict):
        return str(spec.get("class_name", "")), dict(spec.get("config", {}))
    if isinstance(spec, str):
        if "(" in spec:
            return _parse_call(spec, where)
        return spec, {}
    raise fail(f"{where}: unsupported quantizer specification {spec!r}")


def _check_alpha(params: dict, where: str) -> None:
    alpha = params.get("alpha")
    if alpha not in (None, 1, 1.0, "1", "None"):
        raise fail(f"{where}: quantizer alpha={alpha!r} is not supported (per-channel scales); use alpha=1")
    if params.get("use_stochastic_rounding"):
        raise fail(f"{where}: stochastic rounding has no hardware equivalent; set use_stochastic_rounding=False")


def quantized_bits_type(params: dict, where: str) -> FixedType:
    _check_alpha(params, where)
    bits = int(params.get("bits", 8))
    integer = int(params.get("integer", 0))
    keep_negative = bool(params.get("keep_negative", True))
    symmetric = bool(params.get("symmetric", False))
    if keep_negative:
        return FixedType(bits, integer + 1, True, "AP_RND_CONV", "AP_SAT_SYM" if symmetric else "AP_SAT")
    return FixedType(bits, integer, False, "AP_RND_CONV", "AP_SAT")


def quantized_relu_type(params: dict, where: str) -> FixedType:
    if params.get("use_sigmoid") or float(params.get("negative_slope", 0.0) or 0.0) != 0.0:
        raise fail(f"{where}: quantized_relu with use_sigmoid or negative_slope is not supported")
    if params.get("relu_upper_bound") not in (None, "None"):
        raise fail(f"{where}: quantized_relu with relu_upper_bound is not supported")
    if params.get("use_stochastic_rounding"):
        raise fail(f"{where}: stochastic rounding has no hardware equivalent")
    return FixedType(int(params.get("bits", 8)), int(params.get("integer", 0)), False, "AP_RND_CONV", "AP_SAT")


def weight_quantizer_type(spec, where: str) -> FixedType | None:
    """Type of a QDense kernel/bias quantizer, or None when the tensor is not quantized."""
    if spec is None:
        return None
    name, params = quantizer_name_and_params(spec, where)
    if name == "quantized_bits":
        return quantized_bits_type(params, where)
    raise fail(f"{where}: unsupported weight quantizer {name!r}; rtl4ml supports quantized_bits")


def activation_quantizer(spec, where: str) -> tuple[str, FixedType | None]:
    """(function, result type) of a QActivation or QDense activation."""
    if spec is None:
        return "linear", None
    name, params = quantizer_name_and_params(spec, where)
    if name == "quantized_relu":
        return "relu", quantized_relu_type(params, where)
    if name == "quantized_bits":
        return "linear", quantized_bits_type(params, where)
    if name in ("relu", "linear", "softmax", "sigmoid", "tanh") and not params:
        return name, None
    raise fail(f"{where}: unsupported activation quantizer {name!r}; rtl4ml supports quantized_relu and quantized_bits")
