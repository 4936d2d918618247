"""hls4ml's Python API on rtl4ml's flow, so that an hls4ml user's notebook runs with `import rtl4ml as hls4ml`.

The names and signatures are hls4ml's (`utils.config_from_keras_model`, `converters.convert_from_keras_model`,
`compile`, `predict`, `trace`, `build`, `model.profiling.numerical`, `utils.plot_model`, `report.read_vivado_report`);
what they do is rtl4ml's: `compile()` writes the design (the golden model that `predict` runs is the hardware bit for
bit), `build()` simulates the Verilog core in Verilator and synthesizes it with Yosys, and returns hls4ml's report keys.
An argument that has no meaning here (a vendor tool's option) is accepted with a one-line `Hls4mlCompatWarning`
saying so; an argument hls4ml does not have is refused. Nothing is silently read another way.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .arrays import load_array
from .design import Design, config_from_keras_model as rtl4ml_config, convert
from .errors import fail
from .golden import model as golden
from .paths import user_path
from .report.hls4ml_report import cosim_report, csynth_report, write_report
from .report.parts import find_part

# hls4ml's backends: all of them name a vendor HLS tool; rtl4ml builds its own cores whichever is named
HLS4ML_BACKENDS = ("vivado", "vitis", "vivadoaccelerator", "quartus", "catapult", "oneapi", "symbolicexpression")
# Events simulated by build() when the model has no test-bench data (input_data_tb): seeded, across the input type
BUILD_EVENTS = 1000


class Hls4mlCompatWarning(UserWarning):
    """An hls4ml argument that means nothing in rtl4ml was accepted and ignored (the message says why)."""


def _ignored(name: str, value, why: str) -> None:
    warnings.warn(f"{name}={value!r} has no effect in rtl4ml: {why}", Hls4mlCompatWarning, stacklevel=3)


def _check_backend(backend) -> None:
    if backend is None:
        return
    if str(backend).lower() not in HLS4ML_BACKENDS:
        raise fail(f"backend {backend!r} is not an hls4ml backend ({', '.join(HLS4ML_BACKENDS)})")
    _ignored("backend", backend, "rtl4ml writes its own Verilog and VHDL cores and a Vitis-HLS C++ project")


def config_from_keras_model(model, granularity: str = "model", backend=None, default_precision: str = "fixed<16,6>",
                            default_reuse_factor: int = 1, max_precision=None) -> dict:
    """hls4ml's starting config: `Model` (and per `granularity` `LayerType` or `LayerName`) entries with explicit
    types. hls4ml fills a 'name' config with 'auto' types it infers later; rtl4ml writes the types it will use."""
    return _starting_config(model, granularity, backend, default_precision, default_reuse_factor, max_precision)


def _starting_config(model, granularity, backend, default_precision, default_reuse_factor, max_precision,
                     input_shape=None) -> dict:
    _check_backend(backend)
    if max_precision is not None:
        _ignored("max_precision", max_precision, "the config holds explicit types, none of them 'auto'")
    config = rtl4ml_config(model, granularity=str(granularity).lower(), precision=default_precision,
                           reuse_factor=default_reuse_factor, input_shape=input_shape)
    config["Model"]["Precision"] = {"default": config["Model"]["Precision"]} \
        if isinstance(config["Model"]["Precision"], str) else config["Model"]["Precision"]
    config["Model"].update({"BramFactor": 1_000_000_000, "TraceOutput": False})
    for entry in config.get("LayerName", {}).values():
        entry.setdefault("Trace", False)
    return config


def _auto_fields(hls_config: dict) -> list[str]:
    """Where a config asks for an 'auto' precision, as "LayerName fc1 result"."""
    sections = [("Model", {"": hls_config.get("Model") or {}})] + \
        [(section, hls_config.get(section) or {}) for section in ("LayerType", "LayerName")]
    found = []
    for section, entries in sections:
        for name, entry in entries.items():
            precision = entry.get("Precision") if isinstance(entry, dict) else None
            fields = precision.items() if isinstance(precision, dict) else [("", precision)]
            found += [" ".join(part for part in (section, name, field) if part) for field, value in fields
                      if str(value).lower() == "auto"]
    return found


def config_from_onnx_model(model, granularity: str = "model", backend=None, default_precision: str = "fixed<16,6>",
                           default_reuse_factor: int = 1, max_precision=None) -> dict:
    """hls4ml's starting config for an ONNX/QONNX model file (QONNX quantizers give their layers' types)."""
    return config_from_keras_model(model, granularity, backend, default_precision, default_reuse_factor,
                                   max_precision)


def config_from_pytorch_model(model, input_shape, granularity: str = "model", backend=None,
                              default_precision: str = "fixed<16,6>", default_reuse_factor: int = 1,
                              channels_last_conversion: str = "full", transpose_outputs: bool = False,
                              max_precision=None) -> dict:
    """hls4ml's starting config for a PyTorch module; as in hls4ml it carries the `InputShape` (one event, no
    batch axis) that convert_from_pytorch_model reads. rtl4ml's designs are always channels last."""
    if channels_last_conversion != "full" or transpose_outputs:
        _ignored("channels_last_conversion/transpose_outputs", (channels_last_conversion, transpose_outputs),
                 "an rtl4ml design is channels last throughout: its inputs and outputs are [events, *spatial, C]")
    config = _starting_config(model, granularity, backend, default_precision, default_reuse_factor, max_precision,
                              tuple(input_shape))
    config["InputShape"] = list(input_shape)
    return config


