"""Activations and Flatten: forward against NumPy formulas, backward against finite differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

from helpers import assert_close, assert_gradcheck
from nanogan import nn
from nanogan.backend import to_backend, to_numpy
from nanogan.gradcheck import check_module

ACTIVATIONS = {
    "ReLU": (nn.ReLU(), lambda x: np.maximum(x, 0)),
    "LeakyReLU": (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    "LeakyReLU-default": (nn.LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x)),
    "Tanh": (nn.Tanh(), np.tanh),
    "Sigmoid": (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
}


def away_from_kinks(rng, shape, backend):
    """Inputs with |x| >= 0.05, so no central difference straddles ReLU's kink at 0."""
    x = rng.standard_normal(shape)
    return to_backend(np.sign(x) * (0.05 + np.abs(x)), backend, np.float32)


@pytest.mark.parametrize("name", ACTIVATIONS)
@given(shape=array_shapes(min_dims=1, max_dims=4, max_side=4))
def test_activation_forward_matches_formula(backend, name, shape):
    layer, formula = ACTIVATIONS[name]
    x = away_from_kinks(np.random.default_rng(0), shape, backend)
    y = layer(x)
    assert y.dtype == np.float32
    assert_close(y, formula(to_numpy(x).astype(np.float64)), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ACTIVATIONS)
@given(shape=array_shapes(min_dims=1, max_dims=4, max_side=4))
def test_activation_backward_passes_gradcheck(backend, name, shape):
    layer, _ = ACTIVATIONS[name]
    x = away_from_kinks(np.random.default_rng(1), shape, backend)
    assert_gradcheck(check_module(layer, x))


def test_sigmoid_does_not_overflow_for_large_inputs():
    x = np.array([-1e4, -100.0, 0.0, 100.0, 1e4], dtype=np.float32)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        y = nn.Sigmoid()(x)
    np.testing.assert_array_equal(y, [0.0, np.float32(1 / (1 + np.exp(100.0))), 0.5, 1.0, 1.0])


@given(shape=array_shapes(min_dims=2, max_dims=4, max_side=4), start_dim=st.integers(0, 1))
def test_flatten_reshapes_and_restores_the_gradient_shape(backend, shape, start_dim):
    layer = nn.Flatten(start_dim=start_dim)
    x = to_backend(np.arange(np.prod(shape), dtype=np.float32).reshape(shape), backend)
    y = layer(x)
    assert y.shape == shape[:start_dim] + (int(np.prod(shape[start_dim:])),)
    assert_close(layer.backward(y), x)
    assert_gradcheck(check_module(layer, x))


def test_flatten_rejects_dims_the_input_does_not_have():
    with pytest.raises(ValueError, match=r"Flatten\(start_dim=2, end_dim=-1\): cannot flatten dims 2..-1"):
        nn.Flatten(start_dim=2)(np.zeros((3, 4), dtype=np.float32))
