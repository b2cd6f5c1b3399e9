"""CrossEntropyLoss: softmax cross-entropy on class logits, as torch.nn.CrossEntropyLoss with class indices.

For logits s of one sample over C classes and its class y,

    log_softmax(s)_c = s_c - logsumexp(s),  logsumexp(s) = max(s) + log(sum_c exp(s_c - max(s)))
    loss = -mean over samples of log_softmax(s)_y

Subtracting max(s) first keeps every exp at most 1: no overflow for any logits.
The gradient of one sample's term is softmax(s) - onehot(y), so

    dloss/ds = (softmax(s) - onehot(y)) / m         m: the number of samples
"""

import numpy as np

from ..backend import backend_name, get_array_module
from .loss import _Loss


def log_softmax(s, axis=1):
    """s - logsumexp(s) along `axis`, computed from s - max(s) so that no exp overflows."""
    xp = get_array_module(s)
    shifted = s - s.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


class CrossEntropyLoss(_Loss):
    """loss = -mean(log_softmax(s)[y]), mean reduction.

    input: logits (N, C) or (N, C, d1, ...), floating point; target: class indices (N,) or (N, d1, ...),
    integers in [0, C). The mean runs over every sample (N * d1 * ...), as PyTorch's.
    """

    def _check_target(self, input, target):
        """The target as integer class indices of shape (N, d1, ...) on the input's backend, or ValueError."""
        self.check_input(input)
        if input.ndim < 2:
            raise self._error(f"expected logits of shape (N, C, ...), got shape {tuple(input.shape)}")
        expected_shape = (input.shape[0], *input.shape[2:])
        if not hasattr(target, "shape"):
            target = get_array_module(input).asarray(target)
        same_backend = backend_name(input) == backend_name(target)
        if not same_backend or tuple(target.shape) != expected_shape or not np.issubdtype(target.dtype, np.integer):
            raise self._error(
                f"expected integer class indices of shape {expected_shape} on {backend_name(input)}, got shape "
                f"{tuple(target.shape)} and dtype {target.dtype} on {backend_name(target)}; make them like "
                f"xp.asarray(labels, dtype=xp.int64)"
            )
        return target

    def forward(self, input, target):
        """input: logits s (N, C, ...); target: classes y (N, ...) -> the mean loss, 0-d."""
        xp = get_array_module(input)
        s = xp.moveaxis(input, 1, -1).reshape(-1, input.shape[1])  # (m, C): one row of logits per sample
        y = target.reshape(-1)  # (m,)
        log_probabilities = log_softmax(s)
        # loss = -mean(log_softmax(s)[y])
        loss = xp.asarray(-log_probabilities[xp.arange(len(y)), y].mean())
        self.save_for_backward(log_probabilities, y, input.shape, output=loss)
        return loss

    def backward(self, grad_output=1.0):
        """dL/ds for the last forward, shaped like the logits; grad_output: dL/dloss (1 when the loss is L)."""
        log_probabilities, y, input_shape = self.saved_tensors(grad_output)
        xp = get_array_module(log_probabilities)
        count = len(y)
        # dloss/ds = (softmax(s) - onehot(y)) / m
        grad = xp.exp(log_probabilities)
        grad[xp.arange(count), y] -= 1
        grad *= grad_output / count
        moved = (input_shape[0], *input_shape[2:], input_shape[1])  # back to (N, C, d1, ...)
        return xp.moveaxis(grad.reshape(moved), -1, 1)
