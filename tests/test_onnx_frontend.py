"""The ONNX / QONNX frontend: graphs read channels last without executing them, equal to onnxruntime (plain ONNX),
bit-exact with qonnx's executor and with Brevitas (QONNX), and with PyTorch's own outputs; refusals in one line."""

from pathlib import Path

import numpy as np
import pytest

import rtl4ml
from rtl4ml.errors import Rtl4mlError

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from rtl4ml.onnx_reference import onnx_outputs  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "onnx"
WIDE = {"Model": {"Precision": "ap_fixed<32,12,AP_RND_CONV,AP_SAT>"}}  # close to float, to compare with onnxruntime
QONNX_DOMAIN = "qonnx.custom_op.general"
INTEGER_CONSTANTS = ("pads", "shape", "axes")


def save_graph(tmp_path, nodes, input_shape, constants, name="g", outputs=("y",), opset=17, qonnx_opset=2) -> Path:
    """An ONNX file of `nodes` over input x [N, *input_shape] with constant initializers."""
    initializers = [numpy_helper.from_array(np.asarray(value, dtype=np.int64 if key in INTEGER_CONSTANTS else
                                                       np.float32), key) for key, value in constants.items()]
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", *input_shape])],
                              [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs],
                              initializers)
    imports = [helper.make_opsetid("", opset), helper.make_opsetid(QONNX_DOMAIN, qonnx_opset)]
    model = helper.make_model(graph, opset_imports=imports)
    path = tmp_path / f"{name}.onnx"
    onnx.save(model, str(path))
    return path


def node(op, inputs, output, **attributes):
    domain = QONNX_DOMAIN if op in ("Quant", "BipolarQuant", "Trunc") else ""
    return helper.make_node(op, inputs, [output], name=output, domain=domain, **attributes)


def channels_last(x):
    return np.moveaxis(x, 1, -1) if x.ndim > 2 else x


