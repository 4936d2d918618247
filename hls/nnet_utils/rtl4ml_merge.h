// rtl4ml HLS layer library: merges of two tensors (add, subtract, multiply, dot, concatenate).
// The operation is done in CONFIG_T::exact_t, which holds every result exactly, then cast once to the
// result type: the golden model's "exact, then one requantization".
#ifndef RTL4ML_MERGE_H_
#define RTL4ML_MERGE_H_

#include "ap_fixed.h"
#include "rtl4ml_codes.h"

namespace rtl4ml {

template <class a_T, class b_T, class res_T, typename CONFIG_T>
void add(const a_T a[CONFIG_T::n], const b_T b[CONFIG_T::n], res_T res[CONFIG_T::n]) {
    #pragma HLS INLINE
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        const typename CONFIG_T::exact_t value = a[i] + b[i];
        res[i] = cast<res_T>(value);
    }
}

template <class a_T, class b_T, class res_T, typename CONFIG_T>
void subtract(const a_T a[CONFIG_T::n], const b_T b[CONFIG_T::n], res_T res[CONFIG_T::n]) {
    #pragma HLS INLINE
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        const typename CONFIG_T::exact_t value = a[i] - b[i];
        res[i] = cast<res_T>(value);
    }
}

template <class a_T, class b_T, class res_T, typename CONFIG_T>
void multiply(const a_T a[CONFIG_T::n], const b_T b[CONFIG_T::n], res_T res[CONFIG_T::n]) {
    #pragma HLS INLINE
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        const typename CONFIG_T::exact_t value = a[i] * b[i];
        res[i] = cast<res_T>(value);
    }
}

// Sum over i of a[i] * b[i]; every partial sum fits exact_t.
template <class a_T, class b_T, class res_T, typename CONFIG_T>
void dot(const a_T a[CONFIG_T::n], const b_T b[CONFIG_T::n], res_T res[1]) {
    #pragma HLS INLINE
    typename CONFIG_T::exact_t sum = 0;
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        sum += a[i] * b[i];
    }
    res[0] = cast<res_T>(sum);
}

// Row-major concatenation along an axis: for each of the `outer` index combinations before the axis,
// the first input's n_a elements, then the second's n_b, each cast to the result type.
template <class a_T, class b_T, class res_T, typename CONFIG_T>
void concatenate(const a_T a[CONFIG_T::outer * CONFIG_T::n_a], const b_T b[CONFIG_T::outer * CONFIG_T::n_b],
                 res_T res[CONFIG_T::outer * (CONFIG_T::n_a + CONFIG_T::n_b)]) {
    #pragma HLS INLINE
    for (int o = 0; o < CONFIG_T::outer; o++) {
        #pragma HLS UNROLL
        for (int i = 0; i < CONFIG_T::n_a; i++) {
            #pragma HLS UNROLL
            res[o * (CONFIG_T::n_a + CONFIG_T::n_b) + i] = cast<res_T>(a[o * CONFIG_T::n_a + i]);
        }
        for (int i = 0; i < CONFIG_T::n_b; i++) {
            #pragma HLS UNROLL
            res[o * (CONFIG_T::n_a + CONFIG_T::n_b) + CONFIG_T::n_a + i] = cast<res_T>(b[o * CONFIG_T::n_b + i]);
        }
    }
}

}  // namespace rtl4ml

#endif
