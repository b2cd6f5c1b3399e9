"""Upsample and interpolate: forward against loop references, backward against finite differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import naive
from helpers import assert_close, assert_gradcheck, random_array
from nanogan import nn
from nanogan.backend import to_numpy
from nanogan.gradcheck import check_module
from nanogan.nn import functional

sizes = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 9), st.integers(1, 9),
                  st.integers(1, 12), st.integers(1, 12))  # N, C, H, W, OH, OW: shrinking and growing


@given(shape=sizes, align_corners=st.booleans())
def test_bilinear_forward_matches_loop_reference(backend, shape, align_corners):
    *x_shape, out_h, out_w = shape
    x = random_array(np.random.default_rng(0), x_shape, backend, np.float64)
    y = nn.Upsample(size=(out_h, out_w), mode="bilinear", align_corners=align_corners)(x)
    assert_close(y, naive.resize_bilinear(to_numpy(x), out_h, out_w, align_corners))


@given(shape=sizes)
def test_nearest_forward_matches_loop_reference(backend, shape):
    *x_shape, out_h, out_w = shape
    x = random_array(np.random.default_rng(1), x_shape, backend, np.float64)
    assert_close(nn.Upsample(size=(out_h, out_w))(x), naive.resize_nearest(to_numpy(x), out_h, out_w))


@given(shape=sizes, mode=st.sampled_from(["nearest", "bilinear"]), align_corners=st.booleans())
def test_upsample_backward_passes_gradcheck(backend, shape, mode, align_corners):
    *x_shape, out_h, out_w = shape
    layer = nn.Upsample(size=(out_h, out_w), mode=mode, align_corners=align_corners if mode == "bilinear" else None)
    assert_gradcheck(check_module(layer, random_array(np.random.default_rng(2), x_shape, backend)))


def test_interpolate_is_upsamples_forward_pass(backend):
    x = random_array(np.random.default_rng(3), (2, 3, 5, 7), backend)
    expected = nn.Upsample(size=(299, 299), mode="bilinear", align_corners=False)(x)
    assert_close(functional.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False), expected, rtol=0,
                 atol=0)


def test_scale_factor_gives_floor_of_the_scaled_size_and_reads_by_its_inverse():
    x = np.arange(5, dtype=np.float64).reshape(1, 1, 1, 5)
    y = functional.interpolate(x, scale_factor=(1, 2.5), mode="bilinear", align_corners=False)
    assert y.shape == (1, 1, 1, 12)  # floor(5 * 2.5)
    # output o reads s = (o + 0.5) / 2.5 - 0.5, at least 0
    expected = np.clip([(o + 0.5) / 2.5 - 0.5 for o in range(12)], 0, 4)
    np.testing.assert_allclose(y[0, 0, 0], expected, rtol=1e-12)


def test_align_corners_maps_the_corner_pixels_onto_each_other():
    x = np.random.default_rng(4).standard_normal((1, 2, 4, 5))
    y = functional.interpolate(x, size=(7, 9), mode="bilinear", align_corners=True)
    np.testing.assert_allclose(y[..., [0, -1], :][..., [0, -1]], x[..., [0, -1], :][..., [0, -1]], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_in_equals_dtype_out(backend, dtype):
    layer = nn.Upsample(size=11, mode="bilinear")
    x = random_array(np.random.default_rng(5), (2, 3, 4, 6), backend, dtype)
    y = layer(x)
    assert y.dtype == dtype and y.shape == (2, 3, 11, 11)
    assert layer.backward(random_array(np.random.default_rng(6), y.shape, backend, dtype)).dtype == dtype


@pytest.mark.parametrize("arguments, message", [
    (dict(), "give either size or scale_factor"),
    (dict(size=4, scale_factor=2), "give either size or scale_factor"),
    (dict(size=4, mode="bicubic"), "mode must be one of nearest, bilinear, got 'bicubic'"),
    (dict(size=4, align_corners=True), "align_corners can only be set with mode 'bilinear'"),
    (dict(size=(4, 0), mode="bilinear"), "size and scale_factor must be positive"),
])
def test_bad_arguments_are_rejected(arguments, message):
    with pytest.raises(ValueError, match=message):
        nn.Upsample(**arguments)


def test_bad_input_names_the_layer():
    with pytest.raises(ValueError, match=r"Upsample\(size=\(4, 4\).*expected input of shape \(N, C, H, W\)"):
        nn.Upsample(size=4)(np.zeros((3, 4, 4), np.float32))
    with pytest.raises(ValueError, match=r"resized by \(0.1, 0.1\) is empty"):
        nn.Upsample(scale_factor=0.1)(np.zeros((1, 1, 4, 4), np.float32))