def convert_from_onnx_model(model, output_dir: str = "my-hls-test", project_name: str = "myproject",
                            input_data_tb=None, output_data_tb=None, backend: str = "Vivado", hls_config=None,
                            **kwargs) -> "Hls4mlModel":
    """hls4ml's ONNX converter: an ONNX/QONNX model file and `hls_config` become an rtl4ml design."""
    return convert_from_keras_model(model, output_dir, project_name, input_data_tb, output_data_tb, backend,
                                    hls_config, **kwargs)


def convert_from_pytorch_model(model, output_dir: str = "my-hls-test", project_name: str = "myproject",
                               input_data_tb=None, output_data_tb=None, backend: str = "Vivado", hls_config=None,
                               **kwargs) -> "Hls4mlModel":
    """hls4ml's PyTorch converter: the module is exported to ONNX for the input shape its config carries
    (`InputShape`, as config_from_pytorch_model writes it)."""
    hls_config = dict(hls_config or {})
    if "InputShape" not in hls_config:
        raise fail("convert_from_pytorch_model: hls_config has no 'InputShape'; make it with "
                   "config_from_pytorch_model(model, input_shape)")
    return convert_from_keras_model(model, output_dir, project_name, input_data_tb, output_data_tb, backend,
                                    hls_config, **kwargs)


def convert_from_keras_model(model, output_dir: str = "my-hls-test", project_name: str = "myproject",
                             input_data_tb=None, output_data_tb=None, backend: str = "Vivado", hls_config=None,
                             bit_exact=None, allow_da_fallback: bool = True, allow_v2_fallback: bool = True,
                             board=None, part=None, clock_period=None, io_type: str = "io_parallel",
                             **kwargs) -> "Hls4mlModel":
    """hls4ml's converter: the Keras model and `hls_config` become an rtl4ml design in `output_dir` (after
    `compile()` or `write()`). `part`, `clock_period` and `io_type` are read as hls4ml reads them."""
    if kwargs:
        raise fail(f"convert_from_keras_model: unknown argument(s) {', '.join(sorted(kwargs))}")
    _check_backend(backend)
    for name, value, default in (("board", board, None), ("bit_exact", bit_exact, None),
                                 ("allow_da_fallback", allow_da_fallback, True),
                                 ("allow_v2_fallback", allow_v2_fallback, True)):
        if value != default:
            _ignored(name, value, "an option of hls4ml's own backends; rtl4ml is bit-exact by construction")
    if output_data_tb is not None:
        _ignored("output_data_tb", output_data_tb, "build() checks the C simulation and the cores bit for bit against "
                 "the golden model on input_data_tb, not against given outputs")
    hls_config = dict(hls_config or {"Model": {"Precision": "fixed<16,6>", "ReuseFactor": 1}})
    input_shape = hls_config.pop("InputShape", None)
    auto = _auto_fields(hls_config)
    if auto:
        warnings.warn(f"'auto' precision ({', '.join(auto)}) is read as rtl4ml's range-derived type (a type that "
                      "holds every value the layer can produce, at the default type's LSB), not hls4ml's inference",
                      Hls4mlCompatWarning, stacklevel=2)
    project = {"ProjectName": project_name, "IOType": io_type}
    if part is not None:
        project["Part"] = part
    if clock_period is not None:
        project["ClockPeriod"] = clock_period
    design = convert(model, {"HLSConfig": hls_config, **project}, input_shape=input_shape)
    return Hls4mlModel(design, output_dir, input_data_tb)


