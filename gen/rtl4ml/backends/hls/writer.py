"""Write a Vitis-HLS project of the IR: firmware (one function call per layer), weights headers,
a code-level testbench and build_prj.tcl.

Everything numeric is taken from the IR as integer codes and printed as exact decimal
values of the layer's own ap_fixed type, so the C++ computes the golden model's bits.
"""

from __future__ import annotations

import functools
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import numpy as np

from ... import __version__
from ...errors import fail
from ...fixed_point import FixedType
from ...ir.graph import ModelGraph
from ...ir.handlers import HandlerTable
from ...ir.layers.pooling import RECIPROCAL_TYPE
from ...ir.layers import (
    ActivationLayer, AveragePoolingLayer, BatchNormLayer, ConcatenateLayer, ConvLayer, CroppingLayer, DenseLayer,
    DotLayer, ElementQuantizerLayer, ElementwiseMergeLayer, MaxPoolingLayer, PermuteLayer, PiecewiseLinearLayer,
    ReshapeLayer, ReverseLayer, SoftmaxLayer, TableActivationLayer, UpSamplingLayer, ZeroPaddingLayer)
from ...resources import hls_dir
from ..identifiers import check_project_name, comment_text, unique_identifiers

MAX_LINE = 120


def cpp_type(t: FixedType) -> str:
    base = "ap_fixed" if t.signed else "ap_ufixed"
    modes = "" if (t.rounding, t.overflow) == ("AP_TRN", "AP_WRAP") else f", {t.rounding}, {t.overflow}"
    return f"{base}<{t.width}, {t.integer}{modes}>"


def exact_literal(code: int, frac: int) -> str:
    """Shortest decimal that is exactly code * 2**-frac (a double holds it exactly for widths <= 32)."""
    value = float(code) * 2.0**-frac
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def wrap_values(values: list[str], indent: str = "    ", closing: str = "") -> list[str]:
    """Comma-separated values on lines of at most MAX_LINE characters; `closing` ends the last one."""
    lines, current = [], indent
    for index, value in enumerate(values):
        piece = value + ("," if index < len(values) - 1 else closing)
        if len(current) + len(piece) + 1 > MAX_LINE and current.strip():
            lines.append(current.rstrip())
            current = indent
        current += piece + " "
    if current.strip():
        lines.append(current.rstrip())
    return lines


@dataclass
class HlsLayer:
    """Template values of one layer call: rtl4ml::<function><in_t, result_t, template_args...>(in, out, arrays...)."""

    identifier: str
    layer: object
    function: str  # the nnet_utils function called
    types: dict = field(default_factory=dict)  # typedef name -> C++ type (defines.h)
    config: dict = field(default_factory=dict)  # static const members of <identifier>_config
    member_types: dict = field(default_factory=dict)  # typedefs inside <identifier>_config
    template_args: list = field(default_factory=list)  # after the input and result types
    arrays: list = field(default_factory=list)  # (header file, C++ type, name, size, lines), passed in this order
    # wiring, set by plan_project from the graph
    source_types: list = field(default_factory=list)  # C++ types of the inputs, in the layer's input order
    target: str = ""
    local: bool = True  # the result is a local array (not written straight into a top-level output)
    copies: list = field(default_factory=list)  # top-level outputs this result is copied to
    argument_lines: list = field(default_factory=list)  # the call's arguments, wrapped to MAX_LINE


@dataclass(frozen=True)
class HlsOutput:
    """One argument of the top function holding a model output: variable, element type, size, beat position."""

    variable: str
    type_name: str
    n: int
    width: int
    lsb: int


def _code_width(t: FixedType) -> int:
    return t.width + 2  # room for the sign and the difference of two codes


HLS_CALLS = HandlerTable("HLS C++ backend")


