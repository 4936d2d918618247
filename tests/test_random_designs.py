"""Property-based: random small designs agree bit for bit in golden model, Verilog RTL, VHDL RTL and HLS csim.

Batches of random designs (rtl4ml.verification.random_designs) share one Verilator build,
one VUnit session on GHDL (every design's VHDL core, ~20 s for 40) and one g++ run each. The seed is random per run and printed on failure; RTL4ML_RANDOM_SEED
replays a run. A failing design is shrunk and written to tests/regressions/ as JSON, where
test_regression_cases replays it on every run. The golden model itself is checked against an
independent scalar reference with hypothesis (cheap, so hypothesis shrinks failures itself).
"""

import hashlib
import json
import os
import random
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import reference_model
from rtl4ml.design import convert
from rtl4ml.verification.batch import is_counter_example, run_batch
from rtl4ml.verification.random_designs import design_strategy, random_designs, realize, stimulus
from rtl4ml.verification.shrink import shrink

from conftest import ROOT

WORK = ROOT / "sim" / "build" / "random_designs"
REGRESSIONS = Path(__file__).resolve().parent / "regressions"
# 48 random designs per run (a new seed each run; 3 batches of 16; about one in eight recurrent), widths up to 12,
# and 16 random streaming designs in test_stream_core.py: 64 per run; RTL4ML_RANDOM_DESIGNS=N runs N per
# batch, bench/random_designs.py the full widths 1..24. The golden model of 360 more is checked against the scalar
# reference below (test_many_random_designs_match_the_scalar_reference).
# A batch's time is mostly per design (Verilator ~3 s, g++ ~3.5 s per design at widths 8 or 12 alike), not per product.
BATCHES, DESIGNS_PER_BATCH, MAX_WIDTH = 3, int(os.environ.get("RTL4ML_RANDOM_DESIGNS", 16)), 12
RUN_SEED = int(os.environ.get("RTL4ML_RANDOM_SEED", random.SystemRandom().randrange(2**31)))


def _report_failures(verdicts, specs, work_dir) -> list[str]:
    messages = []
    for verdict in [v for v in verdicts if not v["passed"]][:2]:
        small = shrink(specs[verdict["index"]], lambda spec: is_counter_example(spec, work_dir / "shrink"), max_tries=25)
        name = hashlib.sha256(json.dumps(small, sort_keys=True).encode()).hexdigest()[:12]
        try:
            (REGRESSIONS / f"found_{name}.json").write_text(json.dumps(small))
        except OSError:
            pass
        messages.append(f"design {verdict['index']}: {verdict['problems'][:2]}; shrunk: {json.dumps(small)}")
    return messages


@pytest.mark.sim
@pytest.mark.parametrize("batch", range(BATCHES))
def test_random_designs_are_bit_exact_in_golden_verilog_vhdl_and_csim(batch):
    specs = random_designs(DESIGNS_PER_BATCH, RUN_SEED + batch, MAX_WIDTH)
    work_dir = WORK / f"batch{batch}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        verdicts = run_batch(specs, work_dir, events=48, seed=batch, backpressure=0.2 * (batch % 2), vhdl=True)
    failures = _report_failures(verdicts, specs, work_dir)
    assert not failures, f"RTL4ML_RANDOM_SEED={RUN_SEED} batch {batch}:\n" + "\n".join(failures)


@pytest.mark.sim
def test_regression_cases():
    specs = [json.loads(path.read_text()) for path in sorted(REGRESSIONS.glob("*.json"))]
    assert specs, "tests/regressions/ holds the shrunk counter-examples found so far"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        verdicts = run_batch(specs, WORK / "regressions", events=200, vhdl=True)
    assert all(v["passed"] for v in verdicts), [v for v in verdicts if not v["passed"]]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(design_strategy(max_width=6, max_depth=3), st.integers(0, 2**31))
# Negative fractional bits (ap_ufixed<2,3> feeding an exact accumulator) once broke the reference
# model itself (2**-1 is a float in Python); kept so that path is always exercised.
@example(spec={"n_in": 1, "input_type": "ap_fixed<3,1>", "layers": [
    {"units": 1, "weight_type": "ap_fixed<3,1>", "bias_type": "ap_fixed<3,1>", "result_type": "ap_fixed<3,1>",
     "weights": [[3]], "bias": [-4], "activation": "relu", "activation_type": "ap_ufixed<2,3>",
     "accum_type": "ap_fixed<2,0>"},
    {"units": 1, "weight_type": "ap_fixed<8,8>", "bias_type": "ap_ufixed<2,3>", "result_type": "ap_fixed<3,1>",
     "weights": [[-109]], "bias": [0], "activation": "relu", "activation_type": "ap_fixed<3,1>",
     "accum_type": None}]}, seed=0)
def test_golden_model_matches_a_scalar_reference(spec, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, config = realize(spec)
        design = convert(model, config)
    X = stimulus(spec, 12, seed)
    got = design.predict_codes(X)
    want = np.array([reference_model.run(design.graph, row) for row in X])
    assert np.array_equal(got, want), json.dumps(spec)


def test_many_random_designs_match_the_scalar_reference():
    """360 designs of the random-design generator the RTL batches use (every layer kind it draws: convolutions,
    pooling, wiring, merges, dots, tables, softmax), fixed seeds, 300 with widths up to 12 and 60 up to 32 bits
    (products past float64's 53 exact bits): the golden model equals the scalar reference on each. Deterministic and
    quick (~15 s), so it is also what mutation testing of the golden layers runs."""
    specs = random_designs(300, 20261205, MAX_WIDTH) + random_designs(60, 7, 32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for index, spec in enumerate(specs):
            model, config = realize(spec)
            design = convert(model, config)
            X = stimulus(spec, 8, index)
            want = np.array([reference_model.run(design.graph, row) for row in X])
            assert np.array_equal(design.predict_codes(X), want), f"design {index}: {json.dumps(spec)[:2000]}"
