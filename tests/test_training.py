"""Training recipes (float, QKeras, pruned MLPs; QKeras Deep-Sets and jet-image taggers): seeded, convertible,
sparse as asked; scaler folding."""

import numpy as np
import pytest

import rtl4ml
from rtl4ml.constituent_training import ConstituentRecipe, train_constituent_tagger
from rtl4ml.datasets.constituents import mass_target
from rtl4ml.datasets.jets import Scaler
from rtl4ml.errors import Rtl4mlError
from rtl4ml.keras_reference import agreement, named_outputs
from rtl4ml.training import TrainingRecipe, fold_scaler, sparsity_of, train

pytest.importorskip("tf_keras")


def toy_jets(n=2048, seed=0):
    """Five Gaussian blobs in 16 features: learnable in an epoch or two."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 5, n)
    centres = rng.normal(0, 1.5, (5, 16))
    return (centres[y] + rng.normal(0, 1, (n, 16))).astype(np.float32), y


def test_float_training_is_reproducible_and_converts():
    X, y = toy_jets()
    first = train(X, y, TrainingRecipe("float", epochs=2))
    second = train(X, y, TrainingRecipe("float", epochs=2))
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    design = rtl4ml.convert(first, {"Model": {"Precision": "ap_fixed<18,8>"}})
    assert (design.predict(X).argmax(1) == first.predict(X, verbose=0).argmax(1)).mean() > 0.97


def test_qkeras_training_gives_6_bit_layers_that_match_qkeras():
    X, y = toy_jets()
    model = train(X, y, TrainingRecipe("qkeras", bits=6, epochs=2))
    design = rtl4ml.convert(model, {"Model": {"Precision": "ap_fixed<16,6>"}})
    dense = [layer for layer in design.graph.layers if layer.kind == "dense"]
    assert [layer.weight_type.width for layer in dense] == [6, 6, 6, 6]
    relus = [layer for layer in design.graph.layers if getattr(layer, "function", None) == "relu"]
    assert [(layer.result_type.width, layer.result_type.signed) for layer in relus] == [(6, False)] * 3
    assert (design.predict(X).argmax(1) == model.predict(X, verbose=0).argmax(1)).mean() > 0.97


@pytest.mark.parametrize("sparsity", [0.7, 0.95])
def test_pruning_reaches_its_target_sparsity_in_every_layer(sparsity):
    X, y = toy_jets()
    model = train(X, y, TrainingRecipe("pruned", sparsity=sparsity, epochs=3))
    assert all(abs(fraction - sparsity) < 0.02 for fraction in sparsity_of(model).values()), sparsity_of(model)
    assert all(layer.__class__.__name__ != "PruneLowMagnitude" for layer in model.layers)


def test_folded_scaler_takes_raw_features():
    X, y = toy_jets()
    X_raw = X * np.linspace(1, 80, 16, dtype=np.float32) + 30
    scaler = Scaler.fit(X_raw)
    model = train(scaler.transform(X_raw), y, TrainingRecipe("float", epochs=1))
    folded = fold_scaler(model, scaler)
    np.testing.assert_allclose(folded.predict(X_raw, verbose=0), model.predict(scaler.transform(X_raw), verbose=0),
                               atol=1e-4)


@pytest.mark.parametrize("recipe, fragment", [
    (TrainingRecipe("quaternary"), "variant 'quaternary' is unknown"),
    (TrainingRecipe("qkeras", bits=1), "bits=1"),
    (TrainingRecipe("pruned", sparsity=1.0), "sparsity=1.0"),
])
def test_bad_recipes_are_named(recipe, fragment):
    with pytest.raises(Rtl4mlError, match=fragment):
        recipe.check()


def toy_constituent_jets(n=512, slots=6, seed=0):
    """Jets whose class sets how many particles share the pT and how wide they spread: learnable in an epoch."""
    from rtl4ml.datasets.constituents import ConstituentJets

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 5, n)
    c = np.zeros((n, slots, 6), dtype=np.float32)
    for k in range(n):
        m = 2 + y[k] % slots
        c[k, :m, 0] = np.sort(rng.uniform(5, 100, m))[::-1]
        c[k, :m, 1] = rng.normal(0, 0.05 * (1 + y[k]), m)
        c[k, :m, 2] = rng.normal(0, 0.05 * (1 + y[k]), m)
        c[k, :m, 4] = rng.integers(-1, 2, m)
    return ConstituentJets(c, c[:, :, 0].sum(axis=1).astype(np.float64), np.zeros(n), np.zeros(n),
                           rng.uniform(20, 200, n), y)


@pytest.mark.parametrize("recipe, config", [
    (ConstituentRecipe("deep_sets", slots=6, epochs=2),
     {"Model": {"Precision": "ap_fixed<16,6>"},
      "LayerName": {"constituents": {"Precision": {"result": "ap_fixed<14,3>"}}}}),
    (ConstituentRecipe("jet_image", pixels=8, filters=2, epochs=2),
     {"Model": {"Precision": "ap_fixed<16,6>"}, "LayerName": {"image": {"Precision": {"result": "ap_ufixed<12,0>"}}}}),
    (ConstituentRecipe("svhn_cnn", pixels=22, block_filters=(4, 4, 4), hidden=(8,), epochs=4),
     {"IOType": "io_stream", "HLSConfig": {"Model": {"Precision": "ap_fixed<16,6>"},
                                           "LayerName": {"image": {"Precision": {"result": "ap_ufixed<12,0>"}}}}}),
], ids=["deep_sets", "jet_image", "svhn_cnn"])
def test_constituent_taggers_train_reproducibly_and_convert_with_their_heads(recipe, config):
    jets = toy_constituent_jets()
    model = train_constituent_tagger(jets, recipe)
    again = train_constituent_tagger(jets, recipe)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
    design = rtl4ml.convert(model, config)
    assert design.graph.outputs == tuple(model.output_names)
    X = recipe.inputs(jets)
    keras_out = np.concatenate(list(named_outputs(model, X).values()), axis=1)
    figures = agreement(design.graph, design.predict(X), keras_out, jets.y, {"mass": mass_target(jets)})
    assert figures["heads"]["classes"]["keras_argmax_agreement"] > 0.95
    assert set(figures["heads"]) == set(recipe.targets(jets))


def test_bad_constituent_recipes_are_named():
    with pytest.raises(Rtl4mlError, match="architecture 'graph_net' is unknown"):
        ConstituentRecipe("graph_net").check()
    with pytest.raises(Rtl4mlError, match="relu_integer=8"):
        ConstituentRecipe(bits=8, relu_integer=8).check()
