"""BatchNorm1d/2d: textbook statistics, PyTorch's running averages, and backward in both modes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import naive
from helpers import assert_close, assert_gradcheck, random_array
from nanogan import nn
from nanogan.backend import to_numpy
from nanogan.gradcheck import check_module


@st.composite
def batchnorm_cases(draw):
    """(layer type, input shape) with at least 3 values per channel.

    With 2 values per channel x_hat is +-1 whatever x is, so the input gradient
    is of the size of eps and a relative error means nothing: see the test of
    that case below."""
    layer_type = draw(st.sampled_from([nn.BatchNorm1d, nn.BatchNorm2d]))
    channels = draw(st.integers(1, 4))
    if layer_type is nn.BatchNorm2d:
        shape = (draw(st.integers(1, 4)), channels, draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    else:
        shape = (draw(st.integers(1, 4)), channels) + tuple(draw(st.lists(st.integers(1, 4), max_size=1)))
    if np.prod(shape) // channels < 3:
        shape = (3,) + shape[1:]
    return layer_type, shape, draw(st.booleans())


def make_layer(layer_type, shape, affine, backend, rng):
    """A layer with non-trivial gamma, beta and running statistics."""
    layer = layer_type(shape[1], affine=affine)
    channels = shape[1]
    if affine:
        layer.weight.data[...] = 1 + 0.5 * rng.standard_normal(channels)
        layer.bias.data[...] = rng.standard_normal(channels)
    layer.running_mean[...] = rng.standard_normal(channels)
    layer.running_var[...] = 0.5 + rng.random(channels)
    return layer.to(backend)


def gamma_beta(layer):
    if layer.affine:
        return to_numpy(layer.weight.data).astype(np.float64), to_numpy(layer.bias.data).astype(np.float64)
    return np.ones(layer.num_features), np.zeros(layer.num_features)


@given(case=batchnorm_cases())
def test_train_mode_normalises_with_batch_statistics(backend, case):
    layer_type, shape, affine = case
    rng = np.random.default_rng(0)
    layer = make_layer(layer_type, shape, affine, backend, rng).to(dtype=np.float64)
    x = random_array(rng, shape, backend, np.float64) * 3 + 1
    gamma, beta = gamma_beta(layer)
    expected, _, _ = naive.batch_norm_train(to_numpy(x), gamma, beta, layer.eps)
    assert_close(layer(x), expected, rtol=1e-9, atol=1e-10)


@given(case=batchnorm_cases())
def test_eval_mode_normalises_with_running_statistics(backend, case):
    layer_type, shape, affine = case
    rng = np.random.default_rng(1)
    layer = make_layer(layer_type, shape, affine, backend, rng).to(dtype=np.float64).eval()
    x = random_array(rng, shape, backend, np.float64)
    gamma, beta = gamma_beta(layer)
    expected = naive.batch_norm_eval(to_numpy(x), gamma, beta, to_numpy(layer.running_mean),
                                     to_numpy(layer.running_var), layer.eps)
    assert_close(layer(x), expected, rtol=1e-9, atol=1e-10)


@given(case=batchnorm_cases(), momentum=st.sampled_from([0.1, 0.5, None]))
def test_running_statistics_follow_pytorchs_update(backend, case, momentum):
    """running = (1 - momentum) * running + momentum * batch, with the unbiased batch variance;
    momentum=None averages all batches seen so far."""
    layer_type, shape, affine = case
    rng = np.random.default_rng(2)
    layer = layer_type(shape[1], momentum=momentum, affine=affine).to(backend, np.float64)
    expected_mean, expected_var = np.zeros(shape[1]), np.ones(shape[1])
    for step in range(1, 4):
        x = random_array(rng, shape, backend, np.float64) + step
        _, mean, var = naive.batch_norm_train(to_numpy(x), *gamma_beta(layer), layer.eps)
        count = np.prod(shape) // shape[1]
        factor = 1 / step if momentum is None else momentum
        expected_mean = (1 - factor) * expected_mean + factor * mean
        expected_var = (1 - factor) * expected_var + factor * var * count / (count - 1)
        layer(x)
    assert_close(layer.running_mean, expected_mean)
    assert_close(layer.running_var, expected_var)
    assert int(to_numpy(layer.num_batches_tracked)) == 3


@pytest.mark.parametrize("mode", ["train", "eval"])
@given(case=batchnorm_cases())
def test_backward_passes_gradcheck(backend, mode, case):
    layer_type, shape, affine = case
    rng = np.random.default_rng(3)
    layer = make_layer(layer_type, shape, affine, backend, rng).train(mode == "train")
    x = random_array(rng, shape, backend) * 2 + 0.5
    assert_gradcheck(check_module(layer, x))


def test_two_values_per_channel_normalise_to_plus_minus_one_with_almost_no_input_gradient():
    layer = nn.BatchNorm1d(2, affine=False).to(dtype=np.float64)
    x = np.array([[3.0, -1.0], [5.0, 2.0]])
    np.testing.assert_allclose(layer(x), [[-1, -1], [1, 1]], atol=1e-5)
    grad_input = layer.backward(np.array([[0.3, -1.2], [0.7, 0.4]]))
    assert np.abs(grad_input).max() < 1e-5


def test_eval_mode_does_not_touch_running_statistics():
    layer = nn.BatchNorm2d(3).eval()
    layer(np.random.default_rng(4).standard_normal((4, 3, 2, 2)).astype(np.float32))
    np.testing.assert_array_equal(layer.running_mean, 0)
    np.testing.assert_array_equal(layer.running_var, 1)
    assert int(layer.num_batches_tracked) == 0


def test_state_dict_has_pytorchs_keys():
    assert list(nn.BatchNorm2d(3).state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert list(nn.BatchNorm1d(3, affine=False).state_dict()) == [
        "running_mean", "running_var", "num_batches_tracked"]


@pytest.mark.parametrize(
    "layer, shape, message",
    [
        (nn.BatchNorm2d(3), (2, 3, 4), r"BatchNorm2d\(3.*expected input of shape \(N, 3, H, W\), got \(2, 3, 4\)"),
        (nn.BatchNorm2d(3), (2, 4, 1, 1), r"expected input of shape \(N, 3, H, W\), got \(2, 4, 1, 1\)"),
        (nn.BatchNorm1d(3), (2, 3, 4, 4), r"BatchNorm1d\(3.*expected input of shape \(N, 3\) or \(N, 3, L\)"),
        (nn.BatchNorm1d(3), (1, 3), r"expected more than 1 value per channel when training"),
    ],
)
def test_bad_input_names_the_layer(layer, shape, message):
    with pytest.raises(ValueError, match=message):
        layer(np.zeros(shape, dtype=np.float32))
