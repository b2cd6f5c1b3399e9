"""MaxPool2d, AvgPool2d and AdaptiveAvgPool2d: forward against loop references, backward against finite
differences, on every backend."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import naive
from helpers import assert_close, assert_gradcheck, random_array
from nanogan import nn
from nanogan.backend import to_backend, to_numpy
from nanogan.gradcheck import check_module


@st.composite
def pool_configs(draw):
    """Pool geometries: kernel 1-4, stride 1-3, padding up to half the kernel, non-square inputs."""
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    height = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), kernel[0] + 5))
    width = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), kernel[1] + 5))
    return dict(kernel=kernel, stride=stride, padding=padding, shape=(draw(st.integers(1, 3)),
                                                                     draw(st.integers(1, 3)), height, width))


def distinct_values(rng, shape, backend):
    """A permutation of spaced values: no two entries within 4 finite-difference steps, so the maximum of a
    window stays where it is when gradcheck nudges an entry."""
    values = rng.permutation(np.prod(shape)).reshape(shape) * 0.01 - 1
    return to_backend(values, backend, np.float32)


@given(config=pool_configs())
def test_max_pool_forward_matches_loop_reference(backend, config):
    layer = nn.MaxPool2d(config["kernel"], config["stride"], config["padding"])
    x = random_array(np.random.default_rng(0), config["shape"], backend, np.float64)
    assert_close(layer(x), naive.max_pool2d(to_numpy(x), config["kernel"], config["stride"], config["padding"]))


@given(config=pool_configs(), count_include_pad=st.booleans())
def test_avg_pool_forward_matches_loop_reference(backend, config, count_include_pad):
    layer = nn.AvgPool2d(config["kernel"], config["stride"], config["padding"], count_include_pad=count_include_pad)
    x = random_array(np.random.default_rng(1), config["shape"], backend, np.float64)
    expected = naive.avg_pool2d(to_numpy(x), config["kernel"], config["stride"], config["padding"], count_include_pad)
    assert_close(layer(x), expected)


@given(config=pool_configs())
def test_max_pool_backward_passes_gradcheck(backend, config):
    layer = nn.MaxPool2d(config["kernel"], config["stride"], config["padding"])
    assert_gradcheck(check_module(layer, distinct_values(np.random.default_rng(2), config["shape"], backend)))


@given(config=pool_configs(), count_include_pad=st.booleans())
def test_avg_pool_backward_passes_gradcheck(backend, config, count_include_pad):
    layer = nn.AvgPool2d(config["kernel"], config["stride"], config["padding"], count_include_pad=count_include_pad)
    assert_gradcheck(check_module(layer, random_array(np.random.default_rng(3), config["shape"], backend)))


@given(shape=st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 6), st.integers(1, 6)))
def test_adaptive_avg_pool_is_the_mean_of_each_map_and_passes_gradcheck(backend, shape):
    layer = nn.AdaptiveAvgPool2d((1, 1))
    x = random_array(np.random.default_rng(4), shape, backend, np.float64)
    assert_close(layer(x), to_numpy(x).mean(axis=(2, 3), keepdims=True))
    assert_gradcheck(check_module(layer, x))


def test_max_pool_ties_send_the_gradient_to_the_first_position_of_the_window():
    """As PyTorch: of equal values, the first in row-major order is the maximum (and gets all of g)."""
    layer = nn.MaxPool2d(2)
    x = np.ones((1, 1, 2, 2), dtype=np.float32)
    layer(x)
    np.testing.assert_array_equal(layer.backward(np.full((1, 1, 1, 1), 5, np.float32)), [[[[5, 0], [0, 0]]]])


def test_max_pool_padding_is_never_the_maximum():
    x = -np.arange(1, 10, dtype=np.float32).reshape(1, 1, 3, 3)  # all negative: a zero padding would win
    y = nn.MaxPool2d(3, stride=1, padding=1)(x)
    np.testing.assert_array_equal(y[0, 0], [[-1, -1, -2], [-1, -1, -2], [-4, -4, -5]])


def test_count_include_pad_decides_whether_padding_dilutes_the_corners():
    x = np.ones((1, 1, 3, 3), dtype=np.float32)
    with_pad = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=True)(x)
    without_pad = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)(x)
    assert with_pad[0, 0, 0, 0] == pytest.approx(4 / 9) and with_pad[0, 0, 1, 1] == 1
    np.testing.assert_array_equal(without_pad, x)  # the mean of ones, wherever the window is


@pytest.mark.parametrize("layer", [nn.MaxPool2d(3, 2, 1), nn.AvgPool2d(3, 1, 1, count_include_pad=False),
                                   nn.AdaptiveAvgPool2d(1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_in_equals_dtype_out(backend, layer, dtype):
    x = random_array(np.random.default_rng(5), (2, 3, 5, 6), backend, dtype)
    y = layer(x)
    assert y.dtype == dtype
    assert layer.backward(random_array(np.random.default_rng(6), y.shape, backend, dtype)).dtype == dtype


def test_default_stride_is_the_kernel_size():
    assert nn.MaxPool2d(3).stride == (3, 3) and nn.AvgPool2d((2, 3)).stride == (2, 3)
    assert nn.MaxPool2d(3)(np.zeros((1, 1, 9, 9), np.float32)).shape == (1, 1, 3, 3)


@pytest.mark.parametrize("make, message", [
    (lambda: nn.MaxPool2d(3, padding=2), r"MaxPool2d: padding must be between 0 and half the kernel size"),
    (lambda: nn.AvgPool2d(0), r"AvgPool2d: kernel_size and stride must be positive"),
    (lambda: nn.AdaptiveAvgPool2d((2, 2)), r"only output_size \(1, 1\) \(global average pooling\)"),
])
def test_bad_arguments_are_rejected(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("layer, x_shape, message", [
    (nn.MaxPool2d(3), (1, 1, 2, 2), r"MaxPool2d\(kernel_size=\(3, 3\).*kernel \(3, 3\) is larger than the padded "
                                    r"input \(2, 2\)"),
    (nn.AvgPool2d(2), (4, 4), r"expected input of shape \(N, C, H, W\), got \(4, 4\)"),
    (nn.AdaptiveAvgPool2d(1), (2, 3, 4), r"expected input of shape \(N, C, H, W\), got \(2, 3, 4\)"),
])
def test_bad_input_names_the_layer(layer, x_shape, message):
    with pytest.raises(ValueError, match=message):
        layer(np.zeros(x_shape, dtype=np.float32))
