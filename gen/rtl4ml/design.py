"""A converted design: the IR plus what it takes to predict, write, and simulate it.

This is the object the Python API hands out (rtl4ml.convert) and the CLI drives.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from . import __version__
from .arrays import load_array
from .backends.hls.stream_writer import plan_stream_project, write_stream_project
from .backends.hls.writer import check_io_type, plan_project, write_project
from .backends.ip.stream_writer import write_stream_ip
from .backends.ip.writer import IpFacts, write_ip
from .backends.identifiers import vhdl_name_problem
from .backends.rtl.writer import RtlCore, plan_core, write_core
from .backends.stream.plan import IO_TYPE as STREAM, StreamCore, plan_stream_core
from .backends.stream.writer import write_stream_core
from .backends.vhdl.stream_writer import write_vhdl_stream_core
from .backends.vhdl.writer import COMPILE_ORDER, write_vhdl_core
from .config import Config, load_config
from .errors import fail
from .frontends.keras_file import from_keras_object
from .frontends.keras_model import build_model_spec
from .frontends.model_file import load_model_file
from .frontends.spec import ModelSpec
from .frontends.torch_module import is_torch_module, torch_model_spec
from .golden import model as golden
from .ir.builder import build_ir
from .ir.graph import ModelGraph
from .ir.serialize import load_graph, save_graph
from .output_dir import MARKER, staged_directory
from .paths import user_path
from .report.parts import carry_chain
from .simulation.run import last_results

IR_FILE = "model_ir.json"


class Design:
    """A model converted to fixed point, with its RTL core planned."""

    def __init__(self, graph: ModelGraph, config: Config | None = None, out_dir: Path | None = None):
        self.graph = graph
        self.config = config or load_config(None)
        self.out_dir = user_path(out_dir) if out_dir else None
        self._core: RtlCore | StreamCore | None = None

    # --------------------------------------------------------------- golden model
    def predict(self, X) -> np.ndarray:
        """Real-valued outputs of the bit-exact fixed-point model."""
        return golden.predict(self.graph, X)

    def predict_codes(self, X, trace: bool = False):
        """Integer output codes (and per-layer codes with trace=True)."""
        return golden.predict_codes(self.graph, X, trace)

    # --------------------------------------------------------------- RTL
    @property
    def core(self) -> RtlCore | StreamCore:
        """The planned Verilog core: the io_parallel pipeline, or with IOType io_stream the streaming units."""
        if self._core is None:
            chain = carry_chain(self.config.project.get("Part"))
            if self.streamed:
                self._core = plan_stream_core(self.graph, self.config.project_name, self.config.pipeline_budget, chain,
                                              self.config.frame_interval)
            elif self.config.frame_interval is not None:
                raise fail(f"config Model FrameInterval {self.config.frame_interval}: applies to IOType io_stream "
                           "cores (an io_parallel core takes an event every II cycles; set ReuseFactor)")
            else:
                self._core = plan_core(self.graph, self.config.project_name, self.config.pipeline_budget, chain)
        return self._core

    @property
    def streamed(self) -> bool:
        return self.config.io_type == STREAM

    @property
    def latency(self) -> int:
        return self.core.latency

    @property
    def interval(self) -> int:
        return self.core.interval

    def write(self, out_dir, force: bool = False) -> Path:
        """Write the design (IR, RTL, config) to out_dir atomically; return the directory."""
        core = self.core
        out_dir = user_path(out_dir)
        with staged_directory(out_dir, force) as staging:
            save_graph(self.graph, staging / IR_FILE)
            examples, expected = self._example_vectors()
            if isinstance(core, StreamCore):
                sources = write_stream_core(core, staging / "rtl")
                vhdl_sources = write_vhdl_stream_core(core, staging / "vhdl", examples, expected) \
                    if vhdl_name_problem(core.top) is None else []
                write_stream_project(self.hls_project(), core, staging / "hls", examples, expected)
                write_stream_ip(core, sources, vhdl_sources, staging / IR_FILE, staging / "ip", examples, expected,
                                self._ip_facts(None))
            else:
                sources = write_core(core, staging / "rtl")
                # a project name VHDL cannot use gets no VHDL files (the datasheet says why)
                vhdl_sources = write_vhdl_core(core, staging / "vhdl", examples, expected) \
                    if vhdl_name_problem(core.top) is None else []
                write_project(self.hls_project(), staging / "hls", examples, expected)
                write_ip(core, sources, vhdl_sources, staging / IR_FILE, staging / "ip", examples, expected,
                         self._ip_facts(None))
            summary = {"rtl4ml": __version__, "project": core.top, "latency": core.latency,
                       "interval": core.interval, "config": self.config.hls_config, "project_config": self.config.project}
            (staging / MARKER).write_text(json.dumps(summary, indent=2, default=str) + "\n")
        self.out_dir = out_dir
        return self.out_dir

    def package_ip(self) -> Path:
        """Rewrite OUTDIR/ip with the last simulation's latency/II and the report's resources, if present."""
        if self.out_dir is None:
            raise fail("design has not been written yet; call design.write(OUTDIR) first")
        out_dir = Path(self.out_dir)
        rtl = out_dir / "rtl"
        sources = [rtl / name for name in (rtl / f"{self.core.top}.f").read_text().split()]
        vhdl = out_dir / "vhdl"
        vhdl_sources = [vhdl / name for name in (vhdl / COMPILE_ORDER).read_text().split()] \
            if (vhdl / COMPILE_ORDER).is_file() else []
        write = write_stream_ip if self.streamed else write_ip
        return write(self.core, sources, vhdl_sources, out_dir / IR_FILE, out_dir / "ip", *self._example_vectors(),
                     self._ip_facts(out_dir))

    def _ip_facts(self, out_dir: Path | None) -> IpFacts:
        project = self.config.project
        facts = IpFacts(clock_period=float(project.get("ClockPeriod", 5)),
                        part=str(project.get("Part", "xcvu9p-flga2577-2-e")))
        simulated = last_results(out_dir) if out_dir else None
        if simulated and simulated.get("passed"):
            facts.measured_latency = simulated.get("LatencyMin")
            facts.measured_interval = simulated.get("IntervalMin")
        report = out_dir / "report" / "report.json" if out_dir else None
        if report and report.is_file():
            facts.resources = json.loads(report.read_text())
        return facts

    def _example_vectors(self, events: int = 32) -> tuple[np.ndarray, np.ndarray]:
        """Seeded input codes spanning the input type and their golden outputs, for the bundled testbenches."""
        t = self.graph.input.result_type
        rng = np.random.default_rng(0)
        inputs = rng.integers(t.min_code, t.max_code + 1, size=(events, self.graph.n_in), dtype=np.int64)
        return inputs, golden.run_codes(self.graph, inputs)

    def hls_project(self):
        """The HLS project's plan: one call per layer, or with IOType io_stream one dataflow function per unit."""
        project = self.config.project
        settings = (self.config.io_type, str(project.get("Part", "xcvu9p-flga2577-2-e")),
                    float(project.get("ClockPeriod", 5)))
        if isinstance(self.core, StreamCore):
            return plan_stream_project(self.core, *settings)
        return plan_project(self.graph, self.core.top, *settings)

    def csim(self, X, output=None) -> dict:
        """Compile the HLS C++ with g++ and the Xilinx ap_types headers; compare with the golden model."""
        from .simulation.csim import csim_design

        if self.out_dir is None:
            raise fail("design has not been written yet; call design.write(OUTDIR) first")
        return csim_design(self, X, output)

    def simulate_bulk(self, X, idle: float = 0.0, backpressure: float = 0.0, seed: int = 0,
                      return_outputs: bool = False, cache_dir=None) -> dict:
        """Many events through a compiled Verilator harness (no cocotb): bit-exact check, AXI rules per cycle
        (io_stream cores: frame by frame, tlast on each output frame's last beat).

        return_outputs=True adds results["outputs"]: the RTL's own outputs as real values.
        """
        from .simulation.harness import run_harness

        if self.out_dir is None:
            raise fail("design has not been written yet; call design.write(OUTDIR) first")
        return run_harness(self, X, idle, backpressure, seed, return_outputs, cache_dir)

    def simulate_vhdl(self, X, idle: float = 0.0, backpressure: float = 0.0, seed: int = 0, output=None) -> dict:
        """Stream X through the VHDL core (OUTDIR/vhdl/run.py: VUnit on GHDL); results in OUTDIR/sim/vhdl/."""
        from .simulation.vhdl_run import simulate_vhdl

        if self.out_dir is None:
            raise fail("design has not been written yet; call design.write(OUTDIR) first")
        return simulate_vhdl(self, X, idle, backpressure, seed, output=output)

    def report(self, part=None, X=None, y=None, run_synthesis: bool = True, workers: int = 2,
               thorough: bool = False, progress=None) -> dict:
        """Resources, timing proxy, latency/II, profiling and accuracy; see rtl4ml.report.build.

        progress: a stream (e.g. sys.stderr) for a live line while Yosys runs.
        """
        from .report.build import build_report

        return build_report(self, part, X, y, run_synthesis, workers, thorough=thorough, progress=progress)

    def simulate(self, X, **options) -> dict:
        """Stream X through the RTL with Verilator + cocotb; see rtl4ml.simulation.run.simulate_design."""
        from .simulation.run import simulate_design

        if self.out_dir is None:
            raise fail("design has not been written yet; call design.write(OUTDIR) first")
        return simulate_design(self, X, **options)


