"""Batch normalisation's arithmetic on a (C, m) matrix, one row per channel.

nanogan/nn/batchnorm.py keeps the parameters, the running statistics and the
checks, and calls these two functions for the math of docs/batchnorm.md:
on NumPy as written here (each CPU thread takes its own channels), on CuPy
as CUDA kernels of the same signature (nanogan/kernels/cuda_batchnorm.py).
"""

from ..backend import get_array_module
from . import cuda_batchnorm
from .cuda import uses_cuda
from .reduce import row_dot
from .threads import run_split


def batch_norm_forward(x, gamma, beta, eps, mean=None, var=None):
    """Normalise each row of x: (C, m), then scale and shift it.

    Train mode (mean and var None): by the row's own mean and biased variance.
    Eval mode: by the given mean and var, (C, 1) each (the running estimates).
    gamma, beta: (C, 1), or None for no affine transform (y = x_hat).
    Returns y and x_hat, (C, m), and mean, var and inv_std, (C, 1).
    """
    xp = get_array_module(x)
    if uses_cuda(xp):
        return cuda_batchnorm.batch_norm_forward(x, gamma, beta, eps, mean, var)
    channels, count = x.shape  # count: m, the values per channel
    training = mean is None
    x_hat, y = xp.empty(x.shape, x.dtype), xp.empty(x.shape, x.dtype)
    if training:
        mean, var = xp.empty((channels, 1), x.dtype), xp.empty((channels, 1), x.dtype)
    inv_std = xp.empty((channels, 1), x.dtype)

    def normalise(rows):  # channels `rows` (each CPU thread does its own channels)
        x_rows, x_hat_rows, y_rows = x[rows], x_hat[rows], y[rows]
        if training:
            x_rows.mean(axis=1, keepdims=True, out=mean[rows])
        xp.subtract(x_rows, mean[rows], out=x_hat_rows)  # x - mean for now; scaled in place below
        if training:
            var[rows] = row_dot(x_hat_rows, x_hat_rows)[:, None] / count
        inv_std[rows] = 1 / xp.sqrt(var[rows] + eps)
        x_hat_rows *= inv_std[rows]  # x_hat = (x - mean) * inv_std
        if gamma is None:
            y_rows[...] = x_hat_rows
        else:
            xp.multiply(x_hat_rows, gamma[rows], out=y_rows)
            y_rows += beta[rows]  # y = gamma * x_hat + beta

    run_split(normalise, channels, xp, x.size)
    return y, x_hat, mean, var, inv_std


def batch_norm_backward(g, x_hat, gamma, inv_std, training):
    """The gradients of batch_norm_forward, from g = dL/dy: (C, m).

    x_hat: (C, m) and inv_std: (C, 1) as forward returned them; gamma: (C, 1) or None;
    training: whether forward normalised by the batch's own statistics.
    Returns dx: (C, m), and per channel sum(g) and sum(g * x_hat), (C,) each:
    dbeta and dgamma.
    """
    xp = get_array_module(g)
    if uses_cuda(xp):
        return cuda_batchnorm.batch_norm_backward(g, x_hat, gamma, inv_std, training)
    channels, count = g.shape
    g_sum, g_x_hat_sum = xp.empty(channels, g.dtype), xp.empty(channels, g.dtype)
    grad_input = xp.empty(g.shape, g.dtype)

    def backward_rows(rows):  # channels `rows` (each CPU thread does its own channels)
        g_rows, x_hat_rows, grad_rows = g[rows], x_hat[rows], grad_input[rows]
        g_rows.sum(axis=1, out=g_sum[rows])
        g_x_hat_sum[rows] = row_dot(g_rows, x_hat_rows)
        gamma_inv_std = inv_std[rows] if gamma is None else gamma[rows] * inv_std[rows]
        if not training:
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
    return grad_input, g_sum, g_x_hat_sum
