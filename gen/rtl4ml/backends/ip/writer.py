"""Write OUTDIR/ip/: the core as a self-contained IP a firmware engineer can drop into a board.

The folder holds the Verilog sources and filelists, two adapters (ap_ctrl_hs block handshake,
fixed-latency valid-in/valid-out), a VHDL package and wrapper, a Vivado packaging script with the
clock constraint, test vectors (npy, hex, EMP pattern files) and a datasheet. Latency, interval and
resources come from the planned core, or from the last simulation and report when given.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import jinja2
import numpy as np

from ...resources import rtl_dir, rtl_templates_dir
from ..identifiers import comment_text, vhdl_name_problem
from ..rtl.writer import RtlCore
from ..vhdl.writer import package_values, write_vectors
from .patterns import write_pattern_file

ADAPTERS = ("ap_ctrl_hs_adapter.v", "valid_stream_adapter.v")


@dataclass
class IpFacts:
    """What the datasheet states beyond the planned core: measured figures when they exist."""

    measured_latency: int | None = None
    measured_interval: int | None = None
    resources: dict | None = None  # report.json: LUT, FF, DSP, BRAM_18K, part, source
    clock_period: float = 5.0
    part: str = "xcvu9p-flga2577-2-e"


@functools.lru_cache(maxsize=None)  # one per process: jinja2 compiles each template once per environment
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(rtl_templates_dir() / "ip")),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["comment"] = comment_text  # names from user files never reach code unescaped
    return env


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


def prepare_folder(out_dir: Path, rtl_sources: list[Path], vhdl_sources: list[Path]) -> tuple[list[str], list[str]]:
    """An empty OUTDIR/ip with its subfolders and the core's sources copied in; their paths relative to it."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    for sub in ("rtl", "vhdl", "vivado", "vectors"):
        (out_dir / sub).mkdir(parents=True)
    copied = {"rtl": [], "vhdl": []}
    for sub, sources in (("rtl", rtl_sources), ("vhdl", vhdl_sources)):
        for source in sources:
            shutil.copyfile(source, out_dir / sub / source.name)
            copied[sub].append(f"{sub}/{source.name}")
    return copied["rtl"], copied["vhdl"]


def write_filelist(path: Path, names: list[str]) -> None:
    path.write_text("".join(f"{name}\n" for name in names))


def write_vivado(env: jinja2.Environment, out_dir: Path, values: dict, sources: list[str], description: str) -> None:
    """The packaging script and the clock constraint (vivado/)."""
    (out_dir / "vivado" / "package_ip.tcl").write_text(env.get_template("package_ip.tcl.j2").render(
        **values, sources=sources, description=description))
    (out_dir / "vivado" / f"{values['top']}.xdc").write_text(env.get_template("constraints.xdc.j2").render(**values))


def datasheet_facts(ir_file: Path, vhdl_problem: str | None, interval_text: str, facts: IpFacts) -> dict:
    """What both datasheets state alike: the model's hash, the interval (with the last simulation's), why no VHDL."""
    if facts.measured_interval is not None:
        interval_text += f"; the last simulation measured {facts.measured_interval}"
    return {"model_hash": hashlib.sha256(Path(ir_file).read_bytes()).hexdigest()[:16], "interval_text": interval_text,
            "resources": _resources_text(facts),
            "vhdl_note": "" if vhdl_problem is None else f"No VHDL files: the project name cannot be used in VHDL "
            f"({vhdl_problem}); choose another ProjectName to get them."}


def write_ip(core: RtlCore, rtl_sources: list[Path], vhdl_sources: list[Path], ir_file: Path, out_dir: Path,
             input_codes: np.ndarray, expected_codes: np.ndarray, facts: IpFacts) -> Path:
    """Fill out_dir (OUTDIR/ip) from the written core (Verilog and, when the project name allows, VHDL)."""
    graph = core.graph
    core_files, vhdl_files = prepare_folder(out_dir, rtl_sources, vhdl_sources)
    values = package_values(core) | {"clock_period": facts.clock_period, "part": facts.part,
                                     "vhdl_files": vhdl_files}
    env = _environment()
    adapter_files = []
    for adapter in ADAPTERS:
        shutil.copyfile(rtl_dir() / adapter, out_dir / "rtl" / adapter)
        adapter_files.append(f"rtl/{adapter}")
    for template, name in (("ap_ctrl.v.j2", f"{core.top}_ap_ctrl.v"), ("valid.v.j2", f"{core.top}_valid.v")):
        (out_dir / "rtl" / name).write_text(env.get_template(template).render(**values))
        adapter_files.append(f"rtl/{name}")
    write_filelist(out_dir / f"{core.top}.f", core_files)
    write_filelist(out_dir / f"{core.top}_adapters.f", adapter_files)
    (out_dir / f"{core.top}_params.vh").write_text(env.get_template("params.vh.j2").render(**values))
    (out_dir / f"{core.top}_inst.vh").write_text(env.get_template("instantiation.vh.j2").render(**values))
    vhdl_problem = vhdl_name_problem(core.top)
    if vhdl_problem is None:
        write_filelist(out_dir / f"{core.top}_vhdl.f", vhdl_files)
        (out_dir / "vhdl" / f"{core.top}_wrapper.vhd").write_text(env.get_template("wrapper.vhd.j2").render(**values))
    write_vivado(env, out_dir, values, core_files,
                 f"{graph.name}: {graph.n_in} -> {graph.n_out}, latency {core.latency}, II {core.interval}")
    vectors = out_dir / "vectors"
    np.save(vectors / "inputs.npy", input_codes)
    np.save(vectors / "expected.npy", expected_codes)
    write_vectors(core, vectors, input_codes, expected_codes)
    write_pattern_file(vectors / "inputs_emp.txt", input_codes, core.input_widths, f"{core.top} inputs")
    write_pattern_file(vectors / "expected_emp.txt", expected_codes, core.output_widths,
                       f"{core.top} expected outputs")
    interval_text = "one event per clock" if core.interval == 1 else f"one event every {core.interval} clocks"
    datasheet = env.get_template("datasheet.md.j2").render(
        **values, **datasheet_facts(ir_file, vhdl_problem, interval_text, facts),
        layers=" → ".join(" + ".join(layer.name for layer in block.layers) for block in core.blocks),
        latency_source=_latency_source(core.latency, facts.measured_latency), events=len(input_codes),
        carry_chain=core.carry_chain)
    (out_dir / "README.md").write_text(datasheet)
    return out_dir
