"""Layers with hand-written forward and backward passes, named as in torch.nn."""

from . import functional, init
from .activation import LeakyReLU, ReLU, Sigmoid, Tanh
from .batchnorm import BatchNorm1d, BatchNorm2d
from .container import Sequential
from .conv import Conv2d, ConvTranspose2d
from .flatten import Flatten
from .linear import Linear
from .loss import BCELoss, BCEWithLogitsLoss, MSELoss
from .minibatch_std import MinibatchStdDev
from .module import Module, create_graph, is_grad_enabled, no_grad
from .pack import Pack
from .parameter import Parameter
from .spectral_norm import SpectralNorm, spectral_norm

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv2d", "ConvTranspose2d", "Flatten",
    "LeakyReLU", "Linear", "MSELoss", "Module", "Parameter", "ReLU", "Sequential", "Sigmoid", "Tanh",
    "functional", "init", "is_grad_enabled", "no_grad",
    "MinibatchStdDev", "Pack", "SpectralNorm", "create_graph", "spectral_norm",
]
