"""Elementwise activations. Each backward multiplies g = dL/dy by dy/dx.

On CuPy, the passes written here as several array operations run as one CUDA
map each instead (nanogan/kernels/cuda_activation.py)."""

from ..backend import get_array_module
from ..kernels import cuda_activation
from ..kernels.cuda import uses_cuda
from ..kernels.threads import split_channels
from .functional import sigmoid
from .module import Module


class ReLU(Module):
    """y = max(x, 0)."""

    def forward(self, x):
        xp = get_array_module(x)
        if uses_cuda(xp):
            y = cuda_activation.relu(x)
        else:
            y = xp.empty_like(x)
            split_channels(lambda x, y: xp.maximum(x, 0, out=y), x, y)  # in parts on CPU threads
        self.save_for_backward(y, output=y)
        return y

    def backward(self, grad_output):
        (y,) = self.saved_tensors(grad_output)
        xp = get_array_module(grad_output)
        if uses_cuda(xp):
            return cuda_activation.relu_backward(grad_output, y)
        grad_input = xp.empty_like(grad_output)

        def relu_backward(g, y, grad_input):
            # dx = g * [x > 0]   (x > 0 exactly where y > 0)
            xp.multiply(g, y > 0, out=grad_input)

        split_channels(relu_backward, grad_output, y, grad_input)
        return grad_input


class LeakyReLU(Module):
    """y = x for x > 0, negative_slope * x otherwise."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        xp = get_array_module(x)
        if uses_cuda(xp):
            y, positive = cuda_activation.leaky_relu(x, self.negative_slope)
        else:
            y, positive = xp.empty_like(x), xp.empty_like(x, dtype=bool)
            select = xp.maximum if self.negative_slope <= 1 else xp.minimum

            def leaky_relu(x, y, positive):
                xp.greater(x, 0, out=positive)
                # y = max(x, negative_slope * x) for slopes up to 1 (min above 1): two passes, no per-element select
                xp.multiply(x, self.negative_slope, out=y)
                select(y, x, out=y)

            split_channels(leaky_relu, x, y, positive)  # in parts on CPU threads
        self.save_for_backward(positive, output=y)
        return y

    def backward(self, grad_output):
        (positive,) = self.saved_tensors(grad_output)
        xp = get_array_module(grad_output)
        if uses_cuda(xp):
            return cuda_activation.leaky_relu_backward(grad_output, positive, self.negative_slope)
        grad_input = xp.empty_like(grad_output)

        def leaky_relu_backward(g, positive, grad_input):
            # dx = g for x > 0, negative_slope * g otherwise: g * (negative_slope + (1 - negative_slope) * [x > 0])
            xp.multiply(positive, 1 - self.negative_slope, out=grad_input, dtype=grad_input.dtype)
            grad_input += self.negative_slope
            grad_input *= g

        split_channels(leaky_relu_backward, grad_output, positive, grad_input)
        return grad_input

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Tanh(Module):
    """y = tanh(x)."""

    def forward(self, x):
        xp = get_array_module(x)
        y = cuda_activation.tanh(x) if uses_cuda(xp) else xp.tanh(x)
        self.save_for_backward(y, output=y)
        return y

    def backward(self, grad_output):
        (y,) = self.saved_tensors(grad_output)
        xp = get_array_module(y)
        if uses_cuda(xp):
            return cuda_activation.tanh_backward(grad_output, y)
        # dx = g * (1 - y^2), built in one new array
        grad_input = xp.multiply(y, y)
        xp.subtract(1, grad_input, out=grad_input)
        grad_input *= grad_output
        return grad_input


class Sigmoid(Module):
    """y = 1 / (1 + exp(-x)), computed without overflow."""

    def forward(self, x):
        y = sigmoid(x)
        self.save_for_backward(y, output=y)
        return y

    def backward(self, grad_output):
        (y,) = self.saved_tensors(grad_output)
        if uses_cuda(get_array_module(y)):
            return cuda_activation.sigmoid_backward(grad_output, y)
        # dx = g * y * (1 - y)
        return grad_output * y * (1 - y)
