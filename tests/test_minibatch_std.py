"""MinibatchStdDev and Pack: forward against plain formulas, backward against finite differences, and
the minibatch standard deviation against the same formula in PyTorch."""

import numpy as np
import pytest

from helpers import assert_close, assert_gradcheck, random_array
from nanogan import nn
from nanogan.backend import to_numpy
from nanogan.gradcheck import check_module


@pytest.mark.parametrize("group_size, shape", [(None, (5, 3)), (2, (6, 3)), (3, (6, 2, 3, 4)), (None, (4, 2, 2, 2))])
def test_minibatch_std_appends_the_mean_standard_deviation_of_each_group(backend, group_size, shape):
    layer = nn.MinibatchStdDev(group_size).to(backend)
    x = random_array(np.random.default_rng(0), shape, backend, np.float64)
    y, host_x = to_numpy(layer(x)), to_numpy(x)
    batch = shape[0]
    size = group_size or batch
    assert y.shape == (batch, shape[1] + 1, *shape[2:])
    assert_close(y[:, :-1], host_x)
    for n in range(batch):
        members = host_x[n % (batch // size)::batch // size]  # sample n's group: every (N/G)-th sample
        expected = np.sqrt(members.var(axis=0) + 1e-8).mean()
        assert_close(y[n, -1], np.full(shape[2:], expected))


@pytest.mark.parametrize("group_size, shape", [(None, (5, 3)), (3, (6, 2, 3, 4))])
def test_minibatch_std_backward_passes_gradcheck(backend, group_size, shape):
    x = random_array(np.random.default_rng(1), shape, backend)
    assert_gradcheck(check_module(nn.MinibatchStdDev(group_size).to(backend), x))


def test_minibatch_std_matches_pytorch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).standard_normal((4, 3, 2, 2))
    layer = nn.MinibatchStdDev()
    y = layer(x)
    g = np.random.default_rng(3).standard_normal(y.shape)
    x_torch = torch.from_numpy(x).requires_grad_()
    sd = torch.sqrt(((x_torch - x_torch.mean(dim=0)) ** 2).mean(dim=0) + 1e-8)
    y_torch = torch.cat([x_torch, sd.mean().expand(4, 1, 2, 2)], dim=1)
    y_torch.backward(torch.from_numpy(g))
    np.testing.assert_allclose(y, y_torch.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.backward(g), x_torch.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_a_batch_that_is_not_a_multiple_of_the_group_size_is_an_error():
    with pytest.raises(ValueError, match=r"MinibatchStdDev\(group_size=4\): expected input .* multiple of the group "
                                         r"size 4, got \(6, 3\)"):
        nn.MinibatchStdDev(4)(np.zeros((6, 3), np.float32))


def test_pack_concatenates_consecutive_samples_along_the_features():
    x = np.arange(6 * 2 * 1 * 1, dtype=np.float32).reshape(6, 2, 1, 1)
    y = nn.Pack(3)(x)
    assert y.shape == (2, 6, 1, 1)
    np.testing.assert_array_equal(y[1, :, 0, 0], np.concatenate([x[3, :, 0, 0], x[4, :, 0, 0], x[5, :, 0, 0]]))


def test_pack_backward_passes_gradcheck(backend):
    assert_gradcheck(check_module(nn.Pack(2).to(backend), random_array(np.random.default_rng(4), (4, 3), backend)))


def test_pack_says_what_to_change_when_the_batch_does_not_divide():
    with pytest.raises(ValueError, match=r"Pack\(m=2\): expected input \(N, ...\) with N a multiple of 2, got "
                                         r"\(5, 3\); make the batch size a multiple of the pack size"):
        nn.Pack(2)(np.zeros((5, 3), np.float32))
