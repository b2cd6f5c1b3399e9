"""Batch normalisation's arithmetic on a (C, m) matrix, one row per channel (the plain definitions, the reference).

nanogan/nn/batchnorm.py keeps the parameters, the running statistics and the
checks, and calls these functions for the math of docs/batchnorm.md.
nanogan/kernels/dispatch.py runs them as written, or their twins on CPU threads
(nanogan/kernels/cpu/batchnorm.py) and as CUDA kernels
(nanogan/kernels/cuda/batchnorm.py).
"""

from ..backend import get_array_module


def batch_norm_forward(x, gamma, beta, eps, mean=None, var=None):
    """Normalise each row of x: (C, m), then scale and shift it.

    Train mode (mean and var None): by the row's own mean and biased variance.
    Eval mode: by the given mean and var, (C, 1) each (the running estimates).
    gamma, beta: (C, 1), or None for no affine transform (y = x_hat).
    Returns y and x_hat, (C, m), and mean, var and inv_std, (C, 1).
    """
    xp = get_array_module(x)
    if mean is None:
        mean = x.mean(axis=1, keepdims=True)  # mean = sum(x) / m
        var = ((x - mean) ** 2).mean(axis=1, keepdims=True)  # var = sum((x - mean)^2) / m
    inv_std = 1 / xp.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    y = x_hat if gamma is None else gamma * x_hat + beta
    return y, x_hat, mean, var, inv_std


def batch_norm_backward(g, x_hat, gamma, inv_std, training):
    """The gradients of batch_norm_forward, from g = dL/dy: (C, m).

    x_hat: (C, m) and inv_std: (C, 1) as forward returned them; gamma: (C, 1) or None;
    training: whether forward normalised by the batch's own statistics.
    Returns dx: (C, m), and per channel sum(g) and sum(g * x_hat), (C,) each:
    dbeta and dgamma.
    """
    count = g.shape[1]  # m
    g_sum, g_x_hat_sum = g.sum(axis=1), (g * x_hat).sum(axis=1)
    gamma_inv_std = inv_std if gamma is None else gamma * inv_std
    if not training:
        # eval mode: mean and var are constants, so dx = gamma * inv_std * g
        return gamma_inv_std * g, g_sum, g_x_hat_sum
    # train mode: mean and var depend on x too; the three paths sum to
    # dx = gamma * inv_std * (g - mean(g) - x_hat * mean(g * x_hat))
    g_mean, g_x_hat_mean = g_sum[:, None] / count, g_x_hat_sum[:, None] / count
    return gamma_inv_std * (g - x_hat * g_x_hat_mean - g_mean), g_sum, g_x_hat_sum


def update_running_stats(running_mean, running_var, mean, var, momentum, count):
    """Move the running estimates (C,) towards the batch's mean and var (C,), in place:
    running = (1 - momentum) * running + momentum * batch value, with the unbiased variance
    var * m / (m - 1), as PyTorch does; count: m, the values per channel."""
    running_mean[...] = (1 - momentum) * running_mean + momentum * mean
    running_var[...] = (1 - momentum) * running_var + momentum * (var * (count / (count - 1)))
