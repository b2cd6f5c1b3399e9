"""A stand-in for the FID Inception network: its interface at toy size, for tests that must not need its weights.

    images (N, 3, H, W) floats in [0, 1], any H and W -> (pool (N, 16), logits (N, 10))

A strided convolution, ReLU and a global mean make the pool features, a linear layer
the logits; the weights are drawn from a fixed seed, so features depend on the images
(not on the test order) and a cache made by one test is valid for another.
"""

import numpy as np

from nanogan import nn
from nanogan.backend import get_array_module
from nanogan.metrics import FeatureExtractor
from nanogan.random import manual_seed

POOL_FEATURES = 16
CLASSES = 10


class StandInInception(nn.Module):
    def __init__(self):
        super().__init__()
        manual_seed(7)
        self.conv = nn.Conv2d(3, POOL_FEATURES, 3, stride=2, padding=1)
        self.fc = nn.Linear(POOL_FEATURES, CLASSES)

    def forward(self, images):
        xp = get_array_module(images)
        activations = xp.maximum(self.conv(images * 2.0 - 1.0), 0.0)
        pool = activations.mean(axis=(2, 3))
        return pool, self.fc(pool) * 4.0  # sharper class probabilities, so the Inception Score varies


def stand_in_extractor(backend="numpy"):
    return FeatureExtractor(StandInInception().to(backend), "stand-in")


def uint8_images(rng, count, size=16):
    return rng.integers(0, 256, size=(count, 3, size, size), dtype=np.uint8)
