"""Training recipes (float, QKeras, pruned): seeded, convertible, sparse as asked; scaler folding."""

import numpy as np
import pytest

import rtl4ml
from rtl4ml.datasets.jets import Scaler
from rtl4ml.errors import Rtl4mlError
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
    (TrainingRecipe("binary"), "variant 'binary' is unknown"),
    (TrainingRecipe("qkeras", bits=1), "bits=1"),
    (TrainingRecipe("pruned", sparsity=1.0), "sparsity=1.0"),
])
def test_bad_recipes_are_named(recipe, fragment):
    with pytest.raises(Rtl4mlError, match=fragment):
        recipe.check()
