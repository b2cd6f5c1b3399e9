"""The discriminator's accuracy: how often D tells held-out real images and samples apart.

D(x) is the probability that x is real; D calls x real when D(x) > 1/2. On images it
did not train on,

    accuracy on real = fraction of real images with D(x) > 1/2
    accuracy on fake = fraction of samples with D(G(z)) <= 1/2

Near 1/2 on both, D cannot tell (the equilibrium the article describes, or a D that
has stopped learning); near 1 on both, D wins and G's gradients may vanish; high on
real images the training set holds but low on held-out ones, D has memorised them.
"""

import numpy as np

from ..backend import to_backend, to_numpy
from .features import inference, module_backend


def real_votes(discriminator, images):
    """uint8 images (N, C, H, W) on the host -> bool (N,): D(x) > 1/2, D in eval mode."""
    batch = to_backend(images, module_backend(discriminator), np.float32)
    batch /= 127.5  # x / 127.5 - 1: the [-1, 1] range D trained on
    batch -= 1.0
    with inference(discriminator):
        return to_numpy(discriminator(batch)) > 0.5


def discriminator_accuracy(discriminator, real_batches, fake_batches):
    """(accuracy on real, accuracy on fake), Python floats, over iterables of uint8 batches."""
    real = np.concatenate([real_votes(discriminator, batch) for batch in real_batches])
    fake = np.concatenate([real_votes(discriminator, batch) for batch in fake_batches])
    return float(real.mean()), float((~fake).mean())
