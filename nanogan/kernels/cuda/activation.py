"""The activations' passes of nanogan/kernels/activation.py as single CUDA maps.

There each pass is two or more array operations (a comparison, a product, a
select), one launch and one pass over the activations each on CuPy; here each
is one launch that reads every input once and writes every output once. Each
runs in the memory order of its input (`map_in_memory_order`), and its
outputs keep that layout.
"""

from .core import Elementwise, compiled, map_in_memory_order

# y = max(x, 0) as NumPy's maximum(x, 0): a NaN stays NaN (`x > 0 ? x : 0` made it 0), and -0 gives +0
RELU = Elementwise("T x", "T y", "y = x <= (T)0 ? (T)0 : x;", "nanogan_relu")
# dx = g * [y > 0]
RELU_BACKWARD = Elementwise("T g, T y", "T dx", "dx = g * (T)(y > (T)0);", "nanogan_relu_backward")
# y = x for x > 0, negative_slope * x otherwise; positive = [x > 0], kept for backward
LEAKY_RELU = Elementwise("T x, float64 negative_slope", "T y, bool positive",
                         "positive = x > (T)0; y = positive ? x : x * (T)negative_slope;", "nanogan_leaky_relu")
# dx = g for x > 0, negative_slope * g otherwise
LEAKY_RELU_BACKWARD = Elementwise("T g, bool positive, float64 negative_slope", "T dx",
                                  "dx = positive ? g : g * (T)negative_slope;", "nanogan_leaky_relu_backward")
TANH = Elementwise("T x", "T y", "y = tanh(x);", "nanogan_tanh")
# dx = g * (1 - y^2)
TANH_BACKWARD = Elementwise("T g, T y", "T dx", "dx = ((T)1 - y * y) * g;", "nanogan_tanh_backward")
# 1 / (1 + exp(-x)) with exp only ever taken of -|x| <= 0
SIGMOID = Elementwise("T x", "T y", "const T e = exp(-abs(x)); y = x >= (T)0 ? (T)1 / ((T)1 + e) : e / ((T)1 + e);",
                      "nanogan_sigmoid")
# dx = g * y * (1 - y)
SIGMOID_BACKWARD = Elementwise("T g, T y", "T dx", "dx = g * y * ((T)1 - y);", "nanogan_sigmoid_backward")


def relu(x):
    """The CUDA twin of nanogan.kernels.activation.relu."""
    return map_in_memory_order(compiled(RELU), (x,))


def relu_backward(grad_output, y):
    """The CUDA twin of nanogan.kernels.activation.relu_backward."""
    return map_in_memory_order(compiled(RELU_BACKWARD), (grad_output, y))


def leaky_relu(x, negative_slope):
    """Returns (y, positive)."""
    return map_in_memory_order(compiled(LEAKY_RELU), (x,), float(negative_slope))


def leaky_relu_backward(grad_output, positive, negative_slope):
    """The CUDA twin of nanogan.kernels.activation.leaky_relu_backward."""
    return map_in_memory_order(compiled(LEAKY_RELU_BACKWARD), (grad_output, positive), float(negative_slope))


def tanh(x):
    """The CUDA twin of nanogan.kernels.activation.tanh."""
    return map_in_memory_order(compiled(TANH), (x,))


def tanh_backward(grad_output, y):
    """The CUDA twin of nanogan.kernels.activation.tanh_backward."""
    return map_in_memory_order(compiled(TANH_BACKWARD), (grad_output, y))


def sigmoid(x):
    """The CUDA twin of nanogan.kernels.activation.sigmoid."""
    return map_in_memory_order(compiled(SIGMOID), (x,))


def sigmoid_backward(grad_output, y):
    """The CUDA twin of nanogan.kernels.activation.sigmoid_backward."""
    return map_in_memory_order(compiled(SIGMOID_BACKWARD), (grad_output, y))
