"""The IR layer classes, one module per layer type or family (see base.py for what a layer owns)."""

from .activation import ActivationLayer
from .base import LAYER_CLASSES, Layer, layer_class
from .batchnorm import BatchNormLayer
from .conv import ConvLayer
from .dense import DenseLayer
from .element_quantizer import ElementQuantizerLayer
from .input import InputLayer
from .merge import ConcatenateLayer, DotLayer, ElementwiseMergeLayer
from .padding import CroppingLayer, ZeroPaddingLayer
from .piecewise_linear import PiecewiseLinearLayer
from .pooling import AveragePoolingLayer, MaxPoolingLayer
from .recurrent import RecurrentCell, RecurrentLayer
from .reshape import ReshapeLayer
from .resampling import PermuteLayer, ReverseLayer, UpSamplingLayer
from .softmax import SoftmaxLayer
from .table_activation import TableActivationLayer
from .wiring import WiringLayer

__all__ = ["ActivationLayer", "AveragePoolingLayer", "BatchNormLayer", "ConcatenateLayer", "ConvLayer",
           "CroppingLayer", "DenseLayer", "DotLayer", "ElementQuantizerLayer", "ElementwiseMergeLayer", "InputLayer",
           "LAYER_CLASSES", "Layer", "MaxPoolingLayer", "PermuteLayer", "PiecewiseLinearLayer", "RecurrentCell",
           "RecurrentLayer", "ReshapeLayer", "ReverseLayer", "SoftmaxLayer", "TableActivationLayer", "UpSamplingLayer",
           "WiringLayer", "ZeroPaddingLayer", "layer_class"]
