"""EMP-style buffer data files: test vectors that replay in hardware, one frame per clock.

The layout follows the EMP framework's text buffer files (version 2):

    ID: <board or name>
    Metadata: start of orbit, start, end, valid

          Link  000                   001
    Frame 0000  0111 0000000000000000  0111 0000000000000000

Each link word is four metadata bits (start of orbit, start of packet, end of packet, valid),
a space and 64 data bits in hex. rtl4ml puts one beat per frame: the core's input (or output)
beat, element 0 in the low bits, is cut into 64-bit words, word k on link k. An io_parallel event
is one beat, a packet of one frame; a streamed image is a packet of its pixels' beats (start on the
first, end on the last). Idle frames have valid 0 and are skipped on reading.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...bus import decode_bus, encode_fields
from ...errors import fail

WORD_BITS = 64


def links_for(beat_bits: int) -> int:
    return max(1, -(-beat_bits // WORD_BITS))


def write_pattern_file(path: Path, codes: np.ndarray, widths: list[int], name: str, beats_per_packet: int = 1) -> None:
    """One frame per beat (row of integer codes, element j `widths[j]` bits), valid; each `beats_per_packet`
    beats one packet."""
    codes = np.asarray(codes, dtype=np.int64)
    links = links_for(sum(widths))
    lines = [f"ID: {name}", "Metadata: start of orbit, start, end, valid", "",
             "      Link  " + "  ".join(f"{k:03d}".ljust(WORD_BITS // 4 + 3) for k in range(links)).rstrip()]
    mask = (1 << WORD_BITS) - 1
    for frame, row in enumerate(codes):
        beat = encode_fields(row, widths)
        start, end = frame % beats_per_packet == 0, frame % beats_per_packet == beats_per_packet - 1
        metadata = f"{int(frame == 0)}{int(start)}{int(end)}1"
        words = [f"{metadata} {(beat >> (WORD_BITS * k)) & mask:016x}" for k in range(links)]
        lines.append(f"Frame {frame:04d}  " + "  ".join(words))
    Path(path).write_text("\n".join(lines) + "\n")


def read_pattern_file(path: Path, n: int, width: int, signed: bool) -> np.ndarray:
    """The valid frames of a pattern file as [events, n] integer codes of `width` bits."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise fail(f"cannot read pattern file {str(path)!r} ({exc})") from None
    links = links_for(n * width)
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("Frame"):
            continue
        fields = line.split()
        words = fields[2:]
        if len(words) != 2 * links:
            raise fail(f"{path}:{number}: expected {links} link words (metadata + 64-bit hex each), "
                       f"found {len(words) / 2:g}")
        beat, valid = 0, []
        for k in range(links):
            metadata, data = words[2 * k], words[2 * k + 1]
            if len(metadata) != 4 or set(metadata) - {"0", "1"} or len(data) != WORD_BITS // 4:
                raise fail(f"{path}:{number}: link {k}: {metadata} {data} is not 4 metadata bits and 16 hex digits")
            try:
                beat |= int(data, 16) << (WORD_BITS * k)
            except ValueError:
                raise fail(f"{path}:{number}: link {k}: {data!r} is not hexadecimal") from None
            valid.append(metadata[3] == "1")
        if any(valid) != all(valid):
            raise fail(f"{path}:{number}: the links disagree on valid ({''.join('01'[v] for v in valid)})")
        if all(valid):
            rows.append(decode_bus(beat, n, width, signed))
    if not rows:
        raise fail(f"{path}: no valid frames")
    return np.asarray(rows, dtype=np.int64)