def _linear_parts(ident: str, layer, weight: np.ndarray, bias: np.ndarray, weight_name: str = "w",
                  bias_name: str = "b") -> dict:
    """The types, member typedefs and weight/bias arrays a linear layer's call takes (weights row-major)."""
    weights = [exact_literal(int(c), layer.weight_type.frac) for c in weight.reshape(-1)]
    biases = [exact_literal(int(c), layer.bias_type.frac) for c in bias.reshape(-1)]
    return {"types": {f"{ident}_weight_t": cpp_type(layer.weight_type), f"{ident}_bias_t": cpp_type(layer.bias_type),
                      f"{ident}_accum_t": cpp_type(layer.accum_type)},
            "member_types": {"weight_t": f"{ident}_weight_t", "bias_t": f"{ident}_bias_t",
                             "accum_t": f"{ident}_accum_t"},
            "arrays": [(f"{ident}_{weight_name}.h", f"{ident}_weight_t", f"{ident}_{weight_name}", len(weights),
                        wrap_values(weights)),
                       (f"{ident}_{bias_name}.h", f"{ident}_bias_t", f"{ident}_{bias_name}", len(biases),
                        wrap_values(biases))]}


@HLS_CALLS.register(DenseLayer)
def _dense(ident: str, layer: DenseLayer) -> HlsLayer:
    return HlsLayer(ident, layer, "dense", template_args=[f"{ident}_config"],
                    config={"n_in": layer.n_in, "n_out": layer.n_out, "reuse_factor": layer.reuse_factor,
                            "multiplier_limit": max(1, layer.multipliers)},
                    **_linear_parts(ident, layer, layer.weight, layer.bias))


def _spatial(shape: tuple[int, ...]) -> tuple[int, int]:
    """(height, width) of a channels-last tensor; one spatial axis is the width (hls4ml's 1-D convention)."""
    return (1, shape[0]) if len(shape) == 2 else (shape[0], shape[1])


def _height_width(values: tuple[int, ...], fill: int) -> tuple[int, int]:
    """A per-spatial-axis setting as (height, width); one axis is the width, the height gets `fill`."""
    return (fill, values[0]) if len(values) == 1 else (values[0], values[1])


def _window_geometry(window: str, input_shape, output_spatial, size, strides, pad_before) -> dict:
    """The window placement every windowed call's config holds, in hls4ml's names (1-D: height 1); `window`
    names the window's size: filt (convolutions) or pool."""
    (in_h, in_w), (out_h, out_w) = _spatial(input_shape), _spatial(tuple(output_spatial) + (1,))
    (size_h, size_w), (stride_h, stride_w) = _height_width(size, 1), _height_width(strides, 1)
    pad_top, pad_left = _height_width(pad_before, 0)
    return {"in_height": in_h, "in_width": in_w, "n_chan": input_shape[-1], f"{window}_height": size_h,
            f"{window}_width": size_w, "stride_height": stride_h, "stride_width": stride_w, "pad_top": pad_top,
            "pad_left": pad_left, "out_height": out_h, "out_width": out_w}


@HLS_CALLS.register(ConvLayer)
def _conv(ident: str, layer: ConvLayer) -> HlsLayer:
    """hls4ml's conv_1d / conv_2d: the kernel's Dense over each output position's window, the kernel stored once."""
    geometry = _window_geometry("filt", layer.input_shape, layer.shape[:-1], layer.kernel_size, layer.strides,
                                layer.pad_before)
    kernel = layer.kernel_matrix
    return HlsLayer(ident, layer, f"conv_{layer.rank}d", template_args=[f"{ident}_config"],
                    config=geometry | {"n_filt": kernel.shape[1], "n_window": kernel.shape[0],
                                       "reuse_factor": layer.reuse_factor,
                                       "multiplier_limit": max(1, layer.multipliers)},
                    **_linear_parts(ident, layer, kernel, layer.bias))


@HLS_CALLS.register(BatchNormLayer)
def _batch_norm(ident: str, layer: BatchNormLayer) -> HlsLayer:
    return HlsLayer(ident, layer, "batch_norm", template_args=[f"{ident}_config"],
                    config={"n": layer.n_out, "n_chan": layer.weight.shape[0]},
                    **_linear_parts(ident, layer, layer.weight, layer.bias, "scale", "shift"))


