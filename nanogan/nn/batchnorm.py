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
the output comes back in that layout.
"""

import numpy as np

from ..backend import get_array_module
from ..kernels.layout import channel_rows, from_channel_rows
from ..kernels.reduce import row_dot
from ..kernels.threads import run_split
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

    def _check_input(self, x):
        if x.ndim not in self.input_ranks or x.shape[1] != self.num_features:
            layout = self.input_layout.format(C=self.num_features)
            raise self._error(f"expected input of shape {layout}, got {tuple(x.shape)}")

    def _per_channel(self, array, x):
        """Reshape a (C,) array to broadcast against x: (1, C) or (1, C, 1) or (1, C, 1, 1)."""
        return array.reshape((1, -1) + (1,) * (x.ndim - 2))

    def forward(self, x):
        self._check_input(x)
        xp = get_array_module(x)
        x_matrix = channel_rows(x)  # (C, m): one row per channel; a view for channels-first arrays
        channels, count = x_matrix.shape  # m: values per channel
        if self.training and count < 2:
            raise self._error(
                f"expected more than 1 value per channel when training, got input of shape {tuple(x.shape)}"
            )
        x_hat, y = xp.empty(x_matrix.shape, x.dtype), xp.empty(x_matrix.shape, x.dtype)
        if self.training:
            mean, var = xp.empty((channels, 1), x.dtype), xp.empty((channels, 1), x.dtype)
        else:
            mean, var = self.running_mean[:, None], self.running_var[:, None]
        inv_std = xp.empty((channels, 1), x.dtype)

        def normalise(rows):  # channels `rows` (each CPU thread does its own channels)
            x_rows, x_hat_rows, y_rows = x_matrix[rows], x_hat[rows], y[rows]
            if self.training:
                x_rows.mean(axis=1, keepdims=True, out=mean[rows])
            xp.subtract(x_rows, mean[rows], out=x_hat_rows)  # x - mean for now; scaled in place below
            if self.training:
                var[rows] = row_dot(x_hat_rows, x_hat_rows)[:, None] / count
            inv_std[rows] = 1 / xp.sqrt(var[rows] + self.eps)
            x_hat_rows *= inv_std[rows]  # x_hat = (x - mean) * inv_std
            if self.affine:
                xp.multiply(x_hat_rows, self.weight.data[rows, None], out=y_rows)
                y_rows += self.bias.data[rows, None]  # y = gamma * x_hat + beta
            else:
                y_rows[...] = x_hat_rows

        run_split(normalise, channels, xp, x_matrix.size)
        if self.training:
            self._update_running_stats(mean.reshape(-1), var.reshape(-1), count)
        y = from_channel_rows(y, x.shape)
        # kept in x's shape, x_hat like x and inv_std per channel (views, no copies), as a
        # backward written against x's shape expects; backward takes them back as (C, m) and (C, 1)
        x_hat, inv_std = from_channel_rows(x_hat, x.shape), self._per_channel(inv_std, x)
        self.save_for_backward(x_hat, inv_std, self.training, output=y)
        return y

    def _update_running_stats(self, batch_mean, batch_var, count):
        self.num_batches_tracked += 1
        if self.momentum is None:
            momentum = (1 / self.num_batches_tracked).astype(self.running_mean.dtype)
        else:
            momentum = self.momentum
        unbiased_var = batch_var * (count / (count - 1))
        self.running_mean *= 1 - momentum
        self.running_mean += momentum * batch_mean
        self.running_var *= 1 - momentum
        self.running_var += momentum * unbiased_var

    def backward(self, grad_output):
        x_hat, inv_std, trained = self.saved_tensors(grad_output)
        xp = get_array_module(grad_output)
        g, x_hat, inv_std = channel_rows(grad_output), channel_rows(x_hat), inv_std.reshape(-1, 1)  # (C, m), (C, 1)
        channels, count = g.shape
        g_sum, g_x_hat_sum = xp.empty(channels, g.dtype), xp.empty(channels, g.dtype)
        grad_input = xp.empty(g.shape, g.dtype)

        def backward_rows(rows):  # channels `rows` (each CPU thread does its own channels)
            g_rows, x_hat_rows, grad_rows = g[rows], x_hat[rows], grad_input[rows]
            g_rows.sum(axis=1, out=g_sum[rows])
            g_x_hat_sum[rows] = row_dot(g_rows, x_hat_rows)
            gamma_inv_std = self.weight.data[rows, None] * inv_std[rows] if self.affine else inv_std[rows]
            if not trained:
                # eval mode: mean and var are constants, so dx = gamma * inv_std * g
                xp.multiply(g_rows, gamma_inv_std, out=grad_rows)
                return
            # train mode: mean and var depend on x too; the three paths sum to
            # dx = gamma * inv_std * (g - mean(g) - x_hat * mean(g * x_hat)),
            # computed in one new array, one pass per operation:
            xp.multiply(x_hat_rows, (g_x_hat_sum[rows] / count)[:, None], out=grad_rows)  # x_hat * mean(g * x_hat)
            xp.subtract(g_rows, grad_rows, out=grad_rows)  # g - x_hat * mean(g * x_hat)
            grad_rows -= (g_sum[rows] / count)[:, None]  # g - mean(g) - x_hat * mean(g * x_hat)
            grad_rows *= gamma_inv_std

        run_split(backward_rows, channels, xp, g.size)
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
