"""Packed buses: element i of a vector at bits [i*width +: width], as on the core's AXI-stream tdata."""

from __future__ import annotations


def decode_bus(value: int, count: int, width: int, signed: bool) -> list[int]:
    """Split a packed bus (element 0 in the low bits) into integer codes."""
    mask = (1 << width) - 1
    codes = []
    for index in range(count):
        code = (value >> (index * width)) & mask
        if signed and code >> (width - 1):
            code -= 1 << width
        codes.append(code)
    return codes


def decode_fields(value: int, fields: list[dict]) -> list[int]:
    """Codes of a beat holding several packed buses side by side (each {"lsb", "n", "width", "signed"}), in order."""
    codes = []
    for bus in fields:
        codes.extend(decode_bus(value >> bus["lsb"], bus["n"], bus["width"], bus["signed"]))
    return codes


def encode_bus(codes, width: int) -> int:
    codes = list(codes)
    return encode_fields(codes, [width] * len(codes))


def encode_fields(codes, widths: list[int]) -> int:
    """Pack codes whose element j has widths[j] bits, element 0 in the low bits (a beat of several buses)."""
    value, lsb = 0, 0
    for code, width in zip(codes, widths):
        value |= (int(code) & ((1 << width) - 1)) << lsb
        lsb += width
    return value


def hex_lines(codes, widths: list[int], beat_bits: int) -> str:
    """One AXI beat of `beat_bits` bits per row of codes (field k of `widths[k]` bits), as hex lines."""
    digits = -(-beat_bits // 4)
    return "".join(f"{encode_fields(row, widths):0{digits}x}\n" for row in codes)
