"""SimpleRNN, LSTM and GRU, unrolled: one cell per time step, built from the IR's own layers.

The builder lowers a recurrent layer to the layers its arithmetic is made of, so the golden model, the
Verilog, the VHDL and the HLS C++ of every step are those of layers already bit-exact against each other,
and the pipeline runs a new sequence every cycle (II 1). Step t (read in order, or last to first with
go_backwards) computes, from the sequence x (flattened) and the state h (zero before the first step):

    pre_g = Dense([x; h]) per gate g     (the kernel's rows of step t and the recurrent kernel; zeros elsewhere)
    SimpleRNN  h = act(pre)
    LSTM       i, f, o = ract(pre_i, pre_f, pre_o); g = act(pre_c); c = f*c + i*g; h = o * act(c)
    GRU        z, r = ract(pre_z, pre_r); cand = act(pre_x + r * pre_h)      (reset_after: pre_x reads x and
               pre_h reads h with the recurrent bias, which z and r add too; else cand = act(Dense([x; r*h])))
               h = cand + z * (h - cand)     (Keras's z*h + (1-z)*cand, exactly, before its rounding)

Before the first step h and c are zero: the recurrent rows, f and f*c are left out (GRU without reset_after: r too),
and GRU's h - cand is -cand.

Each named tensor is rounded to its type once (config Precision fields of the layer): the pre-activations
`preactivation` (from an exact sum, as a Dense's), the gates `gate`, the candidates and act(c) `candidate`,
the LSTM cell state `cell`, the state `result`. A product that feeds a sum (f*c, i*g, r*pre_h, z*(h - cand)) is
kept exact where a data tensor (32 bits) holds it, so the sum rounds once, else rounded to the sum's type; a
product that is a named tensor (o * act(c), r * h, the first step's i*g) is rounded to it. The layers are named
<layer>_t<step>_<tensor>, steps counted as computed (t0 reads the last input step with go_backwards); the last one
carries the layer's name.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from ..config import AUTO, AutoType, Config
from ..errors import fail
from ..fixed_point import MAX_TYPE_WIDTH, FixedType, quantize_float, to_float
from ..frontends.spec import RecurrentSpec
from .activation_layers import build_activation_layer
from .layers import (ConcatenateLayer, DenseLayer, ElementwiseMergeLayer, InputLayer, Layer, RecurrentCell,
                     RecurrentLayer, ReshapeLayer, ReverseLayer)
from .layers.element_quantizer import holding_type
from .layers.linear import check_reuse_factor, choose_accumulator
from .value_range import ValueRange

# hls4ml's LayerType names (a config's LayerType section may use these)
LAYER_TYPES = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
GATE_NAMES = {"simple_rnn": ("h",), "lstm": ("i", "f", "c", "o"), "gru": ("z", "r", "h")}


def cell_type(default: FixedType, steps: int) -> FixedType:
    """The LSTM cell state's default: |c_t| <= t + 1 (gates in [0, 1], candidates in [-1, 1]), so integer bits
    for the step count and 4 fractional bits finer than the default, so the running sum keeps each step's
    products to below the state's LSB (hls4ml keeps the cell state in the layer's result type)."""
    integer = max(default.integer, steps.bit_length() + 1)
    frac = default.frac + 4
    return FixedType(min(integer + frac, MAX_TYPE_WIDTH), integer, True, default.rounding, default.overflow)


def _auto_from(default: FixedType, finer: int) -> tuple:
    """An auto type's placeholder fields: the default's LSB (`finer` bits finer) and modes."""
    return (default.width + finer, default.integer, default.signed, default.rounding, default.overflow)


def _narrowest(values: ValueRange, auto: FixedType) -> FixedType:
    """The narrowest type at `auto`'s LSB and modes holding `values` (rounded to it, as the tensor is)."""
    return values.stored_in(FixedType(MAX_TYPE_WIDTH * 2, MAX_TYPE_WIDTH * 2 - auto.frac, True, auto.rounding,
                                      auto.overflow)).narrowest_type(auto.rounding, auto.overflow)


def _as_trained(values: np.ndarray, trained: FixedType | None) -> np.ndarray:
    return values if trained is None else to_float(quantize_float(values, trained), trained.frac)


