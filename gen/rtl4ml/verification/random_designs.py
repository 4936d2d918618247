"""Random small MLPs as plain JSON specs, and how to turn one into a model + config.

A spec holds everything as integer codes and type strings (weights at the extremes of
their type and exact zeros included), so a failing case is a self-contained JSON file
that can be kept as a regression case and replayed without any randomness.
"""

from __future__ import annotations

import numpy as np

from ..fixed_point import FixedType, parse_precision
from ..frontends.keras_model import ActivationSpec, DenseSpec, InputSpec, ModelSpec

ACTIVATIONS = ("relu", "linear", "sigmoid", "tanh", None)


def realize(spec: dict, project: str = "myproject") -> tuple[ModelSpec, dict]:
    """ModelSpec and hls4ml-style config of a random-design spec."""
    input_name = "x"
    layers, names = [], {input_name: {"Precision": {"result": spec["input_type"]}}}
    for index, layer in enumerate(spec["layers"]):
        weight_type, bias_type = parse_precision(layer["weight_type"]), parse_precision(layer["bias_type"])
        kernel = np.asarray(layer["weights"], dtype=np.float64) * 2.0**-weight_type.frac
        bias = np.asarray(layer["bias"], dtype=np.float64) * 2.0**-bias_type.frac
        layers.append(DenseSpec(f"fc{index}", "Dense", kernel, bias))
        precision = {"weight": layer["weight_type"], "bias": layer["bias_type"], "result": layer["result_type"]}
        if layer.get("accum_type"):
            precision["accum"] = layer["accum_type"]
        names[f"fc{index}"] = {"Precision": precision, "ReuseFactor": layer.get("reuse_factor", 1)}
        if layer.get("pipeline_budget"):
            names[f"fc{index}"]["PipelineBudget"] = layer["pipeline_budget"]
        if layer.get("activation"):
            layers.append(ActivationSpec(f"act{index}", "Activation", layer["activation"]))
            names[f"act{index}"] = {"Precision": {"result": layer["activation_type"]}}
    model = ModelSpec(project, InputSpec(input_name, spec["n_in"]), layers)
    return model, {"HLSConfig": {"Model": {"Precision": "ap_fixed<16,6>"}, "LayerName": names}, "ProjectName": project}


def stimulus(spec: dict, events: int, seed: int) -> np.ndarray:
    """Inputs at, inside and beyond the representable range of the input type."""
    t = parse_precision(spec["input_type"])
    rng = np.random.default_rng(seed)
    span = t.max_value - t.min_value
    X = rng.uniform(t.min_value - 0.3 * span, t.max_value + 0.3 * span, size=(events, spec["n_in"]))
    X[: min(events, 4)] = np.array([t.min_value, t.max_value, 0.0, 2.0**-t.frac])[: min(events, 4), None]
    return X


def weight_codes(type_text: str, shape: tuple, rng: np.random.Generator) -> list:
    """Codes with the extremes of the type and exact zeros well represented."""
    t = parse_precision(type_text)
    codes = rng.integers(t.min_code, t.max_code + 1, size=shape)
    pick = rng.random(shape)
    codes = np.where(pick < 0.15, t.min_code, np.where(pick < 0.3, t.max_code, np.where(pick < 0.5, 0, codes)))
    return codes.tolist()


# ----------------------------------------------------------------------------- drawing designs


class NumpyChooser:
    """Random choices from a seeded numpy generator (for batches of many designs)."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def integer(self, low: int, high: int) -> int:
        return int(self.rng.integers(low, high + 1))

    def choice(self, options):
        return options[int(self.rng.integers(0, len(options)))]

    def seed(self) -> int:
        return int(self.rng.integers(0, 2**32 - 1))


class HypothesisChooser:
    """The same choices drawn through hypothesis (so failures shrink)."""

    def __init__(self, draw):
        from hypothesis import strategies as st

        self.draw, self.st = draw, st

    def integer(self, low: int, high: int) -> int:
        return self.draw(self.st.integers(low, high))

    def choice(self, options):
        return self.draw(self.st.sampled_from(list(options)))

    def seed(self) -> int:
        return self.draw(self.st.integers(0, 2**32 - 1))


ODD_TYPES = ("ap_fixed<3,1>", "ap_fixed<18,2>", "ap_int<8>", "ap_ufixed<4,0>")


def draw_type(choose, max_width: int = 18, signed: bool | None = None) -> str:
    from ..fixed_point import OVERFLOW_MODES, ROUNDING_MODES

    odd = choose.choice(ODD_TYPES + (None,) * 6)
    if odd and signed is None:
        base = parse_precision(odd)
    else:
        width = choose.integer(2, max_width)
        base = FixedType(width, choose.integer(-2, width + 2), bool(choose.integer(0, 1)) if signed is None else signed)
    t = FixedType(base.width, base.integer, base.signed, choose.choice(ROUNDING_MODES), choose.choice(OVERFLOW_MODES))
    return str(t)


def draw_design(choose, max_width: int = 24, max_depth: int = 4) -> dict:
    """One random design spec: 1..max_depth dense layers, widths 1..max_width, random types and modes."""
    rng = np.random.default_rng(choose.seed())  # the many weight codes come from here
    n_in = choose.integer(1, max_width)
    spec = {"n_in": n_in, "input_type": draw_type(choose), "layers": []}
    depth = choose.integer(1, max_depth)
    width_in = n_in
    for index in range(depth):
        units = choose.integer(1, max_width)
        weight_type, bias_type = draw_type(choose, 12), draw_type(choose, 12)
        options = ACTIVATIONS + (("softmax",) if index == depth - 1 else ())
        activation = choose.choice(options)
        accum = None
        if choose.integer(0, 3) == 0:  # sometimes an explicit (wrapping) accumulator
            accum = str(parse_precision(draw_type(choose, signed=True)).with_modes(overflow="AP_WRAP"))
        layer = {
            "units": units, "weight_type": weight_type, "bias_type": bias_type, "result_type": draw_type(choose),
            "weights": weight_codes(weight_type, (width_in, units), rng), "bias": weight_codes(bias_type, (units,), rng),
            "activation": activation, "activation_type": draw_type(choose) if activation else None,
            "accum_type": accum}
        if choose.integer(0, 2) == 0:  # sometimes time-multiplexed multipliers (ReuseFactor > 1)
            divisors = [r for r in range(2, 9) if (width_in * units) % r == 0]
            if divisors:
                layer["reuse_factor"] = choose.choice(tuple(divisors))
        if choose.integer(0, 3) == 0:  # sometimes a layer's own pipeline budget
            layer["pipeline_budget"] = choose.integer(1, 10)
        spec["layers"].append(layer)
        width_in = units
    return spec


def random_designs(count: int, seed: int, max_width: int = 24) -> list[dict]:
    choose = NumpyChooser(seed)
    return [draw_design(choose, max_width) for _ in range(count)]


def design_strategy(max_width: int = 24, max_depth: int = 4):
    """Hypothesis strategy for one design spec (hypothesis is a dev dependency, imported here)."""
    from hypothesis import strategies as st

    return st.composite(lambda draw: draw_design(HypothesisChooser(draw), max_width, max_depth))()
