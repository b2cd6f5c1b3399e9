"""Gradient penalties on D, which differentiate D's backward pass (docs/double-backward.md).

    R1Penalty        P = gamma/2 * mean_i |u_i|^2 on real data            (Mescheder et al., 2018)
    GradientPenalty  P = lam * mean_i (|u_i| - 1)^2 on x^ = e x + (1 - e) G(z), e ~ U(0, 1) per sample
                                                                        (WGAN-GP, Gulrajani et al., 2017)

where u = d(sum_i D(x)_i)/dx is D's input gradient and u_i its part that D's
i-th output sees (one sample, or the m samples that a packed D judges at once).
A penalty is called inside D's step, after the objective's backward passes: it
adds dP/dtheta into D's .grad and returns P. D's layers need `double_backward`:
Linear, Conv2d, ReLU, LeakyReLU, Flatten, MinibatchStdDev, Pack, SpectralNorm.
"""

from .backend import backend_name, get_array_module, to_backend
from .nn import create_graph


def input_gradient(discriminator, x):
    """D's outputs on x and u = d(sum_i D(x)_i)/dx, keeping what D's double_backward needs; D's .grad is left alone."""
    output = discriminator(x)
    trainable = [parameter for parameter in discriminator.parameters() if parameter.requires_grad]
    discriminator.requires_grad_(False)  # u alone: the gradient of sum D with respect to D's weights is not wanted
    try:
        with create_graph():
            u = discriminator.backward(get_array_module(output).ones_like(output))
    finally:
        for parameter in trainable:
            parameter.requires_grad = True
    return output, u


def _rows(u, outputs):
    """u as one row per D output: (m, numbers that output sees)."""
    return u.reshape(outputs, -1)


class R1Penalty:
    """P = gamma/2 * mean_i |u_i|^2 with u = dD/dx at real samples: D's slope on the data, pushed to 0."""

    def __init__(self, gamma):
        self.gamma = gamma

    def __call__(self, discriminator, real, fake):
        output, u = input_gradient(discriminator, real)
        m = output.size
        rows = _rows(u, m)
        penalty = 0.5 * self.gamma * (rows * rows).sum() / m
        # dP/du = gamma * u / m
        discriminator.double_backward(self.gamma * u / m)
        return penalty

    def __repr__(self):
        return f"R1Penalty(gamma={self.gamma:g})"


class GradientPenalty:
    """P = weight * mean_i (|u_i| - 1)^2 with u = dD/dx at x^ = e x + (1 - e) G(z), e ~ U(0, 1) per sample:
    D's slope pushed to 1 between the data and the fakes.

    rng: the NumPy Generator that draws e (a run's noise generator, so that a checkpoint restores it).
    """

    def __init__(self, rng, weight=10.0):
        self.rng, self.weight = rng, weight

    def __call__(self, discriminator, real, fake):
        shape = (real.shape[0],) + (1,) * (real.ndim - 1)
        e = to_backend(self.rng.uniform(size=shape), backend_name(real), real.dtype)
        interpolates = e * real + (1 - e) * fake
        output, u = input_gradient(discriminator, interpolates)
        m = output.size
        rows = _rows(u, m)
        norms = get_array_module(u).sqrt((rows * rows).sum(axis=1))  # |u_i|
        penalty = self.weight * ((norms - 1) * (norms - 1)).sum() / m
        # dP/du_i = 2 weight (|u_i| - 1) / m * u_i / |u_i|
        scale = 2 * self.weight * (norms - 1) / (m * norms)
        discriminator.double_backward((scale[:, None] * rows).reshape(u.shape))
        return penalty

    def __repr__(self):
        return f"GradientPenalty(weight={self.weight:g})"


def make_penalties(loss, r1, rng, gp_weight=10.0):
    """The penalties of a run: WGAN-GP's for loss "wgan-gp", R1 with gamma `r1` when r1 > 0."""
    penalties = [GradientPenalty(rng, gp_weight)] if loss == "wgan-gp" else []
    if r1 > 0:
        penalties.append(R1Penalty(r1))
    return penalties
