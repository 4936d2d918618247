"""FPGA parts the report knows: capacities and the Yosys synth_xilinx family to map them with.

Capacities from the vendor product tables (CLB LUTs, CLB flip-flops, DSP slices, 18 Kb block
RAMs = 2 x the 36 Kb count). A part string from the config ("xcvu9p-flga2577-2-e") is matched by
its device name.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import fail


@dataclass(frozen=True)
class Part:
    name: str
    family: str  # synth_xilinx -family
    LUT: int
    FF: int
    DSP: int
    BRAM_18K: int


PARTS = {part.name: part for part in (
    Part("xcvu9p", "xcup", 1_182_240, 2_364_480, 6_840, 4_320),
    Part("xcvu13p", "xcup", 1_728_000, 3_456_000, 12_288, 5_376),
    Part("xcu250", "xcup", 1_728_000, 3_456_000, 12_288, 5_376),  # Alveo U250 (hls4ml's tutorial part): a VU13P die
    Part("xcku15p", "xcup", 522_720, 1_045_440, 1_968, 1_968),
    Part("xczu9eg", "xcup", 274_080, 548_160, 2_520, 1_824),
    Part("xcku115", "xcu", 663_360, 1_326_720, 5_520, 4_320),
    Part("xcvu095", "xcu", 537_600, 1_075_200, 768, 3_456),
    Part("xc7vx690t", "xc7", 433_200, 866_400, 3_600, 2_940),
)}
DEFAULT_PART = "xcvu9p"


def _device(text: str) -> str:
    """The device of a part string: "xcvu9p-flga2577-2-e" -> "xcvu9p"."""
    return str(text).lower().split("-")[0]


def find_part(text: str | None) -> Part:
    """The part for a name or a full part string; the default (VU9P, as in hls4ml) when None."""
    if not text:
        return PARTS[DEFAULT_PART]
    device = _device(text)
    if device in PARTS:
        return PARTS[device]
    raise fail(f"part {text!r} is not in rtl4ml's table; known parts: {', '.join(PARTS)}")


def carry_chain(text: str | None) -> int:
    """Bits per carry primitive of a part (the Verilog core's ternary adders instantiate it): CARRY4 on 7-series
    devices, CARRY8 on UltraScale and UltraScale+. A part not in the table (the core can still be generated) is
    judged by its name: xc7... is 7-series."""
    device = _device(text or DEFAULT_PART)
    family = PARTS[device].family if device in PARTS else ("xc7" if device.startswith("xc7") else "xcup")
    return 4 if family == "xc7" else 8
