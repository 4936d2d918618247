"""Property-based fuzzing of everything rtl4ml reads from a user: model files (HDF5, .keras, JSON + weights) cut short
or with bytes changed, model JSON with values of the wrong type, huge shapes, non-finite weights and hostile layer
names, and hls4ml-style YAML configs of any shape. Whatever hypothesis draws, `rtl4ml convert` either converts or
says what is wrong in one line and exits 2: no traceback, no internal error (exit 3), no OUTDIR left behind.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtl4ml.cli import main

from conftest import make_mlp

# Per property; docs/bad_inputs.md states the count. `make test` draws the same examples every run (derandomized);
# RTL4ML_FUZZ_EXAMPLES=N draws N fresh ones per property.
EXAMPLES = int(os.environ.get("RTL4ML_FUZZ_EXAMPLES", 60))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="RTL4ML_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def model_files(keras, tmp_path_factory):
    """One small model in every container rtl4ml reads, and its Keras JSON."""
    folder = tmp_path_factory.mktemp("fuzz_models")
    model = make_mlp(keras, [4, 6, 3], ["relu", "softmax"], seed=2)
    model.save(str(folder / "m.h5"))
    model.save(str(folder / "m.keras"))
    model.save_weights(str(folder / "w.h5"))
    (folder / "m.json").write_text(model.to_json())
    return folder


def convert_exits_cleanly(capsys, tmp_path, *args) -> int:
    """Run `rtl4ml convert ARGS -o OUT`; assert the promise (0, or 2 with one error line and no OUT); return the code."""
    out_dir = Path(tempfile.mkdtemp(dir=tmp_path)) / "out"  # hypothesis runs every example in one tmp_path
    code = main(["convert", *map(str, args), "-o", str(out_dir)])
    err = capsys.readouterr().err
    assert code in (0, 2), f"exit {code}: {err}"
    if code == 2:
        errors = [line for line in err.splitlines() if line.startswith("rtl4ml: error: ")]
        assert len(errors) == 1 and "Traceback" not in err, err
        assert not out_dir.exists(), "a refused conversion left its OUTDIR behind"
    else:
        assert (out_dir / "model_ir.json").is_file()
    return code


@FUZZ
@given(data=st.data())
@pytest.mark.parametrize("container", ["m.h5", "m.keras", "w.h5"])
def test_a_model_file_cut_short_or_with_bytes_changed(model_files, tmp_path, capsys, container, data):
    original = (model_files / container).read_bytes()
    if data.draw(st.booleans(), label="cut"):
        damaged = original[:data.draw(st.integers(0, len(original) - 1), label="length")]
    else:
        damaged = bytearray(original)
        for _ in range(data.draw(st.integers(1, 8), label="changes")):
            damaged[data.draw(st.integers(0, len(original) - 1))] = data.draw(st.integers(0, 255))
        damaged = bytes(damaged)
    target = tmp_path / container
    target.write_bytes(damaged)
    args = [model_files / "m.json", "--weights", target] if container == "w.h5" else [target]
    convert_exits_cleanly(capsys, tmp_path, *args)


HOSTILE_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2**63, 2**63), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([10**9, -1, 0, 2**31, "../../etc/passwd", "a/b\\c", "名前", "x" * 5000, "", "CON", "$(rm -rf /)",
                     "relu\n", "__class__", [10**6, 10**6], [None], {"class_name": None}]),
    st.text(max_size=20), st.lists(st.integers(-5, 10**7), max_size=4),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=3))


def json_paths(value, path=()):
    """Every place in a JSON document: (path to it, ...)."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from json_paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_paths(item, path + (index,))


@FUZZ
@given(data=st.data())
def test_a_model_json_with_hostile_values(model_files, tmp_path, capsys, data):
    document = json.loads((model_files / "m.json").read_text())
    places = [path for path in json_paths(document) if path]
    changed = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        *parents, last = data.draw(st.sampled_from(places), label="where")
        holder = changed
        try:
            for key in parents:
                holder = holder[key]
            holder[last] = data.draw(HOSTILE_VALUES, label="value")
        except (KeyError, IndexError, TypeError):  # an earlier change removed the place
            continue
    (tmp_path / "m.json").write_text(json.dumps(changed))
    convert_exits_cleanly(capsys, tmp_path, tmp_path / "m.json", "--weights", model_files / "w.h5")


