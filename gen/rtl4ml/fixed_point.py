"""Fixed-point types with Xilinx ap_fixed semantics, and exact integer quantization.

A value of type ap_fixed<W,I> is stored as a W-bit integer *code*; its real value is
code * 2**-(W-I). Everything downstream (golden model, RTL, HLS) works on codes, so
the quantization rules in this module are the single definition of rounding and
overflow for the whole project. Never approximate here: every function is exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .errors import fail

ROUNDING_MODES = ("AP_TRN", "AP_TRN_ZERO", "AP_RND", "AP_RND_ZERO", "AP_RND_MIN_INF", "AP_RND_INF", "AP_RND_CONV")
OVERFLOW_MODES = ("AP_WRAP", "AP_SAT", "AP_SAT_ZERO", "AP_SAT_SYM")

# Widest data type (a tensor between layers, a weight, a bias, a table entry) a config may give; accumulators and
# exact intermediate types may be wider, up to MAX_ACCUM_WIDTH.
MAX_TYPE_WIDTH = 32
# The golden model computes in int64; one bit of headroom for sign handling. Every type rtl4ml writes into a design
# is at most this wide, so a design file's types load again.
MAX_ACCUM_WIDTH = 62


@dataclass(frozen=True)
class FixedType:
    """ap_fixed<width, integer, rounding, overflow> (or ap_ufixed when signed is False)."""

    width: int
    integer: int
    signed: bool = True
    rounding: str = "AP_TRN"
    overflow: str = "AP_WRAP"

    @property
    def frac(self) -> int:
        """Number of fractional bits; negative when the LSB weighs more than 1."""
        return self.width - self.integer

    @property
    def signed_width(self) -> int:
        """Bits of a signed field that holds every code (an unsigned type needs a zero sign bit)."""
        return self.width + int(not self.signed)

    @property
    def min_code(self) -> int:
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def max_code(self) -> int:
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1

    @property
    def min_value(self) -> float:
        return self.min_code * 2.0**-self.frac

    @property
    def max_value(self) -> float:
        return self.max_code * 2.0**-self.frac

    def with_modes(self, rounding: str | None = None, overflow: str | None = None) -> "FixedType":
        return FixedType(self.width, self.integer, self.signed, rounding or self.rounding, overflow or self.overflow)

    def __str__(self) -> str:
        base = "ap_fixed" if self.signed else "ap_ufixed"
        modes = ""
        if self.rounding != "AP_TRN" or self.overflow != "AP_WRAP":
            modes = f",{self.rounding},{self.overflow}"
        return f"{base}<{self.width},{self.integer}{modes}>"


_PRECISION_RE = re.compile(r"^\s*(ap_fixed|ap_ufixed|fixed|ufixed|ap_int|ap_uint|int|uint)\s*<\s*([^<>]*)>\s*$")


def parse_precision(text: object, where: str = "precision", max_width: int = MAX_TYPE_WIDTH) -> FixedType:
    """Parse 'ap_fixed<16,6>', 'ap_ufixed<8,0,AP_RND,AP_SAT>', 'ap_int<8>' ... into a FixedType.

    `where` names the config field for the error message (e.g. "layer fc1, field weight"); `max_width` is the
    widest type the field may hold (an accumulator's is MAX_ACCUM_WIDTH).
    """
    if isinstance(text, FixedType):
        return text
    match = _PRECISION_RE.match(str(text))
    if not match:
        raise fail(f"{where}: cannot parse precision {text!r}; expected e.g. 'ap_fixed<16,6>' or 'ap_int<8>'")
    kind, args = match.group(1), [a.strip() for a in match.group(2).split(",")]
    signed = kind in ("ap_fixed", "fixed", "ap_int", "int")
    try:
        if kind in ("ap_int", "ap_uint", "int", "uint"):
            if len(args) != 1:
                raise ValueError
            width = integer = int(args[0])
            rest: list[str] = []
        else:
            if len(args) < 2:
                raise ValueError
            width, integer, rest = int(args[0]), int(args[1]), args[2:]
    except ValueError:
        raise fail(f"{where}: malformed precision {text!r}; width and integer bits must be whole numbers") from None
    rounding = rest[0].upper() if len(rest) > 0 else "AP_TRN"
    overflow = rest[1].upper() if len(rest) > 1 else "AP_WRAP"
    # hls4ml's generic spelling drops the AP_ prefix (fixed<8,3,RND,SAT>)
    rounding = rounding if rounding.startswith("AP_") else "AP_" + rounding
    overflow = overflow if overflow.startswith("AP_") else "AP_" + overflow
    if rounding not in ROUNDING_MODES:
        raise fail(f"{where}: unknown rounding mode {rest[0]!r} in {text!r}; use one of {', '.join(ROUNDING_MODES)}")
    if overflow not in OVERFLOW_MODES:
        raise fail(f"{where}: unknown overflow mode {rest[1]!r} in {text!r}; use one of {', '.join(OVERFLOW_MODES)}")
    if len(rest) > 2 and rest[2] not in ("0", ""):
        raise fail(f"{where}: saturation-bits argument N={rest[2]} in {text!r} is not supported; use N=0")
    if len(rest) > 3:
        raise fail(f"{where}: too many arguments in {text!r}")
    if not 1 <= width <= max_width:
        raise fail(f"{where}: width {width} in {text!r} is out of range; rtl4ml supports 1 to {max_width} bits here")
    if signed and width < 2:
        raise fail(f"{where}: signed type {text!r} needs at least 2 bits")
    if abs(integer) > 2 * max_width:
        raise fail(f"{where}: integer bits {integer} in {text!r} are out of range (|I| <= {2 * max_width})")
    return FixedType(width, integer, signed, rounding, overflow)


def bits_for_range(low: int, high: int) -> tuple[int, bool]:
    """Smallest (width, signed) two's-complement or unsigned integer holding every value in [low, high]."""
    if low >= 0:
        return max(1, int(high).bit_length()), False
    width = max((-low - 1).bit_length(), max(high, 0).bit_length()) + 1
    return width, True


def finest_type_holding(largest: float, width: int) -> FixedType:
    """The `width`-bit signed type of the finest LSB that holds +-largest (a sign bit and the largest's integer
    bits), rounding to nearest and saturating: the type of constants quantized offline."""
    integer = int(np.floor(np.log2(largest))) + 2 if largest > 0 else 1
    return FixedType(width, integer, True, "AP_RND_CONV", "AP_SAT")


def type_holding(low: int, high: int, frac: int, rounding: str, overflow: str) -> FixedType:
    """The narrowest type with `frac` fractional bits holding every code in [low, high]. A signed type gets at least
    two bits, as parse_precision requires of every type a design file holds (bits_for_range(-1, 0) is one)."""
    width, signed = bits_for_range(low, high)
    width = max(width, 2) if signed else width
    return FixedType(width, width - frac, signed, rounding, overflow)


def exact_type_of(values, max_frac: int) -> FixedType | None:
    """The narrowest type holding every value (and 0) exactly, with the fewest fractional bits up to `max_frac`
    (rounding to nearest, saturating); None when they need more."""
    values = np.asarray(values, dtype=np.float64)
    for frac in range(max_frac + 1):
        codes = values * 2.0**frac
        if np.array_equal(codes, np.round(codes)):
            return type_holding(int(codes.min(initial=0)), int(codes.max(initial=0)), frac, "AP_RND_CONV", "AP_SAT")
    return None


# rounding modes whose increment depends on the sign of the value (the others read only the dropped bits and
# the lowest kept one)
SIGN_DEPENDENT_ROUNDING = ("AP_TRN_ZERO", "AP_RND_ZERO", "AP_RND_INF")


def bits_read_by_requantize(src_width: int, src_frac: int, target: FixedType) -> int:
    """How many low bits of a `src_width`-bit code (`src_frac` fractional bits) its conversion to `target` reads:
    all of them, unless the target wraps and rounds without looking at the sign; then only the bits up to the
    target's most significant one, so a sum feeding it may be computed modulo 2**that many bits."""
    if target.overflow != "AP_WRAP" or target.rounding in SIGN_DEPENDENT_ROUNDING:
        return src_width
    return max(1, min(src_width, src_frac - target.frac + target.width))


# ----------------------------------------------------------------------------- integer quantization


def _round_increment(floor: np.ndarray, rem: np.ndarray, half: int, negative: np.ndarray, mode: str) -> np.ndarray:
    """1 where rounding the dropped remainder `rem` (0 <= rem < 2*half) moves the result up, else 0. AP_TRN never
    does: its callers take the floor without asking."""
    above = rem > half
    tie = rem == half
    nonzero = rem != 0
    if mode == "AP_TRN_ZERO":
        inc = nonzero & negative
    elif mode == "AP_RND":
        inc = above | tie
    elif mode == "AP_RND_ZERO":
        inc = above | (tie & negative)
    elif mode == "AP_RND_MIN_INF":
        inc = above
    elif mode == "AP_RND_INF":
        inc = above | (tie & ~negative)
    elif mode == "AP_RND_CONV":
        inc = above | (tie & ((floor & 1) == 1))
    else:  # pragma: no cover - parse_precision guards the mode names
        raise AssertionError(mode)
    return inc.astype(np.int64)


def apply_overflow(values: np.ndarray, target: FixedType, in_place: bool = False) -> np.ndarray:
    """Map exact integer codes (any range) into `target`'s code range with its overflow mode.

    in_place lets callers that own a fresh array skip a copy.
    """
    values = np.asarray(values, dtype=np.int64)
    out = values if in_place else None
    lo, hi = target.min_code, target.max_code
    if target.overflow == "AP_WRAP":
        if not target.signed:
            return np.bitwise_and(values, (1 << target.width) - 1, out=out)
        # Sign-extend from bit width-1: shift it to the int64 sign bit and back (two passes).
        unused = 64 - target.width
        shifted = np.left_shift(values, unused, out=out)
        return np.right_shift(shifted, unused, out=shifted)
    if target.overflow == "AP_SAT":
        return np.clip(values, lo, hi)
    if target.overflow == "AP_SAT_ZERO":
        return np.where((values < lo) | (values > hi), 0, values)
    if target.overflow == "AP_SAT_SYM":
        return np.clip(values, -hi if target.signed else lo, hi)
    raise AssertionError(target.overflow)  # pragma: no cover


def _fits(source: FixedType, shift: int, target: FixedType) -> bool:
    """True when every code of `source`, shifted right by `shift` and rounded, is a code of `target`."""
    low, high = source.min_code, source.max_code
    if shift > 0:
        low, high = low >> shift, (high >> shift) + 1  # +1: rounding may carry up by one
    else:
        low, high = low << -shift, high << -shift
    return target.min_code <= low and high <= target.max_code and not (
        target.overflow == "AP_SAT_SYM" and target.signed and low == target.min_code)


def requantize(codes: np.ndarray, src_frac: int, target: FixedType, source: FixedType | None = None) -> np.ndarray:
    """Convert integer codes with `src_frac` fractional bits to `target` codes (round, then overflow).

    With `source` (the type the codes belong to), overflow handling is skipped when it cannot occur.
    """
    codes = np.asarray(codes, dtype=np.int64)
    shift = src_frac - target.frac
    if shift > 0:
        floor = codes >> shift  # arithmetic shift == floor division by 2**shift
        if target.rounding == "AP_TRN":
            rounded = floor
        else:
            rem = codes & ((1 << shift) - 1)
            rounded = floor + _round_increment(floor, rem, 1 << (shift - 1), codes < 0, target.rounding)
    else:
        rounded = codes << (-shift)
    if source is not None and _fits(source, shift, target):
        return rounded
    return apply_overflow(rounded, target, in_place=rounded is not codes)


def quantize_float(values: np.ndarray, target: FixedType) -> np.ndarray:
    """Convert real numbers to `target` codes exactly as ap_fixed's constructor from double does."""
    scaled = np.asarray(values, dtype=np.float64) * 2.0**target.frac  # a power-of-two scale is exact
    if not np.all(np.isfinite(scaled)):
        raise fail(f"cannot quantize non-finite values to {target}")
    # Clip far outside the type first so the int64 conversion is safe; overflow handling below still
    # sees an out-of-range value and saturates or wraps it (wrap of such huge values is not meaningful).
    limit = float(2**61)
    scaled = np.clip(scaled, -limit, limit)
    floor = np.floor(scaled)
    floor_int = floor.astype(np.int64)
    if target.rounding == "AP_TRN":
        return apply_overflow(floor_int, target, in_place=True)
    remainder = scaled - floor  # exact: both are float64 with the same exponent range
    # Express the remainder on a 2-bit grid around one half so the shared rounding rule applies.
    above = remainder > 0.5
    tie = remainder == 0.5
    nonzero = remainder != 0.0
    rem_code = np.where(above, 3, np.where(tie, 2, np.where(nonzero, 1, 0)))
    rounded = floor_int + _round_increment(floor_int, rem_code, 2, scaled < 0, target.rounding)
    return apply_overflow(rounded, target)


def to_float(codes: np.ndarray, frac: int) -> np.ndarray:
    """Real values of integer codes with `frac` fractional bits."""
    return np.asarray(codes, dtype=np.float64) * 2.0**-frac
