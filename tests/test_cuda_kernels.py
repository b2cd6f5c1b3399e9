"""nanogan's CUDA kernels against the plain definitions, on a GPU (skipped without one).

Each kernel of nanogan/kernels/cuda/ is called through the function the layers
call (nanogan/kernels/dispatch.py, which runs the CUDA twin for CuPy arrays) on
DCGAN's shapes in float32, and compared with that function on NumPy (the CPU
twins, equal to the plain definitions) or with the plain definition itself. The
host-compiler tests (tests/test_cuda_kernel_sources.py) check the same sources
without a GPU; only these run them as CUDA, compiled by NVRTC, with CuPy's
broadcasting and launches.
"""

import functools

import numpy as np
import pytest

from helpers import assert_as_accurate_as_numpy, assert_close
from nanogan import nn, optim
from nanogan.backend import to_backend, to_numpy
from nanogan.kernels import dispatch
from nanogan.kernels import im2col as plain_im2col
from nanogan.kernels.cuda import batchnorm as cuda_batchnorm
from nanogan.kernels.cuda import core
from nanogan.kernels.dispatch import batch_norm_backward, batch_norm_forward, col2im, im2col

# (x shape, kernel, stride, padding): DCGAN's 4x4/2 layers, and odd geometries
GEOMETRIES = [((16, 3, 64, 64), (4, 4), (2, 2), (1, 1)), ((8, 64, 8, 8), (4, 4), (2, 2), (1, 1)),
              ((4, 16, 4, 4), (4, 4), (1, 1), (0, 0)), ((3, 5, 9, 7), (3, 2), (2, 1), (1, 2))]


def host_and_device(rng, shape, cupy, dtype=np.float32):
    host = rng.standard_normal(shape).astype(dtype)
    return host, cupy.asarray(host)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, kernel, stride, padding", GEOMETRIES)
def test_im2col_and_col2im_kernels_give_numpys_results(cupy, x_shape, kernel, stride, padding, dtype):
    rng = np.random.default_rng(0)
    x_host, x_device = host_and_device(rng, x_shape, cupy, dtype)
    columns = im2col(x_device, kernel, stride, padding)
    np.testing.assert_array_equal(to_numpy(columns), im2col(x_host, kernel, stride, padding))  # copies: exact
    g_host, g_device = host_and_device(rng, columns.shape, cupy, dtype)
    # sums in the same order as NumPy's: equal up to the last bit at most
    assert_close(col2im(g_device, x_shape, kernel, stride, padding), col2im(g_host, x_shape, kernel, stride, padding),
                 rtol=1e-6 if dtype == np.float32 else 1e-14, atol=0)


def test_im2col_on_cupy_runs_the_cuda_kernel(cupy, monkeypatch):
    """The hand-over itself: with the kernel broken, im2col on CuPy fails, so it did run the kernel."""
    def broken(*args):
        raise RuntimeError("the CUDA kernel was called")

    monkeypatch.setattr(dispatch.im2col, "cuda", broken)
    with pytest.raises(RuntimeError, match="the CUDA kernel was called"):
        im2col(cupy.zeros((2, 3, 8, 8), np.float32), (4, 4), (2, 2), (1, 1))


def test_arrays_too_large_for_32_bit_indices_take_the_plain_definition(cupy, monkeypatch):
    monkeypatch.setattr("nanogan.kernels.cuda.im2col.MAX_ELEMENTS", 100)  # as if these arrays were over 2^31
    rng = np.random.default_rng(1)
    x_host, x_device = host_and_device(rng, (2, 3, 8, 8), cupy)
    assert im2col.choose(x_device, (4, 4), (2, 2), (1, 1)) is plain_im2col.im2col
    np.testing.assert_array_equal(to_numpy(im2col(x_device, (4, 4), (2, 2), (1, 1))),
                                  im2col(x_host, (4, 4), (2, 2), (1, 1)))


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_kernels_are_as_accurate_as_numpys(cupy, training, affine):
    rng = np.random.default_rng(2)
    channels, count = 64, 8 * 16 * 16
    host = {"x": rng.standard_normal((channels, count)) + 3,  # a mean far from 0, as after a convolution
            "gamma": rng.standard_normal((channels, 1)), "beta": rng.standard_normal((channels, 1)),
            "mean": rng.standard_normal((channels, 1)), "var": rng.uniform(0.5, 2, (channels, 1)),
            "g": rng.standard_normal((channels, count)) + 1}
    exact = {name: array for name, array in host.items()}  # float64
    host = {name: array.astype(np.float32) for name, array in host.items()}
    device = {name: cupy.asarray(array) for name, array in host.items()}

    def forward_and_backward(arrays):
        gamma, beta = (arrays["gamma"], arrays["beta"]) if affine else (None, None)
        statistics = () if training else (arrays["mean"], arrays["var"])
        y, x_hat, mean, var, inv_std = batch_norm_forward(arrays["x"], gamma, beta, 1e-5, *statistics)
        return [y, x_hat, mean, var, inv_std, *batch_norm_backward(arrays["g"], x_hat, gamma, inv_std, training)]

    # y, x_hat, mean, var, inv_std, then dx, sum(g), sum(g * x_hat)
    for results in zip(*map(forward_and_backward, (device, host, exact))):
        assert_as_accurate_as_numpy(*results)


