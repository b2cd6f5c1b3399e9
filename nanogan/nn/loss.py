"""Loss functions with mean reduction, as PyTorch's: loss = criterion(input, target).

`criterion.backward()` returns dloss/dinput (times an optional upstream
gradient, 1 by default). The target must have the input's shape, dtype
and backend: a silent broadcast or an integer label is an error here, not
a wrong loss.
"""

import numpy as np

from ..backend import backend_name, get_array_module
from ..kernels.dispatch import binary_cross_entropy, binary_cross_entropy_backward
from .functional import sigmoid, softplus
from .module import Module


class _Loss(Module):
    """Checks the target, then runs forward(input, target) -> 0-d array."""

    def __call__(self, input, target):
        self._check_target(input, target)
        return self.forward(input, target)

    def _check_target(self, input, target):
        same_backend = backend_name(input) == backend_name(target)
        if not same_backend or target.shape != input.shape or target.dtype != input.dtype:
            raise self._error(
                f"expected target of shape {tuple(input.shape)} and dtype {input.dtype} on {backend_name(input)} "
                f"(the input's), got shape {tuple(target.shape)} and dtype {target.dtype} on {backend_name(target)}; "
                f"make labels like xp.full(input.shape, 1.0, dtype=input.dtype)"
            )
        if not np.issubdtype(input.dtype, np.floating):
            raise self._error(f"expected a floating-point input, got dtype {input.dtype}")


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities p in [0, 1]:
    loss = -mean(y * log(p) + (1 - y) * log(1 - p)), each log clamped at -100."""

    def forward(self, input, target):
        p, y = input, target
        # loss = -mean(y * log(p) + (1 - y) * log(1 - p)): nanogan/kernels/loss.py
        loss = binary_cross_entropy(p, y)
        self.save_for_backward(p, y, output=loss)
        return loss

    def backward(self, grad_output=1.0):
        p, y = self.saved_tensors(grad_output)
        # dloss/dp = (p - y) / (p * (1 - p)) / m, denominator kept >= 1e-12 as in PyTorch
        return binary_cross_entropy_backward(p, y, grad_output)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits s, with p = sigmoid(s) folded in stably:
    loss = mean(softplus(s) - y * s), finite for any |s|."""

    def forward(self, input, target):
        xp = get_array_module(input)
        s, y = input, target
        # -y log(sigmoid(s)) - (1 - y) log(1 - sigmoid(s)) = softplus(s) - y * s
        loss = xp.asarray((softplus(s) - y * s).mean())
        self.save_for_backward(s, y, output=loss)
        return loss

    def backward(self, grad_output=1.0):
        s, y = self.saved_tensors(grad_output)
        # dloss/ds = (sigmoid(s) - y) / m
        return grad_output * (sigmoid(s) - y) / s.size


class MSELoss(_Loss):
    """Mean squared error: loss = mean((x - y)^2)."""

    def forward(self, input, target):
        xp = get_array_module(input)
        difference = input - target
        loss = xp.asarray((difference * difference).mean())
        self.save_for_backward(difference, output=loss)
        return loss

    def backward(self, grad_output=1.0):
        (difference,) = self.saved_tensors(grad_output)
        # dloss/dx = 2 (x - y) / m
        return grad_output * 2 * difference / difference.size
