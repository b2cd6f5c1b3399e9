"""Exercise 8 (docs/exercises.md): BatchNorm's backward in eval mode, derived.

In eval mode y_k = gamma * (x_k - running_mean) / sqrt(running_var + eps) + beta, and the
running statistics are constants, not functions of x. So each y_k depends on x_k alone,
with slope gamma * inv_std, inv_std = 1 / sqrt(running_var + eps):

    dx = gamma * inv_std * g          (only the direct path of the train-mode formula)
    dgamma = sum(g * x_hat)           dbeta = sum(g)       (as in train mode)
"""

import numpy as np

from nanogan import nn
from nanogan.gradcheck import check_module


def batch_norm_eval_backward(g, x, gamma, running_mean, running_var, eps):
    """g, x: (N, C, H, W); gamma, running_mean, running_var: (C,). Returns dx, dgamma, dbeta."""
    shape = (1, -1, 1, 1)
    inv_std = 1 / np.sqrt(running_var.reshape(shape) + eps)
    x_hat = (x - running_mean.reshape(shape)) * inv_std
    axes = (0, 2, 3)
    return gamma.reshape(shape) * inv_std * g, (g * x_hat).sum(axis=axes), g.sum(axis=axes)


def check():
    rng = np.random.default_rng(0)
    layer = nn.BatchNorm2d(3).to(dtype=np.float64)
    layer.weight.data[...] = [0.5, 1.5, -2.0]
    layer.running_mean[...] = [0.2, -1.0, 0.5]
    layer.running_var[...] = [0.5, 2.0, 1.5]
    layer.eval()
    x, g = rng.standard_normal((4, 3, 2, 2)), rng.standard_normal((4, 3, 2, 2))
    layer(x)
    dx = layer.backward(g)
    expected = batch_norm_eval_backward(g, x, layer.weight.data, layer.running_mean, layer.running_var, layer.eps)
    assert np.allclose(dx, expected[0])
    assert np.allclose(layer.weight.grad, expected[1]) and np.allclose(layer.bias.grad, expected[2])
    assert check_module(layer, x).max_error < 1e-6


if __name__ == "__main__":
    check()
    print("ok")
