"""Streaming cores (IOType io_stream): frames of pixels through units, bit-exact with the golden model under idle
cycles and backpressure, latency and interval measured equal to the plan at full rate, and one-line refusals."""

import json
import os
import random
import warnings

import numpy as np
import pytest

import rtl4ml
from conftest import ROOT
from rtl4ml.errors import Rtl4mlError
from rtl4ml.report.blocks import STREAM_GLUE
from rtl4ml.simulation.frame_check import FrameRecord, analyze_frames, describe_frames
from rtl4ml.simulation.lint import lint_core
from test_conv import CONVOLUTIONS, EXACT_CONFIG, _conv_model, _integer_weights

BUILD_ROOT = ROOT / "sim" / "build" / "pytest" / "stream"
STREAM = {"IOType": "io_stream", "HLSConfig": EXACT_CONFIG}


def _written(design, name: str):
    design.write(BUILD_ROOT / name, force=True)
    return design


def _frames(shape, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(-32, 32, size=(count,) + shape).astype(np.float64)


# three of test_conv's geometries (the random streaming designs below draw many more): a Conv1D 'same' with an even
# kernel and stride 2, Conv2D 'same' with strides (1, 2), and a (4, 2) kernel with strides (3, 1)
STREAMED_CONVOLUTIONS = (1, 3, 5)


@pytest.mark.sim
@pytest.mark.parametrize("index", STREAMED_CONVOLUTIONS, ids=lambda i: CONVOLUTIONS[i][1]["kind"] + str(i))
def test_streamed_convolutions_equal_the_golden_model_and_their_planned_timing(keras, index):
    """Conv1D/Conv2D with strides and 'same' padding placed by the window buffer, then Flatten -> Dense a pixel per
    beat: every frame bit-exact at full rate (latency and interval exactly as planned) and under random idle cycles
    and backpressure."""
    shape, arguments = CONVOLUTIONS[index]
    design = _written(rtl4ml.convert(_conv_model(keras, shape, arguments), STREAM), f"conv{index}")
    assert design.core.units[0].window.kernel[-1] == np.atleast_1d(arguments["kernel_size"])[-1]
    head = design.core.units[-1]  # the Dense after Flatten adds each pixel's share as it comes: no frame stored
    assert head.window is None and head.beats_per_output == head.in_shape.pixels > 1
    _runs_as_planned(design, _frames(shape, 12, index), alone=4, seed=index)


def _runs_as_planned(design, X, alone: int, seed: int) -> None:
    """The Verilog core on X: its first `alone` frames each into an idle core take exactly the planned latency;
    frames back to back come exactly the planned interval apart; under random idle cycles and backpressure every
    frame is still bit-exact with no protocol error."""
    single = design.simulate(X[:alone], frame_gap=design.core.latency + design.core.interval, run_name="alone")
    assert single["passed"], single["problems"]
    assert single["LatencyMin"] == single["LatencyMax"] == design.core.latency
    full = design.simulate(X, run_name="full_rate")
    assert full["passed"], full["problems"]
    assert full["compared"] == len(X)
    assert full["IntervalMax"] == design.core.interval
    if not design.core.fifos:  # with FIFOs the first frames enter faster, until the FIFOs hold what they must
        assert full["IntervalMin"] == full["IntervalMax"]
    stalled = design.simulate(X, idle=0.3, backpressure=0.4, seed=seed, run_name="stalled")
    assert stalled["passed"], stalled["problems"]
    assert stalled["compared"] == len(X) and not stalled["protocol_errors"]


def _pixel_zoo(keras):
    """Pixel-wise layers first (standalone batch norm, a table activation), a 'same' 3 x 3 convolution, max and
    average pooling, a pointwise convolution and a softmax per pixel: the output is a frame of 2 x 2 pixels."""
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 2), name="image"),
        layers.BatchNormalization(name="bn"),
        layers.Activation("tanh", name="squash"),
        layers.Conv2D(3, 3, padding="same", activation="relu", name="conv"),
        layers.MaxPooling2D(2, name="max"),
        layers.AveragePooling2D(2, name="mean"),
        layers.Conv2D(4, 1, name="pointwise"),
        layers.Activation("softmax", name="classes"),
    ])
    _integer_weights(model, 5)
    bn = model.get_layer("bn")
    bn.set_weights([np.array([0.5, -0.25], np.float32), np.array([0.25, 0.5], np.float32),
                    np.array([1.0, -1.0], np.float32), np.array([4.0, 1.0], np.float32)])
    return model