def _model_spec(model, weights=None, input_shape=None) -> ModelSpec:
    if isinstance(model, ModelSpec):
        return model
    if is_torch_module(model):
        return torch_model_spec(model, input_shape)
    if isinstance(model, (str, Path)):
        return load_model_file(user_path(model), user_path(weights) if weights else None)
    if hasattr(model, "to_json") and hasattr(model, "layers"):
        return build_model_spec(from_keras_object(model))
    raise fail(f"cannot convert object of type {type(model).__name__}; pass a Keras model or a model file path "
               "(Keras .h5/.keras/.json, ONNX .onnx), or a PyTorch module")


def convert(model, config=None, weights=None, calibrate=None, input_shape=None) -> Design:
    """A model + hls4ml-style config (dict, YAML path or None) -> Design.

    model: a Keras model object, a model file (Keras .h5/.keras/.json with `weights`, ONNX/QONNX .onnx, recognised
    by content), or a PyTorch/Brevitas module with `input_shape` (one event, no batch axis, as the module takes it).
    A channels-first ONNX/PyTorch model becomes a channels-last design: its inputs are
    ``[events, *spatial, channels]``.

    calibrate: real input values [events, ...] (an array, or a .npy path) whose observed ranges size the
    `Precision: auto` types instead of interval arithmetic (see ir/auto_types.py).
    """
    config = load_config(config)
    spec = _model_spec(model, weights, input_shape)
    source = "calibration data"
    if isinstance(calibrate, (str, Path)):
        source = f"calibration file {Path(calibrate).name}"
        calibrate = load_array(str(user_path(calibrate)))
    design = Design(build_ir(spec, config, calibration=calibrate, calibration_source=source), config)
    design.core  # plan now, so unsupported settings fail at convert time, not at write time
    if not design.streamed:
        check_io_type(design.graph, config.io_type)
    return design


def load_design(out_dir) -> Design:
    """Reopen a design written by Design.write."""
    out_dir = user_path(out_dir)
    marker = out_dir / MARKER
    if not marker.is_file():
        raise fail(f"{str(out_dir)!r} is not an rtl4ml output directory (no {MARKER}); run rtl4ml convert first")
    summary = json.loads(marker.read_text())
    config = load_config({"HLSConfig": summary.get("config", {}), **summary.get("project_config", {})})
    return Design(load_graph(out_dir / IR_FILE), config, out_dir)


def config_from_keras_model(model, granularity: str = "model", precision: str = "ap_fixed<16,6>",
                            reuse_factor: int = 1, weights=None, input_shape=None) -> dict:
    """A starting hls4ml-style config for `model` (anything `convert` takes), for the user to edit."""
    from .config import config_from_model_spec

    return config_from_model_spec(_model_spec(model, weights, input_shape), granularity, precision, reuse_factor)
