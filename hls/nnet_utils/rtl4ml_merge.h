// rtl4ml HLS layer library: merges of two tensors (add, subtract, multiply, average, maximum, minimum, dot,
// concatenate).
// The operation is done in CONFIG_T::exact_t, which holds every result exactly, then cast once to the
// result type: the golden model's "exact, then one requantization".
#ifndef RTL4ML_MERGE_H_
#define RTL4ML_MERGE_H_

#include "ap_fixed.h"
#include "rtl4ml_codes.h"

namespace rtl4ml {

enum merge_operation {
    MERGE_ADD = 0, MERGE_SUBTRACT = 1, MERGE_MULTIPLY = 2, MERGE_AVERAGE = 3, MERGE_MAXIMUM = 4, MERGE_MINIMUM = 5
};

// a op b in exact_t: ap_fixed's operators are full precision, and exact_t holds every result. Maximum and minimum
// compare in exact_t (it holds both operands): ap_fixed's own comparison of a signed with an unsigned type whose
// aligned width reaches 32 bits compares as unsigned (ap_fixed<8,-8> < 0 above ap_ufixed<8,16> 0).
template <class exact_t, int operation, class a_T, class b_T>
exact_t merge_value(const a_T a, const b_T b) {
    #pragma HLS INLINE
    const ap_ufixed<1, 0> half = 0.5;  // (a + b) * 0.5 is exact: the product type has one more fractional bit
    switch (operation) {
        case MERGE_ADD: return exact_t(a + b);
        case MERGE_SUBTRACT: return exact_t(a - b);
        case MERGE_MULTIPLY: return exact_t(a * b);
        case MERGE_AVERAGE: return exact_t((a + b) * half);
        case MERGE_MAXIMUM: return exact_t(a) > exact_t(b) ? exact_t(a) : exact_t(b);
        default: return exact_t(a) < exact_t(b) ? exact_t(a) : exact_t(b);
    }
}

// res[i] = res_T(a[i] op b[i]), op = CONFIG_T::operation (a merge_operation; a constant, so one branch remains).
template <class a_T, class b_T, class res_T, typename CONFIG_T>
void elementwise(const a_T a[CONFIG_T::n], const b_T b[CONFIG_T::n], res_T res[CONFIG_T::n]) {
    #pragma HLS INLINE
    for (int i = 0; i < CONFIG_T::n; i++) {
        #pragma HLS UNROLL
        res[i] = cast<res_T>(merge_value<typename CONFIG_T::exact_t, CONFIG_T::operation>(a[i], b[i]));
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
