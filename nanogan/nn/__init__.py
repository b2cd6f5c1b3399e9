"""Layers with hand-written forward and backward passes, named as in torch.nn."""

from . import functional, init
from .activation import LeakyReLU, ReLU, Sigmoid, Tanh
from .batchnorm import BatchNorm1d, BatchNorm2d
from .concat import Concat
from .container import Sequential
from .conv import Conv2d, ConvTranspose2d
from .flatten import Flatten
from .linear import Linear
from .loss import BCELoss, BCEWithLogitsLoss, MSELoss
from .module import Module, is_grad_enabled, no_grad
from .parameter import Parameter
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .upsample import Upsample

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv2d", "ConvTranspose2d", "Flatten",
    "LeakyReLU", "Linear", "MSELoss", "Module", "Parameter", "ReLU", "Sequential", "Sigmoid", "Tanh",
    "functional", "init", "is_grad_enabled", "no_grad",
    "AdaptiveAvgPool2d", "AvgPool2d", "Concat", "MaxPool2d", "Upsample",
]
