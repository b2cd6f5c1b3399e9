"""Initialisation: PyTorch's default bounds and the DCGAN scheme."""

import numpy as np
import pytest

from nanogan import nn
from nanogan.models import dcgan_init_


@pytest.mark.parametrize("make_layer, fan_in", [
    (lambda: nn.Linear(50, 20), 50),
    (lambda: nn.Conv2d(8, 16, 3), 8 * 9),
    (lambda: nn.ConvTranspose2d(16, 8, 4), 8 * 16),  # PyTorch takes fan_in from weight dim 1: out_channels
])
def test_default_init_is_uniform_within_one_over_sqrt_fan_in(make_layer, fan_in):
    layer = make_layer()  # built inside the test, after the seeding fixture, so the draw is reproducible
    bound = 1 / np.sqrt(fan_in)
    for parameter in (layer.weight, layer.bias):
        values = parameter.data
        assert values.min() >= -bound and values.max() <= bound
    # Spread over the interval, not a constant: U(-b, b) has standard deviation b / sqrt(3).
    # The weight has 1,000+ entries, so its sample std is within a few percent of that.
    assert layer.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.1)
    assert len(np.unique(layer.bias.data)) == layer.bias.data.size


def test_dcgan_init_draws_conv_weights_from_n_0_002_and_batchnorm_weights_from_n_1_002():
    model = nn.Sequential(nn.ConvTranspose2d(100, 64, 4, bias=False), nn.BatchNorm2d(64),
                          nn.Conv2d(64, 32, 4), nn.BatchNorm2d(32))
    model[3].bias.data[...] = 5
    dcgan_init_(model, generator=np.random.default_rng(0))
    assert model[0].weight.data.std() == pytest.approx(0.02, rel=0.02)
    assert abs(model[0].weight.data.mean()) < 1e-3
    assert model[1].weight.data.mean() == pytest.approx(1.0, abs=0.01)
    assert model[1].weight.data.std() == pytest.approx(0.02, rel=0.3)
    assert not np.any(model[2].bias.data) and not np.any(model[3].bias.data)


def test_dcgan_init_with_a_seeded_generator_is_reproducible():
    first, second = nn.Conv2d(3, 8, 4), nn.Conv2d(3, 8, 4)
    dcgan_init_(first, generator=np.random.default_rng(42))
    dcgan_init_(second, generator=np.random.default_rng(42))
    np.testing.assert_array_equal(first.weight.data, second.weight.data)


def test_init_keeps_the_parameters_dtype():
    layer = nn.Linear(3, 3).to(dtype=np.float64)
    nn.init.normal_(layer.weight, 0.0, 1.0, generator=np.random.default_rng(0))
    assert layer.weight.dtype == np.float64
    nn.init.uniform_(layer.bias, -1.0, 1.0, generator=np.random.default_rng(0))
    assert layer.bias.dtype == np.float64 and np.all(np.abs(layer.bias.data) <= 1)
