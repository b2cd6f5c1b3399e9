"""The dispatch of nanogan/kernels/dispatch.py, and every CPU twin against its plain definition.

Each kernel with a threaded twin runs both ways on the same NumPy arrays, split across three threads
down to the smallest job: copies and elementwise maps must give the plain results to the bit, sums
(BatchNorm's statistics, by BLAS instead of NumPy's pairwise sums) within a few ulps. The CUDA twins
are held to the plain definitions in tests/test_cuda_kernel_sources.py (host builds) and
tests/test_cuda_kernels.py (on a GPU).
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import assert_close, random_array
from nanogan import get_num_threads, nn, set_num_threads
from nanogan.backend import get_backend
from nanogan.kernels import dispatch, threads
from nanogan.kernels.layout import batch_first
from nanogan.kernels.workspace import scratch

ROOT = Path(__file__).resolve().parent.parent
GEOMETRY = ((4, 5, 9, 8), (4, 3), (2, 1), (1, 2))  # x shape, kernel, stride, padding: 5 channels, odd sizes


@pytest.fixture
def split_everything(monkeypatch):
    """Three threads, and every job split however small."""
    before = get_num_threads()
    set_num_threads(3)
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)
    yield
    set_num_threads(before)


@pytest.fixture
def fast_kernels(monkeypatch):
    """The twins chosen, also when the suite runs in reference mode (NANOGAN_REFERENCE=1)."""
    monkeypatch.setattr(dispatch, "_reference", False)


def images(rng, shape, dtype):
    """(N, C, H, W) values stored (C, H, W, N), as nanogan's layers store images."""
    batch, channels, *spatial = shape
    return batch_first(rng.standard_normal((channels, *spatial, batch)).astype(dtype))


def im2col_arguments(rng, dtype):
    x_shape, kernel, stride, padding = GEOMETRY
    return images(rng, x_shape, dtype), kernel, stride, padding


def col2im_arguments(rng, dtype):
    x_shape, kernel, stride, padding = GEOMETRY
    columns = dispatch.im2col.plain(np.zeros(x_shape, dtype), kernel, stride, padding)
    return rng.standard_normal(columns.shape).astype(dtype), x_shape, kernel, stride, padding


def matmul_col2im_arguments(rng, dtype):
    columns, x_shape, kernel, stride, padding = col2im_arguments(rng, dtype)
    weight = rng.standard_normal((6, columns.shape[0])).astype(dtype)
    return weight.T, rng.standard_normal((6, columns.shape[1])).astype(dtype), x_shape, kernel, stride, padding


def batch_norm_arguments(rng, dtype, training):
    x = rng.standard_normal((5, 300)).astype(dtype) + 3  # a mean far from 0, as after a convolution
    gamma, beta = rng.standard_normal((5, 1)).astype(dtype), rng.standard_normal((5, 1)).astype(dtype)
    if training:
        return x, gamma, beta, 1e-5
    return x, gamma, beta, 1e-5, rng.standard_normal((5, 1)).astype(dtype), rng.uniform(0.5, 2, (5, 1)).astype(dtype)


def batch_norm_backward_arguments(rng, dtype, training):
    y, x_hat, mean, var, inv_std = dispatch.batch_norm_forward.plain(*batch_norm_arguments(rng, dtype, True))
    return rng.standard_normal(x_hat.shape).astype(dtype), x_hat, rng.standard_normal((5, 1)).astype(dtype), \
        inv_std, training


def adam_arguments(rng, dtype):
    shapes = [(6, 4, 3, 3), (6,), (), (5, 7)]
    params = [rng.standard_normal(shape).astype(dtype) for shape in shapes]
    grads = [rng.standard_normal(shape).astype(dtype) for shape in shapes]
    moments = [[rng.uniform(0, 1, shape).astype(dtype) for shape in shapes] for _ in range(2)]
    return params, grads, *moments, [3, 3, 1, 2], 2e-3, (0.5, 0.999), 1e-8, 0.01


