"""Batch normalisation (Ioffe & Szegedy, 2015), with PyTorch's running statistics.

Per channel, over the batch and spatial axes (m values each):

    mean = sum(x) / m          var = sum((x - mean)^2) / m      (biased)
    inv_std = 1 / sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    y = gamma * x_hat + beta                gamma = weight, beta = bias

In eval mode mean and var are replaced by the running estimates, updated in
train mode as running = (1 - momentum) * running + momentum * batch_value,
with the unbiased variance var * m / (m - 1), as PyTorch does.

Both passes work on x as a (C, m) matrix, one row per channel: a view for
images stored channels first, batch last (nanogan/kernels/layout.py), and
the output comes back in that layout. The arithmetic on that matrix is in
nanogan/kernels/batchnorm.py; this class keeps the parameters, the running
statistics and the checks.
"""

import numpy as np

from ..kernels.dispatch import batch_norm_backward, batch_norm_forward, update_running_stats
from ..kernels.layout import channel_rows, from_channel_rows
from . import init
from .module import Module
from .parameter import Parameter


class _BatchNorm(Module):
    """Shared by BatchNorm1d and BatchNorm2d; subclasses say which input ranks they take."""

    input_ranks = ()  # allowed x.ndim
    input_layout = ""  # for error messages

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True):
        super().__init__()
        if num_features < 1:
            raise ValueError(f"{type(self).__name__}: num_features must be positive, got {num_features}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum  # None: cumulative average over all batches seen, as PyTorch
        self.affine = affine
        if affine:
            self.weight = init.ones_(Parameter(np.empty(num_features, dtype=np.float32)))
            self.bias = init.zeros_(Parameter(np.empty(num_features, dtype=np.float32)))
        else:
            self.weight = self.bias = None
        self.register_buffer("running_mean", np.zeros(num_features, dtype=np.float32))
        self.register_buffer("running_var", np.ones(num_features, dtype=np.float32))
        self.register_buffer("num_batches_tracked", np.zeros((), dtype=np.int64))

    def _check_shape(self, x):
        if x.ndim not in self.input_ranks or x.shape[1] != self.num_features:
            layout = self.input_layout.format(C=self.num_features)
            raise self._error(f"expected input of shape {layout}, got {tuple(x.shape)}")

    def forward(self, x):
        """x: (N, C) or (N, C, L) for BatchNorm1d, (N, C, H, W) for BatchNorm2d -> y, the same shape."""
        self._check_shape(x)
        x_rows = channel_rows(x)  # (C, m): one row per channel; a view for channels-first arrays
        count = x_rows.shape[1]  # m: values per channel
        if self.training and count < 2:
            raise self._error(
                f"expected more than 1 value per channel when training, got input of shape {tuple(x.shape)}"
            )
        gamma, beta = self._affine()
        if self.training:
            # x_hat = (x - mean) * inv_std by the batch's own mean and var; y = gamma * x_hat + beta
            y, x_hat, mean, var, inv_std = batch_norm_forward(x_rows, gamma, beta, self.eps)
            self._update_running_stats(mean.reshape(-1), var.reshape(-1), count)
        else:
            # the same by the running estimates
            y, x_hat, _, _, inv_std = batch_norm_forward(x_rows, gamma, beta, self.eps, self.running_mean[:, None],
                                                         self.running_var[:, None])
        y = from_channel_rows(y, x.shape)
        self.save_for_backward(x_hat, inv_std, self.training, output=y)  # (C, m), (C, 1)
        return y

    def _affine(self):
        """(gamma, beta) as (C, 1) columns, or (None, None) without an affine transform."""
        if not self.affine:
            return None, None
        return self.weight.data[:, None], self.bias.data[:, None]

    def _update_running_stats(self, batch_mean, batch_var, count):
        self.num_batches_tracked += 1
        # momentum None: the cumulative average, 1 / (batches seen so far), as PyTorch
        momentum = self.momentum
        if momentum is None:
            momentum = (1 / self.num_batches_tracked).astype(self.running_mean.dtype)
        # running = (1 - momentum) * running + momentum * batch value, the variance unbiased: var * m / (m - 1)
        update_running_stats(self.running_mean, self.running_var, batch_mean, batch_var, momentum, count)

    def backward(self, grad_output):
        """dL/dy -> dL/dx, shaped like x; adds dL/dgamma and dL/dbeta into .grad."""
        x_hat, inv_std, trained = self.saved_tensors(grad_output)
        g = channel_rows(grad_output)  # (C, m), like x_hat
        # dx = gamma * inv_std * (g - mean(g) - x_hat * mean(g * x_hat)) in train mode: nanogan/kernels/batchnorm.py
        grad_input, g_sum, g_x_hat_sum = batch_norm_backward(g, x_hat, self._affine()[0], inv_std, trained)
        if self.affine:
            if self.weight.requires_grad:
                # dgamma = sum(g * x_hat)
                self.weight.grad += g_x_hat_sum
            if self.bias.requires_grad:
                # dbeta = sum(g)
                self.bias.grad += g_sum
        return from_channel_rows(grad_input, grad_output.shape)

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) inputs: statistics per channel C."""

    input_ranks = (2, 3)
    input_layout = "(N, {C}) or (N, {C}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) inputs: statistics per channel C, over N, H and W."""

    input_ranks = (4,)
    input_layout = "(N, {C}, H, W)"
