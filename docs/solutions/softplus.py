"""Exercise 3 (docs/exercises.md): Softplus, y = log(1 + e^x), as a layer.

f'(x) = e^x / (1 + e^x) = sigmoid(x), so dx = g * sigmoid(x): the layer keeps x (y alone
would do too, since sigmoid(x) = 1 - e^-y, but x is exact). Computed as
max(x, 0) + log(1 + e^-|x|), it never overflows, as nanogan.nn.functional.softplus.
"""

import numpy as np

from nanogan import nn
from nanogan.gradcheck import check_module


class Softplus(nn.Module):
    """y = log(1 + exp(x)), without overflow."""

    def forward(self, x):
        y = nn.functional.softplus(x)
        self.save_for_backward(x, output=y)
        return y

    def backward(self, grad_output):
        (x,) = self.saved_tensors(grad_output)
        # dx = g * sigmoid(x)
        return grad_output * nn.functional.sigmoid(x)


def check():
    x = 3 * np.random.default_rng(0).standard_normal((4, 5))
    assert check_module(Softplus(), x).max_error < 1e-6
    big = np.array([-800.0, 0.0, 800.0])
    with np.errstate(over="raise"):
        assert np.allclose(Softplus()(big), [0.0, np.log(2), 800.0])


if __name__ == "__main__":
    check()
    print("ok")