# kernel name -> (arguments(rng, dtype), how the twin must agree with the plain definition)
CASES = {
    "im2col": (im2col_arguments, "bitwise"),
    "col2im": (col2im_arguments, "bitwise"),
    "matmul_col2im": (matmul_col2im_arguments, "bitwise"),
    "relu": (lambda rng, dtype: (images(rng, (4, 5, 3, 3), dtype),), "bitwise"),
    "relu_backward": (lambda rng, dtype: (images(rng, (4, 5, 3, 3), dtype), images(rng, (4, 5, 3, 3), dtype)),
                      "bitwise"),
    "leaky_relu": (lambda rng, dtype: (images(rng, (4, 5, 3, 3), dtype), 0.2), "bitwise"),
    "leaky_relu_backward": (lambda rng, dtype: (images(rng, (4, 5, 3, 3), dtype),
                                                images(rng, (4, 5, 3, 3), dtype) > 0, 0.2), "bitwise"),
    "leaky_relu_backward, slope 0.01": (lambda rng, dtype: (images(rng, (4, 5, 3, 3), dtype),
                                                            images(rng, (4, 5, 3, 3), dtype) > 0, 0.01), "bitwise"),
    "leaky_relu_backward, slope 1.5": (lambda rng, dtype: (images(rng, (4, 5, 3, 3), dtype),
                                                           images(rng, (4, 5, 3, 3), dtype) > 0, 1.5), "bitwise"),
    "batch_norm_forward": (lambda rng, dtype: batch_norm_arguments(rng, dtype, True), "sums"),
    "batch_norm_forward, eval": (lambda rng, dtype: batch_norm_arguments(rng, dtype, False), "bitwise"),
    "batch_norm_backward": (lambda rng, dtype: batch_norm_backward_arguments(rng, dtype, True), "sums"),
    "batch_norm_backward, eval": (lambda rng, dtype: batch_norm_backward_arguments(rng, dtype, False), "sums"),
    "adam_step": (adam_arguments, "bitwise"),
}


def kernel_of(case):
    return dispatch.KERNELS[case.split(",")[0]]


def copies(arguments):
    """The arguments with every array (also inside lists) copied: kernels may change them in place."""
    def copy(value):
        if isinstance(value, list):
            return [copy(item) for item in value]
        return value.copy() if isinstance(value, np.ndarray) else value
    return [copy(argument) for argument in arguments]


def results(value, arguments):
    """The arrays a call produced: what it returned, and for in-place kernels what it changed."""
    outputs = list(value) if isinstance(value, tuple) else [] if value is None else [value]
    changed = [array for argument in arguments if isinstance(argument, list) for array in argument]
    return [np.asarray(output) for output in outputs + changed]


def test_every_kernel_with_a_cpu_twin_has_a_case():
    with_twin = {name for name, kernel in dispatch.KERNELS.items() if kernel.threads is not None}
    assert with_twin == {case.split(",")[0] for case in CASES}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_threaded_twin_gives_the_plain_results(case, dtype, split_everything):
    make_arguments, agreement = CASES[case]
    kernel = kernel_of(case)
    arguments = make_arguments(np.random.default_rng(0), dtype)
    plain_arguments, twin_arguments = copies(arguments), copies(arguments)
    expected = results(kernel.plain(*plain_arguments), plain_arguments)
    actual = results(kernel.threads(*twin_arguments), twin_arguments)
    assert len(actual) == len(expected)
    for twin_result, plain_result in zip(actual, expected):
        assert twin_result.shape == plain_result.shape and twin_result.dtype == plain_result.dtype
        if agreement == "bitwise":
            np.testing.assert_array_equal(twin_result, plain_result)
        else:  # sums in another order: a few ulps of the largest value (cancellation makes it more relatively)
            scale = np.abs(plain_result).max() if plain_result.size else 0
            np.testing.assert_allclose(twin_result, plain_result, rtol=0, atol=16 * np.finfo(dtype).eps * scale)


def test_the_threaded_im2col_writes_every_element_of_the_memory_it_reuses(split_everything):
    x, kernel, stride, padding = im2col_arguments(np.random.default_rng(1), np.float32)
    expected = dispatch.im2col.plain(x, kernel, stride, padding)
    scratch("columns", expected.shape, np.float32, np)[...] = np.nan  # what an earlier layer left there
    np.testing.assert_array_equal(dispatch.im2col.threads(x, kernel, stride, padding), expected)


