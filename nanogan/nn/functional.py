"""Numerically stable elementwise functions shared by layers and losses."""

from ..backend import get_array_module
from ..kernels import cuda_activation
from ..kernels.cuda import uses_cuda


def sigmoid(x):
    """1 / (1 + exp(-x)) without overflow: exp is only ever taken of -|x| <= 0."""
    xp = get_array_module(x)
    if uses_cuda(xp):
        return cuda_activation.sigmoid(x)  # the same, in one CUDA kernel
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def softplus(x):
    """log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|))."""
    xp = get_array_module(x)
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
