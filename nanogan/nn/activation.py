"""Elementwise activations. Each backward multiplies g = dL/dy by dy/dx, elementwise.

Each pass is a function of nanogan/kernels/activation.py, where its plain
definition is; nanogan/kernels/dispatch.py runs it as written, on CPU
threads, or as one CUDA map.
"""

from ..kernels.dispatch import (elu, elu_backward, leaky_relu, leaky_relu_backward, relu, relu_backward, sigmoid,
                                sigmoid_backward, tanh, tanh_backward)
from .module import Module


class ReLU(Module):
    """y = max(x, 0)."""

    def forward(self, x):
        """x: any shape -> y: the same shape."""
        y = relu(x)  # y = max(x, 0)
        self.save_for_backward(y, output=y)
        return y

    def backward(self, grad_output):
        """dL/dy -> dL/dx, both shaped like x."""
        (y,) = self.saved_tensors(grad_output)
        # dx = g * [x > 0]   (x > 0 exactly where y > 0)
        return relu_backward(grad_output, y)

    def double_backward(self, grad_grad_input):
        (y,), _ = self.saved_for_double_backward()
        # dP/dg = v * [x > 0]; dx = g * [x > 0] does not change with x (away from the kink at 0)
        return relu_backward(grad_grad_input, y), None


class LeakyReLU(Module):
    """y = x for x > 0, negative_slope * x otherwise."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        """x: any shape -> y: the same shape."""
        y, positive = leaky_relu(x, self.negative_slope)  # positive = [x > 0], all that backward needs
        self.save_for_backward(positive, output=y)
        return y

    def backward(self, grad_output):
        """dL/dy -> dL/dx, both shaped like x."""
        (positive,) = self.saved_tensors(grad_output)
        # dx = g for x > 0, negative_slope * g otherwise
        return leaky_relu_backward(grad_output, positive, self.negative_slope)

    def double_backward(self, grad_grad_input):
        (positive,), _ = self.saved_for_double_backward()
        # dP/dg = v for x > 0, negative_slope * v otherwise; dx does not change with x (away from 0)
        return leaky_relu_backward(grad_grad_input, positive, self.negative_slope), None

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Tanh(Module):
    """y = tanh(x)."""

    def forward(self, x):
        """x: any shape -> y: the same shape."""
        y = tanh(x)
        self.save_for_backward(y, output=y)
        return y

    def backward(self, grad_output):
        """dL/dy -> dL/dx, both shaped like x."""
        (y,) = self.saved_tensors(grad_output)
        # dx = g * (1 - y^2)
        return tanh_backward(grad_output, y)


class Sigmoid(Module):
    """y = 1 / (1 + exp(-x)), computed without overflow."""

    def forward(self, x):
        """x: any shape -> y: the same shape."""
        y = sigmoid(x)
        self.save_for_backward(y, output=y)
        return y

    def backward(self, grad_output):
        """dL/dy -> dL/dx, both shaped like x."""
        (y,) = self.saved_tensors(grad_output)
        # dx = g * y * (1 - y)
        return sigmoid_backward(grad_output, y)


class ELU(Module):
    """y = x for x > 0, alpha * (exp(x) - 1) otherwise, as torch.nn.ELU."""

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        """x: any shape -> y: the same shape."""
        y = elu(x, self.alpha)
        self.save_for_backward(y, output=y)
        return y

    def backward(self, grad_output):
        """dL/dy -> dL/dx, both shaped like x."""
        (y,) = self.saved_tensors(grad_output)
        # dx = g for x > 0, g * (y + alpha) otherwise
        return elu_backward(grad_output, y, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"