@HLS_CALLS.register(TableActivationLayer)
def _table_activation(ident: str, layer: TableActivationLayer) -> HlsLayer:
    code_type = f"ap_{'' if layer.result_type.signed else 'u'}int<{layer.result_type.width}>"
    values = [str(int(c)) for c in layer.table]  # result codes: value = code * 2^-frac
    call = HlsLayer(
        ident, layer, "table_activation",
        config={"n": layer.n_out, "table_size": len(layer.table), "index_width": layer.index_width,
                "index_offset": layer.index_offset, "index_shift": layer.index_shift},
        template_args=[code_type, f"{ident}_config"],
        arrays=[(f"{ident}_table.h", code_type, f"{ident}_table", len(layer.table), wrap_values(values))])
    if layer.tail_start is not None:
        call.function = "table_activation_tail"
        call.config["tail_start"] = layer.tail_start
        call.types |= {f"{ident}_tail_t": cpp_type(layer.tail_type), f"{ident}_tail_exact_t": cpp_type(
            layer.tail_exact_type)}
        call.member_types |= {"tail_t": f"{ident}_tail_t", "tail_exact_t": f"{ident}_tail_exact_t"}
        call.arrays.append((f"{ident}_table.h", f"{ident}_tail_t", f"{ident}_tail", 1,
                            [exact_literal(layer.tail_scale, layer.tail_type.frac)]))
    return call


@HLS_CALLS.register(PiecewiseLinearLayer)
def _piecewise_linear(ident: str, layer: PiecewiseLinearLayer) -> HlsLayer:
    frac = layer.constant_type.frac
    thresholds = [f"{t}LL" for row in layer.thresholds for t in row] or ["0LL"]  # C++ has no empty arrays
    scales = [exact_literal(c, frac) for row in layer.scales for c in row]
    offsets = [exact_literal(c, layer.exact_frac) for row in layer.offsets for c in row]
    bounds = [exact_literal(bound or 0, layer.exact_frac) for bound in (layer.low, layer.high)]
    return HlsLayer(
        ident, layer, "piecewise_linear", template_args=[f"{ident}_config"],
        config={"n": layer.n_out, "rows": layer.rows, "n_thresholds": len(layer.thresholds[0]),
                "code_width": layer.input_type.width + 2, "has_low": int(layer.low is not None),
                "has_high": int(layer.high is not None)},
        types={f"{ident}_constant_t": cpp_type(layer.constant_type), f"{ident}_exact_t": cpp_type(layer.exact_type)},
        member_types={"constant_t": f"{ident}_constant_t", "exact_t": f"{ident}_exact_t"},
        arrays=[(f"{ident}_segments.h", "long long", f"{ident}_thresholds", len(thresholds), wrap_values(thresholds)),
                (f"{ident}_segments.h", f"{ident}_constant_t", f"{ident}_scales", len(scales), wrap_values(scales)),
                (f"{ident}_segments.h", f"{ident}_exact_t", f"{ident}_offsets", len(offsets), wrap_values(offsets)),
                (f"{ident}_segments.h", f"{ident}_exact_t", f"{ident}_bounds", 2, wrap_values(bounds))])


@HLS_CALLS.register(SoftmaxLayer)
def _softmax(ident: str, layer: SoftmaxLayer) -> HlsLayer:
    tables = [("log_hi", layer.y_bits, layer.log_hi), ("log_lo", layer.y_bits, layer.log_lo),
              ("pow2", layer.exp_bits, layer.pow2), ("log_sum", layer.z_bits, layer.log_sum)]
    return HlsLayer(
        ident, layer, "softmax",
        config={"n": layer.classes, "rows": layer.n_out // layer.classes,
                "code_width": max(_code_width(layer.input_type), layer.d_bits + 1),
                "d_shift": layer.d_shift, "d_bits": layer.d_bits, "lo_bits": layer.lo_bits,
                "log_frac": layer.log_frac, "y_bits": layer.y_bits, "z_bits": layer.z_bits,
                "exp_frac": layer.exp_frac, "exp_bits": layer.exp_bits, "sum_bits": layer.sum_bits,
                "sum_shift": layer.sum_shift, "hi_size": len(layer.log_hi), "lo_size": len(layer.log_lo),
                "pow2_size": len(layer.pow2), "sum_size": len(layer.log_sum)},
        template_args=[f"{ident}_config"],
        arrays=[(f"{ident}_tables.h", f"ap_uint<{bits}>", f"{ident}_{table}", len(values),
                 wrap_values([str(int(v)) for v in values])) for table, bits, values in tables])


@HLS_CALLS.register(ActivationLayer)
def _activation(ident: str, layer: ActivationLayer) -> HlsLayer:
    return HlsLayer(ident, layer, layer.function, config={"n": layer.n_out}, template_args=[str(layer.n_out)])


