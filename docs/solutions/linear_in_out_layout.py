"""Exercise 1 (docs/exercises.md): a linear layer that stores its weight as (in, out).

y = x A + b with A of shape (in, out), the layout of Keras' Dense. Entry by entry,
y_ko = sum_i x_ki A_io + b_o, so

    dA_io = sum_k x_ki g_ko   ->  dA = x^T g     (in, M)(M, out)
    db_o  = sum_k g_ko        ->  db = sum over rows of g
    dx_ki = sum_o g_ko A_io   ->  dx = g A^T     (M, out)(out, in)

It is Linear's rule with W = A^T: dW = g^T x is dA^T, and dx = g W = g A^T.
"""

import numpy as np

from nanogan import nn
from nanogan.gradcheck import check_module


class InOutLinear(nn.Module):
    """y = x A + b. x: (M, in) -> y: (M, out); A: (in, out), b: (out,)."""

    def __init__(self, in_features, out_features):
        super().__init__()
        rng = np.random.default_rng(0)
        self.A = nn.Parameter(rng.uniform(-1, 1, (in_features, out_features)).astype(np.float32))
        self.b = nn.Parameter(np.zeros(out_features, dtype=np.float32))

    def forward(self, x):
        y = x @ self.A.data + self.b.data
        self.save_for_backward(x, output=y)
        return y

    def backward(self, grad_output):
        (x,) = self.saved_tensors(grad_output)
        g = grad_output
        # dA = x^T g
        self.A.grad += x.T @ g
        # db = sum over rows of g
        self.b.grad += g.sum(axis=0)
        # dx = g A^T
        return g @ self.A.data.T


def check():
    layer = InOutLinear(4, 3)
    x = np.random.default_rng(1).standard_normal((5, 4))
    assert check_module(layer, x).max_error < 1e-6
    # the same map as nn.Linear with weight A^T
    linear = nn.Linear(4, 3).to(dtype=np.float64)
    linear.weight.data[...] = layer.A.data.T
    linear.bias.data[...] = layer.b.data
    assert np.allclose(linear(x), layer.to(dtype=np.float64)(x))


if __name__ == "__main__":
    check()
    print("ok")
