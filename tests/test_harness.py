"""The compiled Verilator harness: bulk bit-exact runs, and AXI-stream rules that catch a broken core."""

import numpy as np
import pytest

import rtl4ml

from conftest import BUNDLE, JET_CONFIG, ROOT
from designs import build_design
from test_core_simulation import stimulus

pytestmark = [pytest.mark.sim, pytest.mark.xdist_group("jet_harness")]  # one harness build


@pytest.fixture(scope="module")
def jet_design():
    """Written once per module, so its harness build serves every test here."""
    design = rtl4ml.convert(BUNDLE / "model.h5", JET_CONFIG)
    design.write(ROOT / "sim" / "build" / "pytest_harness" / "jet_tagger", force=True)
    return design


def test_jet_tagger_full_bundle_through_the_harness_with_stalls(jet_design):
    design = jet_design
    X = np.load(BUNDLE / "test_vectors.npz")["X"]
    free = design.simulate_bulk(X, return_outputs=True)
    assert free["passed"] and free["events"] == 3000
    assert free["LatencyMin"] == free["LatencyMax"] == jet_design.latency <= 9
    assert free["IntervalMin"] == free["IntervalMax"] == 1
    assert np.array_equal(free["outputs"], design.predict(X))  # the RTL's own outputs, as real values
    stalled = design.simulate_bulk(X, idle=0.3, backpressure=0.5, seed=5)
    assert stalled["passed"] and stalled["cycles"] > free["cycles"]


def test_a_core_that_ignores_backpressure_is_caught(keras, tmp_path):
    _, design = build_design(keras, "relu_fixed8_trn_wrap")
    design.write(tmp_path / "broken")
    control = tmp_path / "broken" / "rtl" / "axis_pipeline_control.v"
    control.write_text(control.read_text().replace("assign ce = !valid_reg[LATENCY-1] || m_axis_tready;",
                                                   "assign ce = 1'b1;"))
    assert design.simulate_bulk(stimulus(design, 300))["passed"]  # without backpressure nothing shows
    results = design.simulate_bulk(stimulus(design, 300), backpressure=0.5, seed=1)
    assert not results["passed"]
    assert "changed before the beat was accepted" in results["protocol_errors"][0]


@pytest.mark.deep  # half a minute of simulation; `make test-deep`
def test_soak_one_million_events_bit_exact(jet_design):
    design = jet_design
    rng = np.random.default_rng(2026)
    X = np.concatenate([np.load(BUNDLE / "test_vectors.npz")["X"], rng.normal(0, 4, size=(1_000_000, 16))])
    results = design.simulate_bulk(X, backpressure=0.05, seed=11)
    assert results["passed"] and results["events"] == len(X) >= 1_000_000 and results["mismatches"] == 0
