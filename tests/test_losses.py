"""Losses: values against their definitions, gradients against finite differences,
PyTorch's clamping, stability at huge logits, and strict targets."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

from helpers import assert_close, assert_gradcheck
from nanogan import nn
from nanogan.backend import to_backend
from nanogan.gradcheck import check_loss


def probabilities_and_labels(rng, shape, backend):
    p = rng.uniform(0.05, 0.95, size=shape)
    y = rng.uniform(0.0, 1.0, size=shape)  # soft labels too
    return to_backend(p, backend, np.float32), to_backend(y, backend, np.float32)


@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5))
def test_bce_is_mean_binary_cross_entropy(backend, shape):
    p, y = probabilities_and_labels(np.random.default_rng(0), shape, backend)
    loss = nn.BCELoss()(p, y)
    p64, y64 = np.asarray(p.tolist()), np.asarray(y.tolist())
    assert loss.shape == () and loss.dtype == np.float32
    assert_close(loss, -np.mean(y64 * np.log(p64) + (1 - y64) * np.log(1 - p64)), rtol=1e-6)


@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5))
def test_bce_with_logits_equals_bce_of_sigmoid(backend, shape):
    rng = np.random.default_rng(1)
    s = to_backend(rng.standard_normal(shape) * 3, backend, np.float64)
    _, y = probabilities_and_labels(rng, shape, backend)
    y = y.astype(np.float64)
    assert_close(nn.BCEWithLogitsLoss()(s, y), nn.BCELoss()(nn.Sigmoid()(s), y), rtol=1e-12)


@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5))
def test_mse_is_mean_squared_difference(backend, shape):
    rng = np.random.default_rng(2)
    x, y = (to_backend(rng.standard_normal(shape), backend, np.float64) for _ in range(2))
    assert_close(nn.MSELoss()(x, y), np.mean((np.asarray(x.tolist()) - np.asarray(y.tolist())) ** 2))


@pytest.mark.parametrize("loss_type", [nn.BCELoss, nn.BCEWithLogitsLoss, nn.MSELoss])
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5), seed=st.integers(0, 3))
def test_loss_backward_passes_gradcheck(backend, loss_type, shape, seed):
    rng = np.random.default_rng(seed)
    p, y = probabilities_and_labels(rng, shape, backend)
    if loss_type is not nn.BCELoss:
        p = to_backend(rng.standard_normal(shape) * 2, backend, np.float32)
    assert_gradcheck(check_loss(loss_type(), p, y, seed=seed))


def test_bce_clamps_log_at_minus_100_like_pytorch():
    """p = 0 for a real label would be log(0) = -inf; PyTorch clamps the log at -100."""
    loss = nn.BCELoss()(np.array([0.0, 1.0], dtype=np.float32), np.array([1.0, 1.0], dtype=np.float32))
    assert float(loss) == pytest.approx(50.0)


def test_bce_gradient_stays_finite_at_saturated_probabilities():
    criterion = nn.BCELoss()
    criterion(np.array([0.0, 1.0], dtype=np.float32), np.array([1.0, 0.0], dtype=np.float32))
    assert np.all(np.isfinite(criterion.backward()))


def test_bce_with_logits_is_finite_for_huge_logits():
    s = np.array([-1e4, 1e4, -1e4, 1e4], dtype=np.float32)
    y = np.array([0.0, 1.0, 1.0, 0.0], dtype=np.float32)
    criterion = nn.BCEWithLogitsLoss()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = criterion(s, y)
        grad = criterion.backward()
    # the two right answers cost 0, the two wrong ones 1e4 each
    assert float(loss) == pytest.approx(5e3)
    np.testing.assert_allclose(grad, [0.0, 0.0, -0.25, 0.25])


def test_backward_scales_with_the_upstream_gradient():
    criterion = nn.MSELoss()
    x, y = np.array([1.0, 2.0]), np.array([0.0, 0.0])
    criterion(x, y)
    np.testing.assert_allclose(criterion.backward(), [1.0, 2.0])
    criterion(x, y)
    np.testing.assert_allclose(criterion.backward(0.5), [0.5, 1.0])


@pytest.mark.parametrize(
    "target, message",
    [
        (np.ones(4, dtype=np.int64), r"BCELoss\(\): expected target of shape \(4,\) and dtype float32 .* got shape \(4,\) and dtype int64"),
        (np.ones((4, 1), dtype=np.float32), r"got shape \(4, 1\) and dtype float32"),
        (np.ones(1, dtype=np.float32), r"got shape \(1,\)"),
        (np.ones(4, dtype=np.float64), r"dtype float64"),
    ],
)
def test_wrong_target_is_an_error_not_a_silent_broadcast(target, message):
    """The article's labels, torch.full((batch_size,), 1), are integers: an error here, with the fix."""
    with pytest.raises(ValueError, match=message):
        nn.BCELoss()(np.full(4, 0.5, dtype=np.float32), target)


def test_backward_before_forward_is_an_error():
    with pytest.raises(ValueError, match=r"BCELoss\(\): backward called with no forward pass"):
        nn.BCELoss().backward()
