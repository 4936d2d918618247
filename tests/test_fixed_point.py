"""Fixed-point types and quantization follow ap_fixed's rules exactly."""

from fractions import Fraction

import numpy as np
import pytest

import reference_model as exact  # the ap_fixed rules written once, scalar and slow
from rtl4ml.errors import Rtl4mlError
from rtl4ml.fixed_point import (MAX_ACCUM_WIDTH, MAX_TYPE_WIDTH, OVERFLOW_MODES, ROUNDING_MODES,
                                SIGN_DEPENDENT_ROUNDING, FixedType, apply_overflow, bits_for_range,
                                bits_read_by_requantize, exact_type_of, finest_type_holding, parse_precision,
                                quantize_float, requantize, to_float)
from rtl4ml.ir.value_range import ValueRange, linear_range


def test_parse_precision_reads_hls4ml_spellings():
    assert parse_precision("ap_fixed<16,6>") == FixedType(16, 6)
    assert parse_precision("ap_ufixed<8, 0, AP_RND, AP_SAT>") == FixedType(8, 0, False, "AP_RND", "AP_SAT")
    assert parse_precision("ap_int<8>") == FixedType(8, 8)
    assert parse_precision("ap_uint<4>") == FixedType(4, 4, False)
    assert parse_precision("fixed<10,3,RND_CONV,SAT>") == FixedType(10, 3, True, "AP_RND_CONV", "AP_SAT")
    assert parse_precision("ap_fixed<8,12>").frac == -4  # legal in ap_fixed: LSB weighs 16
    assert str(parse_precision("ap_fixed<7,1,AP_RND_CONV,AP_SAT>")) == "ap_fixed<7,1,AP_RND_CONV,AP_SAT>"


@pytest.mark.parametrize("text, fragment", [
    ("ap_fixed<0,0>", "width 0"),
    ("ap_fixed<16>", "malformed"),
    ("ap_fixed<16,x>", "malformed"),
    ("ap_fixed<65,6>", "out of range"),
    ("ap_fixed<8,3,AP_ROUND>", "unknown rounding mode"),
    ("ap_fixed<8,3,AP_RND,AP_CLIP>", "unknown overflow mode"),
    ("float", "cannot parse"),
    ("ap_fixed<1,1>", "at least 2 bits"),
])
def test_parse_precision_rejects_malformed_or_impossible_types(text, fragment):
    with pytest.raises(Rtl4mlError, match=fragment):
        parse_precision(text, "layer fc1, field weight")


@pytest.mark.parametrize("rounding", ROUNDING_MODES)
@pytest.mark.parametrize("overflow", OVERFLOW_MODES)
def test_requantize_matches_exact_rational_reference(rounding, overflow):
    rng = np.random.default_rng(ROUNDING_MODES.index(rounding) * 10 + OVERFLOW_MODES.index(overflow))
    codes = np.concatenate([np.arange(-300, 300), rng.integers(-2**20, 2**20, 2000)])
    for target in (FixedType(6, 2, True, rounding, overflow), FixedType(5, 1, False, rounding, overflow)):
        got = requantize(codes, 7, target)
        want = [exact.overflow(exact.round_to_int(Fraction(int(c), 2**(7 - target.frac)), rounding), target)
                for c in codes]
        assert got.tolist() == want


@pytest.mark.parametrize("rounding", ROUNDING_MODES)
def test_quantize_float_ties_follow_the_rounding_mode(rounding):
    t = FixedType(8, 4, True, rounding, "AP_SAT")
    values = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.25, -0.75, 1.03125, -1.03125]) / 16
    want = [exact.overflow(exact.round_to_int(Fraction(float(v)) * 16, rounding), t) for v in values]
    assert quantize_float(values, t).tolist() == want


def test_quantize_float_saturates_and_wraps_out_of_range_values():
    assert quantize_float(np.array([100.0, -100.0]), FixedType(8, 4, overflow="AP_SAT")).tolist() == [127, -128]
    assert quantize_float(np.array([8.0]), FixedType(8, 4)).tolist() == [-128]  # AP_WRAP
    assert quantize_float(np.array([-3.0]), FixedType(8, 4, False, overflow="AP_SAT")).tolist() == [0]


def test_wrap_of_signed_and_unsigned_is_modular():
    values = np.arange(-1000, 1000)
    assert np.array_equal(apply_overflow(values, FixedType(8, 3)), (values + 128) % 256 - 128)
    assert np.array_equal(apply_overflow(values, FixedType(8, 3, False)), values % 256)


def test_non_finite_values_are_refused():
    with pytest.raises(Rtl4mlError, match="non-finite"):
        quantize_float(np.array([np.nan]), FixedType(8, 3))


