"""VUnit run script of the hand-written VHDL primitives (rtl/vhdl/), on GHDL.

Each primitive's testbench (tb/vhdl/tb_<primitive>.vhd) gets one VUnit configuration per parameter set of
its Verilog twin's cocotb test (rtl4ml.tb.vectors), with the vectors written here from the same Python
reference. Usual VUnit arguments apply:

    python tb/vhdl/run_primitives.py --output-path sim/build/tb/vhdl -p 2 'lib.tb_requantize.*'

RTL4ML_VHDL_PRIMITIVES names another folder of primitives to test (bench/mutation_vhdl.py points it at mutants).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from vunit import VUnit

from rtl4ml.resources import rtl_dir
from rtl4ml.tb.vectors import (ADD3_CASES, AP_CTRL_CASES, AXIS_CONTROL_CASES, FIFO_CASES, LOOKUP_TABLE_CASES,
                               LUT_MULTIPLIER_CASES, PIPE_REG_CASES, REDUCTION_TREE_CASES, REQUANTIZE_CASES,
                               REVERSE_CASES, SKID_BUFFER_CASES, UPSAMPLE_CASES, VALID_STREAM_CASES,
                               WINDOW_BUFFER_CASES, add3_vectors, ap_ctrl_vectors, axis_control_vectors, case_id,
                               delay_line_vectors, fifo_vectors, lookup_table_contents, lut_multiplier_vectors,
                               reduction_reference, requantize_vectors, reverse_vectors, skid_buffer_vectors,
                               upsample_vectors, valid_stream_vectors, window_buffer_vectors)


HERE = Path(__file__).resolve().parent


def bits(code: int, width: int) -> str:
    return format(code & ((1 << width) - 1), f"0{width}b")


def write_lookup_table_contents(folder: Path, parameters: dict) -> Path:
    path = folder / f"lookup_table-{case_id(parameters)}.txt"
    width = parameters["DATA_WIDTH"]
    path.write_text("".join(f"{bits(entry, width)}\n" for entry in lookup_table_contents(parameters)))
    return path


# A cycle-accurate model's ports: (row key, width parameter or None for one bit), column 0 at bit 0 of the packed
# vector the testbench maps onto the DUT (tb_clocked_pkg.play_cycle_model); outputs compared on `checked` rows,
# those in ONLY_WHEN only where the row's other key is 1.
DELAY_LINE_PORTS = ((("ce", None), ("in_data", "IN_BITS")), (("out_data", "OUT_BITS"),))
AXIS_CONTROL_PORTS = ((("rst", None), ("s_valid", None), ("s_last", None), ("m_ready", None)),
                      (("s_ready", None), ("m_valid", None), ("m_last", None), ("ce", None),
                       ("stage_valid", "LATENCY")))
VALID_STREAM_PORTS = ((("rst", None), ("in_valid", None), ("in_data", "IN_WIDTH"), ("s_ready", None),
                       ("m_data", "OUT_WIDTH"), ("m_valid", None)),
                      (("out_valid", None), ("out_data", "OUT_WIDTH"), ("overrun", None), ("s_data", "IN_WIDTH"),
                       ("s_valid", None), ("s_last", None), ("m_ready", None)))
AP_CTRL_PORTS = ((("rst", None), ("start", None), ("in_data", "IN_WIDTH"), ("s_ready", None), ("m_data", "OUT_WIDTH"),
                  ("m_valid", None)),
                 (("ready", None), ("done", None), ("idle", None), ("out_data", "OUT_WIDTH"), ("out_vld", None),
                  ("s_data", "IN_WIDTH"), ("s_valid", None), ("s_last", None), ("m_ready", None)))
# requantize and add3 are combinational: their rows are checked before the (unconnected) clock rises, as a clocked
# model's
REQUANTIZE_PORTS = ((("in_data", "IN_WIDTH"),), (("out_data", "OUT_WIDTH"),))
ADD3_PORTS = ((("x", "WIDTH"), ("y", "WIDTH"), ("z", "WIDTH")), (("sum", "WIDTH"),))
LUT_MULTIPLIER_PORTS = ((("a", "A_WIDTH"), ("b", "B_WIDTH")), (("p", "P_WIDTH"),))
SKID_BUFFER_PORTS = ((("rst", None), ("s_valid", None), ("s_data", "DATA_WIDTH"), ("s_last", None), ("m_ready", None)),
                     (("s_ready", None), ("m_valid", None), ("m_data", "DATA_WIDTH"), ("m_last", None)))
WINDOW_BUFFER_PORTS = ((("rst", None), ("s_valid", None), ("s_data", "PIXEL_BITS"), ("m_ready", None)),
                       (("s_ready", None), ("m_valid", None), ("m_data", "WINDOW_BITS"), ("m_last", None)))
UPSAMPLE_PORTS = ((("rst", None), ("s_valid", None), ("s_data", "PIXEL_BITS"), ("m_ready", None)),
                  (("s_ready", None), ("m_valid", None), ("m_data", "PIXEL_BITS"), ("m_last", None)))
ONLY_WHEN = {"m_last": "m_valid", "m_data": "m_valid"}


def _packed(values: list[tuple[int, int]]) -> str:
    """(value, width) pairs as one bit string, the first pair in the lowest bits."""
    return "".join(bits(value, width) for value, width in reversed(values))


def _write_cycle_model(path: Path, rows: list[dict], ports, parameters: dict) -> Path:
    inputs, outputs = ([(key, 1 if width is None else parameters[width]) for key, width in side] for side in ports)
    lines = []
    for row in rows:
        mask = [((1 << width) - 1 if row["checked"] and (key not in ONLY_WHEN or row[ONLY_WHEN[key]]) else 0, width)
                for key, width in outputs]
        lines.append(f"{_packed([(row[key], width) for key, width in inputs])} "
                     f"{_packed([(row[key], width) for key, width in outputs])} {_packed(mask)}\n")
    path.write_text("".join(lines))
    return path


def write_requantize_vectors(folder: Path, parameters: dict) -> Path:
    codes, expected = requantize_vectors(parameters)
    rows = [{"in_data": x, "out_data": y, "checked": True} for x, y in zip(codes.tolist(), expected.tolist())]
    return _write_cycle_model(folder / f"requantize-{case_id(parameters)}.txt", rows, REQUANTIZE_PORTS, parameters)


def write_pipe_reg_vectors(folder: Path, parameters: dict) -> Path:
    rows = delay_line_vectors(parameters["STAGES"], parameters["WIDTH"])
    return _write_cycle_model(folder / f"pipe_reg-{case_id(parameters)}.txt", rows, DELAY_LINE_PORTS,
                              dict(parameters, IN_BITS=parameters["WIDTH"], OUT_BITS=parameters["WIDTH"]))


def write_reduction_tree_vectors(folder: Path, parameters: dict) -> Path:
    width, n = parameters["WIDTH"], parameters["N"]
    rows = delay_line_vectors(bin(parameters["REG_MASK"]).count("1"), n * width,
                              function=reduction_reference(parameters))
    return _write_cycle_model(folder / f"reduction_tree-{case_id(parameters)}.txt", rows, DELAY_LINE_PORTS,
                              dict(parameters, IN_BITS=n * width, OUT_BITS=width))


def write_axis_control_vectors(folder: Path, parameters: dict) -> Path:
    rows = axis_control_vectors(parameters["LATENCY"], parameters["INTERVAL"])
    return _write_cycle_model(folder / f"axis_control-{case_id(parameters)}.txt", rows, AXIS_CONTROL_PORTS, parameters)


def write_valid_stream_vectors(folder: Path, parameters: dict) -> Path:
    rows = valid_stream_vectors(parameters["IN_WIDTH"], parameters["OUT_WIDTH"])
    return _write_cycle_model(folder / f"valid_stream-{case_id(parameters)}.txt", rows, VALID_STREAM_PORTS, parameters)


def write_add3_vectors(folder: Path, parameters: dict) -> Path:
    rows = [{"x": x, "y": y, "z": z, "sum": total, "checked": True} for x, y, z, total in add3_vectors(parameters)]
    return _write_cycle_model(folder / f"add3-{case_id(parameters)}.txt", rows, ADD3_PORTS, parameters)


def write_lut_multiplier_vectors(folder: Path, parameters: dict) -> Path:
    rows = [{"a": a, "b": b, "p": p, "checked": True} for a, b, p in lut_multiplier_vectors(parameters)]
    return _write_cycle_model(folder / f"lut_multiplier-{case_id(parameters)}.txt", rows, LUT_MULTIPLIER_PORTS,
                              dict(parameters, P_WIDTH=parameters["A_WIDTH"] + parameters["B_WIDTH"]))


def write_ap_ctrl_vectors(folder: Path, parameters: dict) -> Path:
    rows = ap_ctrl_vectors(parameters["IN_WIDTH"], parameters["OUT_WIDTH"], parameters["MAX_IN_FLIGHT"])
    return _write_cycle_model(folder / f"ap_ctrl-{case_id(parameters)}.txt", rows, AP_CTRL_PORTS, parameters)


def write_skid_buffer_vectors(folder: Path, parameters: dict) -> Path:
    rows = skid_buffer_vectors(parameters["DATA_WIDTH"])
    return _write_cycle_model(folder / f"skid_buffer-{case_id(parameters)}.txt", rows, SKID_BUFFER_PORTS, parameters)


def write_fifo_vectors(folder: Path, parameters: dict) -> Path:
    rows = fifo_vectors(parameters["DEPTH"], parameters["DATA_WIDTH"])
    return _write_cycle_model(folder / f"fifo-{case_id(parameters)}.txt", rows, SKID_BUFFER_PORTS, parameters)


def write_upsample_vectors(folder: Path, parameters: dict) -> Path:
    widths = dict(parameters, PIXEL_BITS=parameters["CHANNELS"] * parameters["WIDTH"])
    return _write_cycle_model(folder / f"upsample-{case_id(parameters)}.txt", upsample_vectors(parameters),
                              UPSAMPLE_PORTS, widths)


def write_reverse_vectors(folder: Path, parameters: dict) -> Path:
    widths = dict(parameters, PIXEL_BITS=parameters["CHANNELS"] * parameters["WIDTH"])
    return _write_cycle_model(folder / f"reverse-{case_id(parameters)}.txt", reverse_vectors(parameters),
                              UPSAMPLE_PORTS, widths)


def write_window_buffer_vectors(folder: Path, parameters: dict) -> Path:
    pixel = parameters["CHANNELS"] * parameters["WIDTH"]
    widths = dict(parameters, PIXEL_BITS=pixel, WINDOW_BITS=pixel * parameters["KERNEL_ROWS"] * parameters["KERNEL_COLS"])
    return _write_cycle_model(folder / f"window_buffer-{case_id(parameters)}.txt", window_buffer_vectors(parameters),
                              WINDOW_BUFFER_PORTS, widths)


# testbench -> (parameter sets, writer of one set's file, the generic naming that file)
BENCHES = {
    "tb_requantize": (REQUANTIZE_CASES, write_requantize_vectors, "vectors"),
    "tb_pipe_reg": (PIPE_REG_CASES, write_pipe_reg_vectors, "vectors"),
    "tb_lookup_table": (LOOKUP_TABLE_CASES, write_lookup_table_contents, "contents"),
    "tb_reduction_tree": (REDUCTION_TREE_CASES, write_reduction_tree_vectors, "vectors"),
    "tb_axis_pipeline_control": (AXIS_CONTROL_CASES, write_axis_control_vectors, "vectors"),
    "tb_valid_stream_adapter": (VALID_STREAM_CASES, write_valid_stream_vectors, "vectors"),
    "tb_ap_ctrl_hs_adapter": (AP_CTRL_CASES, write_ap_ctrl_vectors, "vectors"),
    "tb_add3": (ADD3_CASES, write_add3_vectors, "vectors"),
    "tb_lut_multiplier": (LUT_MULTIPLIER_CASES, write_lut_multiplier_vectors, "vectors"),
    "tb_axis_skid_buffer": (SKID_BUFFER_CASES, write_skid_buffer_vectors, "vectors"),
    "tb_axis_fifo": (FIFO_CASES, write_fifo_vectors, "vectors"),
    "tb_upsample_buffer": (tuple(UPSAMPLE_CASES.values()), write_upsample_vectors, "vectors"),
    "tb_reverse_buffer": (tuple(REVERSE_CASES.values()), write_reverse_vectors, "vectors"),
    "tb_window_buffer": (tuple(WINDOW_BUFFER_CASES.values()), write_window_buffer_vectors, "vectors"),
}


def main(argv: list[str]) -> None:
    vu = VUnit.from_argv(argv=argv, compile_builtins=False)
    vu.add_vhdl_builtins()
    lib = vu.add_library("lib")
    primitives = Path(os.environ.get("RTL4ML_VHDL_PRIMITIVES", rtl_dir() / "vhdl"))
    lib.add_source_files(str(primitives / "*.vhd"))
    lib.add_source_files(str(HERE / "tb_*.vhd"))
    vectors = Path(vu._output_path) / "vectors"  # noqa: SLF001 - VUnit keeps its --output-path here
    vectors.mkdir(parents=True, exist_ok=True)
    for bench_name, (cases, write, generic) in BENCHES.items():
        bench = lib.test_bench(bench_name)
        for parameters in cases:
            bench.add_config(name=case_id(parameters),
                             generics=dict(parameters, **{generic: str(write(vectors, parameters))}))
    vu.set_compile_option("ghdl.a_flags", ["--std=08"])
    vu.main()


if __name__ == "__main__":
    main(sys.argv[1:])