rng = np.random.default_rng(0)
W33 = rng.normal(0, 0.5, (4, 2, 3, 3))
CASES = {  # name: (nodes, input shape (channels first), constants)
    "conv_same_relu_pool_flatten_gemm": (
        [node("Conv", ["x", "w", "b"], "c", kernel_shape=[3, 3], pads=[1, 1, 1, 1]), node("Relu", ["c"], "r"),
         node("MaxPool", ["r"], "p", kernel_shape=[2, 2], strides=[2, 2]), node("Flatten", ["p"], "f"),
         node("Gemm", ["f", "g", "gb"], "y", transB=1)],
        (2, 6, 6), {"w": W33, "b": rng.normal(0, .1, 4), "g": rng.normal(0, .4, (3, 36)), "gb": rng.normal(0, .1, 3)}),
    "conv_asymmetric_pads_strided": (  # pads no `same` gives: a ZeroPadding before a valid convolution
        [node("Conv", ["x", "w"], "y", kernel_shape=[3, 3], pads=[2, 0, 1, 1], strides=[2, 1])],
        (2, 7, 6), {"w": W33}),
    "conv_same_lower_and_even_kernel": (
        [node("Conv", ["x", "w"], "y", kernel_shape=[2, 2], auto_pad="SAME_LOWER")],
        (2, 5, 5), {"w": rng.normal(0, .5, (3, 2, 2, 2))}),
    "depthwise_and_grouped_conv": (
        [node("Conv", ["x", "w"], "d", kernel_shape=[3, 3], group=4), node("Conv", ["d", "w2"], "y",
                                                                          kernel_shape=[1, 1], group=2)],
        (4, 5, 5), {"w": rng.normal(0, .5, (8, 1, 3, 3)), "w2": rng.normal(0, .5, (4, 4, 1, 1))}),
    "conv1d_batchnorm_folded_global_average": (
        [node("Conv", ["x", "w", "b"], "c", kernel_shape=[3]),
         node("BatchNormalization", ["c", "s", "bb", "m", "v"], "n", epsilon=1e-3),
         node("GlobalAveragePool", ["n"], "g"), node("Flatten", ["g"], "y")],
        (3, 9), {"w": rng.normal(0, .5, (4, 3, 3)), "b": rng.normal(0, .1, 4), "s": rng.uniform(.5, 2, 4),
                 "bb": rng.normal(0, .3, 4), "m": rng.normal(0, .3, 4), "v": rng.uniform(.5, 2, 4)}),
    "batchnorm_on_the_input_and_constant_arithmetic": (
        [node("BatchNormalization", ["x", "s", "bb", "m", "v"], "n"), node("Mul", ["n", "k"], "a"),
         node("Sub", ["a", "k2"], "b"), node("Div", ["b", "k3"], "y")],
        (3, 4, 4), {"s": rng.uniform(.5, 2, 3), "bb": rng.normal(0, .3, 3), "m": rng.normal(0, .3, 3),
                    "v": rng.uniform(.5, 2, 3), "k": rng.normal(0, 1, (3, 1, 1)), "k2": [0.25], "k3": [2.0]}),
    "matmul_add_bias_and_activations": (
        [node("MatMul", ["x", "w"], "m"), node("Add", ["m", "b"], "a"), node("LeakyRelu", ["a"], "l", alpha=0.125),
         node("MatMul", ["l", "w2"], "m2"), node("Clip", ["m2", "lo", "hi"], "c"),
         node("HardSigmoid", ["c"], "y", alpha=0.25, beta=0.5)],
        (8,), {"w": rng.normal(0, .5, (8, 6)), "b": rng.normal(0, .2, 6), "w2": rng.normal(0, .5, (6, 4)),
               "lo": 0.0, "hi": 1.5}),
    "flatten_then_elementwise_keeps_order_then_gemm": (
        [node("Flatten", ["x"], "f"), node("Relu", ["f"], "r"), node("Gemm", ["r", "g"], "y")],
        (3, 2, 2), {"g": rng.normal(0, .5, (12, 4))}),
    "flatten_read_by_a_merge_is_reordered": (
        [node("Flatten", ["x"], "f"), node("Gemm", ["f", "g"], "a"), node("Add", ["f", "f"], "s"),
         node("Concat", ["a", "s"], "y", axis=1)],
        (2, 2, 3), {"g": rng.normal(0, .5, (12, 4))}),
    "branches_add_and_channel_concat": (
        [node("Conv", ["x", "w"], "c1", kernel_shape=[1, 1]), node("Conv", ["x", "w2"], "c2", kernel_shape=[1, 1]),
         node("Add", ["c1", "c2"], "s"), node("Concat", ["s", "x"], "y", axis=1)],
        (2, 3, 3), {"w": rng.normal(0, .5, (2, 2, 1, 1)), "w2": rng.normal(0, .5, (2, 2, 1, 1))}),
    "pad_resize_average_pool_with_padding": (
        [node("Pad", ["x", "pads"], "p"), node("Resize", ["p", "", "scales"], "u", mode="nearest"),
         node("AveragePool", ["u"], "y", kernel_shape=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1)],
        (2, 3, 3), {"pads": [0, 0, 1, 0, 0, 0, 0, 2], "scales": [1, 1, 2, 2]}),
    "reshape_to_channels_first_and_squeeze": (
        [node("Gemm", ["x", "g"], "d"), node("Reshape", ["d", "shape"], "r"),
         node("Conv", ["r", "w"], "c", kernel_shape=[2, 2]), node("Flatten", ["c"], "f"),
         node("Unsqueeze", ["f", "axes"], "u"), node("Squeeze", ["u", "axes"], "y")],
        (6,), {"g": rng.normal(0, .5, (6, 18)), "shape": [-1, 2, 3, 3], "w": rng.normal(0, .5, (2, 2, 2, 2)),
               "axes": [2]}),
}


@pytest.mark.parametrize("case", CASES)
def test_plain_onnx_graphs_equal_onnxruntime(tmp_path, case):
    nodes, shape, constants = CASES[case]
    path = save_graph(tmp_path, nodes, shape, constants, name=case)
    X = rng.normal(0, 1, (40, *shape))
    design = rtl4ml.convert(str(path), WIDE)
    assert tuple(design.graph.input.shape) == (shape if len(shape) == 1 else (*shape[1:], shape[0]))
    ours = design.predict(channels_last(X)).reshape(len(X), -1)
    reference = onnx_outputs(path, channels_last(X))
    assert np.allclose(ours, reference, atol=2e-3), np.abs(ours - reference).max()


def test_tables_and_softmax_agree_with_onnxruntime_within_their_resolution(tmp_path):
    path = save_graph(tmp_path, [node("Gemm", ["x", "g"], "d"), node("Sigmoid", ["d"], "s"),
                                 node("Tanh", ["s"], "t"), node("Softmax", ["t"], "y", axis=-1)],
                      (5,), {"g": rng.normal(0, .5, (5, 4))})
    X = rng.normal(0, 1, (100, 5))
    ours = rtl4ml.convert(str(path), {"Model": {"Precision": "ap_fixed<18,6>"}}).predict(X)
    assert np.abs(ours - onnx_outputs(path, X)).max() < 0.01


