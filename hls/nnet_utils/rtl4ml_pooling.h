// rtl4ml HLS layer library: max and average pooling of a channels-last tensor (io_parallel).
// One spatial axis is the width with in_height = 1 (hls4ml's 1-D convention). Windows never include padding:
// a border window of a 'same' layer holds fewer positions, as in Keras and the golden model.
#ifndef RTL4ML_POOLING_H_
#define RTL4ML_POOLING_H_

#include "ap_fixed.h"
#include "rtl4ml_codes.h"

namespace rtl4ml {

// CONFIG_T: in_height, in_width, n_chan, pool_height, pool_width, stride_height, stride_width, pad_top, pad_left,
// out_height, out_width. res = res_T(max over the window), the maximum taken in data_T.
template <class data_T, class res_T, typename CONFIG_T>
void max_pool(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
              res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_chan]) {
    #pragma HLS INLINE
    for (int oh = 0; oh < CONFIG_T::out_height; oh++) {
        #pragma HLS UNROLL
        for (int ow = 0; ow < CONFIG_T::out_width; ow++) {
            #pragma HLS UNROLL
            for (int c = 0; c < CONFIG_T::n_chan; c++) {
                #pragma HLS UNROLL
                data_T best = 0;
                bool first = true;
                for (int kh = 0; kh < CONFIG_T::pool_height; kh++) {
                    for (int kw = 0; kw < CONFIG_T::pool_width; kw++) {
                        const int h = oh * CONFIG_T::stride_height + kh - CONFIG_T::pad_top;
                        const int w = ow * CONFIG_T::stride_width + kw - CONFIG_T::pad_left;
                        if (h < 0 || h >= CONFIG_T::in_height || w < 0 || w >= CONFIG_T::in_width) continue;
                        const data_T x = data[(h * CONFIG_T::in_width + w) * CONFIG_T::n_chan + c];
                        if (first || x > best) best = x;
                        first = false;
                    }
                }
                res[(oh * CONFIG_T::out_width + ow) * CONFIG_T::n_chan + c] = cast<res_T>(best);
            }
        }
    }
}

// CONFIG_T: as max_pool, plus the types reciprocal_t and accum_t (exact for window sum * 1/n).
// res = res_T(sum over the window of x * reciprocal), reciprocal = 1/n of the window's real positions, one per
// output position (the recipe of ir/layers/pooling.py); every product and the sum are exact in accum_t, so this
// is (sum x) * 1/n rounded once.
template <class data_T, class res_T, typename CONFIG_T>
void avg_pool(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
              res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_chan],
              const typename CONFIG_T::reciprocal_t reciprocals[CONFIG_T::out_height * CONFIG_T::out_width]) {
    #pragma HLS INLINE
    for (int oh = 0; oh < CONFIG_T::out_height; oh++) {
        #pragma HLS UNROLL
        for (int ow = 0; ow < CONFIG_T::out_width; ow++) {
            #pragma HLS UNROLL
            const typename CONFIG_T::reciprocal_t reciprocal = reciprocals[oh * CONFIG_T::out_width + ow];
            for (int c = 0; c < CONFIG_T::n_chan; c++) {
                #pragma HLS UNROLL
                typename CONFIG_T::accum_t acc = 0;
                for (int kh = 0; kh < CONFIG_T::pool_height; kh++) {
                    for (int kw = 0; kw < CONFIG_T::pool_width; kw++) {
                        const int h = oh * CONFIG_T::stride_height + kh - CONFIG_T::pad_top;
                        const int w = ow * CONFIG_T::stride_width + kw - CONFIG_T::pad_left;
                        if (h < 0 || h >= CONFIG_T::in_height || w < 0 || w >= CONFIG_T::in_width) continue;
                        acc += cast<typename CONFIG_T::accum_t>(
                            data[(h * CONFIG_T::in_width + w) * CONFIG_T::n_chan + c] * reciprocal);
                    }
                }
                res[(oh * CONFIG_T::out_width + ow) * CONFIG_T::n_chan + c] = cast<res_T>(acc);
            }
        }
    }
}

}  // namespace rtl4ml

#endif
