"""batch_norm_forward and batch_norm_backward of nanogan/kernels/batchnorm.py on CPU threads.

The same math, with each CPU thread normalising its own share of the channels
(nanogan/kernels/threads.py), in place in a few preallocated arrays: one pass
over the values per operation, no temporaries. Each row's variance and
sum(g * x_hat) is one dot product run by BLAS (`row_dot`), which is also as
accurate as NumPy's pairwise sums in float32 (blocked, unlike a running sum).
"""

import numpy as np

from ..threads import run_split


def row_dot(a, b):
    """sum(a * b, axis=1) for a, b: (rows, m), without building the (rows, m) product:
    each row is one (1, m) @ (m, 1) matrix product."""
    return np.matmul(a[:, None, :], b[:, :, None])[:, 0, 0]


def batch_norm_forward(x, gamma, beta, eps, mean=None, var=None):
    """The threaded twin of nanogan.kernels.batchnorm.batch_norm_forward."""
    channels, count = x.shape  # count: m, the values per channel
    training = mean is None
    x_hat, y = np.empty(x.shape, x.dtype), np.empty(x.shape, x.dtype)
    if training:
        mean, var = np.empty((channels, 1), x.dtype), np.empty((channels, 1), x.dtype)
    inv_std = np.empty((channels, 1), x.dtype)

    def normalise(rows):  # channels `rows` (each CPU thread does its own channels)
        x_rows, x_hat_rows, y_rows = x[rows], x_hat[rows], y[rows]
        if training:
            x_rows.mean(axis=1, keepdims=True, out=mean[rows])
        np.subtract(x_rows, mean[rows], out=x_hat_rows)  # x - mean for now; scaled in place below
        if training:
            var[rows] = row_dot(x_hat_rows, x_hat_rows)[:, None] / count
        inv_std[rows] = 1 / np.sqrt(var[rows] + eps)
        x_hat_rows *= inv_std[rows]  # x_hat = (x - mean) * inv_std
        if gamma is None:
            y_rows[...] = x_hat_rows
        else:
            np.multiply(x_hat_rows, gamma[rows], out=y_rows)
            y_rows += beta[rows]  # y = gamma * x_hat + beta

    run_split(normalise, channels, np, x.size)
    return y, x_hat, mean, var, inv_std


def batch_norm_backward(g, x_hat, gamma, inv_std, training):
    """The threaded twin of nanogan.kernels.batchnorm.batch_norm_backward."""
    channels, count = g.shape
    g_sum, g_x_hat_sum = np.empty(channels, g.dtype), np.empty(channels, g.dtype)
    grad_input = np.empty(g.shape, g.dtype)

    def backward_rows(rows):  # channels `rows` (each CPU thread does its own channels)
        g_rows, x_hat_rows, grad_rows = g[rows], x_hat[rows], grad_input[rows]
        g_rows.sum(axis=1, out=g_sum[rows])
        g_x_hat_sum[rows] = row_dot(g_rows, x_hat_rows)
        gamma_inv_std = inv_std[rows] if gamma is None else gamma[rows] * inv_std[rows]
        if not training:
            # eval mode: mean and var are constants, so dx = gamma * inv_std * g
            np.multiply(g_rows, gamma_inv_std, out=grad_rows)
            return
        # train mode: mean and var depend on x too; the three paths sum to
        # dx = gamma * inv_std * (g - mean(g) - x_hat * mean(g * x_hat)),
        # computed in one new array, one pass per operation:
        np.multiply(x_hat_rows, (g_x_hat_sum[rows] / count)[:, None], out=grad_rows)  # x_hat * mean(g * x_hat)
        np.subtract(g_rows, grad_rows, out=grad_rows)  # g - x_hat * mean(g * x_hat)
        grad_rows -= (g_sum[rows] / count)[:, None]  # g - mean(g) - x_hat * mean(g * x_hat)
        grad_rows *= gamma_inv_std

    run_split(backward_rows, channels, np, g.size)
    return grad_input, g_sum, g_x_hat_sum