@HLS_CALLS.register(ElementQuantizerLayer)
def _element_quantizer(ident: str, layer: ElementQuantizerLayer) -> HlsLayer:
    kept = [g for g, t in enumerate(layer.element_types) if t is not None]  # None: always 0, group -1
    own = {f"{ident}_own{index}_t": cpp_type(layer.element_types[g]) for index, g in enumerate(kept)}
    groups = [str(kept.index(g)) if g in kept else "-1" for g in layer.groups]
    return HlsLayer(ident, layer, "element_quantize", types=own, config={"n": layer.n_out},
                    template_args=[str(layer.n_out), *own],
                    arrays=[(f"{ident}_groups.h", "int", f"{ident}_group", len(groups), wrap_values(groups))])


@HLS_CALLS.register(ReshapeLayer)
def _reshape(ident: str, layer: ReshapeLayer) -> HlsLayer:
    # the same type in and out: a linear copy of the row-major elements
    return HlsLayer(ident, layer, "linear", config={"n": layer.n_out}, template_args=[str(layer.n_out)])


@HLS_CALLS.register(ElementwiseMergeLayer)
def _elementwise_merge(ident: str, layer: ElementwiseMergeLayer) -> HlsLayer:
    # exact_t holds the exact result, so the ap_fixed operation and the cast equal the golden model's
    operation = "rtl4ml::MERGE_" + layer.operation.upper()  # rtl4ml_merge.h's merge_operation
    return HlsLayer(ident, layer, "elementwise", types={f"{ident}_exact_t": cpp_type(layer.exact_type)},
                    config={"n": layer.n_out, "operation": operation}, member_types={"exact_t": f"{ident}_exact_t"},
                    template_args=[f"{ident}_config"])


@HLS_CALLS.register(DotLayer)
def _dot(ident: str, layer: DotLayer) -> HlsLayer:
    return HlsLayer(ident, layer, "dot", types={f"{ident}_exact_t": cpp_type(layer.exact_type)},
                    config={"n": layer.input_n}, member_types={"exact_t": f"{ident}_exact_t"},
                    template_args=[f"{ident}_config"])


@HLS_CALLS.register(ConcatenateLayer)
def _concatenate(ident: str, layer: ConcatenateLayer) -> HlsLayer:
    # row-major: for each index over the axes before `axis`, the first input's block, then the second's
    a, b = layer.input_shapes
    outer = int(np.prod(a[:layer.axis]))
    return HlsLayer(ident, layer, "concatenate",
                    config={"outer": outer, "n_a": int(np.prod(a[layer.axis:])), "n_b": int(np.prod(b[layer.axis:]))},
                    template_args=[f"{ident}_config"])


@HLS_CALLS.register(MaxPoolingLayer)
def _max_pooling(ident: str, layer: MaxPoolingLayer) -> HlsLayer:
    geometry = _window_geometry("pool", layer.input_shape, layer.output_spatial, layer.pool_size, layer.strides,
                                layer.pad_before)
    return HlsLayer(ident, layer, "max_pool", config=geometry, template_args=[f"{ident}_config"])


@HLS_CALLS.register(AveragePoolingLayer)
def _average_pooling(ident: str, layer: AveragePoolingLayer) -> HlsLayer:
    geometry = _window_geometry("pool", layer.input_shape, layer.output_spatial, layer.pool_size, layer.strides,
                                layer.pad_before)
    reciprocals = [exact_literal(int(c), RECIPROCAL_TYPE.frac) for c in layer.reciprocals()]
    return HlsLayer(ident, layer, "avg_pool", config=geometry, template_args=[f"{ident}_config"],
                    types={f"{ident}_reciprocal_t": cpp_type(RECIPROCAL_TYPE),
                           f"{ident}_accum_t": cpp_type(layer.accum_type)},
                    member_types={"reciprocal_t": f"{ident}_reciprocal_t", "accum_t": f"{ident}_accum_t"},
                    arrays=[(f"{ident}_reciprocals.h", f"{ident}_reciprocal_t", f"{ident}_reciprocals",
                             len(reciprocals), wrap_values(reciprocals))])


def _spatial_wiring(layer) -> dict:
    (in_h, in_w), (out_h, out_w) = _spatial(layer.input_shape), _spatial(layer.shape)
    return {"in_height": in_h, "in_width": in_w, "n_chan": layer.input_shape[-1], "out_height": out_h,
            "out_width": out_w}


