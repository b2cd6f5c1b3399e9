"""Exercise 5 (docs/exercises.md): break BatchNorm's backward on purpose, and find which check catches it.

Three mistakes in dx = gamma * inv_std * (g - mean(g) - x_hat * mean(g * x_hat)), each checked
against finite differences with g all ones and with a random g:

    mistake                                 g all ones     random g
    + x_hat * mean(g * x_hat) (wrong sign)  missed         caught
    gamma left out (gamma != 1)             missed         caught
    - mean(g) left out                      caught         caught

With g all ones the true dx is zero (the sum of a channel of y is m * beta whatever x is),
and g - mean(g) = 0 and mean(g * x_hat) = mean(x_hat) = 0: every mistake inside a term that
vanishes for a constant g, or in a factor in front of them all, still returns zero. Leaving
out -mean(g) returns gamma * inv_std in every entry instead, which is not zero.
"""

import numpy as np

from nanogan import nn
from nanogan.gradcheck import numerical_gradient, relative_error

MISTAKES = {
    "wrong sign on the third term": lambda g, x_hat, gamma, inv_std: gamma * inv_std * (
        g - g.mean(axis=1, keepdims=True) + x_hat * (g * x_hat).mean(axis=1, keepdims=True)),
    "gamma left out": lambda g, x_hat, gamma, inv_std: inv_std * (
        g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)),
    "-mean(g) left out": lambda g, x_hat, gamma, inv_std: gamma * inv_std * (
        g - x_hat * (g * x_hat).mean(axis=1, keepdims=True)),
}


class BrokenBatchNorm1d(nn.BatchNorm1d):
    """BatchNorm1d on (N, C) input whose input gradient has one of the MISTAKES."""

    def __init__(self, num_features, mistake):
        super().__init__(num_features)
        self.mistake = mistake

    def backward(self, grad_output):
        x_hat, inv_std, _ = self.saved_tensors(grad_output)  # (C, m), (C, 1)
        g = grad_output.T  # (N, C) -> (C, m)
        return MISTAKES[self.mistake](g, x_hat, self.weight.data[:, None], inv_std).T


def caught(layer, x, g):
    """Whether finite differences of sum(g * y) disagree with layer.backward(g)."""
    layer(x)
    analytic = layer.backward(g)
    with nn.no_grad():
        numerical = numerical_gradient(lambda: layer(x), x, g)
    return relative_error(analytic, numerical)[0] > 1e-3


def check():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3))
    ones, random_g = np.ones((8, 3)), rng.standard_normal((8, 3))
    expected = {"wrong sign on the third term": (False, True), "gamma left out": (False, True),
                "-mean(g) left out": (True, True)}
    for mistake, (with_ones, with_random) in expected.items():
        layer = BrokenBatchNorm1d(3, mistake).to(dtype=np.float64)
        layer.weight.data[...] = [0.5, 2.0, -1.5]
        assert caught(layer, x, ones) == with_ones, mistake
        assert caught(layer, x, random_g) == with_random, mistake


if __name__ == "__main__":
    check()
    print("ok")