@pytest.mark.parametrize("rounding", ROUNDING_MODES)
@pytest.mark.parametrize("overflow", OVERFLOW_MODES)
def test_a_conversion_reads_only_the_bits_it_says(rounding, overflow):
    """bits_read_by_requantize(k): a code and any code equal to it modulo 2**k convert alike (the RTL computes a
    wrapping layer's sums modulo 2**k). Where it says all bits, one pair that differs above them shows why."""
    rng = np.random.default_rng(ROUNDING_MODES.index(rounding) * 10 + OVERFLOW_MODES.index(overflow))
    source_width, source_frac = 24, 9
    codes = rng.integers(-2**23, 2**23, 3000)
    for target in (FixedType(6, 2, True, rounding, overflow), FixedType(8, -1, True, rounding, overflow),
                   FixedType(5, 1, False, rounding, overflow), FixedType(12, 7, True, rounding, overflow)):
        k = bits_read_by_requantize(source_width, source_frac, target)
        if overflow != "AP_WRAP" or rounding in SIGN_DEPENDENT_ROUNDING:
            assert k == source_width
            continue
        assert k == source_frac - target.frac + target.width
        low_bits = (codes + 2**(k - 1)) % 2**k - 2**(k - 1)  # the same codes modulo 2**k, sign-extended
        assert np.array_equal(requantize(low_bits, source_frac, target), requantize(codes, source_frac, target))


def test_a_stored_range_saturates_wraps_or_zeroes_as_its_type_does():
    exact = ValueRange(-500, 700, 4)  # [-31.25, 43.75]
    assert exact.stored_in(parse_precision("ap_fixed<16,8>")) == ValueRange(-500 * 16, 700 * 16, 8)  # fits
    assert exact.stored_in(parse_precision("ap_fixed<7,1,AP_RND_CONV,AP_SAT>")) == ValueRange(-64, 63, 6)
    assert ValueRange(0, 700, 4).stored_in(parse_precision("ap_fixed<7,1,AP_RND,AP_SAT>")) == ValueRange(0, 63, 6)
    assert ValueRange(0, 700, 4).stored_in(parse_precision("ap_fixed<7,1>")) == ValueRange(-64, 63, 6)  # wraps
    assert ValueRange(40, 700, 4).stored_in(parse_precision("ap_fixed<7,1,AP_TRN,AP_SAT_ZERO>")) == \
        ValueRange(0, 63, 6)
    assert ValueRange(-700, -40, 4).stored_in(parse_precision("ap_fixed<7,1,AP_TRN,AP_SAT_SYM>")) == \
        ValueRange(-63, -63, 6)


# Small types of every mode, signed and unsigned, with the LSB above, at and below 1: the conversions below are
# checked against the scalar ap_fixed rules on every code of a small source type.
SMALL_TYPES = [FixedType(width, integer, signed, rounding, overflow) for width, integer in ((2, 0), (4, 1), (5, 7))
               for signed in (True, False) for rounding in ROUNDING_MODES for overflow in OVERFLOW_MODES]


def targets_around(source: FixedType):
    """Types of every mode a little narrower than, as wide as and a little wider than the source's codes shifted to
    their LSB: where skipping the overflow handling is right or wrong by one code."""
    for frac in (source.frac - 2, source.frac - 1, source.frac, source.frac + 1):
        shifted = source.signed_width - max(0, source.frac - frac)
        for width in (shifted - 1, shifted, shifted + 1):
            for signed in (True, False):
                for rounding in ROUNDING_MODES:
                    for overflow in OVERFLOW_MODES:
                        if width >= 1 + signed:
                            yield FixedType(width, width - frac, signed, rounding, overflow)


@pytest.mark.parametrize("source", [FixedType(6, 2), FixedType(6, 3, False), FixedType(4, 6), FixedType(7, -1)],
                         ids=str)
def test_requantize_of_a_known_source_type_follows_the_exact_rules(source):
    """With its source type given, requantize skips overflow handling where it cannot occur: never wrongly."""
    codes = np.arange(source.min_code, source.max_code + 1)
    for target in list(SMALL_TYPES) + list(targets_around(source)):
        want = [exact.convert(int(c), source.frac, target) for c in codes]
        assert requantize(codes, source.frac, target, source).tolist() == want, target
        assert requantize(codes, source.frac, target).tolist() == want, target


