"""The kernels behind the layers: im2col/col2im against loop references (as the layers call them: the
threaded twins on NumPy, the plain definitions on the strict backend, the CUDA twins on CuPy), the memory
layout, scratch buffers and their reuse, per-row reductions, and Adam over many parameters sharing one
scratch array."""

import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import assert_close, random_array
from nanogan import nn, optim
from nanogan.backend import get_backend, to_numpy
from nanogan.kernels.cpu.batchnorm import row_dot
from nanogan.kernels.dispatch import col2im, im2col
from nanogan.kernels.geometry import conv_output_size, window
from nanogan.kernels.layout import batch_first, channel_rows, channels_first, from_channel_rows
from nanogan.kernels.workspace import release_scratch, scratch, scratch_bytes


@st.composite
def geometries(draw):
    """(x shape, kernel, stride, padding) with at least one output pixel."""
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    height = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), 7))
    width = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), 7))
    return (draw(st.integers(1, 3)), draw(st.integers(1, 3)), height, width), kernel, stride, padding


def loop_im2col(x, kernel, stride, padding):
    """columns[(c, i, j), (oh, ow, n)] = x_padded[n, c, sh*oh + i, sw*ow + j], one entry at a time."""
    batch, channels, height, width = x.shape
    x_padded = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    out_h, out_w = (conv_output_size(s, k, st_, p) for s, k, st_, p in zip((height, width), kernel, stride, padding))
    columns = np.zeros((channels, kernel[0], kernel[1], out_h, out_w, batch))
    for c, i, j, oh, ow, n in np.ndindex(*columns.shape):
        columns[c, i, j, oh, ow, n] = x_padded[n, c, stride[0] * oh + i, stride[1] * ow + j]
    return columns.reshape(channels * kernel[0] * kernel[1], -1)


def on_backend(host, backend):
    return get_backend(backend).asarray(host)


@given(geometry=geometries())
def test_im2col_matches_the_loop_definition(backend, geometry):
    x_shape, kernel, stride, padding = geometry
    x = np.random.default_rng(0).standard_normal(x_shape)
    columns = im2col(on_backend(x, backend), kernel, stride, padding)
    assert_close(columns, loop_im2col(x, kernel, stride, padding))


@given(geometry=geometries())
def test_col2im_sums_each_entry_into_the_pixel_it_came_from(backend, geometry):
    x_shape, kernel, stride, padding = geometry
    rng = np.random.default_rng(1)
    columns = loop_im2col(np.zeros(x_shape), kernel, stride, padding)
    values = rng.standard_normal(columns.shape)
    # scatter through the loop definition: pixel p gets the sum of the entries im2col copied from p
    expected = np.zeros(x_shape)
    for pixel in np.ndindex(*x_shape):
        one_hot = np.zeros(x_shape)
        one_hot[pixel] = 1
        expected[pixel] = np.sum(values * loop_im2col(one_hot, kernel, stride, padding))
    assert_close(col2im(on_backend(values, backend), x_shape, kernel, stride, padding), expected)


@given(offset=st.integers(0, 5), padding=st.integers(0, 3), stride=st.integers(1, 3), size=st.integers(1, 8),
       out_size=st.integers(1, 8))
def test_window_selects_exactly_the_outputs_that_read_inside_the_image(offset, padding, stride, size, out_size):
    outputs, inputs = window(offset, padding, stride, size, out_size)
    inside = [o for o in range(out_size) if 0 <= offset - padding + stride * o < size]
    assert list(range(out_size))[outputs] == inside
    assert list(range(size))[inputs] == [offset - padding + stride * o for o in inside]


def test_channel_rows_is_a_view_of_channels_first_storage_and_round_trips():
    storage = np.arange(3 * 4 * 5 * 2, dtype=np.float32).reshape(3, 4, 5, 2)  # (C, H, W, N)
    x = batch_first(storage)
    assert x.shape == (2, 3, 4, 5)
    assert np.shares_memory(channel_rows(x), storage)
    np.testing.assert_array_equal(channel_rows(x), storage.reshape(3, -1))
    np.testing.assert_array_equal(from_channel_rows(channel_rows(x), x.shape), x)
    np.testing.assert_array_equal(channels_first(x), storage)
    nchw = np.ascontiguousarray(x)  # any other layout works too, through a copy
    np.testing.assert_array_equal(from_channel_rows(channel_rows(nchw), nchw.shape), x)


