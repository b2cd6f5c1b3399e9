"""The CUDA kernel sources of nanogan/kernels/cuda/, compiled with the host C++ compiler, against the plain
definitions: CI without a GPU checks the kernels' arithmetic and indexing (tests/cuda_host.py says how, and
what only tests/test_cuda_kernels.py on a GPU can check).

The kernels run through their wrappers (nanogan.kernels.cuda.im2col.im2col, ...), with CuPy replaced by NumPy
and each kernel by its host build. Where both sides do the same operations in the same order the results
must be equal to the last bit; only sums (the kernels' order against NumPy's) and tanh and exp (the C
library's against NumPy's) may differ, and each such test says by how much.
"""

import dataclasses

import numpy as np
import pytest
from hypothesis import given

import cuda_host
import nanogan
from nanogan import nn, optim
from nanogan.kernels import activation, adam, dispatch, loss
from nanogan.kernels.batchnorm import batch_norm_backward, batch_norm_forward, update_running_stats
from nanogan.kernels.cuda import activation as cuda_activation
from nanogan.kernels.cuda import adam as cuda_adam
from nanogan.kernels.cuda import batchnorm as cuda_batchnorm
from nanogan.kernels.cuda import im2col as cuda_im2col
from nanogan.kernels.cuda import loss as cuda_loss
from nanogan.kernels.cuda.core import memory_order
from nanogan.kernels.im2col import col2im, im2col, matmul_col2im
from nanogan.kernels.layout import batch_first
from nanogan.kernels.workspace import scratch
from test_kernels import geometries

pytestmark = pytest.mark.skipif(cuda_host.COMPILER is None,
                                reason="no C++ compiler (g++ or clang++) to build the CUDA kernel sources for the CPU")

# (x shape, kernel, stride, padding)
GEOMETRIES = [((4, 3, 16, 16), (4, 4), (2, 2), (1, 1)),  # DCGAN's 4x4 stride-2 layers
              ((2, 5, 7, 9), (3, 3), (1, 1), (1, 1)),  # "same" 3x3
              ((3, 8, 4, 4), (4, 4), (1, 1), (0, 0)),  # DCGAN's 4x4 -> 1x1 end of the discriminator
              ((3, 5, 9, 7), (3, 2), (2, 1), (1, 2)),  # non-square kernel, stride and padding
              ((2, 3, 5, 6), (2, 3), (3, 2), (3, 4))]  # padding over kernel - 1: whole rows of outputs read padding
DTYPES = [np.float32, np.float64]


@pytest.fixture(autouse=True)
def on_host(monkeypatch):
    """The CUDA wrappers on NumPy: CuPy is NumPy, and each kernel its host build."""
    for module in (cuda_im2col, cuda_batchnorm, cuda_activation, cuda_loss, cuda_adam):
        monkeypatch.setattr(module, "compiled", cuda_host.compiled)
    for module in (cuda_im2col, cuda_batchnorm, cuda_adam):
        monkeypatch.setattr(module, "cupy", lambda: np)


