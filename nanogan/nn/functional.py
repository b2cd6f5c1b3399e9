"""Numerically stable elementwise functions that layers and losses share, and interpolate, as torch.nn.functional's."""

from ..backend import get_array_module
from ..kernels.dispatch import sigmoid  # noqa: F401  (1 / (1 + exp(-x)) without overflow)
from .upsample import interpolate  # noqa: F401  (resizing images, nanogan/nn/upsample.py)


def softplus(x):
    """log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|))."""
    xp = get_array_module(x)
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