def test_layers_return_channels_first_views_whose_values_do_not_depend_on_layout():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3, 8, 8)).astype(np.float32)
    conv = nn.Conv2d(3, 5, 4, 2, 1)
    y = conv(x)
    assert channels_first(y).flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(conv(np.asfortranarray(x)), y, rtol=1e-6)  # same values from another layout
    norm = nn.BatchNorm2d(5)
    assert channels_first(norm(y)).flags["C_CONTIGUOUS"]


def test_scratch_reuses_one_buffer_per_name_and_grows_for_larger_requests():
    release_scratch()
    first = scratch("test", (4, 5), np.float32, np)
    again = scratch("test", (2, 10), np.float32, np)
    assert np.shares_memory(first, again)
    assert not np.shares_memory(first, scratch("other", (4, 5), np.float32, np))
    assert not np.shares_memory(first, scratch("test", (4, 5), np.float64, np))
    bigger = scratch("test", (10, 10), np.float32, np)
    assert bigger.shape == (10, 10) and not np.shares_memory(first, bigger)
    assert scratch_bytes() >= 100 * 4
    release_scratch()
    assert scratch_bytes() == 0


def test_each_thread_has_its_own_scratch():
    release_scratch()
    mine = scratch("test", (8,), np.float32, np)
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(scratch("test", (8,), np.float32, np)))
    thread.start()
    thread.join()
    assert not np.shares_memory(mine, theirs[0])


@pytest.mark.parametrize("layer_type", [nn.Conv2d, nn.ConvTranspose2d])
def test_outputs_and_gradients_outlive_later_calls_that_reuse_the_scratch_buffers(backend, layer_type):
    """Scratch arrays never escape a call: what one call returned stays valid after the next calls."""
    rng = np.random.default_rng(4)
    layer = layer_type(3, 4, 4, stride=2, padding=1).to(backend)
    other = layer_type(3, 4, 4, stride=2, padding=1).to(backend)  # same shapes, so the same scratch arrays
    x1, x2 = random_array(rng, (2, 3, 6, 6), backend), random_array(rng, (2, 3, 6, 6), backend)
    y1 = layer(x1)
    y1_host = to_numpy(y1).copy()
    grad1 = layer.backward(random_array(rng, y1.shape, backend))
    grad1_host = to_numpy(grad1).copy()
    weight_grad_host = to_numpy(layer.weight.grad).copy()
    other.backward(random_array(rng, other(x2).shape, backend))
    layer(x2)
    np.testing.assert_array_equal(to_numpy(y1), y1_host)
    np.testing.assert_array_equal(to_numpy(grad1), grad1_host)
    np.testing.assert_array_equal(to_numpy(layer.weight.grad), weight_grad_host)


def test_row_dot_is_the_row_sum_of_the_product():
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((3, 1000)).astype(np.float32), rng.standard_normal((3, 1000)).astype(np.float32)
    assert_close(row_dot(a, b), (a.astype(np.float64) * b).sum(axis=1), rtol=1e-5)


def test_adam_over_parameters_of_different_shapes_equals_one_adam_per_parameter():
    """All parameters share one scratch array; each must still get exactly its own update."""
    rng = np.random.default_rng(7)
    shapes = [(3, 4), (5,), (2, 2, 2), (3, 4)]
    together = [nn.Parameter(rng.standard_normal(shape)) for shape in shapes]
    alone = [nn.Parameter(parameter.data.copy()) for parameter in together]
    adam = optim.Adam(together, lr=0.1, betas=(0.5, 0.9))
    separate = [optim.Adam([parameter], lr=0.1, betas=(0.5, 0.9)) for parameter in alone]
    for _ in range(3):
        for parameter, twin in zip(together, alone):
            parameter.grad[...] = twin.grad[...] = rng.standard_normal(parameter.shape)
        adam.step()
        for optimizer in separate:
            optimizer.step()
    for parameter, twin in zip(together, alone):
        np.testing.assert_array_equal(parameter.data, twin.data)
