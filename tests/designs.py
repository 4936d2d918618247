"""Small networks and precisions shared by the RTL tests (each becomes one cached Verilator build)."""

from __future__ import annotations

from conftest import make_mlp

# name -> (sizes, activations, config, model options)
DESIGNS = {
    "relu_fixed8_trn_wrap": ([4, 6, 3], ["relu", "linear"], {"Model": {"Precision": "ap_fixed<8,3>"}}, {}),
    "relu_rnd_sat_unsigned_in": ([5, 4, 3], ["relu", "relu"], {
        "Model": {"Precision": "ap_fixed<10,4,AP_RND_CONV,AP_SAT>"},
        "LayerName": {"features": {"Precision": {"result": "ap_ufixed<6,2,AP_RND,AP_SAT>"}}}}, {}),
    "softmax_tanh_fixed12": ([4, 5, 4], ["tanh", "softmax"], {"Model": {"Precision": "ap_fixed<12,5>"}}, {}),
    "sigmoid_int8": ([3, 4, 2], ["relu", "sigmoid"], {
        "Model": {"Precision": "ap_fixed<10,3>"},
        "LayerName": {"features": {"Precision": {"result": "ap_int<8>"}}}}, {}),
    "narrow_wrapping_accumulator": ([6, 3], ["linear"], {
        "Model": {"Precision": {"default": "ap_fixed<8,3>", "accum": "ap_fixed<9,4,AP_RND>"}}}, {}),
    "pruned_half": ([6, 8, 3], ["relu", "softmax"], {"Model": {"Precision": "ap_fixed<10,4>"}},
                    {"zero_fraction": 0.5}),
    "odd_types_sat_sym_trn_zero": ([3, 3, 2], ["relu", "linear"], {
        "Model": {"Precision": {"default": "ap_fixed<7,2,AP_TRN_ZERO,AP_SAT_SYM>", "weight": "ap_fixed<5,1,AP_RND_INF>",
                                "bias": "ap_fixed<4,-1>"}}}, {}),
}


def build_design(keras, name: str, seed: int = 0, reuse: int = 1):
    import rtl4ml

    sizes, activations, config, options = DESIGNS[name]
    model = make_mlp(keras, sizes, activations, seed=seed, **options)
    if reuse > 1:
        config = {**config, "Model": {**config["Model"], "ReuseFactor": reuse}}
    return model, rtl4ml.convert(model, config)
