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
