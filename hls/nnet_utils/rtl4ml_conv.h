// rtl4ml HLS layer library: convolution of a channels-last tensor (io_parallel), hls4ml's conv_1d / conv_2d.
// Each output position gathers its window (kernel rows, kernel columns, input channels; positions in the padding
// are zero) and computes the Dense of the kernel over it: the same products, accumulator and cast as
// rtl4ml::dense, so the bits are the golden model's. One spatial axis is the width with in_height = 1
// (hls4ml's 1-D convention). The kernel is stored once, [window element][filter], not once per position.
#ifndef RTL4ML_CONV_H_
#define RTL4ML_CONV_H_

#include "ap_fixed.h"
#include "rtl4ml_dense.h"

namespace rtl4ml {

// The Dense over one window: n_window inputs, n_filt outputs, the layer's types and multiplier limit.
template <typename CONFIG_T>
struct conv_kernel_config {
    static const int n_in = CONFIG_T::n_window;
    static const int n_out = CONFIG_T::n_filt;
    static const int reuse_factor = CONFIG_T::reuse_factor;
    static const int multiplier_limit = CONFIG_T::multiplier_limit;
    typedef typename CONFIG_T::weight_t weight_t;
    typedef typename CONFIG_T::bias_t bias_t;
    typedef typename CONFIG_T::accum_t accum_t;
};

// CONFIG_T: in_height, in_width, n_chan, filt_height, filt_width, n_filt, stride_height, stride_width, pad_top,
// pad_left, out_height, out_width, n_window (= filt_height * filt_width * n_chan), reuse_factor,
// multiplier_limit, and the types weight_t, bias_t, accum_t.
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d(const data_T data[CONFIG_T::in_height * CONFIG_T::in_width * CONFIG_T::n_chan],
             res_T res[CONFIG_T::out_height * CONFIG_T::out_width * CONFIG_T::n_filt],
             const typename CONFIG_T::weight_t weights[CONFIG_T::n_window * CONFIG_T::n_filt],
             const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
    #pragma HLS INLINE
    for (int oh = 0; oh < CONFIG_T::out_height; oh++) {
        #pragma HLS UNROLL
        for (int ow = 0; ow < CONFIG_T::out_width; ow++) {
            #pragma HLS UNROLL
            data_T window[CONFIG_T::n_window];
            #pragma HLS ARRAY_PARTITION variable=window complete
            for (int kh = 0; kh < CONFIG_T::filt_height; kh++) {
                for (int kw = 0; kw < CONFIG_T::filt_width; kw++) {
                    const int h = oh * CONFIG_T::stride_height + kh - CONFIG_T::pad_top;
                    const int w = ow * CONFIG_T::stride_width + kw - CONFIG_T::pad_left;
                    const bool inside = h >= 0 && h < CONFIG_T::in_height && w >= 0 && w < CONFIG_T::in_width;
                    for (int c = 0; c < CONFIG_T::n_chan; c++) {
                        window[(kh * CONFIG_T::filt_width + kw) * CONFIG_T::n_chan + c] =
                            inside ? data[(h * CONFIG_T::in_width + w) * CONFIG_T::n_chan + c] : data_T(0);
                    }
                }
            }
            dense<data_T, res_T, conv_kernel_config<CONFIG_T> >(
                window, &res[(oh * CONFIG_T::out_width + ow) * CONFIG_T::n_filt], weights, biases);
        }
    }
}

// The 1-D convolution: conv_2d with in_height = out_height = filt_height = 1 in CONFIG_T.
template <class data_T, class res_T, typename CONFIG_T>
void conv_1d(const data_T data[CONFIG_T::in_width * CONFIG_T::n_chan],
             res_T res[CONFIG_T::out_width * CONFIG_T::n_filt],
             const typename CONFIG_T::weight_t weights[CONFIG_T::n_window * CONFIG_T::n_filt],
             const typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
    #pragma HLS INLINE
    conv_2d<data_T, res_T, CONFIG_T>(data, res, weights, biases);
}

}  // namespace rtl4ml

#endif