def test_quantize_float_follows_the_exact_rules_on_and_between_codes():
    """Values on the type's grid (exact: nothing to round, also negative ones), a quarter and a half LSB off it."""
    for target in SMALL_TYPES:
        lsb = 2.0**-target.frac
        grid = np.arange(target.min_code - 3, target.max_code + 4) * lsb
        values = np.concatenate([grid, grid + lsb / 4, grid + lsb / 2, grid - lsb / 4])
        want = [exact.overflow(exact.round_to_int(Fraction(float(v)) * Fraction(2) ** target.frac,
                                                  target.rounding), target) for v in values]
        assert quantize_float(values, target).tolist() == want, target


def test_quantize_float_saturates_values_far_beyond_any_type():
    for target in (FixedType(8, 4, overflow="AP_SAT"), FixedType(32, 30, True, "AP_RND", "AP_SAT"),
                   FixedType(12, 3, False, "AP_RND_CONV", "AP_SAT")):
        assert quantize_float(np.array([1e30, -1e30, 3e18, -3e18]), target).tolist() == \
            [target.max_code, target.min_code, target.max_code, target.min_code]


@pytest.mark.parametrize("overflow", OVERFLOW_MODES)
def test_overflow_handling_leaves_its_input_alone(overflow):
    values = np.arange(-300, 300)
    for target in (FixedType(6, 2, True, "AP_TRN", overflow), FixedType(6, 2, False, "AP_TRN", overflow)):
        apply_overflow(values, target)
        assert np.array_equal(values, np.arange(-300, 300))
        assert apply_overflow(values, target).tolist() == [exact.overflow(int(v), target) for v in values]


@pytest.mark.parametrize("text", ["ap_fixed<16,6>", "ap_ufixed<8,3>", "ap_fixed<8,3,AP_TRN,AP_SAT>",
                                  "ap_fixed<8,3,AP_RND,AP_WRAP>", "ap_ufixed<5,-2,AP_RND_CONV,AP_SAT_SYM>"])
def test_a_type_prints_as_hls4ml_spells_it_and_parses_back(text):
    assert str(parse_precision(text)) == text
    assert parse_precision(str(parse_precision(text))) == parse_precision(text)


def test_every_spelling_of_integer_types_and_the_limits_of_widths():
    assert parse_precision("int<8>") == FixedType(8, 8) and parse_precision("uint<6>") == FixedType(6, 6, False)
    assert parse_precision("ap_uint<1>") == FixedType(1, 1, False) and parse_precision("ap_int<2>") == FixedType(2, 2)
    assert parse_precision("ap_fixed<8,3,AP_RND,AP_SAT,0>") == FixedType(8, 3, True, "AP_RND", "AP_SAT")
    assert parse_precision("ap_fixed<8,3,AP_RND,AP_SAT,>") == FixedType(8, 3, True, "AP_RND", "AP_SAT")  # N empty
    assert parse_precision(f"ap_fixed<{MAX_TYPE_WIDTH},3>").width == MAX_TYPE_WIDTH
    assert parse_precision(f"ap_fixed<{MAX_ACCUM_WIDTH},3>", max_width=MAX_ACCUM_WIDTH).width == MAX_ACCUM_WIDTH
    assert parse_precision(f"ap_fixed<8,{2 * MAX_TYPE_WIDTH}>").integer == 2 * MAX_TYPE_WIDTH
    assert parse_precision(f"ap_fixed<8,{-2 * MAX_TYPE_WIDTH}>").integer == -2 * MAX_TYPE_WIDTH


@pytest.mark.parametrize("text, message", [
    ("ap_fixed<33,6>", "field w: width 33 in 'ap_fixed<33,6>' is out of range; rtl4ml supports 1 to 32 bits here"),
    ("ap_fixed<8,65>", r"field w: integer bits 65 in 'ap_fixed<8,65>' are out of range \(\|I\| <= 64\)"),
    ("ap_fixed<8,3,AP_RND,AP_SAT,1>", "field w: saturation-bits argument N=1 in .* is not supported; use N=0"),
    ("ap_fixed<8,3,AP_RND,AP_SAT,0,5>", r"field w: too many arguments in 'ap_fixed<8,3,AP_RND,AP_SAT,0,5>'"),
    ("ap_fixed<8,3,AP_HALF>", "use one of AP_TRN, AP_TRN_ZERO, AP_RND, AP_RND_ZERO"),
    ("ap_fixed<8,3,AP_RND,AP_CLAMP>", "use one of AP_WRAP, AP_SAT, AP_SAT_ZERO, AP_SAT_SYM"),
    ("ap_int<8,2>", "field w: malformed precision 'ap_int<8,2>'"),
    ("ap_fixed<2,1>x", "field w: cannot parse precision"),
])
def test_bad_types_are_refused_with_the_field_and_the_reason(text, message):
    with pytest.raises(Rtl4mlError, match=message):
        parse_precision(text, "field w")