def test_row_sums_add_every_value_once(cupy):
    rng = np.random.default_rng(6)
    for rows, count in [(64, 131072), (512, 2048), (3, 5), (7, 1000), (1, 1)]:
        x = rng.standard_normal((rows, count))
        sums = cuda_batchnorm.row_sums(cuda_batchnorm.SUMS, (cupy.asarray(x, np.float32),), count, divisor=2.0)
        assert sums.shape == (rows, 1)
        assert_as_accurate_as_numpy(sums, x.astype(np.float32).sum(axis=1, keepdims=True) / 2,
                                    x.sum(axis=1, keepdims=True) / 2)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_layer_on_cupy_is_as_accurate_as_on_numpy(cupy, momentum):
    rng = np.random.default_rng(7)
    x, g = (rng.standard_normal((16, 32, 8, 8)) + 2 for _ in range(2))
    gamma = np.linspace(0.5, 2, 32)
    results = []
    for backend, dtype in [("cupy", np.float32), ("numpy", np.float32), ("numpy", np.float64)]:
        layer = nn.BatchNorm2d(32, momentum=momentum).to(backend, dtype)
        layer.weight.data[...] = to_backend(gamma, backend, dtype)
        for _ in range(2):  # two batches: running statistics updated twice, gradients accumulated
            y = layer(to_backend(x, backend, dtype))
            grad = layer.backward(to_backend(g, backend, dtype))
        results.append([y, grad, layer.weight.grad, layer.bias.grad, layer.running_mean, layer.running_var])
    for outputs in zip(*results):
        assert_as_accurate_as_numpy(*outputs)


def channels_first_storage(cupy, x):
    """x: (N, C, H, W) on the GPU, stored (C, H, W, N) as nanogan's layers store images."""
    return cupy.ascontiguousarray(cupy.asarray(x).transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)


@pytest.mark.parametrize("layer", [nn.ReLU(), nn.LeakyReLU(0.2), nn.LeakyReLU(1.5), nn.Tanh(), nn.Sigmoid()],
                         ids=repr)
@pytest.mark.parametrize("layout", ["batch_first", "channels_first"])
def test_activation_kernels_give_numpys_results_and_keep_the_layout(cupy, layer, layout):
    rng = np.random.default_rng(3)
    x, g = (rng.standard_normal((8, 16, 8, 8)).astype(np.float32) for _ in range(2))
    y_host = layer(x)
    grad_host = layer.backward(g)
    upload = cupy.asarray if layout == "batch_first" else functools.partial(channels_first_storage, cupy)
    x_device = upload(x)
    y_device = layer(x_device)
    grad_device = layer.backward(upload(g))
    assert y_device.strides == x_device.strides and grad_device.strides == x_device.strides
    layer.to("numpy", np.float64)
    y_exact = layer(x.astype(np.float64))
    grad_exact = layer.backward(g.astype(np.float64))
    # transcendental functions may round differently from NumPy's, and 1 - y^2 magnifies that near y = +-1
    assert_as_accurate_as_numpy(y_device, y_host, y_exact)
    assert_as_accurate_as_numpy(grad_device, grad_host, grad_exact)


def test_bce_loss_kernels_give_numpys_loss_and_gradient(cupy):
    rng = np.random.default_rng(8)
    p = rng.uniform(0, 1, 128).astype(np.float32)
    p[:2] = 0.0, 1.0  # log(0): clamped at -100
    y = (rng.uniform(0, 1, 128) > 0.5).astype(np.float32)
    losses = [nn.BCELoss(), nn.BCELoss()]
    loss_host, loss_device = losses[0](p, y), losses[1](cupy.asarray(p), cupy.asarray(y))
    assert_close(loss_device, loss_host, rtol=1e-6, atol=0)
    assert_close(losses[1].backward(), losses[0].backward(), rtol=1e-6, atol=0)


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_the_one_kernel_adam_step_gives_numpys_parameters(cupy, weight_decay):
    rng = np.random.default_rng(4)
    shapes = [(64, 3, 4, 4), (64,), (1,), (128, 64, 4, 4), ()]
    host = [nn.Parameter(rng.standard_normal(shape).astype(np.float32)) for shape in shapes]
    device = [nn.Parameter(to_backend(parameter.data, "cupy")) for parameter in host]
    optimizers = [optim.Adam(parameters, lr=2e-4, betas=(0.5, 0.999), weight_decay=weight_decay)
                  for parameters in (host, device)]
    for _ in range(3):
        for parameter_host, parameter_device in zip(host, device):
            gradient = rng.standard_normal(parameter_host.shape).astype(np.float32)
            parameter_host.grad[...] = gradient
            parameter_device.grad[...] = cupy.asarray(gradient)
        for optimizer in optimizers:
            optimizer.step()
    arrays = [[parameter.data for parameter in device], [parameter.grad for parameter in device]] * 2
    assert dispatch.adam_step.choose(*arrays) is dispatch.adam_step.cuda  # the kernel ran, not the plain loop
    for parameter_host, parameter_device in zip(host, device):
        assert_close(parameter_device.data, parameter_host.data, rtol=1e-6, atol=1e-7)


def test_kernels_compile_once_per_process(cupy):
    compiled_before = core.compiled.cache_info().currsize
    rng = np.random.default_rng(5)
    for _ in range(3):
        im2col(host_and_device(rng, (2, 3, 8, 8), cupy)[1], (4, 4), (2, 2), (1, 1))
    assert core.compiled.cache_info().currsize <= compiled_before + 1
