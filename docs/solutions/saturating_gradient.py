"""Exercise 12 (docs/exercises.md): the saturating generator loss against the toy's logistic D.

For one sample with logit s and D = sigmoid(s) (docs/gan.md, docs/toy-gan.md):

    saturating      L_G = log(1 - D)    d/dx = -D theta
    non-saturating  L_G = -log D        d/dx = -(1 - D) theta

Through G(z) = W z + b the bias gets the mean push: dL_G/db = -E[D] theta against
-E[1 - D] theta. When D rejects the fakes, D(G(z)) about 0.01, the saturating one is about
100 times weaker: that is the saturation. The weight is different. By Stein's lemma
(E[f(z) z] = E[grad f(z)]),

    saturating:     dL_G/dW = -E[D (1 - D)] theta theta^T W
    non-saturating: dL_G/dW = +E[D (1 - D)] theta theta^T W

the same size, opposite signs: log(1 - sigmoid(s)) = -softplus(s) is concave in s where
-log sigmoid(s) is convex, so the saturating loss stretches G along theta where the
non-saturating one shrinks it.
"""

import numpy as np

from nanogan import nn
from nanogan.models.toy import LinearGenerator, LogisticDiscriminator


def generator_gradients(generator, discriminator, z, saturating):
    """(dL_G/dW, dL_G/db, D(G(z))) for L_G = mean log(1 - D(G(z))) or mean -log D(G(z))."""
    generator.zero_grad()
    criterion = nn.BCELoss()
    d = discriminator(generator(z))
    if saturating:  # log(1 - D) = -BCE(D, label 0)
        criterion(d, np.zeros_like(d))
        upstream = -criterion.backward()
    else:
        criterion(d, np.ones_like(d))
        upstream = criterion.backward()
    generator.backward(discriminator.backward(upstream))
    return generator.linear.weight.grad.copy(), generator.linear.bias.grad.copy(), d


def check():
    generator = LinearGenerator(2).to(dtype=np.float64)
    generator.linear.weight.data[...] = [[1.0, 0.5], [-0.3, 0.8]]
    discriminator = LogisticDiscriminator(2).to(dtype=np.float64)
    discriminator.requires_grad_(False)
    discriminator.main[0].weight.data[...] = [[1.2, -0.7]]
    discriminator.main[0].bias.data[...] = [-5.0]  # D(G(z)) about 0.01: the fakes are rejected
    half = np.random.default_rng(0).standard_normal((100_000, 2))
    z = np.concatenate([half, -half])  # antithetic: the sample mean of z is exactly 0
    dw_saturating, db_saturating, d = generator_gradients(generator, discriminator, z, saturating=True)
    dw_non_saturating, db_non_saturating, _ = generator_gradients(generator, discriminator, z, saturating=False)
    assert 0.005 < d.mean() < 0.03
    ratio = np.linalg.norm(db_non_saturating) / np.linalg.norm(db_saturating)
    assert np.isclose(ratio, np.mean(1 - d) / np.mean(d)) and ratio > 30
    theta, weight = discriminator.main[0].weight.data[0], generator.linear.weight.data
    stein = np.mean(d * (1 - d)) * np.outer(theta, theta) @ weight
    tolerance = 0.05 * np.abs(stein).max()  # Monte Carlo error
    assert np.allclose(dw_saturating, -stein, atol=tolerance)
    assert np.allclose(dw_non_saturating, stein, atol=tolerance)


if __name__ == "__main__":
    check()
    print("ok")
