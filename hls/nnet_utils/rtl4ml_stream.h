// rtl4ml HLS layer library: streaming units (IOType io_stream), a pixel per stream element.
// A window unit walks the zero-padded frame one position per step (an image position reads the next pixel,
// a padding position takes zeros), keeps the newest positions in line buffers, and at each position that
// completes a window (its bottom-right corner on the stride grid) applies the unit's layers to the window, in
// kernel-matrix order: element (ky, kx, c) at (ky * kernel_cols + kx) * channels + c. The same walk as the
// Verilog core's window_buffer, so both see the same windows.
#ifndef RTL4ML_STREAM_H_
#define RTL4ML_STREAM_H_

#include "ap_fixed.h"
#include "hls_stream.h"

namespace rtl4ml {

// One stream element: a pixel's channels (or a window's, or a flat tensor's elements).
template <class T, int N> struct pixel {
    T data[N];
};

// CONFIG_T provides: rows, cols, channels (the frame), kernel_rows, kernel_cols, stride_rows, stride_cols,
// pad_top, pad_left, padded_rows, padded_cols, taps ((kernel_rows - 1) * padded_cols + kernel_cols), n_out;
// APPLY_T::apply(const data_T window[], res_T result[]) computes the unit's layers on one window.
template <class data_T, class res_T, typename CONFIG_T, class APPLY_T>
void window_unit(hls::stream<pixel<data_T, CONFIG_T::channels> > &in,
                 hls::stream<pixel<res_T, CONFIG_T::n_out> > &out) {
    data_T taps[CONFIG_T::taps][CONFIG_T::channels];
    #pragma HLS ARRAY_PARTITION variable=taps complete dim=2
    for (int row = 0; row < CONFIG_T::padded_rows; row++) {
        for (int col = 0; col < CONFIG_T::padded_cols; col++) {
            #pragma HLS PIPELINE II=1
            const bool image = row >= CONFIG_T::pad_top && row < CONFIG_T::pad_top + CONFIG_T::rows &&
                               col >= CONFIG_T::pad_left && col < CONFIG_T::pad_left + CONFIG_T::cols;
            pixel<data_T, CONFIG_T::channels> newest;
            if (image) {
                newest = in.read();
            } else {
                for (int c = 0; c < CONFIG_T::channels; c++) newest.data[c] = 0;
            }
            for (int t = CONFIG_T::taps - 1; t > 0; t--) {
                for (int c = 0; c < CONFIG_T::channels; c++) taps[t][c] = taps[t - 1][c];
            }
            for (int c = 0; c < CONFIG_T::channels; c++) taps[0][c] = newest.data[c];
            const bool corner = row >= CONFIG_T::kernel_rows - 1 && col >= CONFIG_T::kernel_cols - 1 &&
                                (row - CONFIG_T::kernel_rows + 1) % CONFIG_T::stride_rows == 0 &&
                                (col - CONFIG_T::kernel_cols + 1) % CONFIG_T::stride_cols == 0;
            if (corner) {
                data_T window[CONFIG_T::kernel_rows * CONFIG_T::kernel_cols * CONFIG_T::channels];
                #pragma HLS ARRAY_PARTITION variable=window complete
                for (int ky = 0; ky < CONFIG_T::kernel_rows; ky++) {
                    for (int kx = 0; kx < CONFIG_T::kernel_cols; kx++) {
                        const int tap = (CONFIG_T::kernel_rows - 1 - ky) * CONFIG_T::padded_cols +
                                        CONFIG_T::kernel_cols - 1 - kx;
                        for (int c = 0; c < CONFIG_T::channels; c++) {
                            window[(ky * CONFIG_T::kernel_cols + kx) * CONFIG_T::channels + c] = taps[tap][c];
                        }
                    }
                }
                pixel<res_T, CONFIG_T::n_out> result;
                APPLY_T::apply(window, result.data);
                out.write(result);
            }
        }
    }
}

// A unit on each pixel alone: CONFIG_T provides pixels (per frame), channels, n_out.
template <class data_T, class res_T, typename CONFIG_T, class APPLY_T>
void pixel_unit(hls::stream<pixel<data_T, CONFIG_T::channels> > &in,
                hls::stream<pixel<res_T, CONFIG_T::n_out> > &out) {
    for (int p = 0; p < CONFIG_T::pixels; p++) {
        #pragma HLS PIPELINE II=1
        pixel<data_T, CONFIG_T::channels> x = in.read();
        pixel<res_T, CONFIG_T::n_out> result;
        APPLY_T::apply(x.data, result.data);
        out.write(result);
    }
}

// Nearest up-sampling: each pixel sent repeat_cols times, each row (kept in a row buffer) repeat_rows times.
// CONFIG_T provides rows, cols, channels (the input frame), repeat_rows, repeat_cols, n_out (= channels);
// APPLY_T is not used (the unit passes its pixels on).
template <class data_T, class res_T, typename CONFIG_T, class APPLY_T>
void upsample_unit(hls::stream<pixel<data_T, CONFIG_T::channels> > &in,
                   hls::stream<pixel<res_T, CONFIG_T::n_out> > &out) {
    pixel<data_T, CONFIG_T::channels> line[CONFIG_T::cols];
    for (int row = 0; row < CONFIG_T::rows; row++) {
        for (int copy = 0; copy < CONFIG_T::repeat_rows; copy++) {
            for (int col = 0; col < CONFIG_T::cols; col++) {
                if (copy == 0) line[col] = in.read();
                for (int rep = 0; rep < CONFIG_T::repeat_cols; rep++) {
                    #pragma HLS PIPELINE II=1
                    out.write(line[col]);
                }
            }
        }
    }
}

// A merge: one pixel of each input at once (in hardware the forks before it hold the early branch in FIFOs).
// CONFIG_T provides pixels (per frame), channels0, channels1, n_out;
// APPLY_T::apply(const data0_T in0[], const data1_T in1[], res_T result[]) computes the unit's layers.
template <class data0_T, class data1_T, class res_T, typename CONFIG_T, class APPLY_T>
void join_unit(hls::stream<pixel<data0_T, CONFIG_T::channels0> > &in0,
               hls::stream<pixel<data1_T, CONFIG_T::channels1> > &in1,
               hls::stream<pixel<res_T, CONFIG_T::n_out> > &out) {
    for (int p = 0; p < CONFIG_T::pixels; p++) {
        #pragma HLS PIPELINE II=1
        pixel<data0_T, CONFIG_T::channels0> a = in0.read();
        pixel<data1_T, CONFIG_T::channels1> b = in1.read();
        pixel<res_T, CONFIG_T::n_out> result;
        APPLY_T::apply(a.data, b.data, result.data);
        out.write(result);
    }
}

}  // namespace rtl4ml

#endif
