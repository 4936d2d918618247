"""Fixed-point types and quantization follow ap_fixed's rules exactly."""

from fractions import Fraction

import numpy as np
import pytest

import reference_model as exact  # the ap_fixed rules written once, scalar and slow
from rtl4ml.errors import Rtl4mlError
from rtl4ml.fixed_point import (OVERFLOW_MODES, ROUNDING_MODES, SIGN_DEPENDENT_ROUNDING, FixedType, apply_overflow,
                                bits_read_by_requantize, parse_precision, quantize_float, requantize)
from rtl4ml.ir.value_range import ValueRange


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
