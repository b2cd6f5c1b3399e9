"""Linear (fully connected) layer: y = x W^T + b."""

import numpy as np

from . import init
from .module import Module
from .parameter import Parameter


class Linear(Module):
    """y = x W^T + b, as torch.nn.Linear.

    x: (*, in_features) -> y: (*, out_features)
    weight: (out_features, in_features), bias: (out_features,)
    """

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        if in_features < 1 or out_features < 1:
            raise ValueError(
                f"Linear: in_features and out_features must be positive, got {in_features} and {out_features}"
            )
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=np.float32))
        self.bias = Parameter(np.empty(out_features, dtype=np.float32)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """Draw weight and bias from U(-1/sqrt(in_features), 1/sqrt(in_features)), as PyTorch does."""
        init.fan_in_uniform_(self.weight, self.in_features)
        if self.bias is not None:
            init.fan_in_uniform_(self.bias, self.in_features)

    def forward(self, x):
        """x: (*, in_features) -> y: (*, out_features); saves x for backward."""
        if x.ndim < 1 or x.shape[-1] != self.in_features:
            raise self._error(f"expected input of shape (*, {self.in_features}), got {tuple(x.shape)}")
        x_matrix = x.reshape(-1, self.in_features)  # (M, in), M = product of the leading dims
        y = x_matrix @ self.weight.data.T  # (M, out)
        if self.bias is not None:
            y += self.bias.data
        y = y.reshape(*x.shape[:-1], self.out_features)
        self.save_for_backward(x_matrix, output=y)
        return y

    def backward(self, grad_output):
        """dL/dy: (*, out_features) -> dL/dx: (*, in_features); adds dL/dW and dL/db into .grad."""
        (x_matrix,) = self.saved_tensors(grad_output)
        g = grad_output.reshape(-1, self.out_features)  # (M, out)
        if self.weight.requires_grad:
            # dW = g^T x
            self.weight.grad += g.T @ x_matrix
        if self.bias is not None and self.bias.requires_grad:
            # db = sum over rows of g
            self.bias.grad += g.sum(axis=0)
        # dx = g W
        grad_input = g @ self.weight.data
        return grad_input.reshape(*grad_output.shape[:-1], self.in_features)

    def double_backward(self, grad_grad_input):
        """v = dP/dx for a scalar P of backward's dx = g W (docs/double-backward.md)."""
        _, grad_output = self.saved_for_double_backward()
        g = grad_output.reshape(-1, self.out_features)  # (M, out)
        v = grad_grad_input.reshape(-1, self.in_features)  # (M, in)
        if self.weight.requires_grad:
            # dP/dW = g^T v   (dx = g W is linear in W)
            self.weight.grad += g.T @ v
        # dP/dg = v W^T   (the bias never reaches dx, and dx does not depend on x)
        grad_grad_output = v @ self.weight.data.T
        return grad_grad_output.reshape(grad_output.shape), None

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
