"""HGQ2 models (.keras, Keras 3) read without HGQ2: per-element bit widths as exact types, the golden model equal to
HGQ2's own outputs on every event, the Verilog core and HLS C++ equal to the golden model; refusals in one line."""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

import rtl4ml
from rtl4ml.errors import Rtl4mlError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hgq2"
CONFIG = {"Model": {"Precision": "ap_fixed<16,6>"}}
# RND_CONV ties are HGQ2's only for inputs on the input bus's grid: these inputs are on a 2^-6 grid
FINE_INPUT = {**CONFIG, "LayerName": {"x": {"Precision": {"result": "ap_fixed<14,6,AP_TRN,AP_SAT>"}}}}


def fixture(name):
    data = np.load(FIXTURES / f"{name}.io.npz")
    return str(FIXTURES / f"{name}.keras"), data["x"].astype(np.float64), data["y"].astype(np.float64)


@pytest.mark.parametrize("name, config", [("hgq2_mlp", CONFIG), ("hgq2_cnn", CONFIG), ("hgq2_mlp_sat", FINE_INPUT),
                                          ("hgq2_sequence", CONFIG), ("hgq2_deep_sets", CONFIG),
                                          ("hgq2_batch_norm_dense", CONFIG), ("hgq2_softmax", CONFIG)])
def test_hgq2_models_give_hgq2s_own_outputs_bit_for_bit(name, config):
    """MLPs (wrapping and saturating input quantizers, RND and RND_CONV), a CNN, a sequence model with a standalone
    Quantizer, a QMaxPooling1D and an output quantizer, Deep-Sets-style per-particle QEinsumDense layers merged by
    QAdd, then a QBatchNormalization, a QBatchNormDense, and a tagger ending in a QSoftmax (its exponential and
    inverse tables quantized as HGQ2 quantizes them)."""
    path, x, y = fixture(name)
    design = rtl4ml.convert(path, config)
    assert np.array_equal(design.predict(x), y)
    quantizers = [layer for layer in design.graph.layers if layer.kind == "element_quantizer"]
    assert quantizers and all(len(layer.element_types) > 1 for layer in quantizers)  # heterogeneous, as trained
    linear = [layer for layer in design.graph.layers if layer.kind in ("dense", "conv")]
    assert all(layer.weight_type.width <= 9 for layer in linear)  # the weights keep HGQ2's few bits


def test_reading_an_hgq2_file_imports_no_framework():
    path, _, _ = fixture("hgq2_mlp")
    code = ("import sys, rtl4ml; rtl4ml.convert(sys.argv[1]); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'keras', 'hgq', 'tensorflow', 'jax', 'qkeras'}))")
    result = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.sim
@pytest.mark.parametrize("name", ["hgq2_deep_sets", "hgq2_softmax"])
def test_hgq2_models_are_bit_exact_in_verilog_and_csim(tmp_path, name):
    path, x, y = fixture(name)
    design = rtl4ml.convert(path, CONFIG)
    design.write(tmp_path / "prj")
    assert design.simulate_bulk(x[:120], idle=0.1)["mismatches"] == 0
    assert design.csim(x[:120])["mismatches"] == 0


def rewrite(source: str, target: Path, config=None, weights=None) -> Path:
    """A copy of the .keras archive with its config edited and/or weights datasets replaced."""
    with zipfile.ZipFile(source) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    if config is not None:
        files["config.json"] = json.dumps(config(json.loads(files["config.json"]))).encode()
    if weights is not None:
        buffer = io.BytesIO(files["model.weights.h5"])
        with h5py.File(buffer, "r+") as handle:
            weights(handle)
        files["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return target


def test_input_elements_of_no_bits_are_zero_and_cost_a_zero_kernel_row(tmp_path):
    path, x, _ = fixture("hgq2_mlp")

    def no_bits(handle):  # element 3 of fc1's input quantizer: k + i + f <= 0
        quantizer = handle["layers/q_dense/iq/quantizer/vars"]
        f, k, i = (np.array(quantizer[key]) for key in ("0", "1", "2"))  # WRAP kif: f, then k, i
        f[0, 3], k[0, 3], i[0, 3] = -3, 0, 0
        for key, value in (("0", f), ("1", k), ("2", i)):
            quantizer[key][...] = value

    pruned = rtl4ml.convert(str(rewrite(path, tmp_path / "pruned.keras", weights=no_bits)), CONFIG)
    assert not pruned.graph.layers[1].weight[3].any()
    zeroed = x.copy()
    zeroed[:, 3] = 0
    assert np.array_equal(pruned.predict(x), rtl4ml.convert(path, CONFIG).predict(zeroed))


def test_unsupported_hgq2_layers_and_damaged_files_are_refused_in_one_line(tmp_path):
    path, _, _ = fixture("hgq2_mlp")

    def attention(config):
        layer = config["config"]["layers"][2]
        layer["class_name"], layer["registered_name"] = "QMultiHeadAttention", "hgq>QMultiHeadAttention"
        return config

    with pytest.raises(Rtl4mlError, match=r"layer fc2 \(QMultiHeadAttention\): HGQ2 layer 'QMultiHeadAttention' is "
                                          "not supported"):
        rtl4ml.convert(str(rewrite(path, tmp_path / "s.keras", config=attention)))

    def float_quantizer(config):
        config["config"]["layers"][1]["config"]["iq_conf"]["config"]["q_type"] = "float"
        return config

    with pytest.raises(Rtl4mlError, match="quantizer type 'float' is not supported"):
        rtl4ml.convert(str(rewrite(path, tmp_path / "f.keras", config=float_quantizer)))
    cut = tmp_path / "cut.keras"
    cut.write_bytes(Path(path).read_bytes()[:5000])
    with pytest.raises(Rtl4mlError) as error:
        rtl4ml.convert(str(cut))
    assert "\n" not in str(error.value)


def test_the_cli_recognises_hgq2_by_content(tmp_path):
    from rtl4ml.cli import main

    path, x, y = fixture("hgq2_cnn")
    renamed = tmp_path / "model.zip"
    renamed.write_bytes(Path(path).read_bytes())
    assert main(["convert", str(renamed), "-o", str(tmp_path / "prj")]) == 0
    assert np.array_equal(rtl4ml.load_design(tmp_path / "prj").predict(x), y)
