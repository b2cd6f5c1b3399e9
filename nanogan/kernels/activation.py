"""The activations' passes (the plain definitions, the reference).

Each backward takes g = dL/dy and returns dx = g * dy/dx, elementwise, from
what forward kept: y itself where dy/dx can be written in y, else the mask
[x > 0]. nanogan/kernels/dispatch.py runs these as written, or their twins on
CPU threads (nanogan/kernels/cpu/activation.py) and as one CUDA map each
(nanogan/kernels/cuda/activation.py).
"""

from ..backend import get_array_module


def relu(x):
    """y = max(x, 0)."""
    return get_array_module(x).maximum(x, 0)


def relu_backward(g, y):
    """dx = g * [x > 0]: x > 0 exactly where y > 0."""
    return g * (y > 0)


def leaky_relu(x, negative_slope):
    """y = x where x > 0, negative_slope * x elsewhere; returns y and the mask [x > 0] that backward needs."""
    positive = x > 0
    return get_array_module(x).where(positive, x, negative_slope * x), positive


def leaky_relu_backward(g, positive, negative_slope):
    """dx = g where x > 0, negative_slope * g elsewhere."""
    return get_array_module(g).where(positive, g, negative_slope * g)


def tanh(x):
    """y = tanh(x)."""
    return get_array_module(x).tanh(x)


def tanh_backward(g, y):
    """dx = g * (1 - y^2), since tanh' = 1 - tanh^2."""
    return g * (1 - y * y)


def sigmoid(x):
    """y = 1 / (1 + exp(-x)) without overflow: exp is only ever taken of -|x| <= 0, and
    for x < 0 the same value is written e / (1 + e) with e = exp(x)."""
    xp = get_array_module(x)
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_backward(g, y):
    """dx = g * y * (1 - y), since sigmoid' = sigmoid * (1 - sigmoid)."""
    return g * y * (1 - y)


def elu(x, alpha):
    """y = x where x > 0, alpha * (exp(x) - 1) elsewhere; exp is taken of min(x, 0), so it never overflows."""
    xp = get_array_module(x)
    return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))


def elu_backward(g, y, alpha):
    """dx = g where x > 0, g * (y + alpha) elsewhere, since d/dx alpha (exp(x) - 1) = alpha exp(x) = y + alpha
    (and x > 0 exactly where y > 0)."""
    return get_array_module(g).where(y > 0, g, g * (y + alpha))
