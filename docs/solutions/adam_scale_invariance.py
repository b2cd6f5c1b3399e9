"""Exercise 9 (docs/exercises.md): Adam does not care how large the loss is; SGD does.

Multiply every gradient by c > 0. Adam's m scales by c, sqrt(v) by c, and the step
lr * m_hat / (sqrt(v_hat) + eps) does not change, up to eps (1e-8, next to gradients of
order 1e-3 and more here). SGD's step lr * g scales by c. So rescaling a loss (a mean
instead of a sum, a factor 1/2) changes nothing for Adam and is a change of learning
rate for SGD.
"""

import numpy as np

from nanogan import nn, optim


def trajectory(make_optimizer, scale, steps=20):
    """The parameter after `steps` steps on the gradients scale * g_t of a fixed sequence g_t."""
    rng = np.random.default_rng(0)
    parameter = nn.Parameter(np.ones((3, 4)))
    optimizer = make_optimizer([parameter])
    for _ in range(steps):
        parameter.grad[...] = scale * rng.standard_normal((3, 4))
        optimizer.step()
    return parameter.data


def check():
    def adam(parameters):
        return optim.Adam(parameters, lr=0.01, betas=(0.5, 0.999))

    def sgd(parameters):
        return optim.SGD(parameters, lr=0.01)

    assert np.allclose(trajectory(adam, 1.0), trajectory(adam, 1000.0), atol=1e-6)
    assert np.allclose(trajectory(adam, 1.0), trajectory(adam, 0.001), atol=1e-4)   # eps starts to show
    one, ten = trajectory(sgd, 1.0), trajectory(sgd, 10.0)
    assert np.allclose(ten - 1, 10 * (one - 1))                                        # SGD: 10 times the move


if __name__ == "__main__":
    check()
    print("ok")
