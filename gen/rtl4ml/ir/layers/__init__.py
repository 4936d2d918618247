"""The IR layer classes, one module per layer type (see base.py for what a layer owns)."""

from .activation import ActivationLayer
from .base import LAYER_CLASSES, Layer, layer_class
from .batchnorm import BatchNormLayer
from .conv import ConvLayer
from .dense import DenseLayer
from .input import InputLayer
from .merge import ConcatenateLayer, DotLayer, ElementwiseMergeLayer
from .padding import ZeroPaddingLayer
from .pooling import AveragePoolingLayer, MaxPoolingLayer
from .reshape import ReshapeLayer
from .softmax import SoftmaxLayer
from .table_activation import TableActivationLayer

__all__ = ["LAYER_CLASSES", "ActivationLayer", "AveragePoolingLayer", "BatchNormLayer", "ConcatenateLayer", "ConvLayer",
           "DenseLayer", "DotLayer", "ElementwiseMergeLayer", "InputLayer", "Layer", "MaxPoolingLayer", "ReshapeLayer",
           "SoftmaxLayer", "TableActivationLayer", "ZeroPaddingLayer", "layer_class"]
