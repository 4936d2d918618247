// rtl4ml HLS layer library: elementwise activations (relu, linear, piecewise-linear) and table-based ones
// (sigmoid, tanh, softsign, softplus, elu, selu).
// Every conversion is an ap_fixed cast, so rounding and overflow follow the result type.
#ifndef RTL4ML_ACTIVATION_H_
#define RTL4ML_ACTIVATION_H_

#include "ap_fixed.h"
#include "rtl4ml_codes.h"

namespace rtl4ml {

template <class data_T, class res_T, int N>
void relu(const data_T data[N], res_T res[N]) {
    #pragma HLS INLINE
    for (int i = 0; i < N; i++) {
        #pragma HLS UNROLL
        res[i] = data[i] > 0 ? cast<res_T>(data[i]) : (res_T)0;
    }
}

template <class data_T, class res_T, int N>
void linear(const data_T data[N], res_T res[N]) {
    #pragma HLS INLINE
    for (int i = 0; i < N; i++) {
        #pragma HLS UNROLL
        res[i] = cast<res_T>(data[i]);
    }
}

// Each element to its own type (group[i] picks it among own_T...; -1: no bits, always 0), then to the result type,
// which holds every own type exactly: one pass per type, so each conversion is an ap_fixed cast with that type's
// rounding and overflow.
template <class data_T, class res_T, int N, int G>
void element_quantize_group(const data_T data[N], res_T res[N], const int group[N]) {}

template <class data_T, class res_T, int N, int G, class own_T, class... rest_T>
void element_quantize_group(const data_T data[N], res_T res[N], const int group[N]) {
    #pragma HLS INLINE
    for (int i = 0; i < N; i++) {
        #pragma HLS UNROLL
        if (group[i] == G) res[i] = cast<res_T>(cast<own_T>(data[i]));
    }
    element_quantize_group<data_T, res_T, N, G + 1, rest_T...>(data, res, group);
}

template <class data_T, class res_T, int N, class... own_T>
void element_quantize(const data_T data[N], res_T res[N], const int group[N]) {
    #pragma HLS INLINE
    for (int i = 0; i < N; i++) {
        #pragma HLS UNROLL
        res[i] = 0;  // group -1: an element of no bits
    }
    element_quantize_group<data_T, res_T, N, 0, own_T...>(data, res, group);
}

// index = clamp((code + index_offset) >> index_shift, 0, table_size - 1) (<< -index_shift when negative).
// The table holds result codes (ap_int/ap_uint of the result's width): integer tables compile fast.
// CONFIG_T provides: n, table_size, index_width, index_offset, index_shift.
template <class data_T, class res_T, class table_T, typename CONFIG_T>
void table_activation(const data_T data[CONFIG_T::n], res_T res[CONFIG_T::n],
                      const table_T table[CONFIG_T::table_size]) {
    #pragma HLS INLINE
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        ap_int<CONFIG_T::index_width> index = code_of<CONFIG_T::index_width>(data[i]);
        index += CONFIG_T::index_offset;
        if (CONFIG_T::index_shift >= 0) {
            index >>= CONFIG_T::index_shift;
        } else {
            index <<= -CONFIG_T::index_shift;
        }
        if (index < 0) index = 0;
        if (index > CONFIG_T::table_size - 1) index = CONFIG_T::table_size - 1;
        res[i] = from_code<res_T>(table[index.to_int()]);
    }
}

// x converted to res_T after a linear tail: x * scale is exact in exact_t (ap_fixed products are full precision).
template <class res_T, class exact_T, class data_T, class scale_T>
res_T linear_tail(const data_T x, const scale_T scale) {
    #pragma HLS INLINE
    return cast<res_T>(exact_T(x * scale));
}

// table_activation, except that inputs whose code is at least tail_start give res_T(x * tail[0]) (elu, selu,
// softplus). CONFIG_T also provides tail_start and the types tail_t and tail_exact_t.
template <class data_T, class res_T, class table_T, typename CONFIG_T>
void table_activation_tail(const data_T data[CONFIG_T::n], res_T res[CONFIG_T::n],
                           const table_T table[CONFIG_T::table_size], const typename CONFIG_T::tail_t tail[1]) {
    #pragma HLS INLINE
    table_activation<data_T, res_T, table_T, CONFIG_T>(data, res, table);
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        if (code_of<CONFIG_T::index_width>(data[i]) >= CONFIG_T::tail_start) {
            res[i] = linear_tail<res_T, typename CONFIG_T::tail_exact_t>(data[i], tail[0]);
        }
    }
}

// Piecewise-linear, element i on row r = i % rows (a channel, or one row for all): segment j where
// thresholds[r][j-1] < code(x) <= thresholds[r][j] (n_thresholds per row, increasing), value = x * scales[r][j] +
// offsets[r][j] exactly in exact_t, clipped to bounds[0] (has_low) and bounds[1] (has_high), then cast to res_T.
// The arrays are row-major. CONFIG_T: n, rows, n_thresholds, code_width, has_low, has_high, constant_t, exact_t.
template <class data_T, class res_T, typename CONFIG_T>
void piecewise_linear(const data_T data[CONFIG_T::n], res_T res[CONFIG_T::n], const long long thresholds[],
                      const typename CONFIG_T::constant_t scales[], const typename CONFIG_T::exact_t offsets[],
                      const typename CONFIG_T::exact_t bounds[2]) {
    #pragma HLS INLINE
    typedef typename CONFIG_T::exact_t exact_t;
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        const ap_int<CONFIG_T::code_width> code = code_of<CONFIG_T::code_width>(data[i]);
        const int row = i % CONFIG_T::rows;
        const int first = row * (CONFIG_T::n_thresholds + 1);  // the row's segment 0
        int segment = first;
        for (int k = 0; k < CONFIG_T::n_thresholds; k++) {
            if (code > thresholds[row * CONFIG_T::n_thresholds + k]) segment = first + k + 1;
        }
        exact_t value = exact_t(data[i] * scales[segment] + offsets[segment]);
        if (CONFIG_T::has_low && value < bounds[0]) value = bounds[0];
        if (CONFIG_T::has_high && value > bounds[1]) value = bounds[1];
        res[i] = cast<res_T>(value);
    }
}

}  // namespace rtl4ml

#endif
