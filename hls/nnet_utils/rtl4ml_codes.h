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

}  // namespace rtl4ml

#endif
