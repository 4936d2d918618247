"""Constituent jets: the Deep-Sets inputs and jet images the bundled taggers take (hand-made jets, the shared file)."""

import numpy as np
import pytest

from rtl4ml.datasets.constituents import (ConstituentJets, deep_sets_inputs, jet_images, load_constituent_jets,
                                          mass_target)
from rtl4ml.errors import Rtl4mlError

from conftest import SHARED

CONSTITUENTS_FILE = SHARED / "jets" / "pythia_jets_constituents.npz"


def two_jets() -> ConstituentJets:
    """Jet 0 at phi 3.1: a particle across the -pi/pi seam, one outside the image, one padding slot.
    Jet 1: two particles in one pixel."""
    c = np.zeros((2, 4, 6), dtype=np.float32)
    c[0, 0] = [60.0, 0.55, -3.1, 61.0, 1.0, 211]  # d phi = -3.1 - 3.1 + 2 pi = 0.0832
    c[0, 1] = [30.0, 0.35, 2.95, 31.0, 0.0, 22]  # d eta = -0.15, d phi = -0.15
    c[0, 2] = [10.0, 1.60, 3.1, 25.0, -1.0, -211]  # d eta = 1.1: outside |d eta| < 0.8
    c[1, 0] = [40.0, 0.01, 0.02, 40.0, 1.0, 321]
    c[1, 1] = [20.0, 0.02, 0.01, 20.0, 0.0, 130]
    return ConstituentJets(c, jet_pt=np.array([100.0, 80.0]), jet_eta=np.array([0.5, 0.0]),
                           jet_phi=np.array([3.1, 0.0]), jet_mass=np.array([80.0, 12.5]), y=np.array([2, 0]))


def test_deep_sets_inputs_are_relative_to_the_axis_wrapped_and_zero_in_padding():
    x = deep_sets_inputs(two_jets(), slots=4)
    assert x.shape == (2, 4, 4) and x.dtype == np.float32
    np.testing.assert_allclose(x[0, 0], [0.6, 0.05, -6.2 + 2 * np.pi, 1.0], atol=1e-6)
    np.testing.assert_allclose(x[0, 1], [0.3, -0.15, -0.15, 0.0], atol=1e-6)
    np.testing.assert_allclose(x[0, 2], [0.1, 1.1, 0.0, -1.0], atol=1e-6)
    assert not x[0, 3].any() and not x[1, 2:].any()  # padding slots: all four features exactly zero
    assert deep_sets_inputs(two_jets(), slots=2).shape == (2, 2, 4)


def test_jet_images_put_the_pt_fraction_in_its_pixel_and_drop_particles_outside():
    images = jet_images(two_jets(), pixels=16, extent=0.8)
    assert images.shape == (2, 16, 16, 1)
    # pixels are 0.1 wide: d eta 0.05 -> row 8, d phi 0.083 -> column 8; d eta, d phi -0.15 -> row 6, column 6
    assert images[0, 8, 8, 0] == pytest.approx(0.6) and images[0, 6, 6, 0] == pytest.approx(0.3)
    assert images[0].sum() == pytest.approx(0.9)  # the particle at d eta 1.1 is outside
    assert images[1, 8, 8, 0] == pytest.approx(0.75) and np.count_nonzero(images[1]) == 1  # two in one pixel


def test_jet_images_by_charge_put_charged_and_neutral_particles_in_their_own_channels():
    images = jet_images(two_jets(), pixels=16, extent=0.8, by_charge=True)
    assert images.shape == (2, 16, 16, 2)
    assert images[0, 8, 8, 0] == pytest.approx(0.6) and images[0, 8, 8, 1] == 0  # a charged pion
    assert images[0, 6, 6, 1] == pytest.approx(0.3) and images[0, 6, 6, 0] == 0  # a photon
    assert images[1, 8, 8, 0] == pytest.approx(0.5) and images[1, 8, 8, 1] == pytest.approx(0.25)
    np.testing.assert_allclose(images.sum(axis=-1), jet_images(two_jets(), pixels=16, extent=0.8)[..., 0])


def test_mass_target_is_in_units_of_100_gev():
    np.testing.assert_allclose(mass_target(two_jets()), [0.8, 0.125])


@pytest.mark.parametrize("call, fragment", [
    (lambda jets: deep_sets_inputs(jets, slots=5), "slots=5 is outside 1..4"),
    (lambda jets: jet_images(jets, pixels=0), "pixels=0"),
])
def test_bad_views_are_refused_in_one_line(call, fragment):
    with pytest.raises(Rtl4mlError, match=fragment):
        call(two_jets())


def test_a_file_without_constituents_is_refused_naming_the_arrays(tmp_path):
    path = tmp_path / "hlf_only.npz"
    np.savez(path, X=np.zeros((3, 16)), y=np.zeros(3))
    with pytest.raises(Rtl4mlError, match="missing arrays constituents, jet_pt"):
        load_constituent_jets(path)
    with pytest.raises(Rtl4mlError, match="does not exist"):
        load_constituent_jets(tmp_path / "absent.npz")


def test_the_shared_file_gives_the_documented_tensors():
    if not CONSTITUENTS_FILE.is_file():
        pytest.skip(f"{CONSTITUENTS_FILE} is absent (shared data lives beside the repository, not in it)")
    jets = load_constituent_jets(CONSTITUENTS_FILE)
    assert len(jets) == 50000 and np.bincount(jets.y).tolist() == [10000] * 5
    sample = jets.take(slice(0, 2000))
    x = deep_sets_inputs(sample)
    assert x.shape == (2000, 16, 4)
    assert (x[..., 0] >= 0).all() and (x[..., 0] <= 1).all() and set(np.unique(x[..., 3])) <= {-1.0, 0.0, 1.0}
    assert np.abs(x[..., 2]).max() <= np.pi
    images = jet_images(sample)
    total = images.sum(axis=(1, 2, 3))
    # the README: 99.998 % of the leading-32 scalar pT lies inside 0.8 and is 0.89..0.97 of the jet pT on average
    # (a scalar sum: one jet can exceed 1); no pixel reaches 1, the bundled input type's saturation point
    assert 0.85 < total.mean() < 0.99 and images.max() < 1.0