def test_a_bad_type_without_a_field_name_is_called_a_precision():
    with pytest.raises(Rtl4mlError, match=r"^precision: cannot parse precision 'ap_fixed<2,1>x'"):
        parse_precision("ap_fixed<2,1>x")


def test_bits_for_range_is_the_narrowest_holding_type():
    for low in range(-40, 41):
        for high in range(low, 41):
            width, signed = bits_for_range(low, high)
            t = FixedType(width, width, signed)
            assert t.min_code <= low and high <= t.max_code, (low, high)
            narrower = FixedType(width - 1, width - 1, signed) if width > 1 else None  # a signed bit: -1..0
            assert narrower is None or not (narrower.min_code <= low and high <= narrower.max_code), (low, high)
            assert signed == (low < 0)


def test_a_conversion_to_a_one_bit_type_reads_one_bit():
    assert bits_read_by_requantize(8, 0, FixedType(1, 1, False)) == 1
    assert bits_read_by_requantize(8, 0, FixedType(1, -3, False)) == 1  # finer than the source: still one bit


def test_constant_types_hold_their_values_exactly_or_at_their_finest():
    assert exact_type_of([0.5, -1.25, 3.0], max_frac=8) == FixedType(5, 3, True, "AP_RND_CONV", "AP_SAT")
    assert exact_type_of([0.0, 6.0], max_frac=8) == FixedType(3, 3, False, "AP_RND_CONV", "AP_SAT")
    assert exact_type_of([0.1], max_frac=8) is None
    assert exact_type_of([2.0**-8], max_frac=8) == FixedType(1, -7, False, "AP_RND_CONV", "AP_SAT")  # at max_frac
    assert exact_type_of([2.0**-9], max_frac=8) is None  # and not beyond
    assert exact_type_of([], max_frac=8) == FixedType(1, 1, False, "AP_RND_CONV", "AP_SAT")  # 0 alone
    assert finest_type_holding(3.0, 8) == FixedType(8, 3, True, "AP_RND_CONV", "AP_SAT")
    assert finest_type_holding(4.0, 8) == FixedType(8, 4, True, "AP_RND_CONV", "AP_SAT")
    assert finest_type_holding(0.2, 6) == FixedType(6, -1, True, "AP_RND_CONV", "AP_SAT")
    assert finest_type_holding(0.0, 6) == FixedType(6, 1, True, "AP_RND_CONV", "AP_SAT")
    assert FixedType(8, 3).with_modes(overflow="AP_SAT") == FixedType(8, 3, True, "AP_TRN", "AP_SAT")
    assert FixedType(8, 3, False, "AP_RND", "AP_SAT").with_modes(rounding="AP_TRN") == \
        FixedType(8, 3, False, "AP_TRN", "AP_SAT")
    assert to_float(np.array([-3, 5]), 2).tolist() == [-0.75, 1.25] and to_float(np.array([3]), -2).tolist() == [12.0]


def test_a_derived_type_is_one_a_design_file_can_hold():
    """[-1, 0] fits a 1-bit signed code, but a design file's types are parsed back, and signed ones need 2 bits."""
    for derived in (ValueRange(-1, 0, 3).narrowest_type(), exact_type_of([-0.5], max_frac=4)):
        assert derived.width == 2 and derived.signed
        assert parse_precision(str(derived)) == derived
    assert ValueRange(-2, 1, 0).narrowest_type() == FixedType(2, 2)


def test_a_range_is_within_a_type_up_to_its_ends_and_prints_in_real_values():
    t = FixedType(8, 4)
    assert ValueRange(t.min_code, t.max_code, 4).within(t)
    assert not ValueRange(t.min_code - 1, 0, 4).within(t) and not ValueRange(0, t.max_code + 1, 4).within(t)
    assert str(ValueRange(-500, 700, 4)) == "[-31.25, 43.75]" and str(ValueRange(3, 5, -2)) == "[12, 20]"
    sat_zero = parse_precision("ap_fixed<7,1,AP_TRN,AP_SAT_ZERO>")
    assert ValueRange(-700, -40, 4).stored_in(sat_zero) == ValueRange(-64, 0, 6)  # zero joins, nothing above it


def test_linear_ranges_are_exact_beyond_64_bits():
    weight, bias = np.array([[2**40 + 1, -3]]), np.array([1, 2**62])
    low, high = linear_range(weight, bias, ValueRange(-2**30 - 1, 2**30 + 3, 0), 0)
    assert low == (2**40 + 1) * (-2**30 - 1) + 1 and high == (2**40 + 1) * (2**30 + 3) + 1
