"""BCELoss's passes as single CUDA maps: the GPU twins of BCELoss in nanogan/nn/loss.py.

There the forward pass is a dozen array operations and the backward half a
dozen, each a launch on CuPy for a few hundred values: the cost is all in
the launches. Here each pass is one map (plus CuPy's mean for the loss).
"""

from .cuda import Elementwise, compiled

# -(y log p + (1 - y) log(1 - p)), each log clamped at `log_clamp`, as BCELoss.forward
BCE = Elementwise(
    "T p, T y, float64 log_clamp", "T term",
    "term = -(y * max(log(p), (T)log_clamp) + ((T)1 - y) * max(log((T)1 - p), (T)log_clamp));",
    "nanogan_bce")
# upstream * (p - y) / max(p (1 - p), grad_eps) / size, as BCELoss.backward
BCE_BACKWARD = Elementwise(
    "T p, T y, float64 upstream, float64 grad_eps, float64 size", "T dp",
    "dp = (T)upstream * (p - y) / max(p * ((T)1 - p), (T)grad_eps) / (T)size;",
    "nanogan_bce_backward")


def bce(p, y, log_clamp):
    """The mean binary cross-entropy, a 0-d array."""
    return compiled(BCE)(p, y, float(log_clamp)).mean()


def bce_backward(p, y, upstream, grad_eps):
    return compiled(BCE_BACKWARD)(p, y, float(upstream), float(grad_eps), float(p.size))
