"""The rtl4ml command line: config, convert, predict, sim, csim, report, ip, scan.

Every user error is one line on stderr ("rtl4ml: error: ...") and exit code 2; a failed
simulation (mismatch or protocol error) exits 1. Set RTL4ML_DEBUG=1 for tracebacks.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import yaml

from .arrays import load_array
from .errors import Rtl4mlError, fail

EXIT_FAILED_CHECK = 1
EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 3


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"rtl4ml: warning: {message}", file=sys.stderr)


def _cmd_config(args) -> int:
    from .design import config_from_keras_model

    config = config_from_keras_model(args.model, args.granularity, args.precision, args.reuse, args.weights)
    text = yaml.safe_dump(config, sort_keys=False)
    if args.output:
        Path(args.output).write_text(text)
        print(f"wrote {args.output}")
    else:
        print(text, end="")
    return 0


def _cmd_convert(args) -> int:
    from .design import convert

    design = convert(args.model, args.config, args.weights, calibrate=args.calibrate)
    out_dir = design.write(args.output, force=args.force)
    core = design.core
    print(f"wrote {out_dir}: top module {core.top}, {design.graph.n_in} inputs -> {design.graph.n_out} outputs, "
          f"latency {core.latency} cycles, II {core.interval}")
    return 0


def _cmd_predict(args) -> int:
    from .design import load_design

    design = load_design(args.outdir)
    X = load_array(args.input)
    if args.codes:
        result = design.predict_codes(X)
    else:
        result = design.predict(X)
    np.save(args.output, result)
    print(f"wrote {args.output}: {result.shape[0]} events x {result.shape[1]} outputs")
    return 0


def _cmd_sim(args) -> int:
    from .design import load_design
    from .simulation.report import summary_lines

    design = load_design(args.outdir)
    X = _pattern_inputs(design, args.input) if args.input.endswith(".txt") else load_array(args.input)
    if args.hdl == "vhdl":
        if args.waves:
            raise fail("--waves is for the Verilog simulation; for the VHDL core, run OUTDIR/vhdl/run.py with "
                       "VUnit's own --gui option")
        results = design.simulate_vhdl(X, idle=args.idle, backpressure=args.backpressure, seed=args.seed,
                                       output=args.output)
        results_file = design.out_dir / "sim" / "vhdl" / "results.json"
    else:
        results = design.simulate(X, idle=args.idle, backpressure=args.backpressure, waves=args.waves,
                                  output=args.output, seed=args.seed)
        results_file = design.out_dir / "sim" / "results.json"
    for line in summary_lines(results):
        print(line)
    print(f"results: {results_file}")
    return 0 if results["passed"] else EXIT_FAILED_CHECK


def _pattern_inputs(design, path: str) -> np.ndarray:
    """Inputs from an EMP pattern file (as written in OUTDIR/ip/vectors), as exact real values."""
    from .backends.ip.patterns import read_pattern_file

    t = design.graph.input.result_type
    if not design.streamed:
        return read_pattern_file(Path(path), design.graph.n_in, t.width, t.signed).astype(np.float64) * 2.0**-t.frac
    frame = design.core.in_shape  # a beat per pixel, a frame of them per event
    beats = read_pattern_file(Path(path), frame.channels, t.width, t.signed)
    if len(beats) % frame.pixels:
        raise fail(f"{path}: {len(beats)} valid beats are not whole frames of {frame.pixels} pixels")
    return beats.reshape((-1,) + tuple(design.graph.input.shape)).astype(np.float64) * 2.0**-t.frac


def _cmd_csim(args) -> int:
    from .design import load_design

    design = load_design(args.outdir)
    results = design.csim(load_array(args.input), output=args.output)
    rate = results["events_per_s"]
    print(f"events:       {results['events']}")
    print(f"mismatches:   {results['mismatches']}")
    print(f"compile time: {results['compile_time_s']:.1f} s" + (" (cached)" if results["compile_time_s"] == 0 else ""))
    print(f"run time:     {results['run_time_s']:.2f} s ({rate:,.0f} events/s)" if rate else "")
    for problem in results["problems"][:10]:
        print(f"  {problem}")
    print("PASS: bit-exact with the golden model" if results["passed"] else "FAIL")
    return 0 if results["passed"] else EXIT_FAILED_CHECK


def _cmd_report(args) -> int:
    from .design import load_design
    from .report.parts import PARTS

    if args.list_parts:
        for part in PARTS.values():
            print(f"{part.name:<10} family {part.family:<5} LUT {part.LUT:>9,} FF {part.FF:>9,} DSP {part.DSP:>6,} "
                  f"BRAM_18K {part.BRAM_18K:>5,}")
        return 0
    if not args.outdir:
        raise fail("rtl4ml report needs OUTDIR (written by rtl4ml convert)")
    design = load_design(args.outdir)
    X = load_array(args.data) if args.data else None
    y = np.load(args.labels) if args.labels else None
    report = design.report(part=args.part, X=X, y=y, run_synthesis=not args.no_synth, workers=args.jobs,
                           thorough=args.thorough, progress=sys.stderr)
    print(f"{report['ProjectName']} on {report['Part']}: LUT {report['LUT']}, FF {report['FF']}, DSP {report['DSP']}, "
          f"BRAM_18K {report['BRAM_18K']} ({report['ResourceSource']})")
    if "Timing" in report:
        timing = report["Timing"]
        ends = ", " + " -> ".join(timing["worst_path"]) if timing["worst_path"] else ""
        print(f"worst register-to-register depth: {timing['worst_logic_depth']} cells in {timing['worst_layer']}{ends} "
              "(a proxy, not a timing sign-off)")
    print(f"latency: analytic {report['LatencyAnalytic']} cycles" + (
        f", simulated {report['LatencyMin']}..{report['LatencyMax']}, interval {report['IntervalMin']}..{report['IntervalMax']}"
        if "LatencyMin" in report else " (no simulation yet: rtl4ml sim)"))
    print(f"report: {design.out_dir / 'report' / 'report.html'} (.json, .md) in {report['ReportSeconds']:.1f} s")
    return 0


def _cmd_ip(args) -> int:
    from .design import load_design

    design = load_design(args.outdir)
    ip_dir = design.package_ip()
    print(f"wrote {ip_dir}: datasheet README.md, {design.core.top}.f, adapters, VHDL wrapper, Vivado Tcl, vectors")
    return 0


def _cmd_scan(args) -> int:
    from . import scans

    scan_dir = Path(args.target if args.resume else args.output or ".")
    try:
        if args.resume:
            frame = scans.resume(args.target, scheduler=args.scheduler, workers=args.workers)
        else:
            if not args.grid or not args.output:
                raise fail("rtl4ml scan MODEL needs --grid grid.yml and -o SCANDIR (or: rtl4ml scan SCANDIR --resume)")
            frame = scans.scan(args.target, args.grid, args.output, weights=args.weights, config=args.config,
                               data=args.data, labels=args.labels, scheduler=args.scheduler, workers=args.workers,
                               synth=args.synth, check_events=args.check_events, random_events=args.events,
                               seed=args.seed, force=args.force)
    except KeyboardInterrupt:
        if (scan_dir / "scan.json").is_file():
            print(f"\nrtl4ml: interrupted; the finished points are saved: rtl4ml scan {scan_dir} --resume",
                  file=sys.stderr)
        raise
    for line in frame.attrs["summary"]:
        print(line)
    for _, row in frame[frame["status"] != "ok"].head(10).iterrows():
        print(f"  point {row['point']}: {row['status']}: {row['error']}")
    print(f"results: {scan_dir / 'results.parquet'} (.csv), page {scan_dir / 'scan.html'}")
    return EXIT_FAILED_CHECK if (frame["status"] == "mismatch").any() else 0


MODEL_HELP = "model file: Keras .h5, .keras or .json (with --weights), or ONNX/QONNX .onnx (by content)"


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .scans.point import CHECK_EVENTS, RANDOM_EVENTS

    parser = argparse.ArgumentParser(prog="rtl4ml", description="Keras/QKeras and ONNX/QONNX models to bit-exact "
                                     "Verilog and VHDL cores, verified with open tools.")
    parser.add_argument("--version", action="version", version=f"rtl4ml {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    config = commands.add_parser("config", help="write a starting hls4ml-style config for a model")
    config.add_argument("model", help=MODEL_HELP)
    config.add_argument("--weights", help="weights .h5 for a .json architecture")
    config.add_argument("--granularity", choices=("model", "type", "name"), default="model",
                        help="one entry for the model, one per layer type, or one per layer")
    config.add_argument("--precision", default="ap_fixed<16,6>",
                        help="a type, or auto: result and accumulator types derived from value ranges")
    config.add_argument("--reuse", type=int, default=1, help="ReuseFactor: products per multiplier (II of the core)")
    config.add_argument("-o", "--output", help="YAML file to write (default: print)")
    config.set_defaults(handler=_cmd_config)

    convert = commands.add_parser("convert", help="convert a model into OUTDIR (IR, Verilog and VHDL cores, HLS C++, IP folder)")
    convert.add_argument("model", help=MODEL_HELP)
    convert.add_argument("--weights", help="weights .h5 for a .json architecture")
    convert.add_argument("-c", "--config", help="hls4ml-style YAML config")
    convert.add_argument("-o", "--output", required=True, help="output directory")
    convert.add_argument("--force", action="store_true", help="replace an OUTDIR that rtl4ml did not make")
    convert.add_argument("--calibrate", help=".npy inputs (real values) whose observed ranges, plus a margin, size "
                                             "the Precision: auto types (default: interval arithmetic, no overflow)")
    convert.set_defaults(handler=_cmd_convert)

    predict = commands.add_parser("predict", help="run the bit-exact golden model on an input array")
    predict.add_argument("outdir", help="a design folder written by rtl4ml convert")
    predict.add_argument("--input", required=True, help=".npy array [events, features] of real values")
    predict.add_argument("--output", required=True, help=".npy file for the outputs")
    predict.add_argument("--codes", action="store_true", help="write integer codes instead of real values")
    predict.set_defaults(handler=_cmd_predict)

    sim = commands.add_parser("sim", help="simulate the Verilog core (Verilator + cocotb) or the VHDL core "
                              "(VUnit + GHDL), bit-exact check")
    sim.add_argument("outdir", help="a design folder written by rtl4ml convert")
    sim.add_argument("--hdl", choices=("verilog", "vhdl"), default="verilog", help="which core to simulate")
    sim.add_argument("--input", required=True, help="inputs: .npy/.npz array, or an EMP pattern file (.txt)")
    sim.add_argument("--output", help=".npy file for the (checked) outputs")
    sim.add_argument("--waves", action="store_true", help="dump waveforms (VCD)")
    sim.add_argument("--idle", type=float, default=0.0, help="probability of an idle input cycle")
    sim.add_argument("--backpressure", type=float, default=0.0, help="probability of m_axis_tready low")
    sim.add_argument("--seed", type=int, default=0, help="seed of the idle and backpressure patterns")
    sim.set_defaults(handler=_cmd_sim)

    csim = commands.add_parser("csim", help="compile and run the HLS C++ (g++ + ap_types), bit-exact check")
    csim.add_argument("outdir", help="a design folder written by rtl4ml convert")
    csim.add_argument("--input", required=True, help=".npy array [events, features] of real values")
    csim.add_argument("--output", help=".npy file for the C simulation's outputs")
    csim.set_defaults(handler=_cmd_csim)

    report = commands.add_parser("report", help="resources (Yosys, analytic), timing proxy, latency, profiling")
    report.add_argument("outdir", nargs="?", help="a design folder written by rtl4ml convert")
    report.add_argument("--part", help="FPGA part (default: the config's Part, else xcvu9p)")
    report.add_argument("--data", help=".npy inputs for numerical profiling (and accuracy with --labels)")
    report.add_argument("--labels", help=".npy integer class labels for accuracy and ROC")
    report.add_argument("--no-synth", action="store_true", help="analytic estimate only (instant, no Yosys)")
    report.add_argument("--jobs", type=int, default=2, help="parallel Yosys runs")
    report.add_argument("--thorough", action="store_true",
                        help="Yosys's full LUT mapping (2-4x slower; ~10 %% fewer LUTs on products and "
                             "multiplexers, none on adder graphs)")
    report.add_argument("--list-parts", action="store_true", help="print the known parts and exit")
    report.set_defaults(handler=_cmd_report)

    ip = commands.add_parser("ip", help="rewrite OUTDIR/ip (IP folder and datasheet) with the last simulation and "
                                        "report figures")
    ip.add_argument("outdir", help="a design folder written by rtl4ml convert")
    ip.set_defaults(handler=_cmd_ip)

    scan = commands.add_parser("scan", help="design-space scan (precision x reuse x sparsity x budget) on Dask")
    scan.add_argument("target", help="the model file; with --resume, the SCANDIR to finish")
    scan.add_argument("--grid", help="YAML: axes, each a list (Precision, ReuseFactor, PipelineBudget, LutsPerDsp, "
                                     "Strategy, Sparsity, LayerName.<layer>.<key>), or a 'points:' list")
    scan.add_argument("-o", "--output", help="SCANDIR: results.parquet/.csv, scan.html, one file per point")
    scan.add_argument("--weights", help="weights .h5 for a .json architecture")
    scan.add_argument("-c", "--config", help="base hls4ml-style config; each point sets its axes on top")
    scan.add_argument("--data", help=".npy inputs to score on (default: N(0,1) vectors)")
    scan.add_argument("--labels", help=".npy integer class labels for accuracy and AUC")
    scan.add_argument("--synth", action="store_true", help="also run Yosys per point (cached by content)")
    where = scan.add_mutually_exclusive_group()
    where.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://HOST:8786)")
    where.add_argument("--workers", type=int, help="LocalCluster worker processes (default: one per core)")
    scan.add_argument("--check-events", type=int, default=CHECK_EVENTS, help="events per point through the RTL harness")
    scan.add_argument("--events", type=int, default=RANDOM_EVENTS, help="N(0,1) input vectors when no --data is given")
    scan.add_argument("--seed", type=int, default=0, help="random inputs and pruning tie-breaks")
    scan.add_argument("--resume", action="store_true", help="finish SCANDIR: run only the points without a row")
    scan.add_argument("--force", action="store_true", help="replace an existing SCANDIR")
    scan.set_defaults(handler=_cmd_scan)
    return parser


# Every argument that names a file or folder: resolved once, here, against the working directory
PATH_ARGUMENTS = ("model", "weights", "config", "output", "outdir", "input", "data", "labels", "grid", "target",
                  "calibrate")


def _resolve_paths(args) -> None:
    from .paths import user_path

    for name in PATH_ARGUMENTS:
        if getattr(args, name, None):
            setattr(args, name, str(user_path(getattr(args, name))))


def main(argv: list[str] | None = None) -> int:
    warnings.showwarning = _show_warning
    args = build_parser().parse_args(argv)
    try:
        _resolve_paths(args)
        return args.handler(args)
    except Rtl4mlError as exc:
        print(f"rtl4ml: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI promises one line, not a traceback
        if os.environ.get("RTL4ML_DEBUG"):
            raise
        print(f"rtl4ml: internal error: {exc.__class__.__name__}: {' '.join(str(exc).split())} "
              "(set RTL4ML_DEBUG=1 for a traceback)", file=sys.stderr)
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
