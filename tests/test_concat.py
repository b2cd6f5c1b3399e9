"""Concat: forward joins, backward splits; checked by finite differences inside a two-branch block."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import assert_close, assert_gradcheck, random_array
from nanogan import nn
from nanogan.backend import to_numpy
from nanogan.gradcheck import check_module


class TwoBranches(nn.Module):
    """y = concat(conv_a(x), conv_b(x)): the pattern of an Inception block. The chain rule through it:
    (g_a, g_b) = the split of g, and dx = conv_a.backward(g_a) + conv_b.backward(g_b)."""

    def __init__(self, in_channels, channels_a, channels_b, dim):
        super().__init__()
        self.conv_a = nn.Conv2d(in_channels, channels_a, 3, padding=1)
        self.conv_b = nn.Conv2d(in_channels, channels_b, 1)
        self.concat = nn.Concat(dim)

    def forward(self, x):
        return self.concat(self.conv_a(x), self.conv_b(x))

    def backward(self, grad_output):
        grad_a, grad_b = self.concat.backward(grad_output)
        return self.conv_a.backward(grad_a) + self.conv_b.backward(grad_b)


@given(channels=st.lists(st.integers(1, 4), min_size=1, max_size=4), dim=st.sampled_from([1, -3, 2, 3]))
def test_concat_joins_along_dim_and_backward_returns_each_inputs_slice(backend, channels, dim):
    rng = np.random.default_rng(0)
    shapes = [[2, 3, 4, 5] for _ in channels]
    for shape, size in zip(shapes, channels):
        shape[dim] = size
    inputs = [random_array(rng, shape, backend) for shape in shapes]
    layer = nn.Concat(dim)
    y = layer(*inputs)
    assert_close(y, np.concatenate([to_numpy(x) for x in inputs], axis=dim), rtol=0, atol=0)
    g = random_array(rng, y.shape, backend)
    grads = layer.backward(g)
    assert isinstance(grads, tuple) and len(grads) == len(inputs)
    assert_close(np.concatenate([to_numpy(part) for part in grads], axis=dim), g, rtol=0, atol=0)
    for x, part in zip(inputs, grads):
        assert part.shape == x.shape


@pytest.mark.parametrize("dim, channels_a, channels_b", [(1, 3, 2), (2, 3, 3)])  # along the height: equal channels
def test_a_two_branch_block_passes_gradcheck(backend, dim, channels_a, channels_b):
    block = TwoBranches(2, channels_a, channels_b, dim)
    assert_gradcheck(check_module(block.to(backend), random_array(np.random.default_rng(1), (2, 2, 3, 4), backend)))


def test_inputs_that_differ_outside_dim_are_rejected_with_their_shapes():
    with pytest.raises(ValueError, match=r"Concat\(dim=1\): expected inputs of one dtype whose shapes differ only "
                                         r"in dim 1, got \(2, 3, 4, 4\) float32, \(2, 1, 4, 5\) float32"):
        nn.Concat()(np.zeros((2, 3, 4, 4), np.float32), np.zeros((2, 1, 4, 5), np.float32))
    with pytest.raises(ValueError, match="float32, .* float64"):
        nn.Concat()(np.zeros((2, 3), np.float32), np.zeros((2, 1), np.float64))
    with pytest.raises(ValueError, match="expected at least one input"):
        nn.Concat()()
