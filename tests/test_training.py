"""nanogan.training.train_step: one D step and one G step, and the state it leaves behind."""

import numpy as np
import pytest

from nanogan import nn, optim
from nanogan.models import LinearGenerator, LogisticDiscriminator
from nanogan.training import train_step


class FailsOnTheGStep(nn.BCELoss):
    """A criterion that raises on its third call: the G step's loss."""

    calls = 0

    def __call__(self, input, target):
        self.calls += 1
        if self.calls == 3:
            raise RuntimeError("the G step's loss failed")
        return super().__call__(input, target)


def test_the_discriminator_is_trainable_again_even_when_the_g_step_raises():
    generator, discriminator = LinearGenerator(2), LogisticDiscriminator(2)
    optimizers = [optim.Adam(model.parameters()) for model in (generator, discriminator)]
    rng = np.random.default_rng(0)
    real, noise = (rng.standard_normal((8, 2)).astype(np.float32) for _ in range(2))
    with pytest.raises(RuntimeError, match="the G step's loss failed"):
        train_step(generator, discriminator, *optimizers, FailsOnTheGStep(), real, noise)
    assert all(parameter.requires_grad for parameter in discriminator.parameters())
