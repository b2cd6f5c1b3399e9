"""Batch normalisation as CUDA kernels: the twins of nanogan/kernels/batchnorm.py.

Same arguments and results. Each pass is a few per-channel sums over the rows
of the (C, m) matrix, then one elementwise map that reads each value once and
writes its results once (the plain definition makes one pass per operation):

    forward   mean = sum(x) / m,  var = sum((x - mean)^2) / m          row sums
              inv_std = 1 / sqrt(var + eps)                           on C values
              x_hat = (x - mean) * inv_std,  y = gamma * x_hat + beta  one map
    backward  sum(g),  sum(g * x_hat)                                 row sums
              dx = gamma * inv_std * (g - mean(g) - x_hat * mean(g * x_hat))   one map
                   (eval mode: gamma * inv_std * g)

A row sum is two kernels. The first splits each row into `parts` interleaved
slices (columns p, p + parts, p + 2 parts, ...) and sums each slice in its
own thread: neighbouring threads read neighbouring values, and enough threads
run to keep the GPU's memory busy, which CuPy's own reductions did not
(docs/performance.md has the figures). The second adds each row's `parts`
partial sums in order. Both add in double precision, whatever the dtype of
the values (each term is computed in that dtype): float32 sums of this
length, added in this order, are less accurate than NumPy's pairwise ones,
and on a GPU the memory traffic, not the additions, sets the time. The result
does not depend on thread timing.

Per-channel values are (C, 1) arrays that the maps broadcast along each row.
"""

from .core import Elementwise, compiled, cupy

TARGET_THREADS = 1 << 18  # threads of a row-sum pass: about two per core slot of an H200 (132 SMs x 2048)
MAX_PARTS = 1024  # partial sums per row, added one after another by the finishing kernel
MIN_TERMS = 16  # values per thread, at least


def _partial_sums(name, in_params, term):
    """A kernel of partial row sums: thread i sums `term(k)` of row r = i / parts over the columns
    k = p, p + parts, ... (p = i % parts) of a (rows, count) C-contiguous matrix, into partial[r, p]."""
    return Elementwise(in_params + ", int32 count, int32 parts", "float64 partial", f"""
    const int r = (int)i / parts, p = (int)i % parts;
    const ptrdiff_t row = (ptrdiff_t)r * count;  // where row r starts
    auto term = [&](int k) -> T {{ {term} }};
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // four independent sums: four loads in flight
    int k = p;
    for (; k + 3 * parts < count; k += 4 * parts) {{
        s0 += term(k); s1 += term(k + parts); s2 += term(k + 2 * parts); s3 += term(k + 3 * parts);
    }}
    for (; k < count; k += parts) s0 += term(k);
    partial = (s0 + s1) + (s2 + s3);
    """, name)


SUMS = _partial_sums("nanogan_row_sums", "raw T x", "return x[row + k];")
SQUARE_DEVIATION_SUMS = _partial_sums("nanogan_row_square_deviation_sums", "raw T x, raw T mean",
                                      "const T d = x[row + k] - mean[r]; return d * d;")
PRODUCT_SUMS = _partial_sums("nanogan_row_product_sums", "raw T x, raw T y", "return x[row + k] * y[row + k];")
# total[r] = (partial[r, 0] + ... + partial[r, parts - 1]) / divisor
FINISH = Elementwise("raw float64 partials, int32 parts, float64 divisor", "T total", """
    double sum = 0;
    for (int p = 0; p < parts; ++p) sum += partials[i * parts + p];
    total = (T)(sum / divisor);
    """, "nanogan_row_sums_finish")

INV_STD = Elementwise("T var, float64 eps", "T inv_std", "inv_std = (T)1 / sqrt(var + (T)eps);",
                      "nanogan_batch_norm_inv_std")
NORMALISE = Elementwise("T x, T mean, T inv_std, T gamma, T beta", "T x_hat, T y",
                        "x_hat = (x - mean) * inv_std; y = x_hat * gamma + beta;", "nanogan_batch_norm_forward")
