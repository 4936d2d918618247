"""SimpleRNN, LSTM and GRU unrolled: the golden model against a per-step loop on integer codes, agreement with
Keras, the config's recurrent types, the cores in Verilog, VHDL and HLS C++, and what is refused."""

import numpy as np
import pytest

import rtl4ml
from rtl4ml.errors import Rtl4mlError
from rtl4ml.fixed_point import parse_precision, quantize_float

import recurrent_reference

STEPS, FEATURES, UNITS = 5, 3, 4
INPUT = "ap_fixed<10,3>"
TYPES = {"weight": "ap_fixed<10,2>", "recurrent_weight": "ap_fixed<9,2>", "bias": "ap_fixed<12,4>",
         "preactivation": "ap_fixed<14,5>", "gate": "ap_ufixed<10,1>", "candidate": "ap_fixed<12,2>",
         "cell": "ap_fixed<16,5>", "result": "ap_fixed<12,2>"}
VARIANTS = [("SimpleRNN", {}), ("SimpleRNN", {"activation": "relu", "return_sequences": True, "go_backwards": True}),
            ("LSTM", {}), ("LSTM", {"return_sequences": True, "go_backwards": True}),
            ("LSTM", {"recurrent_activation": "hard_sigmoid"}), ("GRU", {}),
            ("GRU", {"reset_after": False, "return_sequences": True}), ("GRU", {"go_backwards": True})]


def _model(keras, cell: str, options: dict, seed: int = 1, steps: int = STEPS):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((steps, FEATURES), name="seq"),
                              getattr(keras.layers, cell)(UNITS, name="rnn", **options)])
    rng = np.random.default_rng(seed)  # biases too (Keras starts them at zero, where a misplaced one hides)
    model.layers[0].set_weights([rng.normal(0, 0.6, w.shape) for w in model.layers[0].get_weights()])
    return model


def _typed_config() -> dict:
    return {"Model": {"Precision": "ap_fixed<16,6>"},
            "LayerName": {"seq": {"Precision": {"result": INPUT}}, "rnn": {"Precision": dict(TYPES)}}}


def _recurrent_spec(model):
    from rtl4ml.design import _model_spec

    return next(layer for layer in _model_spec(model).layers if layer.name == "rnn")


@pytest.mark.parametrize("cell, options", VARIANTS, ids=lambda v: str(v))
def test_the_golden_model_equals_a_per_step_loop_over_the_codes(keras, cell, options):
    model = _model(keras, cell, options)
    design = rtl4ml.convert(model, _typed_config())
    X = np.random.default_rng(3).normal(0, 1.5, size=(60, STEPS, FEATURES))
    codes = quantize_float(X, parse_precision(INPUT))
    types = {name: parse_precision(text) for name, text in TYPES.items()}
    want = recurrent_reference.run(_recurrent_spec(model), types, parse_precision(INPUT), codes)
    assert np.array_equal(design.predict_codes(X), want)