@pytest.mark.sim
def test_pixelwise_layers_pooling_and_a_per_pixel_output_frame_stream_bit_exactly_in_verilog_vhdl_and_csim(keras):
    config = {"IOType": "io_stream", "HLSConfig": {"Model": {"Precision": "ap_fixed<12,5>"}}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        design = _written(rtl4ml.convert(_pixel_zoo(keras), config), "pixel_zoo")
    assert [unit.layers for unit in design.core.units][:2] == [["bn"], ["squash"]]
    assert design.core.out_shape.pixels == 4  # one beat per output pixel, tlast on the fourth
    X = np.random.default_rng(3).normal(0, 2, size=(10, 8, 8, 2))
    results = design.simulate(X, idle=0.2, backpressure=0.3, seed=3)
    assert results["passed"], results["problems"]
    alone = design.simulate(X[:3], frame_gap=200, run_name="alone")
    assert alone["LatencyMin"] == alone["LatencyMax"] == design.core.latency
    # back to back, the 'same' convolution walks 10 x 10 positions per 8 x 8 frame: the slowest unit sets the pace
    full = design.simulate(X, run_name="full_rate")
    assert full["IntervalMax"] == design.core.interval == 100
    vhdl = design.simulate_vhdl(X, idle=0.2, backpressure=0.3, seed=4)
    assert vhdl["passed"] and vhdl["vunit_passed"], vhdl["problems"]
    assert vhdl["compared"] == 10
    csim = design.csim(X)  # the HLS C++: a dataflow function per unit over hls::streams of pixels
    assert csim["passed"] and csim["events"] == 10, csim["problems"]
    top = (BUILD_ROOT / "pixel_zoo" / "hls" / "firmware" / "myproject.cpp").read_text()
    # the units called by hls4ml's stream-kernel names, the project defining them over the generic units
    assert [line.split("<")[0].strip() for line in top.splitlines() if line.endswith("_stream);")] == [
        "rtl4ml::window_unit", "tanh", "conv_2d_cl", "pooling2d_cl", "pooling2d_cl", "conv_2d_cl", "softmax"]


@pytest.mark.sim
def test_a_streamed_mismatch_names_the_unit_where_it_enters(keras):
    """The golden model's pointwise convolution broken after the RTL was written: the traced repeat of the frames up
    to the first wrong one names the pointwise unit (the units before it agree beat for beat), not the softmax after
    it, with the beat and channel."""
    config = {"IOType": "io_stream", "HLSConfig": {"Model": {"Precision": "ap_fixed<12,5>"}}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        design = _written(rtl4ml.convert(_pixel_zoo(keras), config), "pixel_zoo_located")
    pointwise = design.graph.layer("pointwise")
    pointwise.bias = pointwise.bias + 300
    results = design.simulate(np.random.default_rng(3).normal(0, 2, size=(3, 8, 8, 2)), run_name="located")
    location = results["location"]
    assert location["unit"] == "pointwise" and location["layers"] == ["pointwise"] and "cell" not in location
    assert location["got"] != location["expected"] and location["beat"] < 4
    assert any(line.startswith("first differing unit pointwise (pointwise)") for line in results["problems"])


def _padded(keras, rank: int):
    """Zero padding as its own layer (uneven, Keras's explicit form) before a 'valid' convolution and pooling."""
    layers = keras.layers
    if rank == 2:
        body = [keras.Input(shape=(5, 6, 2), name="image"), layers.ZeroPadding2D(((1, 2), (0, 1)), name="pad"),
                layers.Conv2D(3, 3, activation="relu", name="conv"), layers.MaxPooling2D(2, name="pool")]
    else:
        body = [keras.Input(shape=(9, 2), name="sequence"), layers.ZeroPadding1D((2, 1), name="pad"),
                layers.Conv1D(3, 4, strides=2, name="conv")]
    model = keras.Sequential(body + [layers.Flatten(name="flat"), layers.Dense(4, name="out")])
    _integer_weights(model, 4)
    return model


def _cropped(keras, rank: int):
    """A cropping (uneven) between a 'same' convolution and a 'valid' one; the 2-D case ends in a frame of pixels."""
    layers = keras.layers
    if rank == 2:
        body = [keras.Input(shape=(7, 6, 2), name="image"), layers.Conv2D(3, 3, padding="same", name="first"),
                layers.Cropping2D(((1, 2), (0, 1)), name="crop"), layers.Conv2D(2, 2, name="conv")]
    else:
        body = [keras.Input(shape=(10, 2), name="sequence"), layers.Conv1D(3, 3, padding="same", name="first"),
                layers.Cropping1D((2, 1), name="crop"), layers.Conv1D(3, 3, name="conv"),
                layers.Flatten(name="flat"), layers.Dense(4, name="out")]
    model = keras.Sequential(body)
    _integer_weights(model, 4)
    return model


def _upsampled(keras, rank: int):
    """A nearest up-sampling (rows and columns repeated differently) between two convolutions."""
    layers = keras.layers
    if rank == 2:
        body = [keras.Input(shape=(3, 4, 2), name="image"), layers.Conv2D(3, 3, padding="same", name="first"),
                layers.UpSampling2D((2, 3), name="up"), layers.Conv2D(2, 3, strides=2, name="conv")]
    else:
        body = [keras.Input(shape=(5, 2), name="sequence"), layers.UpSampling1D(3, name="up"),
                layers.Conv1D(3, 4, name="conv")]
    model = keras.Sequential(body + [layers.Flatten(name="flat"), layers.Dense(4, name="out")])
    _integer_weights(model, 4)
    return model


@pytest.mark.sim
# the up-sampling in every run, the others in the deeper tier (make test-deep): the random streaming designs draw
# zero paddings, croppings and up-samplings in every run
@pytest.mark.parametrize("kind, rank", [("up", 2)] + [pytest.param(kind, rank, marks=pytest.mark.deep)
                                                      for kind, rank in (("pad", 2), ("crop", 2), ("pad", 1),
                                                                         ("crop", 1), ("up", 1))])
def test_zero_padding_cropping_and_up_sampling_layers_stream_as_walks(keras, kind, rank):
    """ZeroPadding1D/2D is a unit of its own: a 1 x 1 window walked over the padded frame emits a zero pixel at every
    padding position (a cycle each, no input beat). Cropping1D/2D too: a window spanning the cropped rows and
    columns, offered once per kept position, passes on its pixel at (top, left). UpSampling1D/2D is an
    upsample_buffer: each pixel sent once per column copy, each row (from a row buffer) once per row copy. Bit-exact
    in Verilog at full rate (latency and interval as planned) and stalled, in VHDL and in the HLS C++."""
    build = {"pad": _padded, "crop": _cropped, "up": _upsampled}[kind]
    design = _written(rtl4ml.convert(build(keras, rank), STREAM), f"{kind}{rank}")
    unit = next(unit for unit in design.core.units if unit.layers == [kind])
    assert unit.block is None
    layer = design.graph.layer(kind)
    if kind == "pad":
        assert unit.window.kernel == (1, 1) and unit.out_shape.pixels == unit.window.positions
    elif kind == "crop":  # the window's size is what is cut away plus one; one window per kept pixel
        assert unit.window.kernel[-1] == layer.before[-1] + layer.after[-1] + 1
        assert unit.window.windows == unit.out_shape.pixels and unit.passes_part
    else:
        assert unit.window is None and unit.buffer.pixels_out == unit.out_shape.pixels
        assert unit.buffer.repeat == ((2, 3) if rank == 2 else (1, 3))
    shape = design.graph.input.shape
    X = _frames(shape, 8, rank)
    _runs_as_planned(design, X, alone=3, seed=rank)
    vhdl = design.simulate_vhdl(X, idle=0.2, backpressure=0.3, seed=rank)
    assert vhdl["passed"] and vhdl["vunit_passed"], vhdl["problems"]
    csim = design.csim(X)
    assert csim["passed"] and csim["events"] == 8, csim["problems"]
    assert lint_core(BUILD_ROOT / f"{kind}{rank}") == []
    hls4ml_name = {"pad": f"zeropad{rank}d_cl", "crop": f"cropping{rank}d_cl", "up": "resize_nearest"}[kind]
    assert f"\n    {hls4ml_name}<" in (BUILD_ROOT / f"{kind}{rank}" / "hls" / "firmware" / "myproject.cpp").read_text()


@pytest.mark.sim
@pytest.mark.parametrize("stall", [False, True], ids=["full_rate", "stalled"])
def test_a_reset_mid_frame_recovers_at_the_next_frame(keras, stall):
    """Half a frame into the units (a 'same' convolution's line buffers part full, pooling mid-window, the collect
    for the Dense part filled), a reset, then whole frames: every one comes out whole, in order and bit-exact."""
    design = _written(rtl4ml.convert(_padded(keras, 2), STREAM), "reset_mid_frame")
    X = _frames(design.graph.input.shape, 6, 11)
    options = {"idle": 0.3, "backpressure": 0.4, "seed": 5} if stall else {}
    results = design.simulate(X, reset_after_beats=design.core.in_shape.pixels // 2 + 1,
                              run_name="reset_" + ("stalled" if stall else "full"), **options)
    assert results["passed"], results["problems"]
    assert results["compared"] == 6 and not results["protocol_errors"]
    if not stall:  # after the reset the core runs as if fresh: exactly the planned latency and interval
        assert results["LatencyMin"] == results["LatencyMax"] == design.core.latency
        assert results["IntervalMax"] == design.core.interval


@pytest.mark.sim
def test_a_streaming_core_lints_clean_and_reloads_as_written(keras):
    shape, arguments = CONVOLUTIONS[3]
    design = _written(rtl4ml.convert(_conv_model(keras, shape, arguments), STREAM), "reload")
    assert lint_core(BUILD_ROOT / "reload") == []
    again = rtl4ml.load_design(BUILD_ROOT / "reload")
    assert again.core.metadata() == design.core.metadata()
    X = _frames(shape, 5, 9)
    assert np.array_equal(again.predict(X), design.predict(X))
    report = again.report(run_synthesis=False)  # analytic figures: every block, the window and skid buffers
    assert report["IOType"] == "io_stream" and report["LatencyAnalytic"] == design.core.latency
    assert report["IntervalAnalytic"] == design.core.interval
    per_unit = report["Analytic"]["per_layer"]
    windows = sum(unit.window.stored_bits for unit in design.core.units if unit.window)
    assert per_unit[STREAM_GLUE]["FF"] > windows
    assert len(per_unit) == len(design.core.blocks) + 1


def _residual(keras):
    """Two forks and two merges: the image feeds a convolution and a skip Add; the first convolution's output feeds
    a second one and a Concatenate of channels after the Add."""
    layers = keras.layers
    image = keras.Input(shape=(6, 7, 2), name="image")
    first = layers.Conv2D(3, 3, padding="same", activation="relu", name="first")(image)
    second = layers.Conv2D(2, 3, padding="same", name="second")(first)
    skip = layers.Add(name="skip")([second, image])
    joined = layers.Concatenate(name="joined")([skip, first])
    pooled = layers.MaxPooling2D(2, name="pool")(joined)
    model = keras.Model(image, layers.Dense(3, name="out")(layers.Flatten(name="flat")(pooled)))
    _integer_weights(model, 4)
    return model


def _timing_with(core, fifo, depth: int):
    """The planned timing with one FIFO at `depth` (None: the core stops)."""
    from rtl4ml.backends.stream.timing import Deadlock

    try:
        return core.timing_at({other.identifier: other.depth for other in core.fifos} | {fifo.identifier: depth})
    except Deadlock:
        return None


def _assert_fifos_are_tight(core) -> None:
    """Every FIFO keeps the planned timing at its depth; one beat less and the core is later, slower or stuck."""
    for fifo in core.fifos:
        assert _timing_with(core, fifo, fifo.depth) == core.timing
        assert _timing_with(core, fifo, fifo.depth - 1) != core.timing, fifo.identifier


def test_fifos_are_sized_when_a_deeper_branch_fifo_would_starve_the_other(keras):
    """A one-pixel frame forked into a convolution and a skip merge, then a Dense at ReuseFactor 3: the frames come
    every 3 cycles and the FIFOs fill; a deeper FIFO on one branch can make the other too short, so each depth is
    bisected below one that keeps the timing (a regression: the sizing once needed its cap)."""
    image = keras.Input(shape=(1, 1), name="x")
    conv = keras.layers.Conv1D(1, 1, padding="same", name="conv")(image)
    merged = keras.layers.Minimum(name="skip")([conv, image])
    flat = keras.layers.Flatten(name="flat")(merged)
    model = keras.Model(image, keras.layers.Dense(9, name="fc1")(keras.layers.Dense(3, name="fc0")(flat)))
    config = {"IOType": "io_stream", "HLSConfig": {"Model": {"Precision": "ap_fixed<12,4>"},
                                                   "LayerName": {"fc0": {"ReuseFactor": 3}}}}
    core = rtl4ml.convert(model, config).core
    assert core.interval == 3 and len(core.fifos) == 2
    _assert_fifos_are_tight(core)


@pytest.mark.sim
def test_a_residual_network_streams_with_fifos_sized_by_its_timing_model_and_no_tighter(keras):
    """Forks put a FIFO on each branch, sized as the least depth that keeps the full-rate latency and interval the
    core has with FIFOs too deep to matter; merges take a pixel of each input at once; the Dense after the pooling
    takes 5 cycles per beat, as its input rate allows. Bit-exact in Verilog at full
    rate (as planned) and under idle cycles and backpressure (no deadlock), in VHDL and in csim; one beat less in the
    deepest FIFO makes a lone frame later in the RTL exactly as the timing model says. The head's LutsPerDsp puts its
    multipliers in the fabric (lut_multiplier.v), so these simulations hold those too."""
    config = {"IOType": "io_stream", "HLSConfig": EXACT_CONFIG | {
        "LayerName": EXACT_CONFIG["LayerName"] | {"out": {"LutsPerDsp": 4096}}}}
    design = _written(rtl4ml.convert(_residual(keras), config), "residual")
    core = design.core
    # forks after the input and after the first convolution (and its relu); the head folded to its input rate:
    # 9 pooled pixels per 72-cycle frame, 5 channels, so each multiplier serves all 5 channels, a FIFO before it
    assert {fifo.source for fifo in core.fifos} == {"frames_image", "first_relu", "pool"}
    head = core.units[-1].block
    assert head.plan.fold == 5 and head.multipliers == 3 and core.interval == 72
    assert head.plan.lut_levels > 0 and "lut_multiplier.v" in (BUILD_ROOT / "residual" / "rtl" / "myproject.f").read_text()
    assert [unit.sources for unit in core.units if unit.joins] == [["second", "skip_fifo1"], ["skip", "joined_fifo1"]]
    X = _frames((6, 7, 2), 10, 21)
    _runs_as_planned(design, X, alone=3, seed=21)
    vhdl = design.simulate_vhdl(X, idle=0.2, backpressure=0.3, seed=22)
    assert vhdl["passed"] and vhdl["vunit_passed"], vhdl["problems"]
    csim = design.csim(X)
    assert csim["passed"] and csim["events"] == 10, csim["problems"]
    assert lint_core(BUILD_ROOT / "residual") == []

    _assert_fifos_are_tight(core)
    deepest = max(core.fifos, key=lambda fifo: fifo.depth)
    shorter = _timing_with(core, deepest, deepest.depth - 1)
    deepest.depth -= 1  # the RTL with that FIFO one beat short: its lone frames arrive as the model says, late
    _written(design, "residual_short")
    alone = design.simulate(X[:2], frame_gap=4 * core.interval, run_name="short_fifo")
    assert alone["passed"], alone["problems"]
    assert alone["LatencyMin"] == shorter.latency > core.latency


def _merged(keras, merge, count: int = 2, flatten: bool = False):
    image = keras.Input(shape=(4, 4, 2), name="image")
    branches = [keras.layers.Conv2D(2, 1, name=f"branch{k}")(image) for k in range(count)]
    if flatten:
        branches = [keras.layers.Flatten(name=f"flat{k}")(branch) for k, branch in enumerate(branches)]
    return keras.Model(image, merge(branches))


def _two_heads(keras):
    features = keras.Input(shape=(4,), name="features")
    return keras.Model(features, [keras.layers.Dense(2, name="a")(features), keras.layers.Dense(3, name="b")(features)])


@pytest.mark.parametrize("build, message", [
    (_two_heads, "model .*: IOType io_stream: 2 outputs; streaming cores have one output so far"),
    (lambda keras: _merged(keras, keras.layers.Concatenate(axis=1, name="rows")),
     "layer rows: IOType io_stream: concatenates along axis 1; a streamed concatenation joins channels"),
    (lambda keras: _merged(keras, keras.layers.Add(name="flat_add"), flatten=True),
     "layer flat_add: IOType io_stream: merges a flattened frame"),
    (lambda keras: keras.Sequential([keras.Input(shape=(6, 5, 1), name="image"),
                                     keras.layers.Permute((2, 1, 3), name="swap"),
                                     keras.layers.Conv2D(2, 3, name="conv")]),
     "layer swap: IOType io_stream: PermuteLayer has no streaming form yet"),
    (lambda keras: keras.Sequential([keras.Input(shape=(5, 5, 1), name="image"),
                                     keras.layers.MaxPooling2D(2, padding="same", name="pool")]),
     "layer pool: IOType io_stream: pooling windows over padding"),
])
def test_layers_without_a_streaming_form_are_refused_in_one_line(keras, build, message):
    with pytest.raises(Rtl4mlError, match=message):
        rtl4ml.convert(build(keras), STREAM)


def _pooled_head(keras, filters: int = 8):
    layers = keras.layers
    return keras.Sequential([keras.Input((8, 8, 2), name="image"), layers.Conv2D(filters, 3, padding="same",
                                                                                 name="conv"),
                             layers.MaxPooling2D(2, name="pool"), layers.Flatten(name="flat"),
                             layers.Dense(5, name="out")])


def test_a_frame_interval_folds_the_dense_after_flatten_to_it_or_is_refused_when_the_core_is_slower(keras):
    """By default the Dense after Flatten takes as many cycles per pixel as the frame interval the convolution's walk
    sets allows (10 x 10 positions for 16 pooled pixels: 6); FrameInterval 128 lets it take 8 (all its channels, one
    multiplier per output); FrameInterval 64 is refused naming the unit that cannot go faster."""
    def head(frame_interval=None):
        model = {"Precision": "ap_fixed<16,8>"} | ({"FrameInterval": frame_interval} if frame_interval else {})
        core = rtl4ml.convert(_pooled_head(keras), {"IOType": "io_stream", "HLSConfig": {"Model": model}}).core
        return core, core.units[-1].block
    core, block = head()
    assert core.interval == 100 and block.plan.fold == 6 and block.multipliers == 5 * 2
    core, block = head(128)
    assert core.interval == 128 and block.plan.fold == 8 and block.multipliers == 5
    with pytest.raises(Rtl4mlError, match=r"FrameInterval 64 cannot be met: the core takes 100 cycles per frame "
                                          r"\(unit conv alone 100: its window walks 100 positions"):
        head(64)
    with pytest.raises(Rtl4mlError, match="config Model FrameInterval 100: applies to IOType io_stream cores"):
        rtl4ml.convert(_pooled_head(keras), {"HLSConfig": {"Model": {"FrameInterval": 100}}})
    with pytest.raises(Rtl4mlError, match="config LayerName out: FrameInterval is a Model setting"):
        rtl4ml.convert(_pooled_head(keras), {"IOType": "io_stream", "HLSConfig": {"LayerName": {
            "out": {"FrameInterval": 100}}}})


def _pooled_convolutions(keras, strides: int = 1):
    layers = keras.layers
    model = keras.Sequential([keras.Input((8, 8, 2), name="image"),
                              layers.Conv2D(4, 3, padding="same", activation="relu", name="conv1"),
                              layers.MaxPooling2D(2, name="pool"),
                              layers.Conv2D(4, 3, strides=strides, padding="same", activation="relu", name="conv2"),
                              layers.Flatten(name="flat"), layers.Dense(6, activation="relu", name="head"),
                              layers.Dense(3, name="out")])
    _integer_weights(model, 5)
    return model


def _luts_per_dsp(value) -> dict:
    return {"IOType": "io_stream", "HLSConfig": {"Model": {"Precision": "ap_fixed<12,5>", "LutsPerDsp": value}}}


@pytest.mark.sim
def test_a_convolution_after_a_pooling_and_a_dense_on_a_vector_fold_to_their_rate_where_it_saves_multipliers(keras):
    """LutsPerDsp 0 keeps the products on DSPs: the convolution after the pooling (16 windows in a frame of 100
    cycles) time-multiplexes them over 6 cycles (the largest ReuseFactor within 6 that divides its 144 products),
    and the Dense on the vector at the end (once per frame) over 18 (its 18 products), with fewer multipliers and the
    same frame interval, bit-exact in Verilog as planned, stalled, VHDL and csim; the first convolution (a window
    every cycle) stays parallel. By default their products are shift-add in the adder graph, which multipliers
    would not undercut: nothing is folded."""
    model = _pooled_convolutions(keras)
    unfolded = rtl4ml.convert(model, _luts_per_dsp(4096)).core.units
    assert [unit.interval for unit in unfolded] == [1, 1, 1, 4, 1] and unfolded[2].block.multipliers == 0
    design = _written(rtl4ml.convert(model, _luts_per_dsp(0)), "conv_folded")
    conv1, _, conv2, _, out = design.core.units
    parallel = rtl4ml.convert(model, _luts_per_dsp(0) | {"HLSConfig": {"Model": {
        "Precision": "ap_fixed<12,5>", "LutsPerDsp": 0}, "LayerName": {"conv2": {"ReuseFactor": 1},
                                                                       "out": {"ReuseFactor": 1}}}}).core
    assert conv1.interval == 1 and conv2.interval == 6 and conv2.block.plan.reuse == 6 and out.interval == 18
    for folded, kept in ((conv2, parallel.units[2]), (out, parallel.units[4])):
        assert folded.block.multipliers < kept.block.multipliers and kept.interval == 1
    assert design.core.interval == parallel.interval == 100
    X = _frames((8, 8, 2), 8, 6)
    _runs_as_planned(design, X, alone=3, seed=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vhdl = design.simulate_vhdl(X, idle=0.2, backpressure=0.3, seed=7)
    assert vhdl["passed"] and vhdl["compared"] == len(X), vhdl["problems"]
    assert design.csim(X)["mismatches"] == 0


def test_a_convolution_is_not_folded_where_its_bursts_of_windows_would_slow_the_frame(keras):
    """A stride-2 convolution on the 9 x 9 input: 16 windows in a frame of 81 cycles, but they come in bursts (a
    row's four windows two cycles apart, then a row without any) while the window walk waits for a busy block: each
    ReuseFactor that fits (4, 3, 2) would lengthen the frame, so it stays parallel. With stride 3 on 10 x 10 (9
    windows, 100 cycles, three per row 3 cycles apart) ReuseFactor 3 is the largest that keeps the frame."""
    layers = keras.layers

    def core(strides: int, size: int):
        model = keras.Sequential([keras.Input((size, size, 2), name="image"),
                                  layers.Conv2D(4, 3, strides=strides, activation="relu", name="conv"),
                                  layers.Flatten(name="flat"), layers.Dense(3, name="head")])
        _integer_weights(model, 5)
        return rtl4ml.convert(model, _luts_per_dsp(0)).core
    bursts, spaced = core(2, 9), core(3, 10)
    assert bursts.units[0].window.windows == 16 and bursts.units[0].interval == 1 and bursts.interval == 81
    assert spaced.units[0].window.windows == 9 and spaced.units[0].interval == 3 and spaced.interval == 100


def test_a_reuse_factor_1_for_the_dense_after_flatten_keeps_it_at_a_pixel_per_cycle(keras):
    """ReuseFactor 1 given for the Dense (LayerName or LayerType) keeps it at one pixel per cycle (the knob for the
    least latency); hls4ml's Model default of 1 leaves it to rate matching; a ReuseFactor above 1 collects the frame
    and time-multiplexes the Dense, as in io_parallel."""
    def head(hls_config):
        core = rtl4ml.convert(_pooled_head(keras), {"IOType": "io_stream", "HLSConfig": {
            "Model": {"Precision": "ap_fixed<16,8>", "ReuseFactor": 1}} | hls_config}).core
        return core, core.units[-1]
    folded, unit = head({})
    assert unit.block.plan.fold == 6 and folded.interval == 100
    core, unit = head({"LayerName": {"out": {"ReuseFactor": 1}}})
    assert unit.block.plan.fold == 1 and unit.block.multipliers == 5 * 8 and core.interval == 100
    assert core.latency < folded.latency and not any(fifo.identifier.startswith("out") for fifo in core.fifos)
    assert head({"LayerType": {"Dense": {"ReuseFactor": 1}}})[1].block.plan.fold == 1
    core, unit = head({"LayerType": {"Dense": {"ReuseFactor": 4}}})
    assert unit.beats_per_output == 1 and unit.window.windows == 1 and unit.block.interval == 4



def test_a_streamed_dense_multiplies_in_luts_where_luts_per_dsp_prices_them_cheaper(keras):
    """The Dense after Flatten's weight changes with the beat: its products are generic, a DSP each unless a
    lut_multiplier (radix-4 Booth rows in the fabric) costs no more LUTs than LutsPerDsp says a DSP is worth: 16-bit
    operands and weights, 8 rows of 32 bits, 320 LUTs by its price (220 measured)."""
    from rtl4ml.backends.rtl.lut_multiplier import lut_multiplier_luts
    from rtl4ml.backends.stream.writer import primitives
    from rtl4ml.report.analytic import estimate_stream_core

    def head(luts_per_dsp=None):
        names = {"LayerName": {"out": {"LutsPerDsp": luts_per_dsp}}} if luts_per_dsp is not None else {}
        core = rtl4ml.convert(_pooled_head(keras), {"IOType": "io_stream", "HLSConfig": {
            "Model": {"Precision": "ap_fixed<16,8>"}} | names}).core
        return core, core.units[-1].block
    assert lut_multiplier_luts(16, 16) == 320
    core, block = head()
    assert block.plan.lut_levels == 0 and "lut_multiplier.v" not in primitives(core)
    assert estimate_stream_core(core)["out"]["DSP"] == block.multipliers
    assert head(319)[1].plan.lut_levels == 0
    core, block = head(320)
    assert block.plan.lut_levels == 4 and "lut_multiplier.v" in primitives(core)  # 8 rows and a correction: 4 levels
    estimate = estimate_stream_core(core)["out"]
    assert estimate["DSP"] == 0 and estimate["LUT"] >= block.multipliers * 320


def _keras_conv1d(keras):
    """The shape of hls4ml's public KERAS_conv1d example: 100 x 7 -> three Conv1D of 32 filters, kernel 40, 'same',
    ReLU -> Flatten -> Dense 50, ReLU -> Dense 5, softmax (random float weights)."""
    keras.utils.set_random_seed(1)
    layers = keras.layers
    convs = [layers.Conv1D(32, 40, padding="same", activation="relu", name=f"conv{k}") for k in range(3)]
    return keras.Sequential([keras.Input((100, 7), name="x"), *convs, layers.Flatten(name="flat"),
                             layers.Dense(50, activation="relu", name="fc"),
                             layers.Dense(5, activation="softmax", name="out")])


KERAS_CONV1D_CONFIG = {"IOType": "io_stream", "HLSConfig": {"Model": {"Precision": "ap_fixed<16,6>",
                                                                       "ReuseFactor": 1}}}


def test_a_keras_conv1d_shaped_network_plans_with_the_default_config(keras):
    """Its later kernel matrices (1,280 x 32) have too many digit pairs for the sharing search: they are summed
    without sharing, so planning takes seconds. Each 'same' Conv1D walks 139 padded positions per 100-step frame."""
    from rtl4ml.backends.rtl import cmvm

    design = rtl4ml.convert(_keras_conv1d(keras), KERAS_CONV1D_CONFIG)
    core = design.core
    conv = design.graph.layer("conv1")
    assert cmvm.digit_pairs(conv.kernel_matrix) > cmvm.MAX_SHARED_PAIRS
    assert core.interval == 139 and [unit.layers[0] for unit in core.units][:3] == ["conv0", "conv1", "conv2"]
    assert core.units[3].beats_per_output == 100  # the Dense after Flatten, a position per beat


@pytest.mark.deep
def test_a_keras_conv1d_shaped_network_streams_bit_exactly(keras):
    """The same network built and simulated: Verilog (frames back to back, latency and interval as planned) and the
    HLS C++ equal the golden model. About half an hour: Verilator builds it in 4 minutes, g++ its HLS C++ in 22."""
    design = _written(rtl4ml.convert(_keras_conv1d(keras), KERAS_CONV1D_CONFIG), "keras_conv1d")
    X = np.random.default_rng(0).normal(0, 1, (12, 100, 7))
    results = design.simulate_bulk(X)
    assert results["passed"], results["problems"]
    assert results["LatencyFirst"] == design.core.latency and results["IntervalMax"] == design.core.interval
    csim = design.csim(X)
    assert csim["passed"] and csim["events"] == 12, csim["problems"]


def test_the_frame_judge_finds_a_wrong_code_a_misplaced_tlast_and_a_lost_frame():
    expected = np.arange(12).reshape(3, 2, 2)  # 3 frames of 2 beats of 2 channels
    record = FrameRecord(inputs=list(range(12)))  # 4 input beats per frame
    for frame in range(3):
        for beat in range(2):
            record.outputs.append((20 + 4 * frame + beat, list(expected[frame, beat]), beat))
    assert analyze_frames(record, expected, 4, [1.0, 1.0])["passed"]
    record.outputs[3] = (record.outputs[3][0], [6, 99], 1)
    results = analyze_frames(record, expected, 4, [1.0, 1.0])
    assert results["mismatches"] == 1 and "frame 1: beat 1 channel 1 is 99" in describe_frames(results)[0]
    record.outputs[3] = (record.outputs[3][0], [6, 7], 0)
    assert "tlast on beats []" in analyze_frames(record, expected, 4, [1.0, 1.0])["protocol_errors"][0]
    del record.outputs[-2:]
    record.outputs[3] = (record.outputs[3][0], [6, 7], 1)
    lost = analyze_frames(record, expected, 4, [1.0, 1.0])
    assert not lost["passed"] and lost["events"] == 2 and "only 2 of 3 frames came out" in lost["protocol_errors"]


# random streaming designs per run (a new seed each run, as the io_parallel batches; with them 200 per run);
# RTL4ML_STREAM_DESIGNS=100 runs a deeper batch
STREAM_DESIGNS = int(os.environ.get("RTL4ML_STREAM_DESIGNS", 16))


@pytest.mark.sim
def test_random_streaming_designs_are_bit_exact_in_golden_verilog_vhdl_and_csim():
    """Random Conv1D/Conv2D (kernels, strides, 'same'/'valid', depthwise), pooling, pixel-wise activations, batch
    norm and per-pixel softmax, then Flatten and Dense layers, in random types: every frame of every design equal
    in the golden model, the Verilog core (one bank, the compiled frame harness; at full rate and under idle cycles
    and backpressure), the VHDL core (one VUnit session, stalled) and the HLS C++ (one g++ run); at full rate, the
    first frame's latency exactly as planned and frames never further apart than planned."""
    from rtl4ml.verification.random_designs import random_designs
    from rtl4ml.verification.stream_batch import run_stream_batch

    seed = int(os.environ.get("RTL4ML_RANDOM_SEED", random.SystemRandom().randrange(2**31)))
    specs = random_designs(STREAM_DESIGNS + 8, seed, max_width=10, streamable=True)
    work = ROOT / "sim" / "build" / "random_stream"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            verdicts = run_stream_batch(specs, work, STREAM_DESIGNS, frames=5, seed=1, idle=0.2, backpressure=0.3)
        except Exception as exc:  # a failure while planning or building names the seed that reproduces it
            raise AssertionError(f"RTL4ML_RANDOM_SEED={seed}: {type(exc).__name__}: {exc}") from exc
    assert len(verdicts) >= STREAM_DESIGNS // 2, "most streamable draws must plan as streaming cores"
    failures = [f"design {v['index']}: {v['problems'][:3]}; spec: {json.dumps(v['spec'])[:3000]}"
                for v in verdicts if not v["passed"]]
    assert not failures, f"RTL4ML_RANDOM_SEED={seed}:\n" + "\n".join(failures[:3])


@pytest.mark.synth
def test_rtl4ml_report_synthesizes_a_streaming_core_per_block_and_quotes_the_simulation(keras, tmp_path):
    """`rtl4ml report` on an io_stream OUTDIR: Yosys per block plus one job for the top's window buffers, skid
    buffers and flow control; the simulated latency and interval next to the plan; `rtl4ml ip` then puts the
    resources into the datasheet."""
    from rtl4ml.cli import main as cli_main

    design = _written(rtl4ml.convert(_cropped(keras, 1), STREAM), "report")
    out_dir = BUILD_ROOT / "report"
    X = _frames(design.graph.input.shape, 4, 2)
    assert design.simulate(X)["passed"]
    assert cli_main(["report", str(out_dir)]) == 0
    report = json.loads((out_dir / "report" / "report.json").read_text())
    glue = report["Yosys"]["per_layer"][STREAM_GLUE]
    assert glue["FF"] > 0 and report["LUT"] > 0
    assert len(report["Yosys"]["per_layer"]) == len(design.core.blocks) + 1
    assert report["LatencyAgrees"] and report["IntervalAgrees"]
    assert "planned: a frame's first input beat" in (out_dir / "report" / "report.md").read_text()
    assert cli_main(["ip", str(out_dir)]) == 0
    assert f"LUT {report['LUT']:,}" in (out_dir / "ip" / "README.md").read_text()
