"""Binary cross-entropy's passes (the plain definitions, the reference), with PyTorch's clamps.

nanogan/kernels/dispatch.py runs these as written, or as one CUDA map each
(nanogan/kernels/cuda/loss.py).
"""

import numpy as np

from ..backend import get_array_module

LOG_CLAMP = -100.0  # PyTorch clamps BCELoss's log terms at -100, so log(0) gives a finite loss
GRAD_EPS = 1e-12  # and keeps its gradient's denominator p * (1 - p) at least this


def binary_cross_entropy(p, y):
    """loss = -mean(y * log(p) + (1 - y) * log(1 - p)), each log clamped at -100: a 0-d array."""
    xp = get_array_module(p)
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0) = -inf, clamped just below; log(p < 0) = nan
        # (an input outside [0, 1], which BCELoss reports); CuPy never warns
        log_p = xp.maximum(xp.log(p), LOG_CLAMP)
        log_one_minus_p = xp.maximum(xp.log(1 - p), LOG_CLAMP)
    return xp.asarray(-(y * log_p + (1 - y) * log_one_minus_p).mean())


def binary_cross_entropy_backward(p, y, upstream):
    """dloss/dp = upstream * (p - y) / (p * (1 - p)) / m, the denominator kept >= 1e-12 as in PyTorch.

    upstream: dL/dloss, a number or a 0-d array."""
    return upstream * (p - y) / get_array_module(p).maximum(p * (1 - p), GRAD_EPS) / p.size


def outside_unit_interval(p):
    """Whether any probability is outside [0, 1] (a logit, say), as a 0-d bool array on p's device.

    NaN is not counted: it is a diverged run, which the training loop reports as such."""
    return ((p < 0) | (p > 1)).any()
