// rtl4ml HLS layer library: elementwise activations (relu, linear) and table-based sigmoid/tanh.
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

}  // namespace rtl4ml

#endif
