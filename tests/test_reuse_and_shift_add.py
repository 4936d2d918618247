"""Parallelization and compression in the generated RTL: ReuseFactor, shift-add constants, per-layer budgets.

These check what the generator plans (multiplier counts, interval, latency, register placement);
the simulations in test_core_simulation.py and the random designs check the bits.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rtl4ml
from rtl4ml.backends.rtl.shift_add import csd_digits

from conftest import BUNDLE, JET_CONFIG, make_mlp


def convert(model, config, weights=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rtl4ml.convert(model, config, weights)


def multiplications(design) -> int:
    """Multipliers the core instantiates: DSP products of parallel layers, shared multipliers of reused ones."""
    return sum(block.multipliers for block in design.core.blocks if block.layers[0].kind == "dense")


@given(st.integers(-2**40, 2**40))
def test_signed_digits_add_up_and_are_never_adjacent(value):
    digits = csd_digits(value)
    assert sum(sign << shift for sign, shift in digits) == value
    shifts = [shift for _, shift in digits]
    assert all(b - a >= 2 for a, b in zip(shifts, shifts[1:]))
    assert len(digits) <= (abs(value).bit_length() + 2) // 2 + 1


def jet_config(reuse=1, **model):
    return {"Model": {"Precision": "ap_fixed<16,6>", "ReuseFactor": reuse, "Strategy": "Resource", **model}}


@pytest.mark.parametrize("reuse", [2, 4, 8])
def test_reuse_factor_divides_the_multipliers_and_sets_the_interval(reuse):
    # the baseline keeps every product on a DSP, like hls4ml (by default rtl4ml moves cheap ones to LUTs)
    parallel = convert(BUNDLE / "model.h5", jet_config(1, LutsPerDsp=0))
    reused = convert(BUNDLE / "model.h5", jet_config(reuse))
    assert reused.interval == reuse and parallel.interval == 1
    nonzero = sum(int(np.count_nonzero(layer.weight)) for layer in reused.graph.layers if layer.kind == "dense")
    assert multiplications(reused) <= math.ceil(nonzero / reuse) + sum(
        layer.n_out for layer in reused.graph.layers if layer.kind == "dense")
    if reuse == 4:  # the target: <= 30 % of the fully parallel core's DSP products
        assert multiplications(reused) <= 0.30 * multiplications(parallel)
    steps = [step for block in reused.core.blocks for step in block.steps]
    dense_layers = sum(layer.kind == "dense" for layer in reused.graph.layers)
    assert reused.latency == sum(step.register_after for step in steps) + dense_layers * (reuse - 1)


def test_zero_weights_take_no_multiplier_slot_at_any_reuse(keras):
    model = make_mlp(keras, [16, 12, 4], ["relu", "linear"], zero_fraction=0.7, seed=3)
    for reuse in (2, 4):
        design = convert(model, {"Model": {"Precision": "ap_fixed<12,4>", "ReuseFactor": reuse}})
        for block in design.core.blocks:
            dense = block.layers[0]
            if dense.kind != "dense":
                continue
            expected = sum(math.ceil(np.count_nonzero(dense.weight[:, j]) / reuse) for j in range(dense.n_out))
            assert len(block.plan.multipliers) == max(expected, 1)
            for multiplier in block.plan.multipliers:
                assert sum(w != 0 for w in multiplier.weights) >= 1 or expected == 0


def test_qkeras_6bit_model_uses_shift_add_and_no_dense_multiplier(shared_models):
    folder = shared_models / "qkeras_3layer"
    design = convert(folder / "qkeras_3layer.json", folder / "qkeras_3layer_config.yml",
                     folder / "qkeras_3layer_weights.h5")
    assert multiplications(design) == 0
    assert design.latency <= 8 and design.interval == 1


def test_shift_add_never_lengthens_the_16_bit_jet_tagger():
    design = convert(BUNDLE / "model.h5", JET_CONFIG)
    adders = sum(block.plan.graph.adder_count for block in design.core.blocks if block.layers[0].kind == "dense")
    assert adders > 0 and design.latency <= 9
    nonzero = sum(int(np.count_nonzero(layer.weight)) for layer in design.graph.layers if layer.kind == "dense")
    assert multiplications(design) < nonzero


def _sharing_design(keras):
    # every neuron multiplies input 0 by 3 * 2**-k (two signed digits: one shared multiple 3 * x0)
    # and input 1 by a negative weight; input 2 by several odd parts
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, name="d")])
    weights = np.array([[0.75, 0.375, -0.75, 1.5], [-0.25, -0.625, -0.875, 0.5],
                        [0.3125, -0.6875, 0.9375, 0.0]])
    model.layers[0].set_weights([weights, np.array([0.5, -0.25, 0.0, 1.0])])
    return convert(model, {"Model": {"Precision": "ap_fixed<12,4>"}})


def test_a_layer_s_shift_add_products_are_one_adder_graph_shared_by_its_neurons(keras, tmp_path):
    design = _sharing_design(keras)
    block = design.core.blocks[0]
    assert not block.plan.products  # all shift-add
    weight = block.linear.weight
    # unshared, each neuron would add all signed digits of its weights in its own tree
    separate = sum(len(csd_digits(int(w))) for w in weight.ravel()) - weight.shape[1]
    assert block.plan.graph.adder_count < separate
    design.write(tmp_path / "out")
    text = (tmp_path / "out" / "rtl" / "myproject_d.v").read_text()
    # each adder written once: as a two-input adder, or with the one it feeds as a ternary add3
    assert text.count("assign g") + 2 * text.count("add3 #(") == block.plan.graph.adder_count
    assert all(f"n{j}_sum = " in text for j in range(4))  # each neuron's sum is a graph output


@pytest.mark.sim
def test_shared_multiples_are_bit_exact_in_the_harness(keras, tmp_path):
    design = _sharing_design(keras)
    design.write(tmp_path / "out")
    X = np.random.default_rng(2).uniform(-8, 8, size=(4000, 3))
    results = design.simulate_bulk(X, backpressure=0.2, seed=3)
    assert results["passed"] and results["mismatches"] == 0


def test_a_layer_budget_adds_registers_in_that_layer_only():
    base = convert(BUNDLE / "model.h5", JET_CONFIG)
    tight = convert(BUNDLE / "model.h5", {**jet_config(), "LayerName": {"fc2": {"PipelineBudget": 2}}})
    for before, after in zip(base.core.blocks, tight.core.blocks):
        if before.layers[0].name == "fc2":
            assert after.latency > before.latency
            assert all(step.budget == 2 for step in after.steps)
        else:
            assert all(step.budget is None for step in after.steps)
        if before.layers[0].name == "fc1":  # only its output may gain a register (fc2 starts with a full budget)
            assert [s.register_after for s in after.steps[:-1]] == [s.register_after for s in before.steps[:-1]]
    assert tight.latency > base.latency