def im2col_and_col2im(x_shape, kernel, stride, padding, dtype):
    """The three kernels against the plain definitions on random values: copies, and sums in the same order,
    so exactly equal."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(dtype)
    expected = im2col(x, kernel, stride, padding)
    scratch("columns", expected.shape, dtype, np)[...] = np.nan  # every element must be written, padding too
    np.testing.assert_array_equal(cuda_im2col.im2col(x, kernel, stride, padding), expected)
    g = rng.standard_normal(expected.shape).astype(dtype)
    np.testing.assert_array_equal(cuda_im2col.col2im(g, x_shape, kernel, stride, padding),
                                  col2im(g, x_shape, kernel, stride, padding))
    w = rng.standard_normal((4, expected.shape[0])).astype(dtype)
    x_matrix = rng.standard_normal((4, expected.shape[1])).astype(dtype)
    np.testing.assert_array_equal(cuda_im2col.matmul_col2im(w.T, x_matrix, x_shape, kernel, stride, padding),
                                  matmul_col2im(w.T, x_matrix, x_shape, kernel, stride, padding))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x_shape, kernel, stride, padding", GEOMETRIES)
def test_im2col_and_col2im_kernels_give_numpys_results(x_shape, kernel, stride, padding, dtype):
    im2col_and_col2im(x_shape, kernel, stride, padding, dtype)


@given(geometries())
def test_im2col_and_col2im_kernels_on_random_geometries(geometry):
    im2col_and_col2im(*geometry, np.float32)


def test_a_wrong_index_in_a_kernel_is_caught(monkeypatch):
    """The comparison has teeth: IM2COL with the two paddings swapped fails on a geometry where they differ."""
    broken = dataclasses.replace(cuda_im2col.IM2COL, operation=cuda_im2col.IM2COL.operation.replace(
        "ki - pad_h", "ki - pad_w"))
    assert broken != cuda_im2col.IM2COL
    monkeypatch.setattr(cuda_im2col, "IM2COL", broken)
    with pytest.raises(AssertionError):
        im2col_and_col2im(*GEOMETRIES[3], np.float32)


def batch_norm_both_ways(arrays, training, affine, eps, x_hat=None):
    """The plain batch norm and the kernels', on the same arrays: two dicts of forward and backward results.

    Both backward passes get the plain forward's inv_std, and its x_hat unless `x_hat` is given."""
    gamma, beta = (arrays["gamma"], arrays["beta"]) if affine else (None, None)
    statistics = () if training else (arrays["mean"], arrays["var"])
    results = [dict(zip(("y", "x_hat", "mean", "var", "inv_std"), forward(arrays["x"], gamma, beta, eps, *statistics)))
               for forward in (batch_norm_forward, cuda_batchnorm.batch_norm_forward)]
    x_hat = results[0]["x_hat"] if x_hat is None else x_hat
    for result, backward in zip(results, (batch_norm_backward, cuda_batchnorm.batch_norm_backward)):
        dx, g_sum, g_x_hat_sum = backward(arrays["g"], x_hat, gamma, results[0]["inv_std"], training)
        result.update(dx=dx, g_sum=g_sum.reshape(-1), g_x_hat_sum=g_x_hat_sum.reshape(-1))
    return results


