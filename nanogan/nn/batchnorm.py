"""Batch normalisation (Ioffe & Szegedy, 2015), with PyTorch's running statistics.

Per channel, over the batch and spatial axes (m values each):

    mean = sum(x) / m          var = sum((x - mean)^2) / m      (biased)
    inv_std = 1 / sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    y = gamma * x_hat + beta                gamma = weight, beta = bias

In eval mode mean and var are replaced by the running estimates, updated in
train mode as running = (1 - momentum) * running + momentum * batch_value,
with the unbiased variance var * m / (m - 1), as PyTorch does.
"""

import numpy as np

from ..backend import get_array_module
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
        axes = (0,) + tuple(range(2, x.ndim))  # every axis but the channel axis
        count = x.size // self.num_features  # m: values per channel
        if self.training:
            if count < 2:
                raise self._error(
                    f"expected more than 1 value per channel when training, got input of shape {tuple(x.shape)}"
                )
            mean = x.mean(axis=axes, keepdims=True)
            centered = x - mean
            var = (centered * centered).mean(axis=axes, keepdims=True)
            self._update_running_stats(mean.reshape(-1), var.reshape(-1), count)
        else:
            mean = self._per_channel(self.running_mean, x)
            centered = x - mean
            var = self._per_channel(self.running_var, x)
        inv_std = 1 / xp.sqrt(var + self.eps)
        x_hat = centered * inv_std
        y = x_hat
        if self.affine:
            y = x_hat * self._per_channel(self.weight.data, x) + self._per_channel(self.bias.data, x)
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
        g = grad_output
        axes = (0,) + tuple(range(2, g.ndim))
        if self.affine:
            if self.weight.requires_grad:
                # dgamma = sum(g * x_hat)
                self.weight.grad += (g * x_hat).sum(axis=axes)
            if self.bias.requires_grad:
                # dbeta = sum(g)
                self.bias.grad += g.sum(axis=axes)
            gamma_inv_std = self._per_channel(self.weight.data, g) * inv_std
        else:
            gamma_inv_std = inv_std
        if not trained:
            # eval mode: mean and var are constants, so dx = gamma * inv_std * g
            return gamma_inv_std * g
        # train mode: mean and var depend on x too; the three paths sum to
        # dx = gamma * inv_std * (g - mean(g) - x_hat * mean(g * x_hat))
        g_mean = g.mean(axis=axes, keepdims=True)
        g_x_hat_mean = (g * x_hat).mean(axis=axes, keepdims=True)
        return gamma_inv_std * (g - g_mean - x_hat * g_x_hat_mean)

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
