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
nanogan/kernels/batchnorm.py (NumPy, and CUDA kernels on CuPy); this class
keeps the parameters, the running statistics and the checks.
"""

import numpy as np

from ..backend import get_array_module
from ..kernels import cuda_batchnorm
from ..kernels.batchnorm import batch_norm_backward, batch_norm_forward
from ..kernels.cuda import uses_cuda
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

    def _check_input(self, x):
        if x.ndim not in self.input_ranks or x.shape[1] != self.num_features:
            layout = self.input_layout.format(C=self.num_features)
            raise self._error(f"expected input of shape {layout}, got {tuple(x.shape)}")

    def _per_channel(self, array, x):
        """Reshape a (C,) array to broadcast against x: (1, C) or (1, C, 1) or (1, C, 1, 1)."""
        return array.reshape((1, -1) + (1,) * (x.ndim - 2))

    def forward(self, x):
        self._check_input(x)
        x_matrix = channel_rows(x)  # (C, m): one row per channel; a view for channels-first arrays
        count = x_matrix.shape[1]  # m: values per channel
        if self.training and count < 2:
            raise self._error(
                f"expected more than 1 value per channel when training, got input of shape {tuple(x.shape)}"
            )
        statistics = () if self.training else (self.running_mean[:, None], self.running_var[:, None])
        # y = gamma * x_hat + beta, x_hat = (x - mean) * inv_std: nanogan/kernels/batchnorm.py
        y, x_hat, mean, var, inv_std = batch_norm_forward(x_matrix, *self._affine(), self.eps, *statistics)
        if self.training:
            self._update_running_stats(mean.reshape(-1), var.reshape(-1), count)
        y = from_channel_rows(y, x.shape)
        # kept in x's shape, x_hat like x and inv_std per channel (views, no copies), as a
        # backward written against x's shape expects; backward takes them back as (C, m) and (C, 1)
        x_hat, inv_std = from_channel_rows(x_hat, x.shape), self._per_channel(inv_std, x)
        self.save_for_backward(x_hat, inv_std, self.training, output=y)
        return y

    def _affine(self):
        """(gamma, beta) as (C, 1) columns, or (None, None) without an affine transform."""
        if not self.affine:
            return None, None
        return self.weight.data[:, None], self.bias.data[:, None]

    def _update_running_stats(self, batch_mean, batch_var, count):
        self.num_batches_tracked += 1
        if self.momentum is not None and uses_cuda(get_array_module(batch_mean)):
            cuda_batchnorm.update_running_stats(self.running_mean, self.running_var, batch_mean, batch_var,
                                                self.momentum, count)  # the lines below, in one kernel
            return
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
        g, x_hat, inv_std = channel_rows(grad_output), channel_rows(x_hat), inv_std.reshape(-1, 1)  # (C, m), (C, 1)
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
