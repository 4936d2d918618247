"""The IR layer classes, one module per layer type (see base.py for what a layer owns)."""

from .activation import ActivationLayer
from .base import LAYER_CLASSES, Layer, layer_class
from .dense import DenseLayer
from .input import InputLayer
from .softmax import SoftmaxLayer
from .table_activation import TableActivationLayer

__all__ = ["LAYER_CLASSES", "ActivationLayer", "DenseLayer", "InputLayer", "Layer", "SoftmaxLayer",
           "TableActivationLayer", "layer_class"]
