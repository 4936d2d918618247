"""Graphs with branches, merges and several outputs: the golden arithmetic of each merge against a plain
reference, the pipeline schedule (parallel paths balanced by delay registers), and the Verilog core
(Verilator harness) and the HLS C++ (g++) bit-exact against the golden model on every output."""

import json

import numpy as np
import pytest

from rtl4ml.design import Design
from rtl4ml.errors import Rtl4mlError
from rtl4ml.fixed_point import FixedType, requantize
from rtl4ml.golden.model import run_codes
from rtl4ml.ir.graph import ModelGraph
from rtl4ml.ir.layers import ConcatenateLayer, DotLayer, ElementwiseMergeLayer, InputLayer, Layer

from ir_layers import X_TYPE
from ir_layers import dense as _dense
from ir_layers import relu as _relu

U_TYPE = FixedType(6, 2, False)


def _merge(cls, name: str, a: Layer, b: Layer, result: FixedType, **fields):
    return cls(name=name, inputs=(a.name, b.name), input_types=(a.result_type, b.result_type), result_type=result,
               **fields)


def autoencoder_score() -> ModelGraph:
    """x -> encoder -> decoder; score = sum((x - decoded)**2): a skip path around four layers, self-Dot."""
    x = InputLayer(name="x", inputs=(), shape=(6,), result_type=X_TYPE)
    enc = _dense("enc", x, 3, seed=1)
    enc_relu = _relu("enc_relu", enc)
    dec = _dense("dec", enc_relu, 6, seed=2, result=FixedType(10, 4))
    diff = _merge(ElementwiseMergeLayer, "diff", x, dec, FixedType(9, 4, rounding="AP_RND", overflow="AP_SAT"),
                  shape=(6,), operation="subtract")
    score = _merge(DotLayer, "score", diff, diff, FixedType(12, 8, False, "AP_RND", "AP_SAT"), shape=(1,), input_n=6)
    return ModelGraph("ae_score", x, [enc, enc_relu, dec, diff, score], ("score",))


def two_heads_with_merges() -> ModelGraph:
    """A trunk, two heads of different depths, their sum and product, a concatenation; three outputs."""
    x = InputLayer(name="x", inputs=(), shape=(5,), result_type=X_TYPE)
    trunk = _dense("trunk", x, 4, seed=3)
    trunk_relu = _relu("trunk_relu", trunk, U_TYPE)
    deep = _dense("deep", trunk_relu, 4, seed=4)
    deep2 = _dense("deep2", deep, 4, seed=5)
    added = _merge(ElementwiseMergeLayer, "added", trunk_relu, deep2, FixedType(9, 5, rounding="AP_RND"),
                   shape=(4,), operation="add")
    product = _merge(ElementwiseMergeLayer, "product", deep, trunk_relu, FixedType(10, 6, overflow="AP_SAT"),
                     shape=(4,), operation="multiply")
    joined = _merge(ConcatenateLayer, "joined", added, x, FixedType(7, 4, rounding="AP_RND_CONV"), shape=(9,),
                    axis=0, input_shapes=((4,), (5,)))
    head = _dense("head", joined, 2, seed=6, result=FixedType(12, 5))
    return ModelGraph("merges", x, [trunk, trunk_relu, deep, deep2, added, product, joined, head],
                      ("head", "product", "trunk_relu"))


def _codes(graph: ModelGraph, events: int, seed: int = 0) -> np.ndarray:
    t = graph.input.result_type
    return np.random.default_rng(seed).integers(t.min_code, t.max_code + 1, size=(events, graph.n_in))


def test_merges_equal_a_plain_reference_of_exact_arithmetic_then_one_rounding():
    graph = two_heads_with_merges()
    codes = _codes(graph, 500)
    _, traces = run_codes(graph, codes, trace=True)
    trunk, deep, deep2 = (traces[name] for name in ("trunk_relu", "deep", "deep2"))
    # added: trunk (frac 4) + deep2 (frac 5), exact at frac 5, then AP_RND to 4 fractional bits
    exact = trunk.astype(object) * 2 + deep2
    assert np.array_equal(traces["added"], requantize(np.asarray(exact, dtype=np.int64), 5, graph.layer("added").result_type))
    exact = deep.astype(np.int64) * trunk  # frac 5 + 4
    assert np.array_equal(traces["product"], requantize(exact, 9, graph.layer("product").result_type))
    joined = graph.layer("joined").result_type
    want = np.concatenate([requantize(traces["added"], 4, joined), requantize(codes, 5, joined)], axis=1)
    assert np.array_equal(traces["joined"], want)


