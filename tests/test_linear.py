"""Linear: forward against the textbook formula, backward against finite differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import assert_close, assert_gradcheck, random_array
from nanogan import nn
from nanogan.backend import to_numpy
from nanogan.gradcheck import check_module

shapes = st.fixed_dictionaries({
    "leading": st.lists(st.integers(1, 4), min_size=1, max_size=2).map(tuple),
    "in_features": st.integers(1, 6),
    "out_features": st.integers(1, 6),
    "bias": st.booleans(),
})


@given(shape=shapes)
def test_linear_forward_is_x_times_w_transposed_plus_b(backend, shape):
    layer = nn.Linear(shape["in_features"], shape["out_features"], bias=shape["bias"]).to(backend, np.float64)
    x = random_array(np.random.default_rng(0), shape["leading"] + (shape["in_features"],), backend, np.float64)
    host_x, weight = to_numpy(x), to_numpy(layer.weight.data)
    expected = np.zeros(shape["leading"] + (shape["out_features"],))
    for index in np.ndindex(*shape["leading"]):
        for o in range(shape["out_features"]):
            expected[index + (o,)] = sum(host_x[index + (i,)] * weight[o, i] for i in range(shape["in_features"]))
            if layer.bias is not None:
                expected[index + (o,)] += to_numpy(layer.bias.data)[o]
    assert_close(layer(x), expected)


@given(shape=shapes)
def test_linear_backward_passes_gradcheck(backend, shape):
    layer = nn.Linear(shape["in_features"], shape["out_features"], bias=shape["bias"]).to(backend)
    x = random_array(np.random.default_rng(1), shape["leading"] + (shape["in_features"],), backend)
    assert_gradcheck(check_module(layer, x))


def test_linear_default_init_is_pytorchs_uniform_bound():
    layer = nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    for parameter in (layer.weight, layer.bias):
        assert np.abs(parameter.data).max() <= bound
        assert np.abs(parameter.data).max() > 0.95 * bound  # spread over the whole interval
    assert layer.weight.shape == (300, 400) and layer.weight.dtype == np.float32


def test_gradients_accumulate_across_backward_calls():
    layer = nn.Linear(3, 2)
    x = np.ones((4, 3), dtype=np.float32)
    grad_output = np.ones((4, 2), dtype=np.float32)
    layer(x)
    layer.backward(grad_output)
    once = layer.weight.grad.copy()
    layer(x)
    layer.backward(grad_output)
    np.testing.assert_allclose(layer.weight.grad, 2 * once)
    layer.zero_grad()
    assert not np.any(layer.weight.grad)


def test_wrong_feature_count_names_the_layer():
    with pytest.raises(ValueError, match=r"Linear\(in_features=3, out_features=2, bias=True\): "
                                         r"expected input of shape \(\*, 3\), got \(4, 5\)"):
        nn.Linear(3, 2)(np.zeros((4, 5), dtype=np.float32))
