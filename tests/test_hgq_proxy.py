"""HGQ (v1) proxy models (.h5 as HGQ's to_proxy_model writes them) read without HGQ: FixedPointQuantizer layers as
per-element types, the golden model equal to the proxy model's own outputs on every event."""

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

import rtl4ml
from rtl4ml.errors import Rtl4mlError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hgq1"
CONFIG = {"Model": {"Precision": "ap_fixed<16,6>"}}


@pytest.mark.parametrize("name", ["hgq1_mlp", "hgq1_cnn", "hgq1_mlp_tanh"])
def test_hgq_proxy_models_give_their_own_outputs_bit_for_bit(name):
    """An MLP (wrapping quantizers), a CNN (saturating) and an MLP whose tanh is a UnaryLUT (a table over every
    input code), trained with HGQ and made proxies by HGQ itself."""
    data = np.load(FIXTURES / f"{name}.io.npz")
    design = rtl4ml.convert(str(FIXTURES / f"{name}.h5"), CONFIG)
    assert np.array_equal(design.predict(data["x"].astype(np.float64)), data["y"].astype(np.float64))
    assert any(layer.kind == "element_quantizer" and len(layer.element_types) > 1 for layer in design.graph.layers)


@pytest.mark.sim
def test_an_hgq_proxy_mlp_with_a_lookup_table_is_bit_exact_in_verilog_and_csim(tmp_path):
    data = np.load(FIXTURES / "hgq1_mlp_tanh.io.npz")
    design = rtl4ml.convert(str(FIXTURES / "hgq1_mlp_tanh.h5"), CONFIG)
    assert "table_activation" in [layer.kind for layer in design.graph.layers]
    design.write(tmp_path / "prj")
    x = data["x"].astype(np.float64)
    assert design.simulate_bulk(x, backpressure=0.2)["mismatches"] == 0
    assert design.csim(x)["mismatches"] == 0


def test_quantizer_modes_without_an_ap_fixed_equal_are_refused(tmp_path):
    path = tmp_path / "m.h5"
    shutil.copy(FIXTURES / "hgq1_mlp.h5", path)
    with h5py.File(path, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        quantizer = next(layer for layer in config["config"]["layers"] if "FixedPointQuantizer" in layer["class_name"])
        quantizer["config"]["SAT"] = "WRAP_SM"
        handle.attrs["model_config"] = json.dumps(config)
    with pytest.raises(Rtl4mlError, match="overflow mode 'WRAP_SM' is not supported"):
        rtl4ml.convert(str(path))
