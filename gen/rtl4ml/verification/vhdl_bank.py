"""Run the VHDL cores of many written designs in one VUnit session (GHDL): the hand-written primitives and VUnit's
own libraries compile once, each core and its generated testbench once; every testbench streams its design's
events and records its handshakes, which stream_check judges against the golden outputs as for the Verilog bank.
"""

from __future__ import annotations

from contextlib import redirect_stdout
from pathlib import Path

import numpy as np

from ..backends.stream.writer import ALL_PRIMITIVES as STREAM_PRIMITIVES
from ..backends.vhdl.stream_writer import write_stream_vectors
from ..backends.vhdl.writer import COMPILE_ORDER, VHDL_PRIMITIVES, VUNIT_LIBRARY, vhdl_twin, write_vectors
from ..errors import fail
from ..simulation.frame_check import describe_frames
from ..simulation.stream_check import describe
from ..simulation.vhdl_run import judge_frames, judge_record

# every hand-written primitive a core may list: compiled once, with the first core
SHARED_FILES = set(VHDL_PRIMITIVES) | {vhdl_twin(name) for name in STREAM_PRIMITIVES}


def per_mille(probability: float) -> int:
    """The testbench takes probabilities in per mille (GHDL overrides no real generics)."""
    return round(probability * 1000)


def run_vhdl_bank(designs: list, codes: list[np.ndarray], expected: list[np.ndarray], work_dir: Path,
                  idle: float = 0.0, backpressure: float = 0.0, seed: int = 0) -> list[dict]:
    """Per design: the VHDL core's results (stream_check keys; frame_check's for io_stream designs) on its codes;
    designs must be written (OUTDIR/vhdl)."""
    from vunit import VUnit

    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    with (work_dir / "vunit.log").open("w") as log, redirect_stdout(log):
        # --clean: each bank is a new set of designs, and a library left by another set (or by a run that stopped
        # in a compile error) can hold entities whose sources are gone
        vu = VUnit.from_argv(argv=["--output-path", str(work_dir / "vunit"), "--no-color", "-p", "2", "--clean"],
                             compile_builtins=False)
        vu.add_vhdl_builtins()
        lib = vu.add_library(VUNIT_LIBRARY)
        records, compiled = [], set()
        for index, design in enumerate(designs):
            vhdl = Path(design.out_dir) / "vhdl"
            names = (vhdl / COMPILE_ORDER).read_text().split()
            lib.add_source_files([vhdl / name for name in names if name not in compiled])
            compiled |= SHARED_FILES & set(names)
            lib.add_source_file(vhdl / "tb" / f"tb_{design.core.top}.vhd")
            vectors = work_dir / design.core.top
            (write_stream_vectors if design.streamed else write_vectors)(design.core, vectors, codes[index],
                                                                         expected[index])
            records.append(vectors / "handshakes.txt")
            records[-1].unlink(missing_ok=True)
            bench = lib.test_bench(f"tb_{design.core.top}")
            beats = len(codes[index]) * (design.core.in_shape.pixels if design.streamed else 1)
            for name, value in {"inputs": vectors / "inputs.hex", "expected": vectors / "expected.hex",
                                "events": beats, "handshakes": records[-1], "idle": per_mille(idle),
                                "backpressure": per_mille(backpressure), "seed": seed + index + 1,
                                "timeout": len(codes[index]) * 50 * design.interval + 1000}.items():
                bench.set_generic(name, str(value) if isinstance(value, Path) else value)
        vu.set_sim_option("ghdl.sim_flags", ["--ieee-asserts=disable"])
        try:
            vu.main()
        except SystemExit:  # VUnit exits with its verdict; the records are judged below
            pass
    verdicts = []
    for design, record, want in zip(designs, records, expected):
        if not record.is_file():
            raise fail(f"VUnit produced no handshake record for {design.core.top}; see {work_dir / 'vunit.log'}")
        if design.streamed:
            results = judge_frames(record, design.out_dir, want)
            results["problems"] = describe_frames(results)
        else:
            results = judge_record(record, design.out_dir, want)
            results["problems"] = describe(results)
        verdicts.append(results)
    return verdicts