@FUZZ
@given(values=st.sampled_from([np.nan, np.inf, -np.inf, 1e300, -1e300, 5e-324]), where=st.integers(0, 3))
def test_weights_that_are_not_finite_or_absurdly_large(model_files, tmp_path, capsys, values, where):
    target = tmp_path / "w.h5"
    target.write_bytes((model_files / "w.h5").read_bytes())
    with h5py.File(target, "r+") as weights:
        datasets = []
        weights.visititems(lambda name, item: datasets.append(name) if isinstance(item, h5py.Dataset) else None)
        dataset = weights[sorted(datasets)[where % len(datasets)]]
        array = dataset[()]
        array.flat[0] = values
        dataset[...] = array
    convert_exits_cleanly(capsys, tmp_path, model_files / "m.json", "--weights", target)


YAML_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                         st.text(max_size=30),
                         st.sampled_from(["ap_fixed<16,6>", "ap_fixed<0,0>", "ap_fixed<99,3>", "auto", "io_stream",
                                          "Latency", "Resource", "ap_ufixed<8,0,AP_RND,AP_SAT>", "fixed<8,3,RND>"]))
YAML_KEYS = st.sampled_from(["Model", "LayerName", "LayerType", "Precision", "ReuseFactor", "Strategy", "result",
                             "accum", "weight", "bias", "default", "dense0", "dense1", "Dense", "HLSConfig", "IOType",
                             "table_size", "TableStyle", "PipelineBudget", "LutsPerDsp", "features"])
YAML_DOCUMENTS = st.recursive(YAML_SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=3), st.dictionaries(YAML_KEYS, children, max_size=4)), max_leaves=12)


@FUZZ
@given(document=YAML_DOCUMENTS)
def test_a_config_of_any_shape(model_files, tmp_path, capsys, document):
    (tmp_path / "c.yml").write_text(yaml.safe_dump(document))
    convert_exits_cleanly(capsys, tmp_path, model_files / "m.h5", "-c", tmp_path / "c.yml")


@pytest.mark.parametrize("text", ["Model: [unclosed", "!!python/object/apply:os.system ['true']", "\t\x00\xff",
                                  "a: &x [*x]", "Model:\n  Precision: {result: !!binary aGk=}"])
def test_a_config_that_is_not_safe_yaml(model_files, tmp_path, capsys, text):
    (tmp_path / "c.yml").write_bytes(text.encode("utf-8"))
    convert_exits_cleanly(capsys, tmp_path, model_files / "m.h5", "-c", tmp_path / "c.yml")


ONNX_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "onnx"


@FUZZ
@given(data=st.data())
@pytest.mark.parametrize("fixture", ["torch_cnn.onnx", "brevitas_mlp.onnx"])
def test_an_onnx_file_cut_short_or_with_bytes_changed(tmp_path, capsys, fixture, data):
    pytest.importorskip("onnx")
    original = (ONNX_FIXTURES / fixture).read_bytes()
    damaged = bytearray(original[:data.draw(st.integers(1, len(original)), label="length")])
    for _ in range(data.draw(st.integers(0, 8), label="changes")):
        damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    target = tmp_path / "m.onnx"
    target.write_bytes(bytes(damaged))
    convert_exits_cleanly(capsys, tmp_path, target)


def test_a_reader_that_never_returns_is_stopped_with_one_line(tmp_path, monkeypatch):
    """The HDF5 library can loop forever on a damaged file: the reader runs in a child process and is refused after
    the time limit (here a reader that sleeps stands for it)."""
    import time

    from rtl4ml.errors import Rtl4mlError
    from rtl4ml.frontends.isolated import read_isolated

    def endless(path):
        time.sleep(60)

    started = time.monotonic()
    with pytest.raises(Rtl4mlError, match="m.h5: reading it did not finish in 0.5 s; the file is probably damaged"):
        read_isolated(endless, str(tmp_path / "m.h5"), timeout=0.5)
    assert time.monotonic() - started < 10
    with pytest.raises(Rtl4mlError, match="boom.h5: cannot read the file \\(ZeroDivisionError"):
        read_isolated(lambda path: 1 / 0, "boom.h5")
