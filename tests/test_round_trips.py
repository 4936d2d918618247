"""Every OUTDIR `rtl4ml convert` writes is usable by every other command, whatever option changed its types.

The quick tier (in `make test`) runs the commands that read the design without building it on each kind of design,
and every command on the range-typed one (its accumulators are wider than 32 bits); `make test-deep` runs every
command on every kind. The random batches and the bundled jobs check the same round trip on each of their designs
(verification/round_trip.py).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import rtl4ml
from rtl4ml.cli import main
from rtl4ml.golden.model import quantize_inputs
from rtl4ml.verification.round_trip import round_trip_problems

from conftest import ROOT, make_mlp

MODELS = ROOT / "sim" / "models"
CONFIGS = ROOT / "sim" / "configs"

# kind -> (bundled model, or "mlp": a small random one; config or "auto" (rtl4ml config --precision auto);
# calibrate on the inputs)
KINDS = {
    "precision auto": ("mlp", "auto", False),
    "calibrated": ("mlp", "auto", True),
    "qkeras": ("jet_tagger_qkeras", None, False),
    "binary": ("jet_tagger_binary", CONFIGS / "jet_tagger_binary.yml", False),
    "ternary": ("jet_tagger_ternary", CONFIGS / "jet_tagger_binary.yml", False),
    "two outputs": ("deep_sets", CONFIGS / "deep_sets.yml", False),
}
BUILDS = [["sim"], ["sim", "--hdl", "vhdl"], ["csim"]]  # the commands that build the core or the C++


def cli(*args) -> int:
    return main([str(a) for a in args])


def convert_kind(keras, kind: str, tmp_path):
    """Convert one kind of design with the CLI as a user would; return (OUTDIR, inputs .npy, in-memory design)."""
    name, config, calibrate = KINDS[kind]
    if name == "mlp":  # 16-bit inputs and weights: its exact accumulators need more than 32 bits
        model = tmp_path / "mlp.h5"
        make_mlp(keras, [6, 10, 4], ["relu", "softmax"], seed=5).save(str(model))
        X = np.random.default_rng(5).normal(size=(40, 6))
    else:
        model = MODELS / name / "model.h5"
        X = np.load(MODELS / name / "test_vectors.npz")["X"][:40]
    np.save(tmp_path / "x.npy", X)
    if config == "auto":
        config = tmp_path / "auto.yml"
        assert cli("config", model, "--precision", "auto", "-o", config) == 0
    options = (["-c", config] if config else []) + (["--calibrate", tmp_path / "x.npy"] if calibrate else [])
    out_dir = tmp_path / "prj"
    assert cli("convert", model, *options, "-o", out_dir) == 0
    design = rtl4ml.convert(model, config, calibrate=tmp_path / "x.npy" if calibrate else None)
    return out_dir, tmp_path / "x.npy", design


def widest_type(out_dir) -> int:
    return max(int(width) for width in re.findall(r"ap_u?fixed<(\d+),", (out_dir / "model_ir.json").read_text()))


@pytest.mark.parametrize("kind", KINDS)
def test_a_converted_design_reopens_for_predict_report_and_ip(keras, kind, tmp_path, capsys):
    out_dir, x, design = convert_kind(keras, kind, tmp_path)
    design.out_dir = out_dir  # the CLI wrote the same design there
    codes = quantize_inputs(design.graph, np.load(x))
    assert round_trip_problems(design, codes) == []
    assert cli("predict", out_dir, "--input", x, "--output", tmp_path / "y.npy") == 0
    assert np.array_equal(np.load(tmp_path / "y.npy"), design.predict(np.load(x)))
    assert cli("report", out_dir, "--no-synth", "--data", x) == 0
    assert json.loads((out_dir / "report" / "report.json").read_text())
    assert cli("ip", out_dir) == 0
    assert "error" not in capsys.readouterr().err


@pytest.mark.sim
def test_a_range_typed_design_with_wide_accumulators_runs_every_command(keras, tmp_path, capsys):
    """The reported case: `Precision: auto` gives accumulators of more than 32 bits; every command reads them."""
    out_dir, x, _ = convert_kind(keras, "precision auto", tmp_path)
    assert widest_type(out_dir) > 32
    for command in BUILDS:
        assert cli(*command, out_dir, "--input", x) == 0, command
        assert "PASS" in capsys.readouterr().out


@pytest.mark.deep
@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind != "precision auto"])
def test_every_kind_of_design_simulates_from_its_outdir(keras, kind, tmp_path, capsys):
    out_dir, x, _ = convert_kind(keras, kind, tmp_path)
    for command in BUILDS:
        assert cli(*command, out_dir, "--input", x) == 0, command
        assert "PASS" in capsys.readouterr().out


@pytest.mark.sim
def test_a_chosen_accumulator_wider_than_32_bits_is_bit_exact_everywhere(keras, tmp_path):
    model = make_mlp(keras, [6, 10, 4], ["relu", "linear"], seed=6)
    config = {"Model": {"Precision": {"default": "ap_fixed<24,8>", "accum": "ap_fixed<44,14>"}}}
    design = rtl4ml.convert(model, config)
    assert {layer.accum_type.width for layer in design.graph.layers if hasattr(layer, "accum_type")} == {44}
    design.write(tmp_path / "prj")
    X = np.random.default_rng(6).normal(0, 4, size=(200, 6))
    assert round_trip_problems(design, quantize_inputs(design.graph, X)) == []
    assert design.simulate_bulk(X)["passed"]
    assert design.csim(X)["passed"]