@HLS_CALLS.register(ZeroPaddingLayer, CroppingLayer)
def _pad_or_crop(ident: str, layer: ZeroPaddingLayer | CroppingLayer) -> HlsLayer:
    origin_top, origin_left = _height_width(layer.origin, 0)
    return HlsLayer(ident, layer, "pad_or_crop", template_args=[f"{ident}_config"],
                    config=_spatial_wiring(layer) | {"origin_top": origin_top, "origin_left": origin_left})


@HLS_CALLS.register(UpSamplingLayer)
def _upsampling(ident: str, layer: UpSamplingLayer) -> HlsLayer:
    return HlsLayer(ident, layer, "upsample_nearest", config=_spatial_wiring(layer), template_args=[f"{ident}_config"])


@HLS_CALLS.register(PermuteLayer)
def _permute(ident: str, layer: PermuteLayer) -> HlsLayer:
    rank = len(layer.input_shape)
    if rank > 3:
        raise fail(f"layer {layer.name}: the HLS C++ backend permutes tensors of at most 3 axes, this one has {rank}")
    strides = [int(np.prod(layer.input_shape[a + 1:])) for a in layer.axes]
    out, strides = (1,) * (3 - rank) + layer.shape, [0] * (3 - rank) + strides
    return HlsLayer(ident, layer, "transpose", template_args=[f"{ident}_config"],
                    config={"n": layer.n_out} | {f"out_d{k}": out[k] for k in range(3)}
                    | {f"stride_d{k}": strides[k] for k in range(3)})


@HLS_CALLS.register(ReverseLayer)
def _reverse(ident: str, layer: ReverseLayer) -> HlsLayer:
    steps, features = layer.input_shape
    return HlsLayer(ident, layer, "reverse_steps", template_args=[f"{ident}_config"],
                    config={"n_steps": steps, "n_chan": features})


def wire_call(item: HlsLayer, variables: dict[str, tuple[str, str]], target: str, indent: str) -> None:
    """The call reads its inputs from `variables` (tensor name -> C++ variable and type) and writes `target`, which
    then holds its tensor."""
    sources = [variables[name] for name in item.layer.inputs]
    item.source_types, item.target = [source_type for _, source_type in sources], target
    item.argument_lines = wrap_values([variable for variable, _ in sources] + [target] +
                                      [array[2] for array in item.arrays], indent, closing=");")
    variables[item.layer.name] = (target, f"{item.identifier}_result_t")


def _layer(ident: str, layer) -> HlsLayer:
    item = HLS_CALLS(layer)(ident, layer)
    item.types = {f"{ident}_result_t": cpp_type(layer.result_type)} | item.types
    return item


@dataclass
class HlsProject:
    project: str
    graph: ModelGraph
    layers: list
    io_type: str
    part: str
    clock_period: float
    outputs: list = field(default_factory=list)  # HlsOutput per model output, in graph.outputs order

    @property
    def interval(self) -> int:
        return max([getattr(item.layer, "reuse_factor", 1) for item in self.layers] + [1])


def check_io_type(graph: ModelGraph, io_type: str) -> None:
    """io_parallel always; io_stream (one AXI-stream beat per event) for flat tensors: the C++ of streamed images and
    sequences is not generated yet (their Verilog core is, backends/stream)."""
    if io_type not in ("io_parallel", "io_stream"):
        raise fail(f"config IOType {io_type!r} is not supported; use io_parallel or io_stream")
    shaped = next((layer for layer in graph.all_layers() if len(layer.shape) > 1), None)
    if io_type == "io_stream" and shaped is not None:
        raise fail(f"config IOType io_stream: layer {shaped.name} has a {shaped.shape} tensor; the HLS C++ of "
                   "streamed images and sequences is not generated yet; use io_parallel for it")


def _outputs(graph: ModelGraph, identifiers: dict[str, str]) -> list[HlsOutput]:
    """The top function's output arguments: `output` (result_t) for one output, output_<layer> for several."""
    fields = graph.output_fields
    if len(fields) == 1:
        return [HlsOutput("output", "result_t", fields[0].n, fields[0].type.width, 0)]
    return [HlsOutput(f"output_{identifiers[f.name]}", f"{identifiers[f.name]}_result_t", f.n, f.type.width, f.lsb)
            for f in fields]