def random_batch_norm_arrays(dtype, channels=6, count=300):
    rng = np.random.default_rng(2)
    arrays = {"x": rng.standard_normal((channels, count)) + 3,  # a mean far from 0, as after a convolution
              "g": rng.standard_normal((channels, count)), "gamma": rng.standard_normal((channels, 1)),
              "beta": rng.standard_normal((channels, 1)), "mean": rng.standard_normal((channels, 1)) + 3,
              "var": rng.uniform(0.5, 2, (channels, 1))}
    return {name: array.astype(dtype) for name, array in arrays.items()}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_kernels_give_numpys_results(training, affine, dtype):
    expected, actual = batch_norm_both_ways(random_batch_norm_arrays(dtype), training, affine, 1e-5)
    # The sums over a row of 300 values (in the kernels' order, not NumPy's), and in train mode all that follows
    # from them, differ from NumPy's by up to 5 ulps of the array's largest value (20 seeds, float32 and float64).
    # Relative to each value it can be far more: sum(g * x_hat) cancels (20 ulps of its own value), and so does
    # x - mean (thousands of ulps of x_hat and y near 0). Everything else is computed by the same operations in
    # the same order: equal to the bit.
    from_sums = {"g_sum", "g_x_hat_sum"} | ({"mean", "var", "inv_std", "x_hat", "y", "dx"} if training else set())
    for name, want in expected.items():
        if name in from_sums:
            tolerance = 16 * np.finfo(dtype).eps * np.abs(want).max()
            np.testing.assert_allclose(actual[name], want, rtol=0, atol=tolerance, err_msg=name)
        else:
            np.testing.assert_array_equal(actual[name], want, err_msg=name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_maps_given_numpys_sums_give_numpys_results(training, affine, dtype):
    """NORMALISE and BACKWARD, given the statistics and sums of the plain batch norm, do its operations in its
    order: equal to the bit, in train mode too."""
    arrays = random_batch_norm_arrays(dtype)
    (x, g), count = (arrays["x"], arrays["g"]), arrays["x"].shape[1]
    gamma, beta = (arrays["gamma"], arrays["beta"]) if affine else (None, None)
    y, x_hat, mean, _, inv_std = batch_norm_forward(x, gamma, beta, 1e-5, *(() if training else
                                                                              (arrays["mean"], arrays["var"])))
    dx, g_sum, g_x_hat_sum = batch_norm_backward(g, x_hat, gamma, inv_std, training)
    gamma, beta = cuda_batchnorm._affine_or_identity(gamma, beta, len(x), dtype)  # as the wrappers pass them
    x_hat_kernel, y_kernel = cuda_host.compiled(cuda_batchnorm.NORMALISE)(x, mean, inv_std, gamma, beta)
    np.testing.assert_array_equal(x_hat_kernel, x_hat)
    np.testing.assert_array_equal(y_kernel, y)
    dx_kernel = cuda_host.compiled(cuda_batchnorm.BACKWARD)(g, x_hat, gamma, inv_std, g_sum[:, None],
                                                            g_x_hat_sum[:, None], float(count), int(training))
    np.testing.assert_array_equal(dx_kernel, dx)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_kernels_are_exact_where_the_sums_are(training, affine, dtype):
    """Values whose every sum is exact in any order, so every result must be NumPy's to the last bit: rows of
    64 integers in [-6, 6] (means with 6 bits after the point, squared deviations with 12, their sums below
    2^12: 24 bits); backward gets those deviations as x_hat (any x_hat will do), and g multiples of 1/8."""
    rng = np.random.default_rng(3)
    channels, count = 8, 64  # 4 partial sums per row, of 16 values each
    x = rng.integers(-3, 4, (channels, count)) + rng.integers(-3, 4, (channels, 1))
    arrays = {"x": x, "g": rng.integers(-32, 33, (channels, count)) / 8, "gamma": rng.standard_normal((channels, 1)),
              "beta": rng.standard_normal((channels, 1)), "mean": x.mean(axis=1, keepdims=True),
              "var": x.var(axis=1, keepdims=True)}
    arrays = {name: a.astype(dtype) for name, a in arrays.items()}
    expected, actual = batch_norm_both_ways(arrays, training, affine, 1e-5, x_hat=arrays["x"] - arrays["mean"])
    for name, want in expected.items():
        np.testing.assert_array_equal(actual[name], want, err_msg=name)


@pytest.mark.parametrize("rows, count", [(1, 1), (3, 5), (2, 17), (4, 1000), (1, 70_000)])
def test_row_sums_add_every_value_once(rows, count):
    """The partial sums and their finish, for one part (fewer than 2 x MIN_TERMS values), several (with and
    without a remainder after the 4-way unrolled loop) and MAX_PARTS; on integers, exact in any order."""
    rng = np.random.default_rng(6)
    x, y = (rng.integers(-8, 9, (rows, count)).astype(np.float32) for _ in range(2))
    mean = rng.integers(-2, 3, (rows, 1)).astype(np.float32)
    for spec, arrays, expected in [(cuda_batchnorm.SUMS, (x,), x.sum(axis=1)),
                                   (cuda_batchnorm.SQUARE_DEVIATION_SUMS, (x, mean), ((x - mean) ** 2).sum(axis=1)),
                                   (cuda_batchnorm.PRODUCT_SUMS, (x, y), (x * y).sum(axis=1))]:
        np.testing.assert_array_equal(cuda_batchnorm.row_sums(spec, arrays, count, divisor=4.0),
                                      expected[:, None] / 4, err_msg=spec.name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("momentum", [0.1, 0.3])
def test_running_statistics_kernel_gives_numpys_update(momentum, dtype):
    rng = np.random.default_rng(7)
    running = [rng.standard_normal(5).astype(dtype), rng.uniform(0.5, 2, 5).astype(dtype)]
    kernel_running = [array.copy() for array in running]
    batch_mean, batch_var = rng.standard_normal(5).astype(dtype), rng.uniform(0.5, 2, 5).astype(dtype)
    update_running_stats(*running, batch_mean, batch_var, momentum, 32)
    cuda_batchnorm.update_running_stats(*kernel_running, batch_mean, batch_var, momentum, 32)
    for kernel_result, expected in zip(kernel_running, running):
        np.testing.assert_array_equal(kernel_result, expected)


def special_values(rng, shape, dtype):
    """Standard-normal values, with 0, -0, +-inf, NaN and the smallest subnormal among them."""
    values = rng.standard_normal(shape).astype(dtype)
    values.flat[:6] = [0.0, -0.0, np.inf, -np.inf, np.nan, np.finfo(dtype).smallest_subnormal]
    return values


def assert_same_values(actual, expected, maxulp=0):
    """Within `maxulp` ulps, NaN where NaN, and zeros of the same sign (assert_array_equal takes -0 for 0)."""
    np.testing.assert_array_max_ulp(actual, expected, maxulp=maxulp)
    zeros = expected == 0
    np.testing.assert_array_equal(np.signbit(actual[zeros]), np.signbit(expected[zeros]))


ACTIVATIONS = [("relu", None), ("leaky_relu", 0.01), ("leaky_relu", 0.2), ("leaky_relu", 1.5), ("tanh", None),
               ("sigmoid", None)]


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # inf * 0 in relu_backward
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, negative_slope", ACTIVATIONS)
def test_activation_kernels_give_the_plain_results(name, negative_slope, dtype):
    """Forward and backward of each activation on images stored as nanogan stores them, (C, H, W, N)."""
    rng = np.random.default_rng(5)
    x, g = (batch_first(special_values(rng, (3, 5, 5, 4), dtype)) for _ in range(2))  # (N, C, H, W) views
    if name == "leaky_relu":
        (y, positive), (y_kernel, positive_kernel) = (module.leaky_relu(x, negative_slope)
                                                      for module in (activation, cuda_activation))
        np.testing.assert_array_equal(positive_kernel, positive)
        dx = activation.leaky_relu_backward(g, positive, negative_slope)
        dx_kernel = cuda_activation.leaky_relu_backward(g, positive, negative_slope)
    else:
        y, y_kernel = getattr(activation, name)(x), getattr(cuda_activation, name)(x)
        dx = getattr(activation, name + "_backward")(g, y)
        dx_kernel = getattr(cuda_activation, name + "_backward")(g, y)  # given the plain y: the backward map alone
    # tanh and exp are the C library's here and NumPy's there (CUDA's on a GPU): 3 ulps apart at most on
    # 200,000 values, in float32 and float64; everything else is the same operations, so the same bits
    assert_same_values(y_kernel, y, maxulp=4 if name in ("tanh", "sigmoid") else 0)
    assert_same_values(dx_kernel, dx)
    assert memory_order(y_kernel) == memory_order(dx_kernel) == memory_order(x)  # laid out like their input


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_kernels_give_the_plain_loss_and_gradient(dtype):
    """On probabilities that include 0 and 1, where the logs are clamped at -100; the upstream gradient a
    number or a 0-d array."""
    rng = np.random.default_rng(8)
    p, y = rng.uniform(0, 1, 64).astype(dtype), (rng.uniform(0, 1, 64) > 0.5).astype(dtype)
    p[:4] = 0.0, 1.0, 0.0, 1.0
    y[:4] = 0.0, 1.0, 1.0, 0.0
    # log is the C library's here and NumPy's there (CUDA's on a GPU); the rest is the same operations
    np.testing.assert_array_max_ulp(cuda_loss.binary_cross_entropy(p, y), loss.binary_cross_entropy(p, y), maxulp=4)
    for upstream in (1.0, np.asarray(-0.7, dtype)):
        np.testing.assert_array_equal(cuda_loss.binary_cross_entropy_backward(p, y, upstream),
                                      loss.binary_cross_entropy_backward(p, y, upstream))


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_the_one_kernel_adam_step_gives_the_plain_parameters(monkeypatch, weight_decay):
    """Three steps of Adam on five parameters (one of them 1 element, one 0-d; one frozen for the first step,
    so two step counts and two launches), through the kernel's wrapper with host pointers: float32 results
    equal to the bit."""
    monkeypatch.setattr(cuda_adam, "data_pointer", lambda array: array.ctypes.data)
    rng = np.random.default_rng(4)
    shapes = [(64, 3, 4, 4), (64,), (1,), (32, 16, 4, 4), ()]
    plain = [[rng.standard_normal(shape).astype(np.float32) for shape in shapes]]  # params, then m and v
    plain += [[np.zeros(shape, np.float32) for shape in shapes] for _ in range(2)]
    kernel = [[array.copy() for array in arrays] for arrays in plain]
    steps = [0, 0, 0, 0, 0]
    for step in range(1, 4):
        grads = [rng.standard_normal(shape).astype(np.float32) for shape in shapes]
        active = range(len(shapes)) if step > 1 else range(1, len(shapes))  # parameter 0 frozen at first
        for index in active:
            steps[index] += 1
        for arrays, step_function in ((plain, adam.adam_step), (kernel, cuda_adam.adam_step)):
            params, exp_avgs, exp_avg_sqs = ([group[index] for index in active] for group in arrays)
            step_function(params, [grads[index] for index in active], exp_avgs, exp_avg_sqs,
                          [steps[index] for index in active], 2e-4, (0.5, 0.999), 1e-8, weight_decay)
    for plain_arrays, kernel_arrays in zip(plain, kernel):
        for expected, actual in zip(plain_arrays, kernel_arrays):
            np.testing.assert_array_equal(actual, expected)


def test_dcgan_training_steps_through_the_kernels_give_the_plain_parameters(monkeypatch):
    """Everything that runs a CUDA twin on CuPy does so here, on NumPy float64 arrays, with the kernels' host
    builds: the wrappers, layouts and running statistics together, against the plain definitions.
    (Adam keeps its plain definition: its kernel takes float32 only, and is tested above.)"""
    from nanogan.models import Discriminator, Generator
    from nanogan.training import train_step

    def train(through_kernels):
        with monkeypatch.context() as patch:
            patch.setattr(dispatch, "_reference", not through_kernels)  # also when the suite runs in reference mode
            patch.setattr(dispatch, "uses_cuda", lambda xp: True)
            nanogan.manual_seed(0)
            generator = Generator(nz=8, ngf=4, image_size=16).to(dtype=np.float64)
            discriminator = Discriminator(ndf=4, image_size=16).to(dtype=np.float64)
            optimizers = [optim.Adam(model.parameters(), lr=2e-4, betas=(0.5, 0.999))
                          for model in (generator, discriminator)]
            rng = np.random.default_rng(0)
            for _ in range(2):
                train_step(generator, discriminator, *optimizers, nn.BCELoss(), rng.uniform(-1, 1, (4, 3, 16, 16)),
                           rng.standard_normal((4, 8, 1, 1)))
            return {f"{name}.{key}": np.array(value) for name, model in [("G", generator), ("D", discriminator)]
                    for key, value in model.state_dict().items()}

    expected, actual = train(through_kernels=False), train(through_kernels=True)
    assert actual.keys() == expected.keys()
    for key, value in expected.items():  # float64: only the order of the sums differs
        np.testing.assert_allclose(actual[key], value, rtol=1e-9, atol=1e-12, err_msg=key)


def test_a_broken_kernel_makes_the_training_comparison_fail(monkeypatch):
    """The comparison above has teeth: LeakyReLU's backward kernel with the slope dropped fails it."""
    broken = dataclasses.replace(cuda_activation.LEAKY_RELU_BACKWARD, operation="dx = g;")
    monkeypatch.setattr(cuda_activation, "LEAKY_RELU_BACKWARD", broken)
    with pytest.raises(AssertionError):
        test_dcgan_training_steps_through_the_kernels_give_the_plain_parameters(monkeypatch)