BACKWARD = Elementwise(
    "T g, T x_hat, T gamma, T inv_std, T g_sum, T g_x_hat_sum, float64 count, int32 training", "T dx",
    """
    const T scale = gamma * inv_std;
    dx = training ? ((g - x_hat * (g_x_hat_sum / (T)count)) - g_sum / (T)count) * scale : g * scale;
    """,
    "nanogan_batch_norm_backward")
# running = (1 - momentum) * running + momentum * batch value (the variance unbiased: times m / (m - 1))
RUNNING_STATS = Elementwise(
    "T mean, T var, float64 momentum, float64 unbias", "T running_mean, T running_var",
    """
    running_mean = running_mean * (T)(1 - momentum) + (T)momentum * mean;
    running_var = running_var * (T)(1 - momentum) + (T)momentum * (var * (T)unbias);
    """,
    "nanogan_batch_norm_running_stats")


def row_parts(rows, count):
    """How many partial sums per row: enough threads in all, at least MIN_TERMS values each."""
    return max(1, min(MAX_PARTS, count // MIN_TERMS, TARGET_THREADS // rows))


def row_sums(spec, arrays, count, divisor=1.0):
    """(rows, 1): each row's sum of the terms of `spec` over `arrays` (C-contiguous (rows, count) matrices,
    and per-row (rows, 1) values), divided by `divisor`."""
    cp = cupy()
    rows = arrays[0].shape[0]
    parts = row_parts(rows, count)
    partials = compiled(spec)(*arrays, count, parts, cp.empty((rows, parts), cp.float64))
    return compiled(FINISH)(partials, parts, float(divisor), cp.empty((rows, 1), arrays[0].dtype))


def _affine_or_identity(gamma, beta, channels, dtype):
    cp = cupy()
    if gamma is None:  # no affine transform: y = 1 * x_hat + 0, exactly x_hat
        return cp.ones((channels, 1), dtype), cp.zeros((channels, 1), dtype)
    return gamma, beta


def batch_norm_forward(x, gamma, beta, eps, mean=None, var=None):
    """The CUDA twin of nanogan.kernels.batchnorm.batch_norm_forward."""
    cp = cupy()
    channels, count = x.shape
    if mean is None:  # train mode: the batch's own statistics
        x = cp.ascontiguousarray(x)  # the row sums index rows by hand; a view already for channels-first images
        mean = row_sums(SUMS, (x,), count, divisor=count)
        var = row_sums(SQUARE_DEVIATION_SUMS, (x, mean), count, divisor=count)
    inv_std = compiled(INV_STD)(var, float(eps))
    gamma, beta = _affine_or_identity(gamma, beta, channels, x.dtype)
    x_hat, y = compiled(NORMALISE)(x, mean, inv_std, gamma, beta)
    return y, x_hat, mean, var, inv_std


def batch_norm_backward(g, x_hat, gamma, inv_std, training):
    """The CUDA twin of nanogan.kernels.batchnorm.batch_norm_backward."""
    cp = cupy()
    channels, count = g.shape
    g, x_hat = cp.ascontiguousarray(g), cp.ascontiguousarray(x_hat)
    g_sum = row_sums(SUMS, (g,), count)
    g_x_hat_sum = row_sums(PRODUCT_SUMS, (g, x_hat), count)
    gamma, _ = _affine_or_identity(gamma, None, channels, g.dtype)
    grad_input = compiled(BACKWARD)(g, x_hat, gamma, inv_std, g_sum, g_x_hat_sum, float(count), int(training))
    return grad_input, g_sum.reshape(-1), g_x_hat_sum.reshape(-1)


def update_running_stats(running_mean, running_var, mean, var, momentum, count):
    """One kernel; momentum a Python number."""
    compiled(RUNNING_STATS)(mean, var, float(momentum), count / (count - 1), running_mean, running_var)
