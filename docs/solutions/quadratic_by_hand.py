"""Exercise 11 (docs/exercises.md): turn the toy GAN's linear discriminator into a quadratic one by hand.

A logistic regression on phi(x) = (x, x x^T flattened) has the logit theta^T x + x^T A x + c,
the form of the log-density ratio of two Gaussians (docs/toy-gan.md). The feature map's
backward: with U the (d, d) gradient of the products (U_ij = dL/d(x_i x_j)),

    d(x_i x_j)/dx_k = x_j [i = k] + x_i [j = k]   ->   dx = g_linear + (U + U^T) x

(nanogan's QuadraticFeatures keeps only the products with i <= j; the full d x d set
repeats each x_i x_j twice, which changes nothing but the parameter count). Started at the
right mean with the wrong covariance, G then learns the covariance, which it does not
against the linear D: after 2000 steps, seeds 0 to 3, B falls from 0.70 to 0.06-0.35 against
this D and rises to 0.76-1.31 against the linear one (the check runs seed 1).
"""

import numpy as np

from nanogan import nn, optim
from nanogan.gradcheck import check_module
from nanogan.models.toy import LinearGenerator
from nanogan.random import manual_seed
from nanogan.toy.data import default_target
from nanogan.toy.gaussian import bures_distance
from nanogan.training import sample_noise, train_step


class Products(nn.Module):
    """phi(x) = (x, x_i x_j for all i, j): x (N, d) -> (N, d + d*d)."""

    def forward(self, x):
        n, d = x.shape
        products = (x[:, :, None] * x[:, None, :]).reshape(n, d * d)
        y = np.concatenate([x, products], axis=1)
        self.save_for_backward(x, output=y)
        return y

    def backward(self, grad_output):
        (x,) = self.saved_tensors(grad_output)
        n, d = x.shape
        g_linear, upper = grad_output[:, :d], grad_output[:, d:].reshape(n, d, d)
        # dx = g_linear + (U + U^T) x
        return g_linear + ((upper + upper.transpose(0, 2, 1)) @ x[:, :, None])[:, :, 0]


def covariance_term_after(discriminator, steps, seed):
    """B(Sigma, W W^T) after `steps` steps from b = mu, W = I against `discriminator` (Adam 2e-3, batch 256)."""
    target, rng = default_target(2), np.random.default_rng(seed)
    generator = LinearGenerator(2)
    generator.linear.weight.data[...] = np.eye(2)
    generator.linear.bias.data[...] = target.mean
    adam = [optim.Adam(model.parameters(), lr=2e-3, betas=(0.5, 0.999)) for model in (generator, discriminator)]
    for _ in range(steps):
        real = target.sample(rng, 256).astype(np.float32)
        train_step(generator, discriminator, *adam, nn.BCELoss(), real, sample_noise(rng, (256, 2), "numpy"))
    return bures_distance(target.cov, generator.distribution()[1])


def check():
    x = np.random.default_rng(0).standard_normal((5, 3))
    assert check_module(Products(), x).max_error < 1e-6
    manual_seed(1)
    quadratic = nn.Sequential(Products(), nn.Linear(2 + 4, 1), nn.Sigmoid())
    manual_seed(1)
    linear = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    start = bures_distance(default_target(2).cov, np.eye(2))  # 0.704
    assert covariance_term_after(quadratic, 2000, seed=1) < start / 2
    assert covariance_term_after(linear, 2000, seed=1) > start


if __name__ == "__main__":
    check()
    print("ok")
