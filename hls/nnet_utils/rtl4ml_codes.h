// rtl4ml HLS layer library: integer codes of fixed-point values.
// A value of ap_fixed<W,I> is stored as the W-bit integer code = value * 2^(W-I); the table
// based layers and the testbench work on codes so they match the golden model bit for bit.
#ifndef RTL4ML_CODES_H_
#define RTL4ML_CODES_H_

#include "ap_fixed.h"

namespace rtl4ml {

// Two's complement (or unsigned) code of x, sign- or zero-extended to OUT_W bits.
template <int OUT_W, int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
ap_int<OUT_W> code_of(const ap_fixed_base<W, I, S, Q, O, N> &x) {
    #pragma HLS INLINE
    ap_int_base<W, S> bits;
    bits.V = x.V;
    return ap_int<OUT_W>(bits);
}

// Set x from an integer code (the low W bits are taken as they are).
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
void set_code(ap_fixed_base<W, I, S, Q, O, N> &x, long long code) {
    ap_int_base<W, S> bits = code;
    x.V = bits.V;
}

// The value of res_T whose code is `code` (same width and signedness: a bit copy).
template <class res_T, int W, bool S>
res_T from_code(const ap_int_base<W, S> &code) {
    #pragma HLS INLINE
    res_T value;
    value.V = code.V;
    return value;
}

// x converted to res_T with res_T's rounding and overflow modes.
// The ap_types C-simulation headers assert ("read bit beyond MSB") when the rounding position
// lies beyond the source's MSB, e.g. ap_fixed<3,-2> to ap_fixed<6,7,AP_RND>. Widening the source
// first (same fractional bits, more integer bits) keeps its value, so the result is the same
// conversion; casts that drop fewer bits than the source has go straight through.
template <class res_T, int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
res_T cast(const ap_fixed_base<W, I, S, Q, O, N> &x) {
    #pragma HLS INLINE
    enum { FRAC = W - I, DROP = FRAC - (res_T::width - res_T::iwidth), WIDE = DROP + 2 > W + 1 ? DROP + 2 : W + 1 };
    if (DROP + 1 <= W) return res_T(x);
    const ap_fixed<WIDE, WIDE - FRAC> wide = x;
    return res_T(wide);
}

}  // namespace rtl4ml

#endif