def test_a_self_dot_is_the_sum_of_squares():
    graph = autoencoder_score()
    codes = _codes(graph, 400, seed=1)
    outputs, traces = run_codes(graph, codes, trace=True)
    squares = (traces["diff"].astype(np.int64) ** 2).sum(axis=1, keepdims=True)  # frac 2 * 5
    assert np.array_equal(outputs, requantize(squares, 10, graph.layer("score").result_type))
    assert graph.layer("score").exact_type.signed is False


def test_parallel_paths_are_balanced_with_delay_registers_and_outputs_end_together():
    design = Design(two_heads_with_merges())
    core = design.core
    schedule = core.schedule
    stage = {block.identifier: stage for block, stage in zip(core.blocks, core.stages())}
    entry = {block.identifier: schedule.entry_stage[f"trace_{block.identifier}"] for block in core.blocks}
    # the sum reads trunk_relu (early) and deep2 (late): the early one is delayed to the later stage
    assert entry["added"] >= stage["deep2"] > stage["trunk"]  # trunk holds trunk_relu, fused
    assert any(line.source == "trace_trunk" for line in schedule.delay_lines)  # trunk_relu is fused into trunk
    assert len(schedule.outputs) == 3 and core.latency == max(core.stages())
    meta = core.metadata()
    assert [field["name"] for field in meta["outputs"]] == ["head", "product", "trunk_relu"]
    assert meta["output_type"] is None and meta["outputs"][1]["lsb"] == 2 * 12


@pytest.mark.sim
@pytest.mark.parametrize("build", [autoencoder_score, two_heads_with_merges])
def test_graph_cores_are_bit_exact_in_verilog_and_hls_on_every_output(tmp_path, build):
    design = Design(build())
    design.write(tmp_path / "prj")
    X = np.random.default_rng(7).normal(scale=3.0, size=(3000, design.graph.n_in))
    rtl = design.simulate_bulk(X, backpressure=0.2, seed=3)
    assert rtl["passed"] and rtl["mismatches"] == 0, rtl["problems"][:3]
    assert rtl["IntervalMin"] == 1
    still = design.simulate_bulk(X[:200])
    assert still["LatencyMin"] == still["LatencyMax"] == design.latency
    csim = design.csim(X)
    assert csim["passed"] and csim["mismatches"] == 0, csim["problems"][:3]
    meta = json.loads((tmp_path / "prj" / "rtl" / "core.json").read_text())
    assert meta["n_out"] == design.graph.n_out


def test_merges_of_incompatible_shapes_or_three_inputs_are_refused_in_one_line():
    from rtl4ml.config import load_config
    from rtl4ml.frontends.spec import DenseSpec, InputSpec, MergeSpec, ModelSpec
    from rtl4ml.ir.builder import build_ir

    dense = lambda name, n_in, n_out: DenseSpec(name, "Dense", np.ones((n_in, n_out)), np.zeros(n_out), inputs=("x",))
    spec = ModelSpec("m", InputSpec("x", 4), [dense("a", 4, 3), dense("b", 4, 2),
                                             MergeSpec("sum", "Add", "add", ("a", "b"))])
    with pytest.raises(Rtl4mlError, match=r"layer sum \(Add\): its inputs have different shapes \(\(3,\), \(2,\)\)"):
        build_ir(spec, load_config(None))
    spec.layers[-1] = MergeSpec("sum", "Add", "add", ("a", "b", "x"))
    with pytest.raises(Rtl4mlError, match=r"layer sum \(Add\): has 3 inputs; merges of exactly two inputs"):
        build_ir(spec, load_config(None))
    spec.layers[-1] = MergeSpec("cat", "Concatenate", "concatenate", ("a", "x"), axis=1)
    with pytest.raises(Rtl4mlError, match=r"layer cat \(Concatenate\): cannot concatenate shapes"):
        build_ir(spec, load_config(None))
    spec.layers[1:] = [dense("b", 4, 3), MergeSpec("prod", "Multiply", "multiply", ("a", "b"))]
    wide = load_config({"Model": {"Precision": "ap_fixed<32,16>"}})
    with pytest.raises(Rtl4mlError, match=r"layer prod \(Multiply\): its exact result needs 64 bits \(> 62"):
        build_ir(spec, wide)
