"""Write the VHDL-2008 core of a model: one entity per block from the same typed plans as the Verilog, the
hand-written primitives (rtl/vhdl/), a package with the core's constants, the top and a compile-order file.

Both languages print one planned core (backends/rtl/writer.py plan_core): widths, shifts, constants and
register placement come from the plans and the schedule; the templates in rtl/templates/vhdl only print them.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import jinja2
import numpy as np

from ... import __version__
from ...bus import hex_lines
from ...errors import fail
from ...resources import rtl_dir, rtl_templates_dir
from ..identifiers import comment_text, vhdl_name_problem
from ..rtl.block import packed_entries
from ..rtl.writer import PRIMITIVES, RtlCore, core_primitives, header_lines

COMPILE_ORDER = "compile_order.txt"
VUNIT_LIBRARY = "rtl4ml_core"  # the library run.py compiles the core into
def vhdl_twin(name: str) -> str:
    """The file of a hand-written Verilog primitive's VHDL twin (x.v -> x.vhd, in rtl/vhdl/)."""
    return name.removesuffix(".v") + ".vhd"


VHDL_PRIMITIVES = tuple(vhdl_twin(name) for name in PRIMITIVES)


def literal(value: int, width: int) -> str:
    """A VHDL-2008 sized bit-string literal: `value` in two's complement over `width` bits."""
    return f'{width}x"{value & ((1 << width) - 1):x}"'


def table_literal(entries, width: int) -> str:
    """Table contents as one literal, entry 0 in the least significant bits (lookup_table's CONTENTS)."""
    return literal(packed_entries(entries, width), len(entries) * width)


def mask(flags: list[bool]) -> int:
    """reduction_tree's REG_MASK generic: bit k set when level k + 1 ends in a register."""
    return sum(1 << k for k, flag in enumerate(flags) if flag)


@functools.lru_cache(maxsize=None)  # one per process: jinja2 compiles each template once per environment
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(rtl_templates_dir() / "vhdl")),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["comment"] = comment_text  # names from user files never reach code unescaped
    env.filters["literal"] = literal
    env.filters["table_literal"] = table_literal
    env.filters["mask"] = mask
    return env


def _shape_text(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def package_values(core: RtlCore) -> dict:
    """What the package (and the IP's datasheet and adapters) state about the core's ports and timing."""
    graph = core.graph
    in_type, fields = graph.input.result_type, graph.output_fields
    out_type = fields[0].type if len({field.type for field in fields}) == 1 else None  # one type for every output
    return {
        "version": __version__, "model_name": graph.name, "top": core.top, "TOP": core.top.upper(),
        "n_in": graph.n_in, "n_out": graph.n_out, "in_type": in_type, "out_type": out_type,
        "outputs": [{"number": k, "name": field.name, "n": field.n, "type": field.type, "lsb": field.lsb,
                     "shape_text": _shape_text(field.shape),
                     "rows": [(j, field.lsb + (j + 1) * field.type.width - 1, field.lsb + j * field.type.width)
                              for j in range(field.n)]}
                    for k, field in enumerate(fields)],
        "out_bits": core.out_bits,
        "in_shape_text": _shape_text(graph.input.shape),
        # the tensor index of each input, for shaped inputs (a flat vector's index is its number)
        "in_elements": [] if len(graph.input.shape) == 1 else
        ["(" + ", ".join(map(str, index)) + ")" for index in np.ndindex(*graph.input.shape)],
        "s_width": core.s_width, "m_width": core.m_width, "latency": core.latency, "interval": core.interval,
    }


def write_entity(block, top: str, out_dir: Path, common: dict) -> Path:
    """Render one block's entity as `<top>_<identifier>.vhd` in out_dir (the Verilog module's twin)."""
    entity = f"{top}_{block.identifier}"
    text = environment().get_template(f"{block.template}.vhd.j2").render(
        block=block, p=block.plan, module_name=entity, top=top, **block.register_context(), **common)
    (out_dir / f"{entity}.vhd").write_text(text)
    return out_dir / f"{entity}.vhd"


def copy_primitives(names, out_dir: Path) -> list[Path]:
    """The hand-written VHDL twins of the Verilog primitives `names` (x.v -> x.vhd) copied into out_dir."""
    targets = []
    for name in names:
        targets.append(out_dir / vhdl_twin(name))
        shutil.copyfile(rtl_dir() / "vhdl" / targets[-1].name, targets[-1])
    return targets


def write_vhdl_core(core: RtlCore, out_dir: Path, input_codes: np.ndarray, expected_codes: np.ndarray) -> list[Path]:
    """Render the core's VHDL into out_dir with its VUnit testbench (tb/, run.py) and example vectors (vectors/);
    return the core's sources in compile order (also in compile_order.txt)."""
    problem = vhdl_name_problem(core.top)
    if problem is not None:
        raise fail(f"config ProjectName {core.top!r} cannot name a VHDL entity ({problem})")
    out_dir.mkdir(parents=True, exist_ok=True)
    env = environment()
    values = package_values(core)
    common = {"version": __version__, "model_name": core.graph.name}
    sources = copy_primitives(core_primitives(core), out_dir)
    package = out_dir / f"{core.top}_pkg.vhd"
    package.write_text(env.get_template("pkg.vhd.j2").render(**values))
    sources.append(package)
    sources += [write_entity(block, core.top, out_dir, common) for block in core.blocks]
    top = out_dir / f"{core.top}.vhd"
    top.write_text(env.get_template("top.vhd.j2").render(
        top=core.top, TOP=core.top.upper(), blocks=core.blocks, schedule=core.schedule, latency=core.latency,
        interval=core.interval, n_in=core.graph.n_in, in_type=core.graph.input.result_type,
        out_bits=core.out_bits, s_width=core.s_width, m_width=core.m_width,
        input_identifier=core.input_identifier, header_lines=header_lines(core), **common))
    sources.append(top)
    (out_dir / COMPILE_ORDER).write_text("".join(f"{path.name}\n" for path in sources))
    (out_dir / "tb").mkdir(exist_ok=True)
    (out_dir / "tb" / f"tb_{core.top}.vhd").write_text(env.get_template("tb_core.vhd.j2").render(**values))
    (out_dir / "run.py").write_text(env.get_template("run.py.j2").render(**values, library=VUNIT_LIBRARY))
    write_vectors(core, out_dir / "vectors", input_codes, expected_codes)
    return sources


def write_vectors(core: RtlCore, folder: Path, input_codes: np.ndarray, expected_codes: np.ndarray) -> None:
    """inputs.hex / expected.hex: one s_axis / m_axis beat per event, as the testbench reads them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inputs.hex").write_text(hex_lines(input_codes, core.input_widths, core.s_width))
    (folder / "expected.hex").write_text(hex_lines(expected_codes, core.output_widths, core.m_width))
