// rtl4ml HLS layer library: numerically stable softmax on integer codes.
// The recipe, the tables and every width are those of rtl4ml/ir/tables.py:
//   d = min((max - x) >> d_shift, 2^d_bits - 1)
//   e = (exp_hi[d >> lo_bits] * exp_lo[d & lo_mask] + 2^(E-1)) >> E
//   s = sum(e);  inv = inv_table[(s - 2^E) >> inv_shift];  out = (e * inv) / 2^(E+G) cast to res_T
#ifndef RTL4ML_SOFTMAX_H_
#define RTL4ML_SOFTMAX_H_

#include "ap_fixed.h"
#include "rtl4ml_codes.h"

namespace rtl4ml {

// CONFIG_T provides: n, code_width, d_shift, d_bits, lo_bits, exp_frac, exp_bits, sum_bits,
// inv_shift, inv_frac, inv_bits, inv_size, hi_size, lo_size.
template <class data_T, class res_T, typename CONFIG_T>
void softmax(const data_T data[CONFIG_T::n], res_T res[CONFIG_T::n],
             const ap_uint<CONFIG_T::exp_bits> exp_hi[CONFIG_T::hi_size],
             const ap_uint<CONFIG_T::exp_bits> exp_lo[CONFIG_T::lo_size],
             const ap_uint<CONFIG_T::inv_bits> inv_table[CONFIG_T::inv_size]) {
    #pragma HLS INLINE
    typedef ap_int<CONFIG_T::code_width> code_t;
    code_t codes[CONFIG_T::n];
    code_t maximum = code_of<CONFIG_T::code_width>(data[0]);
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        codes[i] = code_of<CONFIG_T::code_width>(data[i]);
        if (codes[i] > maximum) maximum = codes[i];
    }
    ap_uint<CONFIG_T::exp_bits> e[CONFIG_T::n];
    ap_uint<CONFIG_T::sum_bits> sum = 0;
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        ap_uint<CONFIG_T::code_width> distance = (maximum - codes[i]) >> CONFIG_T::d_shift;
        const ap_uint<CONFIG_T::code_width> d_max = (ap_uint<CONFIG_T::code_width>(1) << CONFIG_T::d_bits) - 1;
        if (distance > d_max) distance = d_max;
        ap_uint<2 * CONFIG_T::exp_bits> product =
            exp_hi[(distance >> CONFIG_T::lo_bits).to_int()] *
            exp_lo[(distance & ((1 << CONFIG_T::lo_bits) - 1)).to_int()];
        product += ap_uint<2 * CONFIG_T::exp_bits>(1) << (CONFIG_T::exp_frac - 1);
        e[i] = product >> CONFIG_T::exp_frac;
        sum += e[i];
    }
    ap_uint<CONFIG_T::sum_bits> index = (sum - (ap_uint<CONFIG_T::sum_bits>(1) << CONFIG_T::exp_frac))
                                        >> CONFIG_T::inv_shift;
    ap_uint<CONFIG_T::inv_bits> inverse = inv_table[index.to_int()];
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        const int width = CONFIG_T::exp_bits + CONFIG_T::inv_bits;
        ap_ufixed<width, width - CONFIG_T::exp_frac - CONFIG_T::inv_frac> scaled;
        ap_uint<width> raw = ap_uint<width>(e[i]) * inverse;
        scaled.V = raw.V;
        res[i] = cast<res_T>(scaled);
    }
}

}  // namespace rtl4ml

#endif
