"""Exercise 7 (docs/exercises.md): a transposed convolution that upsamples, and its adjoint.

ConvTranspose2d(1, 1, 2, stride=2) with every weight 1 stamps a 2x2 block of ones scaled
by each pixel, and the stamps do not overlap (stride = kernel): nearest-neighbour
upsampling, y = kron(x, ones((2, 2))). Its backward is the convolution with the same
weight: it sums g over each 2x2 block, sum pooling, the adjoint of copying. So the
gradient of an upsampling layer is a sum, not an average: a generator's first layers
receive four times the gradient that an average would pass back.
"""

import numpy as np

from nanogan import nn


def check():
    upsample = nn.ConvTranspose2d(1, 1, 2, stride=2, bias=False).to(dtype=np.float64)
    upsample.weight.data[...] = 1.0
    x = np.random.default_rng(0).standard_normal((2, 1, 3, 4))
    y = upsample(x)
    assert np.allclose(y, np.kron(x, np.ones((2, 2))))  # nearest-neighbour upsampling
    g = np.random.default_rng(1).standard_normal(y.shape)
    block_sums = g.reshape(2, 1, 3, 2, 4, 2).sum(axis=(3, 5))  # sum over each 2x2 block
    assert np.allclose(upsample.backward(g), block_sums)


if __name__ == "__main__":
    check()
    print("ok")
