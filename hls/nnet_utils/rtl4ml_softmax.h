// rtl4ml HLS layer library: numerically stable softmax on integer codes, in base 2 (no multiplier).
// The recipe, the tables and every width are those of rtl4ml/ir/layers/softmax.py:
//   d = min((max - x) >> d_shift, 2^d_bits - 1);  y = log_hi[d >> lo_bits] + log_lo[d & lo_mask]
//   e = pow2[y & (2^Y - 1)] >> (y >> Y);  s = sum(e);  L = log_sum[min((s - 2^E) >> sum_shift, last)]
//   out = (pow2[z & (2^Y - 1)] >> (z >> Y)) / 2^E cast to res_T, with z = y + L
#ifndef RTL4ML_SOFTMAX_H_
#define RTL4ML_SOFTMAX_H_

#include "ap_fixed.h"
#include "rtl4ml_codes.h"

namespace rtl4ml {

// 2^E * 2^-(exponent / 2^Y), floored: a table read and a right shift.
template <typename CONFIG_T, int W>
ap_uint<CONFIG_T::exp_bits> pow2_of(ap_uint<W> exponent, const ap_uint<CONFIG_T::exp_bits> pow2[CONFIG_T::pow2_size]) {
    #pragma HLS INLINE
    ap_uint<CONFIG_T::exp_bits> mantissa = pow2[(exponent & (CONFIG_T::pow2_size - 1)).to_int()];
    return mantissa >> (exponent >> CONFIG_T::log_frac).to_int();
}

// One row of n values. CONFIG_T provides: n, rows, code_width, d_shift, d_bits, lo_bits, log_frac, y_bits, z_bits,
// exp_frac, exp_bits, sum_bits, sum_shift, hi_size, lo_size, pow2_size, sum_size.
template <class data_T, class res_T, typename CONFIG_T>
void softmax_row(const data_T data[CONFIG_T::n], res_T res[CONFIG_T::n],
                 const ap_uint<CONFIG_T::y_bits> log_hi[CONFIG_T::hi_size],
                 const ap_uint<CONFIG_T::y_bits> log_lo[CONFIG_T::lo_size],
                 const ap_uint<CONFIG_T::exp_bits> pow2[CONFIG_T::pow2_size],
                 const ap_uint<CONFIG_T::z_bits> log_sum[CONFIG_T::sum_size]) {
    #pragma HLS INLINE
    typedef ap_int<CONFIG_T::code_width> code_t;
    code_t codes[CONFIG_T::n];
    code_t maximum = code_of<CONFIG_T::code_width>(data[0]);
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        codes[i] = code_of<CONFIG_T::code_width>(data[i]);
        if (codes[i] > maximum) maximum = codes[i];
    }
    ap_uint<CONFIG_T::y_bits> y[CONFIG_T::n];
    ap_uint<CONFIG_T::sum_bits> sum = 0;
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        ap_uint<CONFIG_T::code_width> distance = (maximum - codes[i]) >> CONFIG_T::d_shift;
        const ap_uint<CONFIG_T::code_width> d_max = (ap_uint<CONFIG_T::code_width>(1) << CONFIG_T::d_bits) - 1;
        if (distance > d_max) distance = d_max;
        y[i] = log_hi[(distance >> CONFIG_T::lo_bits).to_int()] +
               log_lo[(distance & ((1 << CONFIG_T::lo_bits) - 1)).to_int()];
        sum += pow2_of<CONFIG_T>(y[i], pow2);
    }
    ap_uint<CONFIG_T::sum_bits> index = (sum - (ap_uint<CONFIG_T::sum_bits>(1) << CONFIG_T::exp_frac))
                                        >> CONFIG_T::sum_shift;
    if (index >= CONFIG_T::sum_size) index = CONFIG_T::sum_size - 1;  // a sum at the very top: last bin
    ap_uint<CONFIG_T::z_bits> log_of_sum = log_sum[index.to_int()];
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        ap_uint<CONFIG_T::z_bits> z = ap_uint<CONFIG_T::z_bits>(y[i]) + log_of_sum;
        ap_ufixed<CONFIG_T::exp_bits, CONFIG_T::exp_bits - CONFIG_T::exp_frac> normalized;
        normalized.V = pow2_of<CONFIG_T>(z, pow2).V;
        res[i] = cast<res_T>(normalized);
    }
}

// Softmax over the last axis of rows x n values (row-major): each row on its own.
template <class data_T, class res_T, typename CONFIG_T>
void softmax(const data_T data[CONFIG_T::rows * CONFIG_T::n], res_T res[CONFIG_T::rows * CONFIG_T::n],
             const ap_uint<CONFIG_T::y_bits> log_hi[CONFIG_T::hi_size],
             const ap_uint<CONFIG_T::y_bits> log_lo[CONFIG_T::lo_size],
             const ap_uint<CONFIG_T::exp_bits> pow2[CONFIG_T::pow2_size],
             const ap_uint<CONFIG_T::z_bits> log_sum[CONFIG_T::sum_size]) {
    #pragma HLS INLINE
    for (int r = 0; r < CONFIG_T::rows; r++) {
        #pragma HLS UNROLL
        softmax_row<data_T, res_T, CONFIG_T>(data + r * CONFIG_T::n, res + r * CONFIG_T::n, log_hi, log_lo, pow2,
                                             log_sum);
    }
}

}  // namespace rtl4ml

#endif