def quant(inputs, output, signed=1, narrow=0, rounding_mode="ROUND"):
    return node("Quant", inputs, output, signed=signed, narrow=narrow, rounding_mode=rounding_mode)


@pytest.mark.parametrize("rounding", ["ROUND", "FLOOR", "DOWN", "HALF_UP", "HALF_DOWN"])
@pytest.mark.parametrize("signed, narrow", [(1, 0), (1, 1), (0, 0)])
def test_qonnx_quant_is_an_exact_type_equal_to_qonnx_execution(tmp_path, rounding, signed, narrow):
    """Quant on the input, on per-channel weights (power-of-two scales) and after a ReLU (fused): the golden model
    equals qonnx's own executor on every event."""
    w = rng.normal(0, .6, (6, 4))
    nodes = [quant(["x", "s_in", "zero", "bits_in"], "q", signed, narrow, rounding),
             quant(["w", "s_w", "zero", "bits_w"], "wq", 1, 0, "ROUND"), node("MatMul", ["q", "wq"], "m"),
             node("Relu", ["m"], "r"), quant(["r", "s_out", "zero", "bits_in"], "y", 0, 0, rounding)]
    constants = {"s_in": 2.0 ** -3, "zero": 0.0, "bits_in": 6.0, "w": w, "s_w": [[2.0 ** -2, 2.0 ** -4, 2.0 ** -3,
                                                                                    2.0 ** -5]],
                 "bits_w": 5.0, "s_out": 2.0 ** -2}
    path = save_graph(tmp_path, nodes, (6,), constants)
    X = np.round(rng.normal(0, 3, (60, 6)) * 64) / 64  # ties and values beyond the range
    X[:4] = [[1 / 16, -1 / 16, 3 / 16, -3 / 16, 5 / 16, 40]] * 4
    design = rtl4ml.convert(str(path), {"Model": {"Precision": "ap_fixed<24,10>"}})
    t = design.graph.input.result_type
    assert (t.width, t.frac, t.signed) == (6, 3, bool(signed))
    assert t.overflow == ("AP_SAT_SYM" if narrow else "AP_SAT")
    assert [layer.kind for layer in design.graph.layers] == ["activation", "dense", "activation"]
    assert design.graph.layers[1].weight_type.width <= 10
    assert np.array_equal(design.predict(X), onnx_outputs(path, X))


def test_qonnx_bipolar_and_trunc_equal_qonnx_execution(tmp_path):
    nodes = [node("BipolarQuant", ["w", "s_w"], "wq"), quant(["x", "s_in", "zero", "bits"], "q"),
             node("MatMul", ["q", "wq"], "m"), node("BipolarQuant", ["m", "s_b"], "b"),
             node("MatMul", ["b", "w2"], "m2"),
             node("Trunc", ["m2", "s_in", "zero", "bits16", "s_out", "bits4"], "y", signed=1, narrow=0,
                  rounding_mode="FLOOR")]
    constants = {"w": rng.normal(0, 1, (5, 6)), "s_w": 0.5, "s_in": 2.0 ** -3, "zero": 0.0, "bits": 8.0,
                 "s_b": 1.0, "w2": rng.integers(-3, 4, (6, 3)) / 8, "bits16": 16.0, "s_out": 0.25, "bits4": 4.0}
    path = save_graph(tmp_path, nodes, (5,), constants)
    X = rng.normal(0, 2, (80, 5))
    design = rtl4ml.convert(str(path), {"Model": {"Precision": "ap_fixed<24,10>"}})
    assert np.array_equal(design.predict(X), onnx_outputs(path, X))


@pytest.mark.parametrize("name", ["brevitas_mlp", "brevitas_cnn"])
def test_brevitas_exports_are_bit_exact_with_brevitas(name):
    """QONNX files exported by Brevitas (fixed-point quantizers): the golden model gives Brevitas's own outputs on
    every event, the input bus is the input quantizer's 8 bits, the weights keep their 4/6 bits."""
    io = np.load(FIXTURES / f"{name}.io.npz")
    design = rtl4ml.convert(str(FIXTURES / f"{name}.onnx"), {"Model": {"Precision": "ap_fixed<16,6>"}})
    assert design.graph.input.result_type.width == 8
    assert all(layer.weight_type.width <= 6 for layer in design.graph.layers if hasattr(layer, "weight_type"))
    ours = design.predict(channels_last(io["x"].astype(np.float64)))
    assert np.array_equal(ours, io["y"].astype(np.float64))


