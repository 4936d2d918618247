"""hls4ml's Python API on rtl4ml: the hands-on tutorial's cells run with `import rtl4ml as hls4ml` and give the
predictions `rtl4ml.convert(...).predict` gives; arguments that mean nothing here warn, unknown ones are refused."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import numpy as np
import pytest

import rtl4ml
from rtl4ml import Rtl4mlError
from rtl4ml.hls4ml_api import Hls4mlCompatWarning

LAB = Path(__file__).parent / "hls4ml_lab" / "lab_parts_1_2.py"
VECTORS = Path(__file__).resolve().parent.parent / "sim" / "models" / "jet_tagger" / "test_vectors.npz"


@pytest.fixture(scope="module")
def lab_run(tmp_path_factory, keras):
    """The lab script run in a folder holding its data files (the bundled jets, one-hot labels, as the lab's)."""
    folder = tmp_path_factory.mktemp("lab")
    vectors = np.load(VECTORS)
    X, y = vectors["X"], np.eye(5)[vectors["y"]]
    np.save(folder / "X_train_val.npy", X[:2000]), np.save(folder / "y_train_val.npy", y[:2000])
    np.save(folder / "X_test.npy", X[2000:]), np.save(folder / "y_test.npy", y[2000:])
    np.save(folder / "classes.npy", np.array(["g", "q", "w", "z", "t"], dtype=object), allow_pickle=True)
    here = Path.cwd()
    os.chdir(folder)
    try:
        with pytest.warns(Hls4mlCompatWarning, match="backend='Vitis' has no effect in rtl4ml"):
            names = runpy.run_path(str(LAB), run_name="__main__")
    finally:
        os.chdir(here)
    return folder, names


@pytest.mark.sim
def test_the_labs_cells_run_and_predict_what_rtl4ml_convert_predicts(lab_run, capsys):
    folder, names = lab_run
    model, X_test = names["model"], names["X_test"]
    design = rtl4ml.convert(model, {"HLSConfig": names["config"], "Part": "xcu250-figd2104-2L-e"})
    assert np.array_equal(names["y_hls_2"], design.predict(X_test))
    first = rtl4ml.convert(model, {"HLSConfig": rtl4ml.utils.config_from_keras_model(model)})
    assert np.array_equal(names["y_hls"], first.predict(X_test))
    # the build: latency and interval measured in Verilator, resources from Yosys, under hls4ml's keys
    report = rtl4ml.report.parse_vivado_report(folder / "model_1" / "hls4ml_prj")["CSynthesisReport"]
    assert int(report["BestLatency"]) == int(report["WorstLatency"]) == first.latency
    assert report["IntervalMax"] == "1" and int(report["LUT"]) > 0 and report["AvailableLUT"] == "1728000"
    assert "EstimatedClockPeriod" not in report  # Yosys gives no clock estimate; none is made up
    # tracing: every layer, real values of its type; the softmax's last output equals the prediction
    predictions, trace = names["hls4ml_pred"], names["hls4ml_trace"]
    assert set(trace) >= {"fc1", "relu1", "output", "softmax"} and trace["fc1"].shape == (1000, 16)
    assert np.array_equal(trace["softmax"], predictions)
    assert names["keras_trace"]["fc1"].shape == (1000, 16)
    # the edited weight type is the one used
    assert str(design.graph.layer("fc1").weight_type).startswith("ap_fixed<8,2")


def test_arguments_without_meaning_warn_and_unknown_ones_are_refused(keras):
    from conftest import make_mlp

    model = make_mlp(keras, [4, 6, 3], ["relu", "softmax"], seed=1)
    with pytest.warns(Hls4mlCompatWarning, match="max_precision"):
        rtl4ml.utils.config_from_keras_model(model, max_precision="fixed<32,16>")
    with pytest.warns(Hls4mlCompatWarning, match="board='pynq-z2'"):
        rtl4ml.converters.convert_from_keras_model(model, board="pynq-z2", backend=None)
    with pytest.warns(Hls4mlCompatWarning, match="output_data_tb=.*golden model"):
        rtl4ml.converters.convert_from_keras_model(model, output_data_tb="y_test.npy", backend=None)
    with pytest.raises(Rtl4mlError, match="unknown argument.*clock_uncertainty"):
        rtl4ml.converters.convert_from_keras_model(model, clock_uncertainty="12.5%", backend=None)
    with pytest.raises(Rtl4mlError, match="'Verilator' is not an hls4ml backend"):
        rtl4ml.converters.convert_from_keras_model(model, backend="Verilator")
    with pytest.raises(Rtl4mlError, match="downloads from the internet"):
        rtl4ml.utils.fetch_example_model("KERAS_3layer.json")
    config = rtl4ml.utils.config_from_keras_model(model, granularity="name")
    config["LayerName"][list(config["LayerName"])[-1]]["Precision"]["result"] = "auto"  # the output layer
    with pytest.warns(Hls4mlCompatWarning, match="'auto' precision .* range-derived"):
        rtl4ml.converters.convert_from_keras_model(model, hls_config=config, backend=None)


def test_read_vivado_report_before_a_build_names_what_to_do(tmp_path):
    with pytest.raises(Rtl4mlError, match="run hls_model.build"):
        rtl4ml.report.read_vivado_report(tmp_path)
