"""Layers with hand-written forward and backward passes, named as in torch.nn."""

from . import functional, init, utils
from .activation import ELU, LeakyReLU, ReLU, Sigmoid, Tanh
from .batchnorm import BatchNorm1d, BatchNorm2d
from .concat import Concat
from .container import ModuleDict, ModuleList, Sequential
from .conv import Conv2d, ConvTranspose2d
from .cross_entropy import CrossEntropyLoss
from .dropout import Dropout, Identity
from .flatten import Flatten
from .linear import Linear
from .loss import BCELoss, BCEWithLogitsLoss, MSELoss
from .minibatch_std import MinibatchStdDev
from .module import Module, create_graph, is_grad_enabled, no_grad
from .pack import Pack
from .parameter import Parameter
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .spectral_norm import SpectralNorm, spectral_norm
from .upsample import Upsample

__all__ = [
    "AdaptiveAvgPool2d", "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Concat",
    "Conv2d", "ConvTranspose2d", "CrossEntropyLoss", "Dropout", "ELU", "Flatten", "Identity", "LeakyReLU", "Linear",
    "MSELoss", "MaxPool2d", "Module", "ModuleDict", "ModuleList", "Parameter", "ReLU", "Sequential", "Sigmoid", "Tanh",
    "Upsample", "functional", "init", "is_grad_enabled", "no_grad", "utils",
    "MinibatchStdDev", "Pack", "SpectralNorm", "create_graph", "spectral_norm",
]
