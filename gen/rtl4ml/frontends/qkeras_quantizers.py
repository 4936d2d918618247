"""Map QKeras quantizer configs to exact fixed-point types.

QKeras rounds with tf.round (half to even) and clips, so quantized_bits(b, i) is
exactly ap_fixed<b, i+1, AP_RND_CONV, AP_SAT> and quantized_relu(b, i) is
ap_ufixed<b, i, AP_RND_CONV, AP_SAT>. Quantizers are parsed from their JSON config or
from their string form ("quantized_bits(6,0,alpha=1)") with a small parser, never eval.
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import fail
from ..fixed_point import FixedType, exact_type_of

_CALL_RE = re.compile(r"^\s*([A-Za-z_]\w*)\s*\((.*)\)\s*$")

_POSITIONAL = {
    "quantized_bits": ["bits", "integer", "symmetric", "keep_negative", "alpha", "use_stochastic_rounding"],
    "quantized_relu": ["bits", "integer", "use_sigmoid", "negative_slope", "use_stochastic_rounding", "relu_upper_bound"],
    "quantized_tanh": ["bits", "use_stochastic_rounding", "symmetric", "use_real_tanh"],
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


def _check_deterministic(params: dict, where: str) -> None:
    if params.get("use_stochastic_rounding"):
        raise fail(f"{where}: stochastic rounding has no hardware equivalent; set use_stochastic_rounding=False")


def _check_alpha(params: dict, where: str) -> None:
    alpha = params.get("alpha")
    if alpha not in (None, 1, 1.0, "1", "None"):
        raise fail(f"{where}: quantizer alpha={alpha!r} is not supported (per-channel scales); use alpha=1")
    _check_deterministic(params, where)


def quantized_bits_type(params: dict, where: str) -> FixedType:
    _check_alpha(params, where)
    bits = int(params.get("bits", 8))
    integer = int(params.get("integer", 0))
    keep_negative = bool(params.get("keep_negative", True))
    symmetric = bool(params.get("symmetric", False))
    if keep_negative:
        return FixedType(bits, integer + 1, True, "AP_RND_CONV", "AP_SAT_SYM" if symmetric else "AP_SAT")
    return FixedType(bits, integer, False, "AP_RND_CONV", "AP_SAT")


def _check_relu(params: dict, where: str) -> None:
    if params.get("use_sigmoid"):
        raise fail(f"{where}: quantized_relu with use_sigmoid is not supported")
    if params.get("relu_upper_bound") not in (None, "None"):
        raise fail(f"{where}: quantized_relu with relu_upper_bound is not supported")
    _check_deterministic(params, where)


def quantized_tanh_type(params: dict, where: str) -> FixedType:
    """QKeras's quantized_tanh(bits): 2 * hard_sigmoid(x) - 1 (its default internal sigmoid, 0.5 x + 0.5 clipped),
    i.e. clip(x, -1, 1), rounded half to even to 2^-(bits-1) and kept in [-1 (+2^-(bits-1) if symmetric),
    1 - 2^-(bits-1)]: hard_tanh into ap_fixed<bits, 1, AP_RND_CONV, AP_SAT or AP_SAT_SYM>."""
    if params.get("use_real_tanh"):
        raise fail(f"{where}: quantized_tanh(use_real_tanh=True) is not supported (a table of tanh rounded to the "
                   "same type is: use activation='tanh' and a candidate type)")
    _check_deterministic(params, where)
    bits = int(params.get("bits", 8))
    return FixedType(bits, 1, True, "AP_RND_CONV", "AP_SAT_SYM" if params.get("symmetric") else "AP_SAT")


def quantized_relu_type(params: dict, where: str) -> FixedType:
    _check_relu(params, where)
    if float(params.get("negative_slope", 0.0) or 0.0) != 0.0:
        raise fail(f"{where}: quantized_relu with negative_slope is an activation, not a weight type")
    return FixedType(int(params.get("bits", 8)), int(params.get("integer", 0)), False, "AP_RND_CONV", "AP_SAT")


def _leaky_quantized_relu(params: dict, where: str) -> tuple[dict, FixedType]:
    """QKeras quantized_relu(bits, integer, negative_slope=a): bits - 1 magnitude bits; x >= 0 rounds (half to
    even) and saturates at 2^integer - LSB; x < 0 gives a * x, rounded to the same LSB, down to -a * 2^integer."""
    _check_relu(params, where)
    slope, bits, integer = float(params["negative_slope"]), int(params.get("bits", 8)), int(params.get("integer", 0))
    if not 0 < slope <= 1:
        raise fail(f"{where}: quantized_relu negative_slope {slope} is not supported (0 to 1)")
    return {"alpha": slope, "min_input": -2.0**integer}, FixedType(bits, integer + 1, True, "AP_RND_CONV", "AP_SAT")


def levels_type(levels: list[float], where: str) -> FixedType:
    """The narrowest type holding every level (binary/ternary outputs, -alpha..alpha) exactly."""
    exact = exact_type_of(levels, 24)
    if exact is None:
        raise fail(f"{where}: levels {levels} are not exact binary fractions (alpha must be a power of two or a "
                   "short binary fraction)")
    return exact


def _scale(params: dict, name: str, where: str) -> float:
    alpha = params.get("alpha")
    if alpha in (None, "None"):
        return 1.0
    if isinstance(alpha, str):
        raise fail(f"{where}: {name} alpha={alpha!r} (per-channel scales) is not supported; give a number or none")
    return float(alpha)


def binary_parameters(params: dict, where: str) -> tuple[dict, list[float]]:
    """QKeras binary / stochastic_binary at inference: alpha at and above 0, -alpha (or 0 with use_01) below."""
    alpha = _scale(params, "binary", where)
    use_01 = bool(params.get("use_01", False))
    return {"alpha": alpha, "use_01": use_01}, [0.0 if use_01 else -alpha, alpha]


def ternary_parameters(params: dict, where: str) -> tuple[dict, list[float]]:
    """QKeras ternary / stochastic_ternary at inference: alpha at and above the threshold (0.33 by default),
    -alpha at and below minus it, else 0."""
    alpha = _scale(params, "ternary", where)
    threshold = params.get("threshold")
    threshold = 0.33 if threshold in (None, "None") else float(threshold)
    return {"alpha": alpha, "threshold": threshold}, [-alpha, 0.0, alpha]


def weight_quantizer_type(spec, where: str) -> FixedType | None:
    """Type of a QDense kernel/bias quantized_bits quantizer, or None when the tensor is not quantized."""
    if spec is None:
        return None
    name, params = quantizer_name_and_params(spec, where)
    if name == "quantized_bits":
        return quantized_bits_type(params, where)
    raise fail(f"{where}: unsupported weight quantizer {name!r}; rtl4ml supports quantized_bits, binary and ternary")


def binary_weights(values: np.ndarray, scale: float) -> np.ndarray:
    """scale at and above 0, -scale below (QKeras binary, hls4ml's BinaryQuantizer, BinaryDense's H)."""
    return np.where(values >= 0, scale, -scale)


def ternary_weights(values: np.ndarray, scale: float, threshold: float, strict: bool = False) -> np.ndarray:
    """scale at and above the threshold (above it, strict), -scale at and below minus it, else 0."""
    above = values > threshold if strict else values >= threshold
    return np.where(above, scale, np.where(values <= -threshold, -scale, 0.0))


def quantized_weights(values: np.ndarray, spec, where: str) -> tuple[np.ndarray, FixedType | None]:
    """A QKeras layer's kernel or bias at inference and the type that holds it: quantized_bits leaves the rounding to
    its type; binary and ternary (and their stochastic twins, deterministic at inference) give their levels."""
    if spec is None:
        return values, None
    name, params = quantizer_name_and_params(spec, where)
    if params.get("alpha") == "auto_po2" and name in ("quantized_bits", "binary", "stochastic_binary", "ternary",
                                                       "stochastic_ternary"):
        return _power_of_two_scaled(values, spec, where)
    if name in ("binary", "stochastic_binary"):
        parameters, levels = binary_parameters(params, where)
        if parameters["use_01"]:
            raise fail(f"{where}: binary(use_01=True) weights are not supported")
        return binary_weights(values, parameters["alpha"]), levels_type(levels, where)
    if name in ("ternary", "stochastic_ternary"):
        parameters, levels = ternary_parameters(params, where)
        return ternary_weights(values, parameters["alpha"], parameters["threshold"]), levels_type(levels, where)
    return values, weight_quantizer_type(spec, where)


# Finest binary fraction tried for exact per-channel power-of-two scaled values (deeper: refused)
MAX_SCALED_FRAC = 32


def _power_of_two_scaled(values: np.ndarray, spec, where: str) -> tuple[np.ndarray, FixedType]:
    """alpha='auto_po2': QKeras picks a power-of-two scale per output channel from the weights themselves, by an
    iteration only QKeras defines, so QKeras computes the quantized values here; they are exact binary fractions,
    held exactly by the narrowest type that holds them all (the scales folded into the codes)."""
    try:
        import os

        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # before TensorFlow loads, for QKeras
        from qkeras.quantizers import get_quantizer
    except ImportError:
        raise fail(f"{where}: alpha='auto_po2' scales are computed by QKeras itself, which is not installed "
                   "(pip install 'rtl4ml[qkeras]')") from None
    quantized = np.asarray(get_quantizer(spec)(values.astype(np.float32)), dtype=np.float64)
    exact = exact_type_of(quantized, MAX_SCALED_FRAC)
    if exact is None:
        raise fail(f"{where}: the alpha='auto_po2' values need more than {MAX_SCALED_FRAC} fractional bits")
    return quantized, exact


def activation_quantizer(spec, where: str) -> tuple[str, dict, FixedType | None]:
    """(function, parameters, result type) of a QActivation or a QDense/QConv activation."""
    if spec is None:
        return "linear", {}, None
    name, params = quantizer_name_and_params(spec, where)
    if name == "quantized_relu":
        if float(params.get("negative_slope", 0.0) or 0.0) != 0.0:
            return "leaky_relu", *_leaky_quantized_relu(params, where)
        return "relu", {}, quantized_relu_type(params, where)
    if name == "quantized_bits":
        return "linear", {}, quantized_bits_type(params, where)
    if name in ("binary", "stochastic_binary"):
        parameters, levels = binary_parameters(params, where)
        return "binary_tanh", parameters, levels_type(levels, where)
    if name in ("ternary", "stochastic_ternary"):
        parameters, levels = ternary_parameters(params, where)
        return "ternary", parameters, levels_type(levels, where)
    if name == "quantized_tanh":
        return ("hard_tanh", {"slope": 0.5, "shift": 0.5}, quantized_tanh_type(params, where))
    if not params and name in _QKERAS_FUNCTIONS:
        function, parameters = _QKERAS_FUNCTIONS[name]
        return function, dict(parameters), None
    raise fail(f"{where}: unsupported activation quantizer {name!r}; rtl4ml supports quantized_relu, quantized_bits, "
               f"binary, ternary, stochastic_binary, stochastic_ternary, quantized_tanh and "
               f"{', '.join(_QKERAS_FUNCTIONS)}")


# QKeras's own activation functions by name (QKeras's hard_sigmoid is clip(0.5 x + 0.5, 0, 1), not Keras's; its
# binary_tanh rounds hard_sigmoid half to even, so 0 gives -1: strictly above 0 is 1) and Keras's
_QKERAS_FUNCTIONS = {"relu": ("relu", {}), "linear": ("linear", {}), "softmax": ("softmax", {}),
                     "sigmoid": ("sigmoid", {}), "tanh": ("tanh", {}),
                     "hard_sigmoid": ("hard_sigmoid", {"slope": 0.5, "shift": 0.5}),
                     "hard_tanh": ("hard_tanh", {"slope": 0.5, "shift": 0.5}),
                     "binary_tanh": ("binary_tanh", {"strict": True})}