class _Cells:
    """Builds the layers of one recurrent spec, in data-flow order."""

    def __init__(self, spec: RecurrentSpec, source: Layer, config: Config):
        self.spec, self.source = spec, source
        self.where = f"layer {spec.name} ({spec.layer_type})"
        # a direction of a Bidirectional takes the wrapper's LayerName entry unless it has its own
        entry = spec.wrapper if spec.wrapper and not config.names_layer(spec.name) else spec.name
        self.settings = config.resolve(entry, tuple(dict.fromkeys((LAYER_TYPES[spec.cell], spec.layer_type))))
        precision = self.settings.precision
        # io_stream: one cell reused for every step, a step per beat; io_parallel: one cell per step
        self.static = config.io_type == "io_stream"
        if self.settings.static and not self.static:
            raise fail(f"{self.where}: static: true (one cell reused for every step) needs IOType: io_stream (a time "
                       "step per beat); with io_parallel rtl4ml unrolls the layer (a sequence per beat, II 1)")
        if self.static and self.settings.static is False:
            raise fail(f"{self.where}: static: false (unrolled) with IOType io_stream: a streamed recurrent layer "
                       "reuses one cell for every step; remove static, or use io_parallel to unroll it")
        if self.static and spec.unroll:
            raise fail(f"{self.where}: unroll=True with IOType io_stream: a streamed recurrent layer reuses one cell "
                       "for every step; set unroll=False, or use io_parallel (unrolled)")
        if len(source.shape) != 2:
            raise fail(f"{self.where}: input shape {source.shape} is not a sequence [steps, features]")
        self.steps, self.features = source.shape
        if spec.kernel.shape != (self.features, spec.gates * spec.units):
            raise fail(f"{self.where}: kernel shape {spec.kernel.shape} does not fit {self.features} features and "
                       f"{spec.gates} gates of {spec.units} units")
        self.types = self.resolve_types(precision)
        trained = {"weight": spec.kernel_type, "recurrent_weight": spec.recurrent_type, "bias": spec.bias_type}
        # the weights as trained (a quantizer's type applied first), then in the types they get here
        self.kernel, self.recurrent_kernel, self.bias = (
            _as_trained(values, trained[tensor]) for values, tensor in
            ((spec.kernel, "weight"), (spec.recurrent_kernel, "recurrent_weight"), (spec.bias, "bias")))
        self.recurrent_bias = None if spec.recurrent_bias is None else _as_trained(spec.recurrent_bias,
                                                                                   spec.bias_type)
        self.layers: list[Layer] = []
        self.derive_auto_types()

    def resolve_types(self, precision: dict) -> dict[str, FixedType]:
        """Each tensor's type: the config's at LayerName level, else the one the model was trained with (QKeras
        quantizers; the state quantizer types h and the LSTM's c, as QKeras applies it to both), else the
        config's default for it."""
        spec, explicit, default = self.spec, self.settings.explicit, precision["result"]
        trained = {"weight": spec.kernel_type, "recurrent_weight": spec.recurrent_type,
                   "bias": spec.bias_type, "result": spec.state_type, "cell": spec.state_type,
                   "candidate": spec.activation_type, "gate": spec.recurrent_activation_type}
        defaults = {"weight": precision["weight"], "bias": precision["bias"], "result": default,
                    "recurrent_weight": precision.get("recurrent_weight", precision["weight"]),
                    "preactivation": precision.get("preactivation", default),
                    "gate": precision.get("gate", default), "candidate": precision.get("candidate", default),
                    "cell": precision.get("cell", AUTO if isinstance(default, AutoType) else
                                          cell_type(default, self.steps))}
        types = {tensor: trained[tensor] if trained.get(tensor) is not None and tensor not in explicit else t
                 for tensor, t in defaults.items()}
        # an auto tensor's LSB is the layer's default type's (the cell's four finer, as its default's)
        return {tensor: AutoType(*_auto_from(default, 4 if tensor == "cell" else 0)) if t == AUTO else t
                for tensor, t in types.items()}

    def derive_auto_types(self) -> None:
        """Each auto tensor's type: the narrowest at its LSB holding its values at every step, by interval
        arithmetic over the unrolled steps from the input's type. The state's range feeds the next step's, so the
        types are derived again until none changes (they only grow; a state that grows with every step, e.g. a relu
        SimpleRNN's, settles after the last step)."""
        auto = {tensor: t for tensor, t in self.types.items() if isinstance(t, AutoType)}
        if not auto:
            return
        current = {tensor: _narrowest(ValueRange(0, 0, t.frac), t) for tensor, t in auto.items()}
        for _ in range(2 * self.steps + 8):
            hulls = self._tensor_ranges(current)
            derived = {tensor: _narrowest(hulls[tensor], auto[tensor]) for tensor in auto}
            wide = next((tensor for tensor, t in derived.items() if t.width > MAX_TYPE_WIDTH), None)
            if wide is not None:
                raise fail(f"{self.where}: Precision {wide} auto needs {derived[wide].width} bits for the values "
                           f"{hulls[wide]} (> {MAX_TYPE_WIDTH}); give it a type, or a coarser LSB")
            if derived == current:
                break
            current = derived
        self.types.update(current)

    def _tensor_ranges(self, types: dict[str, FixedType]) -> dict[str, "ValueRange"]:
        """With `types` for the auto tensors: each one's values over every unrolled step (exact, before rounding),
        from any code of the input's type."""
        saved, static = dict(self.types), self.static
        tagged = {tensor: dataclasses.replace(t) for tensor, t in types.items()}  # one object per tensor: its tag
        self.types.update(tagged)
        self.static, self.layers = False, []
        try:
            layers = self.unrolled()
        finally:
            self.types, self.static, self.layers = saved, static, []
            self.__dict__.pop("difference_type", None)  # cached from the types just used
        of_tag = {id(t): tensor for tensor, t in tagged.items()}
        ranges = {self.source.name: ValueRange.of_type(self.source.result_type)}
        hulls = {tensor: ValueRange(0, 0, t.frac) for tensor, t in types.items()}
        for layer in layers:
            inputs = [ranges[name] for name in layer.inputs]
            tensor = of_tag.get(id(layer.result_type))
            if tensor is not None:
                hulls[tensor] = hulls[tensor].hull(layer.value_range(inputs))
            ranges[layer.name] = layer.stored_range(inputs)
        return hulls

    # ------------------------------------------------------------------ the primitives, named and appended

    def add(self, layer: Layer) -> Layer:
        layer.pipeline_budget = self.settings.pipeline_budget
        self.layers.append(layer)
        return layer

    def name(self, step: int, tensor: str) -> str:
        return f"{self.spec.name}_{tensor}" if self.static else f"{self.spec.name}_t{step}_{tensor}"

    def joined(self, step: int, x: Layer, h: Layer | None, tag: str = "xh") -> Layer:
        """[x; h] as one vector (x alone before the first step), every code exact in a type holding both."""
        if h is None:
            return x
        both = holding_type([x.result_type, h.result_type])
        if both.width > MAX_TYPE_WIDTH:
            raise fail(f"{self.where}: its input ({x.result_type}) and state ({h.result_type}) types together need "
                       f"{both.width} bits (> {MAX_TYPE_WIDTH}); bring their LSBs and ranges closer")
        return self.add(ConcatenateLayer(name=self.name(step, tag), inputs=(x.name, h.name),
                                         shape=(x.n_out + h.n_out,), axis=0, input_shapes=(x.shape, h.shape),
                                         input_types=(x.result_type, h.result_type), result_type=both))

    def dense(self, name: str, source: Layer, rows: list[tuple[np.ndarray, FixedType]], bias: np.ndarray,
              result: FixedType) -> DenseLayer:
        """A Dense over `source` whose kernel stacks `rows` (each block quantized in its own type, then held in
        one type that holds both exactly)."""
        codes = [quantize_float(block, t) for block, t in rows]
        weight_type = holding_type([t for _, t in rows])
        if weight_type.width > MAX_TYPE_WIDTH:
            raise fail(f"{self.where}: its weight and recurrent_weight types ({', '.join(str(t) for _, t in rows)}) "
                       f"together need {weight_type.width} bits (> {MAX_TYPE_WIDTH}); bring their LSBs and ranges "
                       "closer")
        weight = np.concatenate([c << (weight_type.frac - t.frac) for c, (_, t) in zip(codes, rows)])
        bias_type = self.types["bias"]
        bias_codes = quantize_float(bias, bias_type)
        check_reuse_factor(name, self.settings.reuse_factor, weight.shape[0], weight.shape[1])
        accum, exact = choose_accumulator(name, weight, bias_codes, source.result_type, weight_type, bias_type,
                                          self.settings.precision.get("accum"))
        return self.add(DenseLayer(name=name, inputs=(source.name,), shape=(weight.shape[1],),
                                   input_type=source.result_type, weight=weight, weight_type=weight_type,
                                   bias=bias_codes, bias_type=bias_type, accum_type=accum, accum_is_exact=exact,
                                   result_type=result, reuse_factor=self.settings.reuse_factor,
                                   strategy=self.settings.strategy, luts_per_dsp=self.settings.luts_per_dsp))

    def step_kernel(self, step: int, gate: int) -> np.ndarray:
        """The kernel's columns of `gate` placed at the rows of input step `step` of the flattened sequence (static:
        the cell's input is the step itself)."""
        units, features = self.spec.units, self.features
        if self.static:
            return self.kernel[:, gate * units:(gate + 1) * units]
        kernel = np.zeros((self.steps * features, units))
        kernel[step * features:(step + 1) * features] = self.kernel[:, gate * units:(gate + 1) * units]
        return kernel

    def preactivation(self, step: int, gate: int, x: Layer, joined: Layer, h: Layer | None,
                      with_recurrence: bool = True, bias: np.ndarray | None = None, tag: str = "") -> DenseLayer:
        units = self.spec.units
        columns = slice(gate * units, (gate + 1) * units)
        rows = [(self.step_kernel(self.order[step], gate), self.types["weight"])]
        if h is not None and with_recurrence:
            rows.append((self.recurrent_kernel[:, columns], self.types["recurrent_weight"]))
        bias = self.bias[columns] if bias is None else bias
        return self.dense(self.name(step, f"pre_{GATE_NAMES[self.spec.cell][gate]}{tag}"),
                          joined if h is not None and with_recurrence else x, rows, bias,
                          self.types["preactivation"])

    def activation(self, name: str, source: Layer, function: tuple[str, dict], result: FixedType) -> Layer:
        function_name, parameters = function
        return self.add(build_activation_layer(name, (source.name,), source.shape, function_name, parameters,
                                               source.result_type, result, self.settings))

    def merge(self, name: str, operation: str, a: Layer, b: Layer, result: FixedType) -> Layer:
        return self.add(ElementwiseMergeLayer(name=name, inputs=(a.name, b.name), shape=a.shape,
                                              input_types=(a.result_type, b.result_type), result_type=result,
                                              operation=operation, luts_per_dsp=self.settings.luts_per_dsp))

    def product(self, name: str, a: Layer, b: Layer, rounded: FixedType) -> Layer:
        """a * b feeding a sum: exact where a data tensor holds it (the sum then rounds once), else `rounded`."""
        layer = self.merge(name, "multiply", a, b, rounded)
        if layer.exact_type.width <= MAX_TYPE_WIDTH:
            layer.result_type = layer.exact_type
        return layer

    @functools.cached_property
    def difference_type(self) -> FixedType:
        """GRU: the exact type of h - cand (the state's and the candidate's types), the same at every step."""
        types = self.types
        exact = ElementwiseMergeLayer(name="", inputs=(), shape=(), input_types=(types["result"], types["candidate"]),
                                      result_type=types["result"], operation="subtract").exact_type
        if exact.width > MAX_TYPE_WIDTH:
            raise fail(f"{self.where}: h - candidate needs {exact.width} bits (> {MAX_TYPE_WIDTH}) to be exact; "
                       "narrow the result and candidate types")
        return exact

    # ------------------------------------------------------------------ the cells

    @property
    def order(self) -> list[int]:
        return list(range(self.steps))[::-1] if self.spec.go_backwards else list(range(self.steps))

    def build(self) -> list[Layer]:
        return self.static_layers() if self.static else self.unrolled()

    def static_layers(self) -> list[Layer]:
        """The static layer; a backward one reads the steps reversed (a ReverseLayer before it: the stream's steps
        arrive first to last) and, as a Bidirectional's backward direction with return_sequences, gives its states
        back in the input's step order (a ReverseLayer after it)."""
        spec, source = self.spec, self.source
        layers: list[Layer] = []
        if spec.go_backwards:
            source = ReverseLayer(name=f"{spec.name}_x_reversed", inputs=(source.name,), shape=source.shape,
                                  input_shape=source.shape, result_type=source.result_type)
            layers.append(source)
        in_time_order = spec.go_backwards and spec.time_order and spec.return_sequences
        layer = self.static_layer(source, f"{spec.name}_reversed" if in_time_order else spec.name)
        layers.append(layer)
        if in_time_order:
            layers.append(ReverseLayer(name=spec.name, inputs=(layer.name,), shape=layer.shape,
                                       input_shape=layer.shape, result_type=layer.result_type))
        return layers

    def static_layer(self, source: Layer, name: str) -> RecurrentLayer:
        """One cell reading the step x, the state h and (LSTM) c as inputs; the same layers as an unrolled step."""
        spec, types = self.spec, self.types
        x = InputLayer(name=self.name(0, "x"), inputs=(), shape=(self.features,), result_type=self.source.result_type)
        h = InputLayer(name=self.name(0, "h"), inputs=(), shape=(spec.units,), result_type=types["result"])
        c = InputLayer(name=self.name(0, "c"), inputs=(), shape=(spec.units,), result_type=types["cell"]) \
            if spec.cell == "lstm" else None
        joined, next_h = self.joined(0, x, h), self.name(0, "next_h")
        if spec.cell == "simple_rnn":
            outputs = (self.activation(next_h, self.preactivation(0, 0, x, joined, h), spec.activation,
                                       types["result"]),)
        elif spec.cell == "lstm":
            outputs = self.lstm_step(0, x, joined, h, c, next_h)
        else:
            outputs = (self.gru_step(0, x, joined, h, next_h),)
        cell = RecurrentCell((x, h) + ((c,) if c is not None else ()), self.layers, tuple(o.name for o in outputs))
        shape = (self.steps, spec.units) if spec.return_sequences else (spec.units,)
        return RecurrentLayer(name=name, inputs=(source.name,), shape=shape, result_type=types["result"],
                              cell_kind=spec.cell, steps=self.steps, cell=cell,
                              return_sequences=spec.return_sequences, pipeline_budget=self.settings.pipeline_budget)

    def unrolled(self) -> list[Layer]:
        spec = self.spec
        x = self.source
        if len(x.shape) != 1:
            x = self.add(ReshapeLayer(name=f"{spec.name}_x", inputs=(x.name,), shape=(x.n_out,),
                                      result_type=x.result_type))
        h, c, states = None, None, []
        for step in range(self.steps):
            last = step == self.steps - 1 and not spec.return_sequences
            state_name = spec.name if last else self.name(step, "h")
            joined = self.joined(step, x, h)
            if spec.cell == "simple_rnn":
                pre = self.preactivation(step, 0, x, joined, h)
                h = self.activation(state_name, pre, spec.activation, self.types["result"])
            elif spec.cell == "lstm":
                h, c = self.lstm_step(step, x, joined, h, c, state_name)
            else:
                h = self.gru_step(step, x, joined, h, state_name)
            states.append(h)
        if spec.return_sequences:
            self.stack(states[::-1] if spec.time_order and spec.go_backwards else states)
        return self.layers

    def lstm_step(self, step: int, x: Layer, joined: Layer, h: Layer | None, c: Layer | None, state_name: str):
        types, spec = self.types, self.spec
        gates = {}
        for index, gate in enumerate(GATE_NAMES["lstm"]):
            if gate == "f" and c is None:  # nothing to forget before the first step
                continue
            pre = self.preactivation(step, index, x, joined, h)
            function, kind = (spec.activation, "candidate") if gate == "c" else (spec.recurrent_activation, "gate")
            gates[gate] = self.activation(self.name(step, gate if gate != "c" else "g"), pre, function, types[kind])
        if c is None:
            update = self.merge(self.name(step, "ig"), "multiply", gates["i"], gates["c"], types["cell"])
        else:  # c = f*c + i*g rounded once, as Keras keeps it (unrounded products where a data tensor holds them)
            kept = self.product(self.name(step, "fc"), gates["f"], c, types["cell"])
            update = self.product(self.name(step, "ig"), gates["i"], gates["c"], types["cell"])
            update = self.merge(self.name(step, "cell"), "add", kept, update, types["cell"])
        squashed = self.activation(self.name(step, "act_cell"), update, spec.activation, types["candidate"])
        return self.merge(state_name, "multiply", gates["o"], squashed, types["result"]), update

    def gru_step(self, step: int, x: Layer, joined: Layer, h: Layer | None, state_name: str) -> Layer:
        types, spec, units = self.types, self.spec, self.spec.units
        # reset_after: U h + recurrent_bias in every gate, so z and r see both biases (summed, then rounded once)
        biases = self.bias if not spec.reset_after else self.bias + self.recurrent_bias

        def gate(index: int) -> Layer:
            pre = self.preactivation(step, index, x, joined, h, bias=biases[index * units:(index + 1) * units])
            return self.activation(self.name(step, "zr"[index]), pre, spec.recurrent_activation, types["gate"])
        z = gate(0)
        r = gate(1) if spec.reset_after or h is not None else None  # r * h is 0 before the first step
        if spec.reset_after:
            pre_x = self.preactivation(step, 2, x, joined, h, with_recurrence=False, tag="x")
            recurrent_bias = self.recurrent_bias[2 * units:]
            if h is None:  # U h is 0 before the first step: the recurrent part is its bias, a constant
                pre_h = self.dense(self.name(step, "pre_hh"), x, [(np.zeros((x.n_out, units)), types["weight"])],
                                   recurrent_bias, types["preactivation"])
            else:
                pre_h = self.dense(self.name(step, "pre_hh"), h,
                                   [(self.recurrent_kernel[:, 2 * units:], types["recurrent_weight"])],
                                   recurrent_bias, types["preactivation"])
            reset = self.product(self.name(step, "r_hh"), r, pre_h, types["preactivation"])
            pre = self.merge(self.name(step, "pre_h"), "add", pre_x, reset, types["preactivation"])
        elif h is None:  # r * h is 0: the candidate reads x alone
            pre = self.preactivation(step, 2, x, joined, h)
        else:
            reset = self.merge(self.name(step, "rh"), "multiply", r, h, types["result"])
            pre = self.preactivation(step, 2, x, self.joined(step, x, reset, "xrh"), reset)
        candidate = self.activation(self.name(step, "cand"), pre, spec.activation, types["candidate"])
        # h - cand exactly, in the one type every step's difference has (the first step's is -cand: a Dense of -1s)
        if h is None:
            difference = self.dense(self.name(step, "dh"), candidate, [(-np.eye(units), FixedType(2, 1))],
                                    np.zeros(units), self.difference_type)
        else:
            difference = self.merge(self.name(step, "dh"), "subtract", h, candidate, self.difference_type)
        kept = self.product(self.name(step, "zd"), z, difference, types["result"])
        return self.merge(state_name, "add", candidate, kept, types["result"])

    def stack(self, states: list[Layer]) -> None:
        """The states side by side, in the given order, as [steps, units]."""
        stacked = states[0]
        for step, state in enumerate(states[1:], start=1):
            stacked = self.add(ConcatenateLayer(
                name=self.name(step, "seq"), inputs=(stacked.name, state.name), shape=(stacked.n_out + state.n_out,),
                axis=0, input_shapes=(stacked.shape, state.shape),
                input_types=(stacked.result_type, state.result_type), result_type=self.types["result"]))
        self.add(ReshapeLayer(name=self.spec.name, inputs=(stacked.name,), shape=(self.steps, self.spec.units),
                              result_type=self.types["result"]))


def build_recurrent(spec: RecurrentSpec, source: Layer, config: Config) -> list[Layer]:
    """The layers of `spec` unrolled over the steps of `source`, the last one named as the spec."""
    return _Cells(spec, source, config).build()
