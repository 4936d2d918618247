// rtl4ml HLS layer library: wiring layers of a channels-last tensor (io_parallel): zero padding, cropping,
// nearest up-sampling, transpose, steps reversed. No arithmetic: every output element is an input element or zero, the type kept.
// One spatial axis is the width with in_height = 1 (hls4ml's 1-D convention).
#ifndef RTL4ML_WIRING_H_
#define RTL4ML_WIRING_H_

#include "ap_fixed.h"

namespace rtl4ml {

// Zero padding and cropping. CONFIG_T: in_height, in_width, n_chan, out_height, out_width, and origin_top,
// origin_left: the output position of the input's first row and column (positive: padded, negative: cropped).
template <class data_T, class res_T, typename CONFIG_T>
void pad_or_crop(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                 res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_chan]) {
    #pragma HLS INLINE
    for (int oh = 0; oh < CONFIG_T::out_height; oh++) {
        #pragma HLS UNROLL
        for (int ow = 0; ow < CONFIG_T::out_width; ow++) {
            #pragma HLS UNROLL
            const int h = oh - CONFIG_T::origin_top;
            const int w = ow - CONFIG_T::origin_left;
            const bool inside = h >= 0 && h < CONFIG_T::in_height && w >= 0 && w < CONFIG_T::in_width;
            for (int c = 0; c < CONFIG_T::n_chan; c++) {
                #pragma HLS UNROLL
                res[(oh * CONFIG_T::out_width + ow) * CONFIG_T::n_chan + c] =
                    inside ? res_T(data[(h * CONFIG_T::in_width + w) * CONFIG_T::n_chan + c]) : res_T(0);
            }
        }
    }
}

// CONFIG_T: in_height, in_width, n_chan, out_height, out_width (integer multiples of the input's): nearest.
template <class data_T, class res_T, typename CONFIG_T>
void upsample_nearest(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
                      res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_chan]) {
    #pragma HLS INLINE
    for (int oh = 0; oh < CONFIG_T::out_height; oh++) {
        #pragma HLS UNROLL
        for (int ow = 0; ow < CONFIG_T::out_width; ow++) {
            #pragma HLS UNROLL
            const int h = oh / (CONFIG_T::out_height / CONFIG_T::in_height);
            const int w = ow / (CONFIG_T::out_width / CONFIG_T::in_width);
            for (int c = 0; c < CONFIG_T::n_chan; c++) {
                #pragma HLS UNROLL
                res[(oh * CONFIG_T::out_width + ow) * CONFIG_T::n_chan + c] =
                    res_T(data[(h * CONFIG_T::in_width + w) * CONFIG_T::n_chan + c]);
            }
        }
    }
}

// CONFIG_T: n (elements), out_d0, out_d1, out_d2 (the output shape, padded in front with 1s to three axes) and
// stride_d0, stride_d1, stride_d2 (the input's row-major stride of the axis that becomes output axis k).
template <class data_T, class res_T, typename CONFIG_T>
void transpose(const data_T data[CONFIG_T::n], res_T res[CONFIG_T::n]) {
    #pragma HLS INLINE
    for (int i = 0; i < CONFIG_T::out_d0; i++) {
        #pragma HLS UNROLL
        for (int j = 0; j < CONFIG_T::out_d1; j++) {
            #pragma HLS UNROLL
            for (int k = 0; k < CONFIG_T::out_d2; k++) {
                #pragma HLS UNROLL
                res[(i * CONFIG_T::out_d1 + j) * CONFIG_T::out_d2 + k] =
                    res_T(data[i * CONFIG_T::stride_d0 + j * CONFIG_T::stride_d1 + k * CONFIG_T::stride_d2]);
            }
        }
    }
}

// CONFIG_T: n_steps, n_chan: a [steps, features] sequence's steps last to first.
template <class data_T, class res_T, typename CONFIG_T>
void reverse_steps(const data_T data[CONFIG_T::n_steps * CONFIG_T::n_chan],
                   res_T res[CONFIG_T::n_steps * CONFIG_T::n_chan]) {
    #pragma HLS INLINE
    for (int t = 0; t < CONFIG_T::n_steps; t++) {
        #pragma HLS UNROLL
        for (int c = 0; c < CONFIG_T::n_chan; c++) {
            #pragma HLS UNROLL
            res[t * CONFIG_T::n_chan + c] = res_T(data[(CONFIG_T::n_steps - 1 - t) * CONFIG_T::n_chan + c]);
        }
    }
}

}  // namespace rtl4ml

#endif