def _load_tb(path) -> np.ndarray | None:
    if path is None:
        return None
    path = user_path(path)
    return np.loadtxt(path, ndmin=2) if path.suffix == ".dat" else load_array(str(path))


class Hls4mlModel:
    """What hls4ml's `convert_from_keras_model` returns, on an rtl4ml `Design` (its `design` attribute)."""

    def __init__(self, design: Design, output_dir, input_data_tb=None):
        self.design = design
        self.output_dir = user_path(output_dir)
        self.input_data_tb = input_data_tb
        self.config = {"OutputDir": str(self.output_dir), **design.config.project,
                       "HLSConfig": design.config.hls_config}

    # ------------------------------------------------------------------ hls4ml's ModelGraph methods
    def write(self) -> None:
        """Write the design to output_dir: Verilog, VHDL, HLS C++, the IP folder, the IR."""
        self.design.write(self.output_dir, force=True)

    def compile(self) -> None:
        """Write the design; `predict` then runs its golden model, the hardware's arithmetic bit for bit."""
        self.write()

    def predict(self, x):
        """The fixed-point outputs (one array per model output when there are several, as hls4ml returns them)."""
        outputs = self.design.predict(x)
        graph = self.design.graph
        if len(graph.outputs) == 1:
            return outputs
        sizes = np.cumsum([layer.size for layer in graph.output_layers()])[:-1]
        return np.split(outputs, sizes, axis=1)

    def trace(self, x):
        """(predictions, {layer name: its outputs as real values, shaped ``[events, *shape]``}), as hls4ml's trace
        returns."""
        graph = self.design.graph
        _, codes = golden.predict_codes(graph, x, trace=True)
        traces = {layer.name: (codes[layer.name] * 2.0**-layer.result_type.frac).reshape((-1,) + layer.shape)
                  for layer in graph.all_layers()}
        return self.predict(x), traces

    def get_layers(self):
        return self.design.graph.all_layers()

    def build(self, reset: bool = False, csim: bool = True, synth: bool = True, cosim: bool = False,
              validation: bool = False, export: bool = False, vsynth: bool = False, fifo_opt: bool = False,
              log_to_stdout: bool = True, **kwargs) -> dict:
        """hls4ml's build on open tools. csim: the HLS C++ compiled with g++ on the test-bench inputs, compared with
        the golden model. synth: the Verilog core simulated in Verilator (latency and interval measured) and
        synthesized with Yosys (resources), as `CSynthesisReport`. cosim: the cocotb simulation of the core, as
        `CosimReport`. The inputs are `input_data_tb`, or 1,000 seeded events spanning the input type."""
        if kwargs:
            raise fail(f"build: unknown argument(s) {', '.join(sorted(kwargs))}")
        for name, value, why in (("reset", reset, "every build starts from the written design"),
                                 ("validation", validation, "every simulation compares every output bit already"),
                                 ("vsynth", vsynth, "no Vivado here; CSynthesisReport holds Yosys's resources"),
                                 ("fifo_opt", fifo_opt, "io_parallel cores have no FIFOs to size")):
            if value:
                _ignored(name, value, why)
        self.write()
        X = self._build_inputs()
        report: dict = {}
        if csim:
            _require_bit_exact("the HLS C++ (g++)", self.design.csim(X))
            report["CSimResults"] = self.design.predict(X).tolist()
            report["CSimMismatches"] = 0
        if synth:
            simulation = _require_bit_exact("the Verilog core (Verilator)", self.design.simulate_bulk(X))
            resources = self.design.report(X=X, progress=None)
            project = self.design.config.project
            report["CSynthesisReport"] = csynth_report(simulation, resources, find_part(project.get("Part")),
                                                       float(project.get("ClockPeriod", 5)))
        if cosim:
            report["CosimReport"] = cosim_report(_require_bit_exact("the Verilog core (cocotb)",
                                                                    self.design.simulate(X)))
        if export:
            report["ExportedIP"] = str(self.output_dir / "ip")
        write_report(self.output_dir, report)
        return report

    def _build_inputs(self) -> np.ndarray:
        X = _load_tb(self.input_data_tb)
        if X is not None:
            return X
        t = self.design.graph.input.result_type
        rng = np.random.default_rng(0)
        return rng.uniform(t.min_value, t.max_value, size=(BUILD_EVENTS, self.design.graph.n_in))


