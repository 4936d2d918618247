"""A threshold compare reads only the bits that can change its outcome (backends/rtl/activations.py)."""

from rtl4ml.backends.rtl.activations import ThresholdCompare, threshold_compare


def test_the_high_bits_compare_equals_x_above_the_threshold_for_every_value():
    for width in range(1, 9):
        values = range(-(1 << (width - 1)), 1 << (width - 1))
        for threshold in range(values.start - 1, values.stop - 1):  # threshold + 1 is a width-bit value
            compare = threshold_compare(threshold, width)
            bits = width - compare.low_bit
            assert 0 <= compare.low_bit < width and -(1 << (bits - 1)) <= compare.bound < 1 << (bits - 1)
            assert all(((x >> compare.low_bit) >= compare.bound) == (x > threshold) for x in values), \
                (width, threshold, compare)


def test_a_binary_activation_compares_the_sign_bit_alone():
    assert threshold_compare(-1, 17) == ThresholdCompare(16, 0)  # x > -1: x >= 0
    assert threshold_compare(511, 17) == ThresholdCompare(9, 1)  # x > 511: x >= 512, bits 9 and up
    assert threshold_compare(512, 17) == ThresholdCompare(0, 513)
