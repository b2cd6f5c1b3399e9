"""Exercise 2 (docs/exercises.md): ELU, y = x for x > 0, alpha (e^x - 1) otherwise.

f'(x) = 1 for x > 0 and alpha e^x otherwise, and alpha e^x = y + alpha there, so,
like Tanh and Sigmoid, the backward can be written through y and the mask [x > 0]:

    dx = g for x > 0, g * (y + alpha) otherwise

At 0 the two one-sided slopes are 1 and alpha, so gradient-check inputs away from 0.
"""

import numpy as np

from nanogan import nn
from nanogan.backend import get_array_module
from nanogan.gradcheck import check_module


class ELU(nn.Module):
    """y = x for x > 0, alpha * (exp(x) - 1) otherwise."""

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        xp = get_array_module(x)
        positive = x > 0
        y = xp.where(positive, x, self.alpha * (xp.exp(xp.minimum(x, 0)) - 1))  # exp only of x <= 0
        self.save_for_backward(y, positive, output=y)
        return y

    def backward(self, grad_output):
        y, positive = self.saved_tensors(grad_output)
        g = grad_output
        # dx = g for x > 0, g * (y + alpha) otherwise
        return get_array_module(g).where(positive, g, g * (y + self.alpha))


def check():
    x = np.random.default_rng(0).standard_normal((4, 5))
    x[np.abs(x) < 1e-3] = 0.5  # away from the kink at 0
    for alpha in (1.0, 0.3):
        assert check_module(ELU(alpha), x).max_error < 1e-6
    with np.errstate(over="raise"):
        assert np.isfinite(ELU()(np.array([-1000.0, 1000.0]))).all()


if __name__ == "__main__":
    check()
    print("ok")
