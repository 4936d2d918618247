// rtl4ml HLS layer library: dense layer (and the per-channel scale and shift of a batch normalization).
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

// Standalone batch normalization: per element of a channels-last tensor, res = cast(shift[c] + x * scale[c]) with
// the Dense rules above (a 1 x 1 Dense per element). CONFIG_T provides: n (elements), n_chan, weight_t (the
// scale), bias_t (the shift), accum_t.
template <class data_T, class res_T, typename CONFIG_T>
void batch_norm(const data_T data[CONFIG_T::n], res_T res[CONFIG_T::n],
                const typename CONFIG_T::weight_t scale[CONFIG_T::n_chan],
                const typename CONFIG_T::bias_t shift[CONFIG_T::n_chan]) {
    #pragma HLS INLINE
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        const int c = i % CONFIG_T::n_chan;
        typename CONFIG_T::accum_t acc = cast<typename CONFIG_T::accum_t>(shift[c]);
        acc += cast<typename CONFIG_T::accum_t>(data[i] * scale[c]);
        res[i] = cast<res_T>(acc);
    }
}

}  // namespace rtl4ml

#endif