@pytest.mark.parametrize("name, tolerance", [("torch_mlp", 5e-3), ("torch_cnn", 1e-4)])
def test_pytorch_exports_agree_with_pytorch(name, tolerance):
    io = np.load(FIXTURES / f"{name}.io.npz")
    design = rtl4ml.convert(str(FIXTURES / f"{name}.onnx"), WIDE)
    ours = design.predict(channels_last(io["x"].astype(np.float64)))
    assert np.abs(ours - io["y"]).max() < tolerance
    assert np.array_equal(ours.argmax(1), io["y"].argmax(1))


@pytest.mark.sim
def test_a_brevitas_cnn_is_bit_exact_in_rtl_and_csim(tmp_path):
    """The Brevitas CNN through the Verilog core (with stalls) and the HLS C++: the golden model's codes, which are
    Brevitas's outputs."""
    io = np.load(FIXTURES / "brevitas_cnn.io.npz")
    X = channels_last(io["x"].astype(np.float64))
    design = rtl4ml.convert(str(FIXTURES / "brevitas_cnn.onnx"), {"Model": {"Precision": "ap_fixed<16,6>"}})
    design.write(tmp_path / "prj")
    bulk = design.simulate_bulk(X, idle=0.2, backpressure=0.2)
    assert bulk["passed"] and bulk["mismatches"] == 0 and bulk["events"] == len(X)
    assert design.csim(X)["mismatches"] == 0


def test_the_cli_reads_onnx_by_content_and_names_layers_for_the_config(tmp_path, capsys):
    from rtl4ml.cli import main

    renamed = tmp_path / "model.bin"  # not named .onnx: recognised by what it holds
    renamed.write_bytes((FIXTURES / "brevitas_mlp.onnx").read_bytes())
    assert main(["config", str(renamed), "--granularity", "name", "-o", str(tmp_path / "c.yml")]) == 0
    assert main(["convert", str(renamed), "-c", str(tmp_path / "c.yml"), "-o", str(tmp_path / "prj")]) == 0
    loaded = rtl4ml.load_design(tmp_path / "prj")
    X = rng.normal(0, 2, (30, 16))
    assert np.array_equal(loaded.predict(X), rtl4ml.convert(str(renamed), str(tmp_path / "c.yml")).predict(X))


def test_hls4ml_onnx_api(tmp_path):
    hls4ml = rtl4ml
    path = str(FIXTURES / "torch_mlp.onnx")
    config = hls4ml.utils.config_from_onnx_model(path, granularity="name", default_precision="ap_fixed<24,10>")
    model = hls4ml.converters.convert_from_onnx_model(path, output_dir=str(tmp_path / "prj"), hls_config=config)
    model.compile()
    io = np.load(FIXTURES / "torch_mlp.io.npz")
    assert np.array_equal(model.predict(io["x"].astype(np.float64)).argmax(1), io["y"].argmax(1))


REFUSALS = [  # (nodes, input shape, constants, message)
    ([quant(["x", "s", "z", "b"], "y")], (4,), {"s": 0.3, "z": 0.0, "b": 8.0},
     r"node 'y' \(Quant\): scale 0.3\d* is not a power of two"),
    ([quant(["x", "s", "z", "b"], "y")], (4,), {"s": 0.25, "z": 1.0, "b": 8.0}, r"zero point \[1.0\] is not 0"),
    ([quant(["x", "s", "z", "b"], "y", rounding_mode="CEIL")], (4,), {"s": 0.25, "z": 0.0, "b": 8.0},
     "rounding mode 'CEIL' has no ap_fixed equal"),
    ([node("Erf", ["x"], "y")], (4,), {}, r"node 'y' \(Erf\): unsupported operator 'Erf'"),
    ([node("MatMul", ["x", "x"], "y")], (4,), {}, "is computed by the graph, not a constant"),
    ([node("MaxPool", ["x"], "y", kernel_shape=[2, 2], pads=[1, 0, 0, 0])], (1, 4, 4), {},
     "a max pooling over other padding is not supported"),
    ([node("Softmax", ["x"], "y", axis=2)], (2, 3, 3), {}, "softmax over axis 2 is not supported"),
]


@pytest.mark.parametrize("nodes, shape, constants, message", REFUSALS)
def test_what_rtl4ml_cannot_read_exactly_is_refused_in_one_line(tmp_path, nodes, shape, constants, message):
    path = save_graph(tmp_path, nodes, shape, constants)
    with pytest.raises(Rtl4mlError, match=message) as error:
        rtl4ml.convert(str(path))
    assert "\n" not in str(error.value)


