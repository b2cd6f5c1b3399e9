"""Exercise 10 (docs/exercises.md): SGD with Nesterov momentum, by hand.

With momentum rho, dampening 0 and the buffer b (b = g at the first step):

    b <- rho b + g          theta <- theta - lr (g + rho b)

The step looks ahead: it takes the new gradient plus where the momentum is about to carry
theta. Written out, the first step moves by lr (1 + rho) g_1, the second by
lr (g_2 + rho (rho g_1 + g_2)).
"""

import numpy as np

from nanogan import nn, optim


def nesterov_by_hand(theta, gradients, lr, rho):
    buffer = None
    for g in gradients:
        buffer = g.copy() if buffer is None else rho * buffer + g
        theta = theta - lr * (g + rho * buffer)
    return theta


def check():
    rng = np.random.default_rng(0)
    gradients = [rng.standard_normal((2, 3)) for _ in range(6)]
    parameter = nn.Parameter(np.ones((2, 3)))
    optimizer = optim.SGD([parameter], lr=0.1, momentum=0.9, nesterov=True)
    for g in gradients:
        parameter.grad[...] = g
        optimizer.step()
    assert np.allclose(parameter.data, nesterov_by_hand(np.ones((2, 3)), gradients, 0.1, 0.9))
    first = nesterov_by_hand(np.zeros(1), [np.ones(1)], 0.1, 0.9)
    assert np.allclose(first, -0.1 * 1.9)


if __name__ == "__main__":
    check()
    print("ok")
