"""Turn model and layer names into identifiers that are legal in Verilog and C++.

Names come from user files, so they are never pasted into generated code as they are:
anything outside [A-Za-z0-9_] is replaced, keywords are suffixed, and two layers whose
names collide after this are refused (silently merging them would wire the wrong layer).
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

_IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def sanitize(name: str) -> str:
    """A legal identifier derived from `name` (deterministic, lowercase-preserving)."""
    text = re.sub(r"[^A-Za-z0-9_]", "_", str(name)) or "_"
    if text[0].isdigit():
        text = "l_" + text
    if text in _KEYWORDS:
        text += "_"
    return text


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
        if clean in seen:
            raise fail(f"layer names {seen[clean]!r} and {name!r} both become identifier {clean!r}; rename one")
        seen[clean] = name
        result.append(clean)
    return result


def comment_text(text) -> str:
    """Text safe inside a generated // or /* */ comment: no newline, no '*/', no '/*', printable only."""
    return re.sub(r"[^A-Za-z0-9_.,:;()<>+= -]", "?", str(text))
