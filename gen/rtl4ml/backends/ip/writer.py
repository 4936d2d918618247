"""Write OUTDIR/ip/: the core as a self-contained IP a firmware engineer can drop into a board.

The folder holds the Verilog sources and filelists, two adapters (ap_ctrl_hs block handshake,
fixed-latency valid-in/valid-out), a VHDL package and wrapper, a Vivado packaging script with the
clock constraint, test vectors (npy, hex, EMP pattern files) and a datasheet. Latency, interval and
resources come from the planned core, or from the last simulation and report when given.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import jinja2
import numpy as np

from ... import __version__
from ...bus import encode_fields
from ...resources import rtl_dir, rtl_templates_dir
from ..identifiers import comment_text
from ..rtl.writer import RtlCore
from .patterns import write_pattern_file

ADAPTERS = ("ap_ctrl_hs_adapter.v", "valid_stream_adapter.v")
_VHDL_RESERVED = set("""
abs access after alias all and architecture array assert attribute begin block body buffer bus case component
configuration constant disconnect downto else elsif end entity exit file for function generate generic group
guarded if impure in inertial inout is label library linkage literal loop map mod nand new next nor not null of
on open or others out package port postponed procedure process pure range record register reject rem report
return rol ror select severity signal shared sla sll sra srl subtype then to transport type unaffected units until
use variable wait when while with xnor xor context force parameter release default sequence property
""".split())


@dataclass
class IpFacts:
    """What the datasheet states beyond the planned core: measured figures when they exist."""

    measured_latency: int | None = None
    measured_interval: int | None = None
    resources: dict | None = None  # report.json: LUT, FF, DSP, BRAM_18K, part, source
    clock_period: float = 5.0
    part: str = "xcvu9p-flga2577-2-e"


def vhdl_name_problem(name: str) -> str | None:
    """Why `name` cannot be a VHDL identifier (None when it can)."""
    if not re.fullmatch(r"[A-Za-z](_?[A-Za-z0-9])*", name):
        return "VHDL identifiers cannot start or end with '_' or contain '__'"
    if name.lower() in _VHDL_RESERVED:
        return f"{name!r} is a VHDL reserved word"
    return None


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(rtl_templates_dir() / "ip")),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["comment"] = comment_text  # names from user files never reach code unescaped
    return env


def _hex_lines(codes: np.ndarray, widths: list[int], beat_bits: int) -> str:
    digits = -(-beat_bits // 4)
    return "".join(f"{encode_fields(row, widths):0{digits}x}\n" for row in codes)


def _output_values(graph) -> list[dict]:
    """Per model output: its place in m_axis_tdata and the bits of each element (for the datasheet and packages)."""
    return [{"number": k, "name": field.name, "n": field.n, "type": field.type, "lsb": field.lsb,
             "shape_text": "(" + ", ".join(map(str, field.shape)) + ("," if len(field.shape) == 1 else "") + ")",
             "rows": [(j, field.lsb + (j + 1) * field.type.width - 1, field.lsb + j * field.type.width)
                      for j in range(field.n)]}
            for k, field in enumerate(graph.output_fields)]


def _resources_text(facts: IpFacts) -> str:
    r = facts.resources
    if not r:
        return "not yet measured: run `rtl4ml report OUTDIR` then `rtl4ml ip OUTDIR`"
    return (f"LUT {r['LUT']:,}, FF {r['FF']:,}, DSP {r['DSP']:,}, BRAM_18K {r['BRAM_18K']} on {r.get('Part', '?')} "
            f"({r.get('ResourceSource', 'report')})")


def _latency_source(planned: int, measured: int | None) -> str:
    if measured is None:
        return "planned pipeline depth; `rtl4ml sim` measures it"
    if measured == planned:
        return "measured in the last simulation, equal to the planned pipeline"
    return f"planned; the last simulation measured {measured} (under backpressure the latency grows)"


def write_ip(core: RtlCore, rtl_sources: list[Path], ir_file: Path, out_dir: Path, input_codes: np.ndarray,
             expected_codes: np.ndarray, facts: IpFacts) -> Path:
    """Fill out_dir (OUTDIR/ip) from the written core; return it."""
    graph = core.graph
    in_type, fields = graph.input.result_type, graph.output_fields
    out_type = fields[0].type if len({field.type for field in fields}) == 1 else None  # one type for every output
    if out_dir.exists():
        shutil.rmtree(out_dir)
    for sub in ("rtl", "vhdl", "vivado", "vectors"):
        (out_dir / sub).mkdir(parents=True)
    core_files = []
    for source in rtl_sources:
        shutil.copyfile(source, out_dir / "rtl" / source.name)
        core_files.append(f"rtl/{source.name}")
    values = {
        "version": __version__, "model_name": graph.name, "top": core.top, "TOP": core.top.upper(),
        "n_in": graph.n_in, "n_out": graph.n_out, "in_type": in_type, "out_type": out_type,
        "outputs": _output_values(graph), "out_bits": sum(field.bits for field in fields),
        "in_shape_text": "(" + ", ".join(map(str, graph.input.shape)) + ("," if len(graph.input.shape) == 1 else "") + ")",
        # the tensor index of each input, for shaped inputs (a flat vector's index is its number)
        "in_elements": [] if len(graph.input.shape) == 1 else
        ["(" + ", ".join(map(str, index)) + ")" for index in np.ndindex(*graph.input.shape)],
        "s_width": core.s_width, "m_width": core.m_width, "latency": core.latency, "interval": core.interval,
        "clock_period": facts.clock_period, "part": facts.part,
    }
    env = _environment()
    adapter_files = []
    for adapter in ADAPTERS:
        shutil.copyfile(rtl_dir() / adapter, out_dir / "rtl" / adapter)
        adapter_files.append(f"rtl/{adapter}")
    for template, name in (("ap_ctrl.v.j2", f"{core.top}_ap_ctrl.v"), ("valid.v.j2", f"{core.top}_valid.v")):
        (out_dir / "rtl" / name).write_text(env.get_template(template).render(**values))
        adapter_files.append(f"rtl/{name}")
    (out_dir / f"{core.top}.f").write_text("".join(f"{name}\n" for name in core_files))
    (out_dir / f"{core.top}_adapters.f").write_text("".join(f"{name}\n" for name in adapter_files))
    (out_dir / f"{core.top}_params.vh").write_text(env.get_template("params.vh.j2").render(**values))
    (out_dir / f"{core.top}_inst.vh").write_text(env.get_template("instantiation.vh.j2").render(**values))
    vhdl_problem = vhdl_name_problem(core.top)
    if vhdl_problem is None:
        (out_dir / "vhdl" / f"{core.top}_pkg.vhd").write_text(env.get_template("pkg.vhd.j2").render(**values))
        (out_dir / "vhdl" / f"{core.top}_wrapper.vhd").write_text(env.get_template("wrapper.vhd.j2").render(**values))
    description = f"{graph.name}: {graph.n_in} -> {graph.n_out}, latency {core.latency}, II {core.interval}"
    (out_dir / "vivado" / "package_ip.tcl").write_text(env.get_template("package_ip.tcl.j2").render(
        **values, sources=core_files, description=description))
    (out_dir / "vivado" / f"{core.top}.xdc").write_text(env.get_template("constraints.xdc.j2").render(**values))
    vectors = out_dir / "vectors"
    np.save(vectors / "inputs.npy", input_codes)
    np.save(vectors / "expected.npy", expected_codes)
    in_widths, out_widths = [in_type.width] * graph.n_in, [t.width for t in graph.output_types]
    (vectors / "inputs.hex").write_text(_hex_lines(input_codes, in_widths, core.s_width))
    (vectors / "expected.hex").write_text(_hex_lines(expected_codes, out_widths, core.m_width))
    write_pattern_file(vectors / "inputs_emp.txt", input_codes, in_widths, f"{core.top} inputs")
    write_pattern_file(vectors / "expected_emp.txt", expected_codes, out_widths, f"{core.top} expected outputs")
    interval_text = "one event per clock" if core.interval == 1 else f"one event every {core.interval} clocks"
    if facts.measured_interval is not None:
        interval_text += f"; the last simulation measured {facts.measured_interval}"
    datasheet = env.get_template("datasheet.md.j2").render(
        **values, model_hash=hashlib.sha256(Path(ir_file).read_bytes()).hexdigest()[:16],
        layers=" → ".join(" + ".join(layer.name for layer in block.layers) for block in core.blocks),
        latency_source=_latency_source(core.latency, facts.measured_latency), interval_text=interval_text,
        resources=_resources_text(facts), events=len(input_codes),
        vhdl_note="" if vhdl_problem is None else f"No VHDL files: the project name cannot be used in VHDL "
        f"({vhdl_problem}); choose another ProjectName to get them.")
    (out_dir / "README.md").write_text(datasheet)
    return out_dir