def plan_project(graph: ModelGraph, project: str, io_type: str = "io_parallel", part: str = "xcvu9p-flga2577-2-e",
                 clock_period: float = 5.0) -> HlsProject:
    check_io_type(graph, io_type)
    names = [graph.input.name] + [layer.name for layer in graph.layers]
    identifiers = dict(zip(names, unique_identifiers(names)))
    layers = [_layer(identifiers[layer.name], layer) for layer in graph.layers]
    outputs = _outputs(graph, identifiers)
    output_of = dict(zip(graph.outputs, outputs))
    variables = {graph.input.name: ("input", "input_t")}
    for item in layers:
        name = item.layer.name
        # a result goes straight into the top's output array unless a later layer reads it (ports are write-only)
        direct = name in output_of and not graph.consumers(name) and graph.outputs.count(name) == 1
        item.local = not direct
        item.copies = [] if direct else [output for layer_name, output in zip(graph.outputs, outputs)
                                         if layer_name == name]
        wire_call(item, variables, output_of[name].variable if direct else f"{item.identifier}_out", " " * 8)
    return HlsProject(check_project_name(project), graph, layers, io_type, part, float(clock_period), outputs)


def library_headers() -> list[str]:
    """The layer library's headers (hls/nnet_utils), which every project and the random-design bank include."""
    return sorted(path.name for path in (hls_dir() / "nnet_utils").glob("rtl4ml_*.h"))


@functools.lru_cache(maxsize=None)  # one per process: jinja2 compiles each template once per environment
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(hls_dir() / "templates")),
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True)
    env.filters["comment"] = comment_text  # names from user files never reach code unescaped
    return env


def write_project(project: HlsProject, out_dir: Path, example_inputs: np.ndarray | None = None,
                  example_outputs: np.ndarray | None = None) -> Path:
    """Render the HLS project into out_dir (OUTDIR/hls); return it.

    Example vectors (integer codes) go to tb_data/, so build_prj.tcl's csim and cosim run as written.
    """
    firmware = out_dir / "firmware"
    (firmware / "weights").mkdir(parents=True, exist_ok=True)
    shutil.copytree(hls_dir() / "nnet_utils", firmware / "nnet_utils", dirs_exist_ok=True)
    env = _environment()
    in_type = project.graph.input.result_type
    context = {
        "version": __version__, "project": project.project, "graph": project.graph, "layers": project.layers,
        "library_headers": library_headers(),
        "outputs": project.outputs, "io_type": project.io_type, "part": project.part,
        "clock_period": project.clock_period, "interval": project.interval, "input_type": cpp_type(in_type),
        "n_in": project.graph.n_in, "n_out": project.graph.n_out, "in_width": in_type.width,
        "s_width": (project.graph.n_in * in_type.width + 7) // 8 * 8,
        "m_width": (sum(field.bits for field in project.graph.output_fields) + 7) // 8 * 8,
        # (a streaming project's top names its output type itself: it has no `outputs`, and maybe no such call)
        "output_layer": next((item for item in project.layers if item.layer.name == project.graph.outputs[0]), None),
    }
    headers: dict[str, list] = {}
    for item in project.layers:
        for array in item.arrays:
            headers.setdefault(array[0], []).append(array)
    for header, arrays in headers.items():
        (firmware / "weights" / header).write_text(env.get_template("weights.h.j2").render(arrays=arrays, header=header, **context))
    outputs = {"firmware/defines.h": "defines.h.j2", "firmware/parameters.h": "parameters.h.j2",
               f"firmware/{project.project}.h": "project.h.j2", f"firmware/{project.project}.cpp": "project.cpp.j2",
               f"{project.project}_test.cpp": "test_bench.cpp.j2", "build_prj.tcl": "build_prj.tcl.j2"}
    for target, template in outputs.items():
        (out_dir / target).write_text(env.get_template(template).render(headers=sorted(headers), **context))
    if example_inputs is not None:
        (out_dir / "tb_data").mkdir(exist_ok=True)
        np.savetxt(out_dir / "tb_data" / "inputs.txt", example_inputs, fmt="%d")
        if example_outputs is not None:
            np.savetxt(out_dir / "tb_data" / "golden_outputs.txt", example_outputs, fmt="%d")
    return out_dir
