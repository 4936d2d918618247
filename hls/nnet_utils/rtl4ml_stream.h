// rtl4ml HLS layer library: streaming units (IOType io_stream), a pixel per stream element.
// A window unit walks the zero-padded frame one position per step (an image position reads the next pixel,
// a padding position takes zeros), keeps the newest positions in line buffers, and at each position that
// completes a window (its bottom-right corner on the stride grid) applies the unit's layers to the window, in
// kernel-matrix order: element (ky, kx, c) at (ky * filt_width + kx) * n_chan + c. The same walk as the
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

// CONFIG_T provides (hls4ml's names where it has them): in_height, in_width, n_chan (the frame), filt_height,
// filt_width, stride_height, stride_width, pad_top, pad_left, padded_height, padded_width, taps
// ((filt_height - 1) * padded_width + filt_width), n_out;
// APPLY_T::apply(const data_T window[], res_T result[]) computes the unit's layers on one window.
template <class data_T, class res_T, typename CONFIG_T, class APPLY_T>
void window_unit(hls::stream<pixel<data_T, CONFIG_T::n_chan> > &in,
                 hls::stream<pixel<res_T, CONFIG_T::n_out> > &out) {
    data_T taps[CONFIG_T::taps][CONFIG_T::n_chan];
    #pragma HLS ARRAY_PARTITION variable=taps complete dim=2
    for (int row = 0; row < CONFIG_T::padded_height; row++) {
        for (int col = 0; col < CONFIG_T::padded_width; col++) {
            #pragma HLS PIPELINE II=1
            const bool image = row >= CONFIG_T::pad_top && row < CONFIG_T::pad_top + CONFIG_T::in_height &&
                               col >= CONFIG_T::pad_left && col < CONFIG_T::pad_left + CONFIG_T::in_width;
            pixel<data_T, CONFIG_T::n_chan> newest;
            if (image) {
                newest = in.read();
            } else {
                for (int c = 0; c < CONFIG_T::n_chan; c++) newest.data[c] = 0;
            }
            for (int t = CONFIG_T::taps - 1; t > 0; t--) {
                for (int c = 0; c < CONFIG_T::n_chan; c++) taps[t][c] = taps[t - 1][c];
            }
            for (int c = 0; c < CONFIG_T::n_chan; c++) taps[0][c] = newest.data[c];
            const bool corner = row >= CONFIG_T::filt_height - 1 && col >= CONFIG_T::filt_width - 1 &&
                                (row - CONFIG_T::filt_height + 1) % CONFIG_T::stride_height == 0 &&
                                (col - CONFIG_T::filt_width + 1) % CONFIG_T::stride_width == 0;
            if (corner) {
                data_T window[CONFIG_T::filt_height * CONFIG_T::filt_width * CONFIG_T::n_chan];
                #pragma HLS ARRAY_PARTITION variable=window complete
                for (int ky = 0; ky < CONFIG_T::filt_height; ky++) {
                    for (int kx = 0; kx < CONFIG_T::filt_width; kx++) {
                        const int tap = (CONFIG_T::filt_height - 1 - ky) * CONFIG_T::padded_width +
                                        CONFIG_T::filt_width - 1 - kx;
                        for (int c = 0; c < CONFIG_T::n_chan; c++) {
                            window[(ky * CONFIG_T::filt_width + kx) * CONFIG_T::n_chan + c] = taps[tap][c];
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

// A unit on each pixel alone: CONFIG_T provides pixels (per frame), n_chan, n_out.
template <class data_T, class res_T, typename CONFIG_T, class APPLY_T>
void pixel_unit(hls::stream<pixel<data_T, CONFIG_T::n_chan> > &in,
                hls::stream<pixel<res_T, CONFIG_T::n_out> > &out) {
    for (int p = 0; p < CONFIG_T::pixels; p++) {
        #pragma HLS PIPELINE II=1
        pixel<data_T, CONFIG_T::n_chan> x = in.read();
        pixel<res_T, CONFIG_T::n_out> result;
        APPLY_T::apply(x.data, result.data);
        out.write(result);
    }
}

// A recurrent layer, its cell reused for every step: CONFIG_T provides n_steps, n_chan (features), n_out (units),
// return_sequences; APPLY_T a state_t, clear(state) and apply(x, state, h), which updates the state. The state starts
// at zero for each sequence; the state after every step leaves (return_sequences), else the last one.
template <class data_T, class res_T, typename CONFIG_T, class APPLY_T>
void recurrent_unit(hls::stream<pixel<data_T, CONFIG_T::n_chan> > &in,
                    hls::stream<pixel<res_T, CONFIG_T::n_out> > &out) {
    typename APPLY_T::state_t state;
    APPLY_T::clear(state);
    for (int t = 0; t < CONFIG_T::n_steps; t++) {
        pixel<data_T, CONFIG_T::n_chan> x = in.read();
        pixel<res_T, CONFIG_T::n_out> result;
        APPLY_T::apply(x.data, state, result.data);
        if (CONFIG_T::return_sequences || t == CONFIG_T::n_steps - 1) {
            out.write(result);
        }
    }
}

// Nearest up-sampling: each pixel sent new_width / in_width times, each row (kept in a row buffer) new_height /
// in_height times.
// CONFIG_T provides in_height, in_width, n_chan (the input frame), new_height, new_width (multiples of them),
// n_out (= n_chan);
// APPLY_T is not used (the unit passes its pixels on).
template <class data_T, class res_T, typename CONFIG_T, class APPLY_T>
void upsample_unit(hls::stream<pixel<data_T, CONFIG_T::n_chan> > &in,
                   hls::stream<pixel<res_T, CONFIG_T::n_out> > &out) {
    pixel<data_T, CONFIG_T::n_chan> line[CONFIG_T::in_width];
    for (int row = 0; row < CONFIG_T::in_height; row++) {
        for (int copy = 0; copy < CONFIG_T::new_height / CONFIG_T::in_height; copy++) {
            for (int col = 0; col < CONFIG_T::in_width; col++) {
                if (copy == 0) line[col] = in.read();
                for (int rep = 0; rep < CONFIG_T::new_width / CONFIG_T::in_width; rep++) {
                    #pragma HLS PIPELINE II=1
                    out.write(line[col]);
                }
            }
        }
    }
}

// The steps of a sequence last to first: the frame stored, then sent back from its end. CONFIG_T provides pixels
// (steps per frame), n_chan, n_out (= n_chan); APPLY_T is not used (the unit passes its pixels on).
template <class data_T, class res_T, typename CONFIG_T, class APPLY_T>
void reverse_unit(hls::stream<pixel<data_T, CONFIG_T::n_chan> > &in,
                  hls::stream<pixel<res_T, CONFIG_T::n_out> > &out) {
    pixel<data_T, CONFIG_T::n_chan> frame[CONFIG_T::pixels];
    for (int p = 0; p < CONFIG_T::pixels; p++) {
        #pragma HLS PIPELINE II=1
        frame[p] = in.read();
    }
    for (int p = CONFIG_T::pixels - 1; p >= 0; p--) {
        #pragma HLS PIPELINE II=1
        out.write(frame[p]);
    }
}

// A merge: one pixel of each input at once (in hardware the forks before it hold the early branch in FIFOs).
// CONFIG_T provides pixels (per frame), n_chan1, n_chan2, n_out;
// APPLY_T::apply(const data0_T in0[], const data1_T in1[], res_T result[]) computes the unit's layers.
template <class data0_T, class data1_T, class res_T, typename CONFIG_T, class APPLY_T>
void join_unit(hls::stream<pixel<data0_T, CONFIG_T::n_chan1> > &in0,
               hls::stream<pixel<data1_T, CONFIG_T::n_chan2> > &in1,
               hls::stream<pixel<res_T, CONFIG_T::n_out> > &out) {
    for (int p = 0; p < CONFIG_T::pixels; p++) {
        #pragma HLS PIPELINE II=1
        pixel<data0_T, CONFIG_T::n_chan1> a = in0.read();
        pixel<data1_T, CONFIG_T::n_chan2> b = in1.read();
        pixel<res_T, CONFIG_T::n_out> result;
        APPLY_T::apply(a.data, b.data, result.data);
        out.write(result);
    }
}

}  // namespace rtl4ml

#endif
