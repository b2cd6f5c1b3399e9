"""Loss functions with mean reduction, as PyTorch's: loss = criterion(input, target).

`criterion.backward()` returns dloss/dinput (times an optional upstream
gradient, 1 by default). The input must be a floating-point array; the target
must have its shape, dtype and backend: a silent broadcast or an integer label
is an error here, not a wrong loss. A target given as a list (or another
array-like) is converted to the input's dtype and backend, which leaves no
doubt about what it means.
"""

import numpy as np

from ..backend import backend_name, get_array_module
from ..kernels.dispatch import binary_cross_entropy, binary_cross_entropy_backward
from ..kernels.loss import outside_unit_interval
from .functional import sigmoid, softplus
from .module import Module


class _Loss(Module):
    """Checks the input and target, then runs forward(input, target) -> 0-d array."""

    def __call__(self, input, target):
        """`criterion(input, target)`: the loss, a 0-d array on the input's backend."""
        target = self._check_target(input, target)
        return self.forward(input, target)

    def check_deferred(self):
        """Raise an input error that a GPU backend found but did not wait for (none for this loss).

        StepMetrics.to_host() calls it, so a bad input found on the device surfaces when
        the step's metrics are read, without a host synchronisation inside the step."""

    def _check_target(self, input, target):
        """The target as an array of the input's dtype and backend, or ValueError naming both."""
        self.check_input(input)
        if not hasattr(target, "shape"):
            try:
                target = get_array_module(input).asarray(target, dtype=input.dtype)
            except (TypeError, ValueError) as error:
                raise self._error(f"cannot read the target as an array of dtype {input.dtype} ({error})") from None
        same_backend = backend_name(input) == backend_name(target)
        if not same_backend or target.shape != input.shape or target.dtype != input.dtype:
            raise self._error(
                f"expected target of shape {tuple(input.shape)} and dtype {input.dtype} on {backend_name(input)} "
                f"(the input's), got shape {tuple(target.shape)} and dtype {target.dtype} on {backend_name(target)}; "
                f"make labels like xp.full(input.shape, 1.0, dtype=input.dtype)"
            )
        return target


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities p in [0, 1]:
    loss = -mean(y * log(p) + (1 - y) * log(1 - p)), each log clamped at -100.

    An input outside [0, 1] (logits, most likely) is an error, as in PyTorch: at
    forward on NumPy; on a GPU backend, where reading the check would wait for the
    device, at the next `check_deferred()` (which reading a train_step's metrics calls).
    """

    def __init__(self):
        super().__init__()
        self._outside = None  # on a GPU backend: a 0-d bool array, whether an input since the last check was outside

    def forward(self, input, target):
        """input: probabilities p, any shape; target: labels y, the same shape -> the mean loss, 0-d."""
        p, y = input, target
        self._check_probabilities(p)
        # loss = -mean(y * log(p) + (1 - y) * log(1 - p)): nanogan/kernels/loss.py
        loss = binary_cross_entropy(p, y)
        self.save_for_backward(p, y, output=loss)
        return loss

    def backward(self, grad_output=1.0):
        """dL/dp for the last forward; grad_output: dL/dloss (1 when the loss is L)."""
        p, y = self.saved_tensors(grad_output)
        # dloss/dp = (p - y) / (p * (1 - p)) / m, denominator kept >= 1e-12 as in PyTorch
        return binary_cross_entropy_backward(p, y, grad_output)

    def check_deferred(self):
        """Raise the error for inputs outside [0, 1] seen since the last call on a GPU backend (waits for the device)."""
        found = self._outside is not None and bool(self._outside)
        self._outside = None
        if found:
            raise self._outside_error()

    def _check_probabilities(self, p):
        outside = outside_unit_interval(p)
        if get_array_module(p) is np:
            if outside:
                raise self._outside_error()
        else:  # reading the flag now would wait for the device: keep it for check_deferred()
            self._outside = outside if self._outside is None else self._outside | outside

    def _outside_error(self):
        return self._error(
            "expected probabilities in [0, 1] as input, got values outside it; for logits (a model without a "
            "final Sigmoid) use nanogan.nn.BCEWithLogitsLoss, which is also stable for large logits"
        )


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits s, with p = sigmoid(s) folded in stably:
    loss = mean(softplus(s) - y * s), finite for any |s|."""

    def forward(self, input, target):
        """input: logits s, any shape; target: labels y, the same shape -> the mean loss, 0-d."""
        xp = get_array_module(input)
        s, y = input, target
        # -y log(sigmoid(s)) - (1 - y) log(1 - sigmoid(s)) = softplus(s) - y * s
        loss = xp.asarray((softplus(s) - y * s).mean())
        self.save_for_backward(s, y, output=loss)
        return loss

    def backward(self, grad_output=1.0):
        """dL/dinput for the last forward; grad_output: dL/dloss (1 when the loss is L)."""
        s, y = self.saved_tensors(grad_output)
        # dloss/ds = (sigmoid(s) - y) / m
        return grad_output * (sigmoid(s) - y) / s.size


class MSELoss(_Loss):
    """Mean squared error: loss = mean((x - y)^2)."""

    def forward(self, input, target):
        """input: x, any shape; target: y, the same shape -> the mean squared error, 0-d."""
        xp = get_array_module(input)
        difference = input - target
        loss = xp.asarray((difference * difference).mean())
        self.save_for_backward(difference, output=loss)
        return loss

    def backward(self, grad_output=1.0):
        """dL/dinput for the last forward; grad_output: dL/dloss (1 when the loss is L)."""
        (difference,) = self.saved_tensors(grad_output)
        # dloss/dx = 2 (x - y) / m
        return grad_output * 2 * difference / difference.size
