"""Binary cross-entropy's passes of nanogan/kernels/loss.py as single CUDA maps.

There the forward pass is a dozen array operations and the backward half a
dozen, each a launch on CuPy for a few hundred values: the cost is all in
the launches. Here each pass is one map (plus CuPy's mean for the loss).
"""

from ..loss import GRAD_EPS, LOG_CLAMP
from .core import Elementwise, compiled

# -(y log p + (1 - y) log(1 - p)), each log clamped at `log_clamp`
BCE = Elementwise(
    "T p, T y, float64 log_clamp", "T term",
    "term = -(y * max(log(p), (T)log_clamp) + ((T)1 - y) * max(log((T)1 - p), (T)log_clamp));",
    "nanogan_bce")
# upstream * (p - y) / max(p (1 - p), grad_eps) / size; upstream a number or a 0-d array
BCE_BACKWARD = Elementwise(
    "T p, T y, T upstream, float64 grad_eps, float64 size", "T dp",
    "dp = upstream * (p - y) / max(p * ((T)1 - p), (T)grad_eps) / (T)size;",
    "nanogan_bce_backward")


def binary_cross_entropy(p, y):
    """The mean binary cross-entropy, a 0-d array."""
    return compiled(BCE)(p, y, LOG_CLAMP).mean()


def binary_cross_entropy_backward(p, y, upstream):
    """dloss/dp as one CUDA map: the twin of nanogan.kernels.loss.binary_cross_entropy_backward."""
    return compiled(BCE_BACKWARD)(p, y, upstream, GRAD_EPS, float(p.size))
