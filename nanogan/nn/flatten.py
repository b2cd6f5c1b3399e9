"""Flatten: reshape, and reshape the gradient back."""

import math

from .module import Module


class Reshaping(Module):
    """A layer whose forward is a reshape (Flatten, Pack): backward reshapes g back."""

    def _reshape(self, x, shape):
        y = x.reshape(shape)
        self.save_for_backward(x.shape, output=y)
        return y

    def backward(self, grad_output):
        """dL/dy -> dL/dx: dL/dy reshaped to x's shape."""
        (input_shape,) = self.saved_tensors(grad_output)
        # dx = g reshaped to x's shape
        return grad_output.reshape(input_shape)

    def double_backward(self, grad_grad_input):
        """dP/d(dL/dx) -> (dP/d(dL/dy), None): reshaped back; dL/dx does not depend on x."""
        _, grad_output = self.saved_for_double_backward()
        # dx = g reshaped, so dP/dg = v reshaped back
        return grad_grad_input.reshape(grad_output.shape), None


class Flatten(Reshaping):
    """Merge dims start_dim..end_dim into one, as torch.nn.Flatten: (N, C, H, W) -> (N, C*H*W)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x):
        """x: (N, C, H, W) -> y: (N, C*H*W) (dims start_dim..end_dim merged)."""
        ndim = x.ndim
        dims_valid = ndim > 0 and all(-ndim <= dim < ndim for dim in (self.start_dim, self.end_dim))
        if not dims_valid or self.start_dim % ndim > self.end_dim % ndim:
            raise self._error(
                f"cannot flatten dims {self.start_dim}..{self.end_dim} of an input of shape {tuple(x.shape)}"
            )
        start, end = self.start_dim % ndim, self.end_dim % ndim
        shape = x.shape[:start] + (math.prod(x.shape[start : end + 1]),) + x.shape[end + 1 :]
        return self._reshape(x, shape)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