def test_trunc_of_the_first_qonnx_opset_is_refused(tmp_path):
    path = save_graph(tmp_path, [node("Trunc", ["x", "s", "z", "b8", "b4"], "y")], (4,),
                      {"s": 0.25, "z": 0.0, "b8": 8.0, "b4": 4.0}, qonnx_opset=1)
    with pytest.raises(Rtl4mlError, match="Trunc of the QONNX opset 1 .* is not supported"):
        rtl4ml.convert(str(path))


def test_damaged_onnx_files_and_misplaced_weights_are_refused(tmp_path):
    data = (FIXTURES / "torch_mlp.onnx").read_bytes()
    cut = tmp_path / "cut.onnx"
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(Rtl4mlError, match="cannot read ONNX file|malformed|has no"):
        rtl4ml.convert(str(cut))
    with pytest.raises(Rtl4mlError, match="an ONNX file holds its own weights"):
        rtl4ml.convert(str(FIXTURES / "torch_mlp.onnx"), weights=str(FIXTURES / "torch_mlp.onnx"))
    model = onnx.load(str(FIXTURES / "torch_mlp.onnx"))
    onnx.save(model, str(tmp_path / "ext.onnx"), save_as_external_data=True, size_threshold=0)
    with pytest.raises(Rtl4mlError, match="weights are in external data files"):
        rtl4ml.convert(str(tmp_path / "ext.onnx"))


@pytest.mark.torch
def test_a_live_pytorch_module_converts_through_torch_export():
    torch = pytest.importorskip("torch")
    module = torch.nn.Sequential(torch.nn.Conv1d(3, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                                 torch.nn.Linear(16, 5))
    X = torch.randn(50, 3, 6)
    with torch.no_grad():
        expected = module(X).numpy()
    design = rtl4ml.convert(module, WIDE, input_shape=(3, 6))
    assert np.abs(design.predict(channels_last(X.numpy().astype(np.float64))) - expected).max() < 1e-4
    with pytest.raises(Rtl4mlError, match="needs its input shape"):
        rtl4ml.convert(module)


@pytest.mark.torch
def test_a_live_brevitas_module_is_bit_exact_with_brevitas():
    torch = pytest.importorskip("torch")
    pytest.importorskip("brevitas")
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint

    torch.manual_seed(3)
    module = torch.nn.Sequential(qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, return_quant_tensor=True),
                                 qnn.QuantLinear(8, 4, bias=False, weight_quant=Int8WeightPerTensorFixedPoint,
                                                 weight_bit_width=5),
                                 qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint))
    X = torch.randn(64, 8) * 2
    module.train()
    with torch.no_grad():
        module(X)
    module.eval()
    with torch.no_grad():
        expected = module(X).numpy().astype(np.float64)
    hls4ml = rtl4ml
    config = hls4ml.utils.config_from_pytorch_model(module, (8,), default_precision="ap_fixed<16,6>")
    model = hls4ml.converters.convert_from_pytorch_model(module, hls_config=config)
    assert np.array_equal(model.predict(X.numpy().astype(np.float64)), expected)



def test_per_channel_activation_scales_give_each_element_its_type_equal_to_qonnx(tmp_path):
    """A Quant with one power-of-two scale per feature: an element quantizer, equal to qonnx's executor. Weights and
    inputs on short binary grids, so that qonnx's float32 Gemm is exact and its ties are the true ties."""
    local = np.random.default_rng(12)
    nodes = [node("Gemm", ["x", "g"], "d"),
             quant(["d", "scales", "zero", "bits"], "q"), node("Gemm", ["q", "g2"], "y")]
    constants = {"g": local.integers(-6, 7, (4, 6)) / 8,
                 "scales": [[2.0 ** -1, 2.0 ** -3, 2.0 ** -2, 2.0 ** -5, 0.5, 1.0]],
                 "zero": 0.0, "bits": 5.0, "g2": local.integers(-4, 5, (6, 2)) / 4}
    path = save_graph(tmp_path, nodes, (4,), constants)
    design = rtl4ml.convert(str(path), {"Model": {"Precision": "ap_fixed<24,10>"}})
    assert design.graph.layers[1].kind == "element_quantizer"
    X = np.round(local.normal(0, 2, (400, 4)) * 64) / 64
    assert np.array_equal(design.predict(X), onnx_outputs(path, X))
