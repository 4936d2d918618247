"""The graph IR and its layer registry: every layer class has a handler in every backend, a class without
one is refused by name, graphs with branches and several outputs run in the golden model and survive the
IR file, and a design file of an older format is refused."""

import json
from pathlib import Path
from dataclasses import dataclass

import numpy as np
import pytest

import rtl4ml

from rtl4ml.backends.hls.stream_writer import UNIT_LAYERS
from rtl4ml.backends.hls.writer import HLS_CALLS, plan_project
from rtl4ml.backends.rtl.blocks import RTL_BLOCKS, WIRING_ONLY
from rtl4ml.backends.rtl.writer import plan_core
from rtl4ml.errors import Rtl4mlError
from rtl4ml.golden.model import run_codes
from rtl4ml.ir.graph import ModelGraph
from rtl4ml.ir.layers import LAYER_CLASSES, InputLayer, Layer
from rtl4ml.ir.serialize import load_graph, save_graph
from rtl4ml.report.analytic import ESTIMATES
from rtl4ml.report.profiling import PROFILES, profile

from ir_layers import X_TYPE
from ir_layers import dense as _dense
from ir_layers import relu as _relu

BACKENDS = {"Verilog": RTL_BLOCKS, "HLS": HLS_CALLS, "estimate": ESTIMATES, "profiling": PROFILES}


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_every_computing_layer_class_has_a_handler_in_every_backend(backend):
    computing = [cls for cls in LAYER_CLASSES.values() if cls is not InputLayer]
    if backend in ("Verilog", "estimate"):  # wiring makes no module, so no block to build or estimate
        computing = [cls for cls in computing if not issubclass(cls, WIRING_ONLY)]
    if backend == "HLS":  # a static recurrent layer is a unit of its cell's calls (test_recurrent.py's csim)
        computing = [cls for cls in computing if not issubclass(cls, UNIT_LAYERS)]
    assert len(computing) >= 5
    missing = [cls.__name__ for cls in computing if not BACKENDS[backend].covers(cls)]
    assert not missing, f"{backend} backend lacks handlers for {missing}"


def _two_headed_graph() -> ModelGraph:
    """x -> trunk -> relu -> {head_a -> relu_a (output 1), head_b (output 2)}: a branch and two outputs."""
    x = InputLayer(name="x", inputs=(), shape=(5,), result_type=X_TYPE)
    trunk = _dense("trunk", x, 6, seed=1)
    act = _relu("trunk_relu", trunk)
    head_a = _dense("head_a", act, 3, seed=2)
    relu_a = _relu("head_a_relu", head_a)
    head_b = _dense("head_b", act, 2, seed=3)
    return ModelGraph("two_heads", x, [trunk, act, head_a, relu_a, head_b], ("head_a_relu", "head_b"))


def test_a_branching_graph_with_two_outputs_runs_each_head_on_the_shared_trunk():
    graph = _two_headed_graph()
    codes = np.random.default_rng(0).integers(X_TYPE.min_code, X_TYPE.max_code + 1, size=(300, 5))
    outputs, traces = run_codes(graph, codes, trace=True)
    trunk = traces["trunk_relu"]
    head_a = graph.layer("head_a_relu").golden()(graph.layer("head_a").golden()(trunk))
    head_b = graph.layer("head_b").golden()(trunk)
    assert outputs.shape == (300, 5)  # the heads side by side, in the order of graph.outputs
    assert np.array_equal(outputs, np.concatenate([head_a, head_b], axis=1))
    assert graph.n_out == 5 and not graph.is_chain()
    assert [row["layer"] for row in profile(graph, codes * 2.0**-X_TYPE.frac)][-1] == "head_b"


def test_the_ir_file_keeps_the_graph_edges_and_outputs(tmp_path):
    graph = _two_headed_graph()
    save_graph(graph, tmp_path / "ir.json")
    loaded = load_graph(tmp_path / "ir.json")
    assert loaded.outputs == graph.outputs
    assert [(layer.name, layer.inputs, layer.shape) for layer in loaded.layers] == \
        [(layer.name, layer.inputs, layer.shape) for layer in graph.layers]
    codes = np.arange(-40, 40).reshape(16, 5)
    assert np.array_equal(run_codes(loaded, codes), run_codes(graph, codes))


@dataclass(kw_only=True)
class _Negate(Layer):
    """A layer class no backend knows (deliberately not registered as an IR class)."""

    kind = "negate"

    def golden(self):
        return lambda x: -x


def test_a_layer_class_without_a_backend_handler_is_refused_naming_layer_and_backend():
    x = InputLayer(name="x", inputs=(), shape=(3,), result_type=X_TYPE)
    graph = ModelGraph("odd", x, [_Negate(name="flip", inputs=("x",), shape=(3,), result_type=X_TYPE)])
    assert np.array_equal(run_codes(graph, np.array([[1, -2, 3]])), [[-1, 2, -3]])
    with pytest.raises(Rtl4mlError, match="layer flip: the Verilog backend has no implementation of _Negate"):
        plan_core(graph, "odd")
    with pytest.raises(Rtl4mlError, match="layer flip: the HLS C\\+\\+ backend has no implementation of _Negate"):
        plan_project(graph, "odd")


@pytest.mark.parametrize("edit, fragment", [
    (lambda d: d.update(format=2), "has format 2; this rtl4ml reads 4 \\(convert the model again\\)"),
    (lambda d: d["layers"][2].update(inputs=["nowhere"]), "layer head_a reads 'nowhere', which no earlier"),
    (lambda d: d.update(outputs=["ghost"]), "output 'ghost' is not a layer of the model"),
    (lambda d: d["layers"][0].update(kind="conv9d"), "unknown layer kind 'conv9d'"),
])
def test_bad_ir_files_are_refused_in_one_line(tmp_path, edit, fragment):
    save_graph(_two_headed_graph(), tmp_path / "ir.json")
    data = json.loads((tmp_path / "ir.json").read_text())
    edit(data)
    (tmp_path / "ir.json").write_text(json.dumps(data))
    with pytest.raises(Rtl4mlError, match=fragment):
        load_graph(tmp_path / "ir.json")


def test_the_ir_and_the_backends_know_no_frontend():
    """The seam: a second frontend (PyTorch, ONNX) hands over frontends/spec.py specs and need not pretend to be Keras."""
    package = Path(rtl4ml.__file__).parent
    for folder in ("ir", "golden", "backends"):
        for path in (package / folder).rglob("*.py"):
            imports = [line for line in path.read_text().splitlines() if line.lstrip().startswith(("import ", "from "))]
            assert not [line for line in imports if "keras" in line.lower() or "frontends." in line and "frontends.spec" not in line], \
                f"{path.relative_to(package)} imports a frontend"