def test_numpy_takes_the_threaded_twin_other_array_modules_the_plain_definition(fast_kernels):
    x = np.zeros((2, 3, 4, 4), np.float32)
    assert dispatch.relu.choose(x) is dispatch.relu.threads
    assert dispatch.tanh.choose(x) is dispatch.tanh.plain  # no twin
    assert dispatch.relu.choose(get_backend("strict").asarray(x)) is dispatch.relu.plain
    params = [np.zeros(3, np.float32)]
    assert dispatch.adam_step.choose(params, params, params, params, [1], 0.1, (0.9, 0.99), 1e-8, 0) \
        is dispatch.adam_step.threads


def test_cuda_arrays_take_the_cuda_twin_where_it_fits(monkeypatch, fast_kernels):
    monkeypatch.setattr(dispatch, "uses_cuda", lambda xp: True)  # as if these NumPy arrays were CuPy's
    x = np.zeros((2, 3, 4, 4), np.float32)
    assert dispatch.relu.choose(x) is dispatch.relu.cuda
    assert dispatch.im2col.choose(x, (3, 3), (1, 1), (1, 1)) is dispatch.im2col.cuda
    monkeypatch.setattr("nanogan.kernels.cuda.im2col.MAX_ELEMENTS", 100)  # as if x were over 2^31 elements
    assert dispatch.im2col.choose(x, (3, 3), (1, 1), (1, 1)) is dispatch.im2col.threads
    mean = np.zeros(3, np.float32)
    assert dispatch.update_running_stats.choose(mean, mean, mean, mean, 0.1, 8) is dispatch.update_running_stats.cuda
    cumulative = np.asarray(0.5, np.float32)  # momentum None: an array, which the kernel does not take
    assert dispatch.update_running_stats.choose(mean, mean, mean, mean, cumulative, 8) is \
        dispatch.update_running_stats.plain
    params64 = [np.zeros(3)]  # the Adam kernel takes float32 only
    assert dispatch.adam_step.choose(params64, params64, params64, params64, [1], 0.1, (0.9, 0.99), 1e-8, 0) \
        is not dispatch.adam_step.cuda


def test_reference_mode_runs_every_kernel_as_its_plain_definition(monkeypatch, fast_kernels):
    monkeypatch.setattr(dispatch, "uses_cuda", lambda xp: True)
    x = np.zeros((2, 3, 4, 4), np.float32)
    with dispatch.reference_kernels():
        assert dispatch.reference_mode()
        for name, kernel in dispatch.KERNELS.items():
            assert kernel.choose(x, x, x, x, x, x) is kernel.plain, name
    assert not dispatch.reference_mode()
    assert dispatch.relu.choose(x) is dispatch.relu.cuda


def test_a_layer_in_reference_mode_gives_the_same_results_as_with_its_twins(backend, fast_kernels):
    rng = np.random.default_rng(2)
    layer = nn.Sequential(nn.Conv2d(3, 4, 4, 2, 1), nn.BatchNorm2d(4), nn.LeakyReLU(0.2)).to(backend)
    x, g = random_array(rng, (4, 3, 8, 8), backend), random_array(rng, (4, 4, 4, 4), backend)
    fast = [layer(x), layer.backward(g), layer[0].weight.grad.copy()]
    layer.zero_grad()
    with dispatch.reference_kernels():
        plain = [layer(x), layer.backward(g), layer[0].weight.grad.copy()]
    for fast_result, plain_result in zip(fast, plain):  # float32: BatchNorm's sums may differ in the last bits
        assert_close(fast_result, plain_result, rtol=1e-5, atol=1e-5)


def test_the_environment_variable_starts_a_process_in_reference_mode():
    code = "from nanogan.kernels import dispatch; print(dispatch.reference_mode())"
    for value, expected in (("1", "True"), ("0", "False")):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                env={**os.environ, "NANOGAN_REFERENCE": value})
        assert result.stdout.strip() == expected


# The engine's tests, run again with every kernel as its plain definition.
ENGINE_TESTS = ["test_activations.py", "test_batchnorm.py", "test_conv.py", "test_linear.py", "test_losses.py",
                "test_optim.py", "test_module.py", "test_backend_parity.py", "test_kernels.py", "test_gradcheck.py",
                "test_dcgan_models.py", "test_torch_parity.py"]


def test_the_engine_tests_pass_in_reference_mode():
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                             *(str(ROOT / "tests" / name) for name in ENGINE_TESTS)],
                            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "NANOGAN_REFERENCE": "1"},
                            timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
