"""A generated layer module of a written core, alone: out_data is the golden layer of in_data, `latency` ce-edges
later, over the codes the module sees in the core (rtl4ml.tb.layer_vectors). The mutation benchmark of generated
modules (bench/mutation_generated.py) runs this test on each mutant."""

from __future__ import annotations

import json
from pathlib import Path

import cocotb
import pytest

from rtl4ml.tb.clocked import check_delay_line
from rtl4ml.tb.module_test import parameters


@cocotb.test()
async def equals_the_golden_layer(dut):
    p = parameters()
    pairs = json.loads(Path(p["vectors"]).read_text())
    expected = {int(x, 16): int(y, 16) for x, y in pairs}
    inputs = sorted(expected)
    await check_delay_line(dut, p["latency"], expected.__getitem__, lambda rng: rng.choice(inputs),
                           cycles=2 * len(inputs))


def write_vectors(vectors, identifier: str, path: Path) -> dict:
    """The test's parameters for one module of a core's LayerModuleVectors: its latency and a vectors file (hex input
    and output buses)."""
    latency, pairs = vectors.of(identifier)
    path.write_text(json.dumps([[f"{x:x}", f"{y:x}"] for x, y in pairs]))
    return {"vectors": str(path), "latency": latency}


@pytest.mark.sim
def test_the_jet_taggers_output_layer_module_equals_its_golden_layer(tmp_path):
    """The smallest layer module of the bundled jet tagger through this test in Verilator (the mutation benchmark
    runs it on Icarus, module by module)."""
    import sys

    from rtl4ml.design import convert
    from rtl4ml.tb.layer_vectors import LayerModuleVectors
    from rtl4ml.simulation.build import build, run_cocotb
    from cocotb_tools.check_results import get_results

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "bench"))
    from bundled import bundled_job

    out_dir = tmp_path / "jet_tagger"
    convert(*bundled_job("jet_tagger")).write(out_dir)
    rtl = out_dir / "rtl"
    sources = [rtl / name for name in (rtl / "myproject.f").read_text().split() if name != "myproject.v"]
    case = write_vectors(LayerModuleVectors(out_dir), "l_output", tmp_path / "vectors.json")
    build_dir = build(sources, "myproject_l_output", tmp_path / "sim", parameters={})
    sys.path.insert(0, str(Path(__file__).parent))
    results = run_cocotb(build_dir, "myproject_l_output", Path(__file__).stem, tmp_path / "run",
                         {"RTL4ML_TB_PARAMETERS": json.dumps(case)})
    tests, failed = get_results(Path(results))
    assert tests == 1 and failed == 0, f"see {tmp_path}/run/sim.log"
