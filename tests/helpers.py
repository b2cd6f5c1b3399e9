"""Small helpers shared by the tests."""

import numpy as np

from nanogan.backend import to_backend, to_numpy
from nanogan.gradcheck import DEFAULT_TOLERANCE

# Gradient checks in float64 with the five-point stencil and eps = 1e-4
# (nanogan.gradcheck's defaults) agree to about 1e-10 on these layers; the
# worst of 1,500 random cases was 4.4e-7 (benchmarks/gradcheck_accuracy.py),
# an entry with a tiny gradient. A real mistake scores 1e-3 or more.
GRADCHECK_TOLERANCE = DEFAULT_TOLERANCE


def random_array(rng, shape, backend="numpy", dtype=np.float32):
    """Standard-normal values drawn on the host, moved to `backend`."""
    return to_backend(rng.standard_normal(shape), backend, dtype)


def assert_close(actual, expected, rtol=1e-10, atol=1e-12):
    """Compare arrays from any backend on the host."""
    np.testing.assert_allclose(to_numpy(actual), to_numpy(expected), rtol=rtol, atol=atol)


def assert_gradcheck(report, tolerance=GRADCHECK_TOLERANCE):
    assert report.max_error < tolerance, str(report)


def assert_as_accurate_as_numpy(actual, numpy_result, exact, factor=4.0):
    """`actual`, a float32 result from any backend, is about as close to `exact` (the same computed
    in float64) as NumPy's float32 result is: within `factor` times NumPy's largest error, or within
    four float32 roundings of the largest value.

    For results that sum many float32 values in an order other than NumPy's (GPU reductions):
    comparing the two float32 results with each other would measure both roundoffs, and an error in
    a mean shows up amplified wherever it is multiplied by a sum.
    """
    actual, numpy_result, exact = (to_numpy(array).astype(np.float64) for array in (actual, numpy_result, exact))
    error, numpy_error = np.abs(actual - exact).max(), np.abs(numpy_result - exact).max()
    allowed = max(factor * numpy_error, 4 * np.finfo(np.float32).eps * np.abs(exact).max())
    assert error <= allowed, f"largest error {error:.3g}, NumPy's in float32 {numpy_error:.3g} (allowed {allowed:.3g})"