def _require_bit_exact(what: str, results: dict) -> dict:
    """A build reports figures of a correct core only: a disagreement with the golden model stops it, named."""
    if not results.get("passed"):
        raise fail(f"build: {what} disagrees with the golden model ({results.get('mismatches')} mismatching events, "
                   f"{'; '.join(results.get('problems') or results.get('protocol_errors') or []) or 'no detail'}); "
                   "this is an rtl4ml bug, please report it")
    return results


def fetch_example_model(model_name: str, backend: str = "Vivado"):
    raise fail(f"fetch_example_model({model_name!r}) downloads from the internet, which rtl4ml does not do; "
               "pass a local model file (rtl4ml reads Keras .h5, .keras and .json + weights)")


def _design_of(model) -> Design:
    if isinstance(model, Hls4mlModel):
        return model.design
    if isinstance(model, Design):
        return model
    raise fail(f"expected a converted model (convert_from_keras_model's result), got {type(model).__name__}")


def plot_model(model, to_file=None, show_shapes: bool = False, show_layer_names: bool = True, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 96, show_precision: bool = False):
    """The layer graph as a matplotlib figure (saved to `to_file` when given): one box per layer with its class,
    and with show_shapes / show_precision its output shape and result type."""
    from .report.plots import layer_graph_figure

    graph = _design_of(model).graph
    rows = []
    for layer in graph.all_layers():
        text = [f"{layer.name}: {type(layer).__name__}" if show_layer_names else type(layer).__name__]
        if show_shapes:
            text.append(f"shape {tuple(layer.shape)}")
        if show_precision:
            text.append(str(layer.result_type))
        rows.append(("\n".join(text), list(getattr(layer, "inputs", ()))))
    figure = layer_graph_figure([layer.name for layer in graph.all_layers()], rows, horizontal=rankdir == "LR",
                                dpi=dpi)
    if to_file is not None:
        figure.savefig(user_path(to_file), dpi=dpi)
    return figure


def numerical(model=None, hls_model=None, X=None, plot: str = "boxplot"):
    """hls4ml's numerical profiling: (weights figure, None, activations figure or None without X, None). Each
    figure shows per layer the spread of log2|value| against its fixed-point type's range, with overflow counts;
    rtl4ml's weights are the converted ones, so hls4ml's 'after optimization' figures would be the same."""
    from .report.plots import profile_figure
    from .report.profiling import profile

    if plot != "boxplot":
        _ignored("plot", plot, "rtl4ml draws boxes of the value spread against each type's range")
    if hls_model is None:
        if model is None:
            raise fail("numerical: pass hls_model (a converted model) or model (a Keras model)")
        design = convert(model)
    else:
        design = _design_of(hls_model)
    sample = X if X is not None else np.zeros((1, design.graph.n_in))
    rows = profile(design.graph, sample)
    weights = profile_figure([row for row in rows if row["quantity"] in ("weight", "bias")],
                             f"{design.graph.name}: weights and biases vs their types")
    activations = None if X is None else profile_figure(
        [row for row in rows if row["quantity"] not in ("weight", "bias")],
        f"{design.graph.name}: activations vs their types ({len(X)} events)")
    return weights, None, activations, None


def get_ymodel_keras(keras_model, X) -> dict:
    """Every Keras layer's output on X, by layer name (hls4ml's helper for comparing traces)."""
    import tf_keras as keras

    layers = [layer for layer in keras_model.layers if not isinstance(layer, keras.layers.InputLayer)]
    probe = keras.Model(keras_model.inputs, [layer.output for layer in layers])
    outputs = probe.predict(np.asarray(X), verbose=0)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    return {layer.name: output for layer, output in zip(layers, outputs)}


__all__ = ["Hls4mlCompatWarning", "Hls4mlModel", "config_from_keras_model", "convert_from_keras_model",
           "fetch_example_model", "get_ymodel_keras", "numerical", "plot_model"]
