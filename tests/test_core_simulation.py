"""Generated cores in Verilator + cocotb: bit-exact, in order, fixed latency and II, robust to stalls and resets."""

import random
import warnings

import numpy as np
import pytest

from conftest import ROOT
from designs import DESIGNS, build_design

pytestmark = pytest.mark.sim
BUILD_ROOT = ROOT / "sim" / "build" / "pytest"  # Verilator builds are cached here by content hash


def written(keras, name, tag="", seed=0, reuse=1):
    """The design written to its own OUTDIR (tests run in parallel must not share one)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, design = build_design(keras, name, seed, reuse)
    design.write(BUILD_ROOT / f"{name}{tag}", force=True)
    return model, design


def stimulus(design, events=400, seed=0):
    """Inputs spread over and beyond the representable range, to exercise saturation and wrap."""
    t = design.graph.input.result_type
    rng = np.random.default_rng(seed)
    return rng.uniform(t.min_value * 1.3 - 0.5, t.max_value * 1.3 + 0.5, size=(events, design.graph.n_in))


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_small_networks_are_bit_exact_with_fixed_latency_and_unit_interval(keras, name):
    _, design = written(keras, name)
    results = design.simulate(stimulus(design))
    assert results["passed"], results["problems"]
    assert results["mismatches"] == 0 and results["compared"] == 400
    assert results["LatencyMin"] == results["LatencyMax"] == design.latency
    assert results["IntervalMax"] == 1


@pytest.mark.parametrize("idle, backpressure", [(0.3, 0.0), (0.0, 0.6), (0.5, 0.5)])
def test_idle_cycles_and_backpressure_lose_nothing(keras, idle, backpressure):
    _, design = written(keras, "softmax_tanh_fixed12", f"_stall_{idle}_{backpressure}")
    results = design.simulate(stimulus(design, 600, seed=1), idle=idle, backpressure=backpressure, seed=7,
                              run_name=f"stall_{idle}_{backpressure}")
    assert results["passed"], results["problems"]
    assert results["compared"] == 600 and not results["protocol_errors"]
    if backpressure == 0.0:
        assert results["LatencyMin"] == results["LatencyMax"] == design.latency


@pytest.mark.parametrize("reuse, idle, backpressure", [(2, 0.0, 0.0), (3, 0.3, 0.5)])
def test_reused_multipliers_are_bit_exact_at_interval_r(keras, reuse, idle, backpressure):
    _, design = written(keras, "pruned_half", f"_reuse{reuse}", reuse=reuse)
    assert design.interval == reuse
    results = design.simulate(stimulus(design, 300, seed=4), idle=idle, backpressure=backpressure, seed=5,
                              run_name=f"reuse{reuse}")
    assert results["passed"], results["problems"]
    assert results["compared"] == 300 and results["IntervalMin"] == reuse
    if idle == backpressure == 0.0:
        assert results["IntervalMax"] == reuse
        assert results["LatencyMin"] == results["LatencyMax"] == design.latency


@pytest.mark.parametrize("run, reuse", [(0, 1), (1, 2)])
def test_resets_at_random_cycles_drop_only_events_in_flight(keras, run, reuse):
    seed = random.SystemRandom().randrange(2**31)
    # 5 cycles apart at least: a reset starting as the previous one ends would be one long reset, not two
    cycles = sorted(random.Random(seed).sample(range(20, 420, 5), 3))
    _, design = written(keras, "relu_fixed8_trn_wrap", f"_reset{run}", reuse=reuse)
    results = design.simulate(stimulus(design, 300, seed=2), idle=0.2, backpressure=0.3, reset_cycles=cycles,
                              seed=seed % 1000, run_name="reset")
    context = f"reset cycles {cycles} (seed {seed})"
    assert results["passed"], (context, results["problems"])
    assert results["resets"] == 3, context
    assert 0 <= results["dropped_by_reset"] <= 3 * (design.latency + 1), context
    assert results["compared"] + results["dropped_by_reset"] == results["events"] == 300, context


def test_a_mismatch_names_event_output_values_and_first_differing_layer(keras):
    _, design = written(keras, "pruned_half", "_tampered")
    # Break the golden model's second dense layer only: the RTL is now "wrong" from that layer on.
    dense1 = next(layer for layer in design.graph.layers if layer.name == "dense1")
    dense1.bias = dense1.bias + 37
    results = design.simulate(stimulus(design, 50, seed=3), run_name="tampered")
    assert not results["passed"] and results["mismatches"] > 0
    first = results["mismatch_details"][0]
    assert first["first_differing_layer"] == "dense1"
    diff = first["outputs"][0]
    assert diff["expected"] != diff["actual"] and {"expected_value", "actual_value", "output"} <= set(diff)
    assert any("first differing layer" in line for line in results["problems"])


@pytest.mark.parametrize("budget", [1, 3, 12])
def test_pipeline_budget_trades_latency_and_the_simulation_agrees(keras, budget):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sizes, activations, config, options = DESIGNS["relu_fixed8_trn_wrap"]
        from conftest import make_mlp
        import rtl4ml

        model = make_mlp(keras, sizes, activations, **options)
        design = rtl4ml.convert(model, {"Model": dict(config["Model"], PipelineBudget=budget)})
    design.write(BUILD_ROOT / f"budget_{budget}", force=True)
    results = design.simulate(stimulus(design, 200))
    assert results["passed"], results["problems"]
    assert results["LatencyMin"] == results["LatencyMax"] == design.latency
    steps = [step for block in design.core.blocks for step in block.steps]
    assert design.latency == sum(step.register_after for step in steps)
    if budget == 1:
        # every step that has logic is registered (a shift-add layer's "multiply" step is only wiring)
        assert design.latency == sum(step.cost > 0 for step in steps)
    if budget == 12:
        assert design.latency < len(steps) // 2
