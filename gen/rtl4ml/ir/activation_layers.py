"""The IR layer of an activation function: a table, a softmax, a piecewise-linear rule or a plain ReLU/identity.

One dispatch for every place an activation is built (an Activation layer, a recurrent cell's gates), so a
function is the same layer wherever it appears.
"""

from __future__ import annotations

from ..config import LayerSettings
from ..fixed_point import FixedType
from .layers import ActivationLayer, Layer
from .layers.piecewise_linear import build_piecewise_linear
from .layers.softmax import build_softmax
from .layers.table_activation import TABLE_FUNCTIONS, build_lookup_table, build_table_activation


def build_activation_layer(name: str, inputs: tuple[str, ...], shape: tuple[int, ...], function: str,
                           parameters: dict, input_type: FixedType, result_type: FixedType,
                           settings: LayerSettings) -> Layer:
    if function == "lookup":  # a table of every input code, given by the model (HGQ's UnaryLUT)
        layer = build_lookup_table(name, inputs, shape, parameters["table"], parameters["table_kif"],
                                   input_type, result_type)
    elif function == "softmax":  # over the last axis: each row of a shaped tensor on its own
        layer = build_softmax(name, inputs, shape, input_type, result_type, settings.table_size,
                              settings.table_style)
    elif function in TABLE_FUNCTIONS:
        layer = build_table_activation(name, inputs, shape, function, input_type, result_type,
                                       settings.table_size, parameters, settings.precision.get("table"))
    elif function in ("relu", "linear") and not parameters:
        layer = ActivationLayer(name=name, inputs=inputs, shape=shape, function=function,
                                input_type=input_type, result_type=result_type)
    else:
        layer = build_piecewise_linear(name, inputs, shape, function, parameters, input_type, result_type)
    layer.pipeline_budget = settings.pipeline_budget
    return layer
