"""Conv2d and ConvTranspose2d: forward against loop references, backward against
finite differences, and the im2col/col2im adjoint identity behind both."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import naive
from helpers import assert_close, assert_gradcheck, random_array
from nanogan import nn
from nanogan.backend import to_numpy
from nanogan.gradcheck import check_module
from nanogan.kernels.dispatch import col2im, im2col


@st.composite
def conv_configs(draw):
    """Conv2d geometries: batch 1-4, kernel 1-5, stride 1-3, padding 0-2, non-square inputs."""
    kernel = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    # the padded input must hold at least one kernel window
    height = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), kernel[0] + 5))
    width = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), kernel[1] + 5))
    return dict(
        batch=draw(st.integers(1, 4)), in_channels=draw(st.integers(1, 3)), out_channels=draw(st.integers(1, 3)),
        kernel=kernel, stride=stride, padding=padding, height=height, width=width, bias=draw(st.booleans()),
    )


@st.composite
def conv_transpose_configs(draw):
    config = draw(conv_configs())
    config["output_padding"] = tuple(draw(st.integers(0, s - 1)) for s in config["stride"])
    config["height"], config["width"] = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    # the output, (H - 1) * stride - 2 * padding + kernel + output_padding, must not be empty
    for axis, size in enumerate((config["height"], config["width"])):
        out = (size - 1) * config["stride"][axis] - 2 * config["padding"][axis] + config["kernel"][axis]
        if out + config["output_padding"][axis] < 1:
            config["padding"] = tuple(0 if a == axis else p for a, p in enumerate(config["padding"]))
    return config


def make_conv(config, backend):
    layer = nn.Conv2d(config["in_channels"], config["out_channels"], config["kernel"],
                      stride=config["stride"], padding=config["padding"], bias=config["bias"])
    x_shape = (config["batch"], config["in_channels"], config["height"], config["width"])
    return layer.to(backend), x_shape


def make_conv_transpose(config, backend):
    layer = nn.ConvTranspose2d(config["in_channels"], config["out_channels"], config["kernel"],
                               stride=config["stride"], padding=config["padding"],
                               output_padding=config["output_padding"], bias=config["bias"])
    x_shape = (config["batch"], config["in_channels"], config["height"], config["width"])
    return layer.to(backend), x_shape


def host_params(layer):
    bias = to_numpy(layer.bias.data) if layer.bias is not None else None
    return to_numpy(layer.weight.data), bias


@given(config=conv_configs())
def test_conv2d_forward_matches_loop_reference(backend, config):
    layer, x_shape = make_conv(config, backend)
    layer.to(dtype=np.float64)
    x = random_array(np.random.default_rng(0), x_shape, backend, np.float64)
    weight, bias = host_params(layer)
    expected = naive.conv2d(to_numpy(x), weight, bias, layer.stride, layer.padding)
    assert_close(layer(x), expected)


@given(config=conv_configs())
def test_conv2d_backward_passes_gradcheck(backend, config):
    layer, x_shape = make_conv(config, backend)
    x = random_array(np.random.default_rng(1), x_shape, backend)
    assert_gradcheck(check_module(layer, x))


@given(config=conv_transpose_configs())
def test_conv_transpose2d_forward_matches_scatter_reference(backend, config):
    layer, x_shape = make_conv_transpose(config, backend)
    layer.to(dtype=np.float64)
    x = random_array(np.random.default_rng(2), x_shape, backend, np.float64)
    weight, bias = host_params(layer)
    expected = naive.conv_transpose2d(to_numpy(x), weight, bias, layer.stride, layer.padding,
                                      layer.output_padding)
    assert_close(layer(x), expected)


@given(config=conv_transpose_configs())
def test_conv_transpose2d_backward_passes_gradcheck(backend, config):
    layer, x_shape = make_conv_transpose(config, backend)
    x = random_array(np.random.default_rng(3), x_shape, backend)
    assert_gradcheck(check_module(layer, x))


@given(config=conv_configs())
def test_col2im_is_the_adjoint_of_im2col(config):
    """<im2col(x), c> = <x, col2im(c)> for all x, c: the identity that makes one kernel pair serve both layers."""
    rng = np.random.default_rng(4)
    x_shape = (config["batch"], config["in_channels"], config["height"], config["width"])
    x = rng.standard_normal(x_shape)
    columns = im2col(x, config["kernel"], config["stride"], config["padding"])
    c = rng.standard_normal(columns.shape)
    back = col2im(c, x_shape, config["kernel"], config["stride"], config["padding"])
    assert np.isclose(np.sum(columns * c), np.sum(x * back), rtol=1e-12)


def test_conv_transpose2d_inverts_the_shape_of_a_strided_conv2d():
    """The DCGAN pairing: a 4/2/1 conv halves 64 -> 32, the 4/2/1 transposed conv doubles 32 -> 64."""
    x = np.zeros((2, 3, 64, 64), dtype=np.float32)
    down = nn.Conv2d(3, 8, 4, stride=2, padding=1)(x)
    up = nn.ConvTranspose2d(8, 3, 4, stride=2, padding=1)(down)
    assert down.shape == (2, 8, 32, 32)
    assert up.shape == x.shape


@pytest.mark.parametrize("output_padding, expected", [(0, 9), (1, 10)])
def test_output_padding_picks_which_input_size_a_transposed_conv_returns_to(output_padding, expected):
    # a 3/2/1 Conv2d maps both 9 and 10 to 5; output_padding chooses between them
    assert nn.Conv2d(1, 1, 3, stride=2, padding=1)(np.zeros((1, 1, expected, expected), np.float32)).shape[-1] == 5
    layer = nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=output_padding)
    assert layer(np.zeros((1, 1, 5, 5), np.float32)).shape[-1] == expected


@pytest.mark.parametrize("layer_type", [nn.Conv2d, nn.ConvTranspose2d])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_in_equals_dtype_out(backend, layer_type, dtype):
    layer = layer_type(2, 3, 3, stride=2, padding=1).to(backend, dtype)
    x = random_array(np.random.default_rng(5), (2, 2, 5, 6), backend, dtype)
    y = layer(x)
    assert y.dtype == dtype
    assert layer.backward(random_array(np.random.default_rng(6), y.shape, backend, dtype)).dtype == dtype
    assert layer.weight.grad.dtype == dtype


def test_weight_layouts_follow_pytorch():
    assert nn.Conv2d(3, 8, 4).weight.shape == (8, 3, 4, 4)
    assert nn.ConvTranspose2d(3, 8, 4).weight.shape == (3, 8, 4, 4)
    assert nn.Conv2d(3, 8, (2, 5)).weight.shape == (8, 3, 2, 5)


def test_frozen_weight_gets_no_gradient_but_input_gradient_still_flows():
    layer = nn.Conv2d(2, 2, 3, padding=1)
    layer.requires_grad_(False)
    x = np.random.default_rng(7).standard_normal((1, 2, 4, 4)).astype(np.float32)
    grad_input = layer.backward(np.ones_like(layer(x)))
    assert not np.any(layer.weight.grad) and not np.any(layer.bias.grad)
    assert np.any(grad_input)


@pytest.mark.parametrize(
    "layer, x_shape, message",
    [
        (nn.Conv2d(3, 8, 3), (3, 8, 8), r"Conv2d\(3, 8.*expected input of shape \(N, 3, H, W\), got \(3, 8, 8\)"),
        (nn.Conv2d(3, 8, 3), (2, 4, 8, 8), r"expected input of shape \(N, 3, H, W\), got \(2, 4, 8, 8\)"),
        (nn.Conv2d(3, 8, 5, padding=1), (1, 3, 2, 2), r"kernel \(5, 5\) is larger than the padded input \(4, 4\)"),
        (nn.ConvTranspose2d(3, 8, 3), (1, 2, 4, 4), r"ConvTranspose2d\(3, 8.*expected input of shape \(N, 3, H, W\)"),
        (nn.ConvTranspose2d(1, 1, 2, padding=3), (1, 1, 1, 1), r"gives an empty output"),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_layer(layer, x_shape, message):
    with pytest.raises(ValueError, match=message):
        layer(np.zeros(x_shape, dtype=np.float32))


def test_bad_constructor_arguments_are_rejected():
    with pytest.raises(ValueError, match="output_padding must be >= 0 and smaller than stride"):
        nn.ConvTranspose2d(1, 1, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="must be positive"):
        nn.Conv2d(0, 1, 3)
    with pytest.raises(ValueError, match="kernel_size must be an int or a pair"):
        nn.Conv2d(1, 1, (3, 3, 3))
