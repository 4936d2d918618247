"""Jets with their leading constituents: loading, and the input tensors the bundled taggers take.

The file (../shared/jets/pythia_jets_constituents.npz) holds per jet its 32 highest-pT particles
(pt, eta, phi, energy, charge, PDG id; zero-padded), the jet axis, pT and mass, and the class in
g, q, w, z, t order. Two views of a jet are built here, both relative to the jet axis so the
networks see the substructure, not the jet's position:

- Deep-Sets inputs [jets, N, 4]: (pt / jet pt, eta - jet eta, wrapped phi - jet phi, charge) for
  the N leading constituents, all four exactly zero in padding slots;
- jet images [jets, P, P, 1]: the pT fraction summed per pixel over |d eta|, |d phi| < extent
  (particles outside are dropped: 99.998 % of the pT lies inside 0.8, see the data's README), or
  [jets, P, P, 2] with charged and neutral particles in their own channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import fail
from .jets import CLASSES, _remap_classes

CONSTITUENT_FEATURES = ("pt", "eta", "phi", "energy", "charge", "pdg_id")
DEEP_SETS_FEATURES = ("pt_fraction", "delta_eta", "delta_phi", "charge")
IMAGE_CHANNELS = ("charged_pt_fraction", "neutral_pt_fraction")  # jet_images(by_charge=True)
SEQUENCE_FEATURES = ("pt_fraction", "delta_eta", "delta_phi", "energy_fraction", "charge", "is_photon")
PHOTON = 22  # PDG id
# the regression target of the bundled Deep-Sets tagger's second head, in units of this many GeV
MASS_UNIT_GEV = 100.0


@dataclass
class ConstituentJets:
    constituents: np.ndarray  # [jets, slots, 6] in CONSTITUENT_FEATURES order
    jet_pt: np.ndarray
    jet_eta: np.ndarray
    jet_phi: np.ndarray
    jet_mass: np.ndarray
    y: np.ndarray  # class index in CLASSES order

    def __len__(self) -> int:
        return len(self.y)

    def take(self, index) -> "ConstituentJets":
        return ConstituentJets(self.constituents[index], self.jet_pt[index], self.jet_eta[index],
                               self.jet_phi[index], self.jet_mass[index], self.y[index])

    def relative(self, slots: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """pt fraction, d eta, d phi (wrapped into [-pi, pi)) and the real-particle mask of the leading slots."""
        if not 1 <= slots <= self.constituents.shape[1]:
            raise fail(f"constituent slots={slots} is outside 1..{self.constituents.shape[1]}")
        c = self.constituents[:, :slots].astype(np.float64)
        real = c[..., 0] > 0
        pt_fraction = c[..., 0] / self.jet_pt[:, None]
        delta_eta = np.where(real, c[..., 1] - self.jet_eta[:, None], 0.0)
        delta_phi = np.where(real, np.mod(c[..., 2] - self.jet_phi[:, None] + np.pi, 2 * np.pi) - np.pi, 0.0)
        return pt_fraction, delta_eta, delta_phi, real


def load_constituent_jets(path: str | Path) -> ConstituentJets:
    path = Path(path)
    if not path.is_file():
        raise fail(f"constituent jet file {str(path)!r} does not exist")
    needed = ("constituents", "jet_pt", "jet_eta", "jet_phi", "jet_mass", "y")
    with np.load(path, allow_pickle=False) as data:
        missing = [key for key in needed if key not in data.files]
        if missing:
            raise fail(f"{path}: missing arrays {', '.join(missing)} (found {', '.join(data.files)})")
        if "constituent_features" in data.files and \
                tuple(str(n) for n in data["constituent_features"]) != CONSTITUENT_FEATURES:
            raise fail(f"{path}: constituent features are {list(data['constituent_features'])}; "
                       f"expected {list(CONSTITUENT_FEATURES)}")
        y = np.asarray(data["y"], dtype=np.int64)
        if "class_names" in data.files:
            y = _remap_classes(y, data["class_names"])
        jets = ConstituentJets(data["constituents"].astype(np.float32), *(data[key].astype(np.float64)
                               for key in needed[1:5]), y)
    if jets.constituents.ndim != 3 or jets.constituents.shape[2] != len(CONSTITUENT_FEATURES):
        raise fail(f"{path}: constituents have shape {jets.constituents.shape}; expected (jets, slots, 6)")
    if not set(np.unique(jets.y)) <= set(range(len(CLASSES))):
        raise fail(f"{path}: labels outside 0..{len(CLASSES) - 1}")
    return jets


def deep_sets_inputs(jets: ConstituentJets, slots: int = 16) -> np.ndarray:
    """[jets, slots, 4]: pt fraction, d eta, d phi, charge (DEEP_SETS_FEATURES); zero in padding slots."""
    pt_fraction, delta_eta, delta_phi, real = jets.relative(slots)
    charge = np.where(real, jets.constituents[:, :slots, 4], 0.0)
    return np.stack([pt_fraction, delta_eta, delta_phi, charge], axis=-1).astype(np.float32)


def sequence_inputs(jets: ConstituentJets, steps: int = 20) -> np.ndarray:
    """[jets, steps, 6]: the leading constituents by pT, in that order (SEQUENCE_FEATURES: the Deep-Sets four plus
    the energy as a fraction of all constituents' and a photon flag); zero in padding slots."""
    pt_fraction, delta_eta, delta_phi, real = jets.relative(steps)
    energy = jets.constituents[..., 3].astype(np.float64)
    energy_fraction = np.where(real, energy[:, :steps] / energy.sum(axis=1, keepdims=True), 0.0)
    charge = np.where(real, jets.constituents[:, :steps, 4], 0.0)
    photon = np.where(real & (np.abs(jets.constituents[:, :steps, 5]) == PHOTON), 1.0, 0.0)
    return np.stack([pt_fraction, delta_eta, delta_phi, energy_fraction, charge, photon], axis=-1).astype(np.float32)


def jet_images(jets: ConstituentJets, pixels: int = 16, extent: float = 0.8, slots: int | None = None,
               by_charge: bool = False) -> np.ndarray:
    """[jets, pixels, pixels, 1]: pT fraction per (d eta, d phi) pixel over [-extent, extent)^2, eta along H.
    by_charge: [jets, pixels, pixels, 2], the charged particles' pT fraction and the neutral ones' (IMAGE_CHANNELS)."""
    if pixels < 1 or extent <= 0:
        raise fail(f"jet image pixels={pixels}, extent={extent}: both must be positive")
    slots = slots or jets.constituents.shape[1]
    pt_fraction, delta_eta, delta_phi, real = jets.relative(slots)
    row = np.floor((delta_eta + extent) / (2 * extent) * pixels).astype(np.int64)
    column = np.floor((delta_phi + extent) / (2 * extent) * pixels).astype(np.int64)
    inside = real & (row >= 0) & (row < pixels) & (column >= 0) & (column < pixels)
    channel = (jets.constituents[:, :slots, 4] == 0).astype(np.int64) if by_charge else np.zeros_like(row)
    images = np.zeros((len(jets), pixels, pixels, 2 if by_charge else 1), dtype=np.float64)
    jet_index = np.broadcast_to(np.arange(len(jets))[:, None], inside.shape)
    np.add.at(images, (jet_index[inside], row[inside], column[inside], channel[inside]), pt_fraction[inside])
    return images.astype(np.float32)


def mass_target(jets: ConstituentJets) -> np.ndarray:
    """The regression target: jet mass in units of MASS_UNIT_GEV."""
    return (jets.jet_mass / MASS_UNIT_GEV).astype(np.float32)
