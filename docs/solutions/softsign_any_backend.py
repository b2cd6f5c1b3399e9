"""Exercise 13 (docs/exercises.md): a layer that runs unchanged on NumPy and on CuPy.

Softsign, y = x / (1 + |x|), f'(x) = 1 / (1 + |x|)^2, so dx = g / (1 + |x|)^2 = g (1 - |y|)^2.
Written against xp = get_array_module(x), never np., on the arrays, and with no Python
float() or item() on them, it runs on any backend; the docs' test runs this check on
NumPy, on the strict CuPy-like backend of tests/strict_backend.py, and on CuPy where a GPU
is present.
"""

import numpy as np

from nanogan import nn
from nanogan.backend import get_array_module, to_backend, to_numpy
from nanogan.gradcheck import check_module


class Softsign(nn.Module):
    """y = x / (1 + |x|)."""

    def forward(self, x):
        xp = get_array_module(x)
        y = x / (1 + xp.abs(x))
        self.save_for_backward(y, output=y)
        return y

    def backward(self, grad_output):
        (y,) = self.saved_tensors(grad_output)
        xp = get_array_module(y)
        # dx = g * (1 - |y|)^2
        return grad_output * (1 - xp.abs(y)) ** 2


def check(backend="numpy"):
    x_host = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    x = to_backend(x_host, backend)
    layer = Softsign()
    y = layer(x)
    dx = layer.backward(to_backend(np.ones((4, 5), dtype=np.float32), backend))
    assert y.dtype == np.float32 and dx.dtype == np.float32  # no float64 creeping in
    assert np.allclose(to_numpy(dx), 1 / (1 + np.abs(x_host)) ** 2, rtol=1e-5)
    assert check_module(Softsign(), x).max_error < 1e-6


if __name__ == "__main__":
    check()
    print("ok")
