"""Turn model and layer names into identifiers that are legal in Verilog, VHDL and C++.

Names come from user files, so they are never pasted into generated code as they are:
anything outside [A-Za-z0-9_] is replaced, runs of '_' are merged and edge ones dropped (VHDL
forbids them), keywords and leading digits get a prefix, and two layers whose names collide
after this (VHDL ignores case) are refused: silently merging them would wire the wrong layer.
"""

from __future__ import annotations

import re

from ..errors import fail

_KEYWORDS = set("""
always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign default defparam
design disable edge else end endcase endconfig endfunction endgenerate endmodule endprimitive endspecify endtable
endtask event for force forever fork function generate genvar highz0 highz1 if ifnone incdir include initial inout
input instance integer join large liblist library localparam macromodule medium module nand negedge nmos nor
noshowcancelled not notif0 notif1 or output parameter pmos posedge primitive pull0 pull1 pulldown pullup
pulsestyle_onevent pulsestyle_ondetect rcmos real realtime reg release repeat rnmos rpmos rtran rtranif0 rtranif1
scalared showcancelled signed small specify specparam strong0 strong1 supply0 supply1 table task time tran tranif0
tranif1 tri tri0 tri1 triand trior trireg unsigned use uwire vectored wait wand weak0 weak1 while wire wor xnor xor
logic bit byte int shortint longint void class struct union enum typedef
alignas alignof auto bool break char const continue delete do double float goto inline long namespace new
operator private protected public register return short sizeof static switch template this throw try typename
unsigned virtual volatile
""".split())

_VHDL_RESERVED = set("""
abs access after alias all and architecture array assert attribute begin block body buffer bus case component
configuration constant disconnect downto else elsif end entity exit file for function generate generic group
guarded if impure in inertial inout is label library linkage literal loop map mod nand new next nor not null of
on open or others out package port postponed procedure process pure range record register reject rem report
return rol ror select severity signal shared sla sll sra srl subtype then to transport type unaffected units until
use variable wait when while with xnor xor context force parameter release default sequence property
""".split())

_IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def sanitize(name: str) -> str:
    """A legal identifier derived from `name` (deterministic, case-preserving)."""
    text = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", str(name))).strip("_") or "l"
    if text[0].isdigit() or text.lower() in _KEYWORDS | _VHDL_RESERVED:
        text = "l_" + text
    return text


def vhdl_name_problem(name: str) -> str | None:
    """Why `name` cannot be a VHDL identifier (None when it can)."""
    if not re.fullmatch(r"[A-Za-z](_?[A-Za-z0-9])*", name):
        return "VHDL identifiers cannot start or end with '_' or contain '__'"
    if name.lower() in _VHDL_RESERVED:
        return f"{name!r} is a VHDL reserved word"
    return None


def check_project_name(name: str) -> str:
    """Project names become module names as they are, so they must already be clean."""
    if not _IDENTIFIER_RE.match(name or "") or name in _KEYWORDS or len(name) > 64:
        raise fail(f"config ProjectName {name!r} is not a legal Verilog/C++ identifier "
                   "(letters, digits, underscore; not starting with a digit; at most 64 characters)")
    return name


def unique_identifiers(names: list[str]) -> list[str]:
    """Sanitized names, refusing collisions."""
    seen: dict[str, str] = {}
    result = []
    for name in names:
        clean = sanitize(name)
        if clean.lower() in seen:
            raise fail(f"layer names {seen[clean.lower()]!r} and {name!r} both become identifier {clean!r} "
                       "(letters, digits and single '_'; VHDL ignores case); rename one")
        seen[clean.lower()] = name
        result.append(clean)
    return result


def comment_text(text) -> str:
    """Text safe inside a generated // or /* */ comment: no newline, no '*/', no '/*', printable only."""
    return re.sub(r"[^A-Za-z0-9_.,:;()<>+= -]", "?", str(text))
