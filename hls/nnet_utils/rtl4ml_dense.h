// rtl4ml HLS layer library: dense layer.
// Semantics are those of rtl4ml's golden model: the bias and every product are cast to
// accum_t (exact by default: rtl4ml sizes accum_t so no sum can overflow or round), the
// sum accumulates in accum_t, and the result is cast once to res_T with its rounding and
// overflow modes.
#ifndef RTL4ML_DENSE_H_
#define RTL4ML_DENSE_H_

#include "ap_fixed.h"
#include "rtl4ml_codes.h"

namespace rtl4ml {

// CONFIG_T provides: n_in, n_out, reuse_factor, multiplier_limit, weight_t, bias_t, accum_t.
template <class data_T, class res_T, typename CONFIG_T>
void dense(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
           const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
           const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
    #pragma HLS INLINE
    // With ReuseFactor R each multiplier serves R products (hls4ml's Resource pattern).
    #pragma HLS ALLOCATION operation instances=mul limit=CONFIG_T::multiplier_limit

    for (int j = 0; j < CONFIG_T::n_out; j++) {
        #pragma HLS UNROLL
        typename CONFIG_T::accum_t acc = cast<typename CONFIG_T::accum_t>(biases[j]);

        for (int i = 0; i < CONFIG_T::n_in; i++) {
            #pragma HLS UNROLL
            acc += cast<typename CONFIG_T::accum_t>(data[i] * weights[i * CONFIG_T::n_out + j]);
        }
        res[j] = cast<res_T>(acc);
    }
}

}  // namespace rtl4ml

#endif
