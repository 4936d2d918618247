"""Jet data loads the same from every published format, with classes always in g, q, w, z, t order."""

import csv

import h5py
import numpy as np
import pytest

from rtl4ml.datasets.jets import CLASSES, FEATURES, ONE_HOT_COLUMNS, Scaler, load_jets
from rtl4ml.errors import Rtl4mlError

from conftest import ROOT

RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 16)).astype(np.float32)
Y = np.arange(12) % 5  # in CLASSES order: g, q, w, z, t, g, ...


def test_csv_with_class_names(tmp_path):
    path = tmp_path / "jets.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(FEATURES) + ["class"])
        writer.writerows([list(row) + [CLASSES[label]] for row, label in zip(X.tolist(), Y)])
    got_X, got_y = load_jets(path)
    np.testing.assert_allclose(got_X, X, rtol=1e-6)
    assert got_y.tolist() == Y.tolist()


def test_openml_arff_with_nominal_classes(tmp_path):
    lines = ["@relation hls4ml_lhc_jets_hlf"] + [f"@attribute {f} numeric" for f in FEATURES]
    lines += ["@attribute class {g,q,t,w,z}", "@data"]
    lines += [",".join(f"{v:.9g}" for v in row) + f",{CLASSES[label]}" for row, label in zip(X.tolist(), Y)]
    (tmp_path / "jets.arff").write_text("\n".join(lines) + "\n")
    got_X, got_y = load_jets(tmp_path / "jets.arff")
    assert got_y.tolist() == Y.tolist()
    np.testing.assert_allclose(got_X, X, rtol=1e-6)


def test_integer_labels_in_openml_alphabetical_order_are_remapped(tmp_path):
    alphabetical = sorted(CLASSES)  # g, q, t, w, z
    labels = np.array([alphabetical.index(CLASSES[i]) for i in Y])
    np.savez(tmp_path / "openml_order.npz", X=X, y=labels, class_names=np.array(alphabetical))
    assert load_jets(tmp_path / "openml_order.npz")[1].tolist() == Y.tolist()


def test_zenodo_h5_table_with_one_hot_labels(tmp_path):
    fields = [(f, "<f4") for f in ("j_pt",) + FEATURES] + [(c, "<i4") for c in ONE_HOT_COLUMNS]
    table = np.zeros(len(X), dtype=fields)
    for i, name in enumerate(FEATURES):
        table[name] = X[:, i]
    for row, label in enumerate(Y):
        table[ONE_HOT_COLUMNS[label]][row] = 1
    with h5py.File(tmp_path / "jets.h5", "w") as handle:
        handle["t_allpar_new"] = table
    got_X, got_y = load_jets(tmp_path / "jets.h5")
    np.testing.assert_array_equal(got_X, X)
    assert got_y.tolist() == Y.tolist()


def test_npz_and_npy_splits(tmp_path):
    np.savez(tmp_path / "jets.npz", X=X, y=Y, feature_names=np.array(FEATURES), class_names=np.array(CLASSES))
    np.save(tmp_path / "X_test.npy", X)
    np.save(tmp_path / "y_test.npy", Y)
    for path in (tmp_path / "jets.npz", tmp_path / "X_test.npy"):
        got_X, got_y = load_jets(path)
        np.testing.assert_array_equal(got_X, X)
        assert got_y.tolist() == Y.tolist()


def test_shared_pythia_sample_and_scaler_round_trip(tmp_path):
    path = ROOT.parent / "shared" / "jets" / "pythia_jets_hlf.npz"
    if not path.is_file():
        pytest.skip(f"{path} is absent (the shared sample lives beside the repository)")
    X_all, y_all = load_jets(path)
    assert X_all.shape == (100_000, 16) and np.bincount(y_all).tolist() == [20_000] * 5
    scaler = Scaler.fit(X_all[:1000])
    scaler.save(tmp_path / "scaler.json")
    np.testing.assert_array_equal(Scaler.load(tmp_path / "scaler.json").transform(X_all[:5]), scaler.transform(X_all[:5]))


@pytest.mark.parametrize("name, content, fragment", [
    ("bad.csv", "a,b\n1,2\n", "missing feature columns"),
    ("bad.arff", "nothing here\n", "not an ARFF file"),
    ("bad.txt", "x", "unknown jet data format '.txt'"),
])
def test_bad_jet_files_are_named(tmp_path, name, content, fragment):
    (tmp_path / name).write_text(content)
    with pytest.raises(Rtl4mlError, match=fragment):
        load_jets(tmp_path / name)
