"""ReLU's and LeakyReLU's passes of nanogan/kernels/activation.py on CPU threads.

The same results, to the bit, written into preallocated arrays without
temporaries, each CPU thread doing its own share of the channels
(nanogan/kernels/threads.py), and LeakyReLU without the plain definition's
select (`where`), which NumPy runs several times slower than arithmetic on a
random mask. Outputs are laid out like their input (channels first, batch
last, for nanogan's images).
"""

import numpy as np

from ..threads import split_channels


def relu(x):
    """The threaded twin of nanogan.kernels.activation.relu."""
    y = np.empty_like(x)
    split_channels(lambda x, y: np.maximum(x, 0, out=y), x, y)
    return y


def relu_backward(g, y):
    """The threaded twin of nanogan.kernels.activation.relu_backward."""
    grad_input = np.empty_like(g)
    split_channels(lambda g, y, grad_input: np.multiply(g, y > 0, out=grad_input), g, y, grad_input)
    return grad_input


def leaky_relu(x, negative_slope):
    """The threaded twin of nanogan.kernels.activation.leaky_relu: returns (y, positive)."""
    y, positive = np.empty_like(x), np.empty_like(x, dtype=bool)
    # y = max(x, negative_slope * x) for slopes up to 1 (min above 1): the plain select, in two passes
    select = np.maximum if negative_slope <= 1 else np.minimum

    def leaky_relu_channels(x, y, positive):
        np.greater(x, 0, out=positive)
        np.multiply(x, negative_slope, out=y)
        select(y, x, out=y)

    split_channels(leaky_relu_channels, x, y, positive)
    return y, positive


def leaky_relu_backward(g, positive, negative_slope):
    """The threaded twin of nanogan.kernels.activation.leaky_relu_backward."""
    grad_input = np.empty_like(g)

    def leaky_relu_backward_channels(g, positive, grad_input):
        # g * (negative_slope + (1 - negative_slope) * [x > 0]): three passes and no select, which NumPy does
        # slowly on a random mask; the factor is exactly 1 where x > 0 for slopes from 0 to 2
        np.multiply(positive, 1 - negative_slope, out=grad_input, dtype=grad_input.dtype)
        grad_input += negative_slope
        grad_input *= g

    split_channels(leaky_relu_backward_channels, g, positive, grad_input)
    return grad_input
