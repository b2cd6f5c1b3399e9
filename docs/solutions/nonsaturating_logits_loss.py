"""Exercise 4 (docs/exercises.md): the generator's non-saturating loss on logits.

L = mean(-log sigmoid(s)) = mean(softplus(-s)), since log sigmoid(s) = -softplus(-s).
With softplus' = sigmoid and the chain rule through -s:

    dL/ds_k = -sigmoid(-s_k) / m = (sigmoid(s_k) - 1) / m

which is BCEWithLogitsLoss's (sigmoid(s) - y) / m with the label y = 1: the loss of
the G step. It stays -1/m when D rejects the fakes (s -> -infinity): no saturation.
"""

import numpy as np

from nanogan import nn
from nanogan.backend import get_array_module
from nanogan.gradcheck import numerical_gradient, relative_error


class NonSaturatingLoss(nn.Module):
    """L = mean(softplus(-s)) of logits s; called as loss(s), no target."""

    def forward(self, s):
        loss = get_array_module(s).asarray(nn.functional.softplus(-s).mean())
        self.save_for_backward(s, output=loss)
        return loss

    def backward(self, grad_output=1.0):
        (s,) = self.saved_tensors(grad_output)
        # dL/ds = (sigmoid(s) - 1) / m
        return grad_output * (nn.functional.sigmoid(s) - 1) / s.size


def check():
    s = 4 * np.random.default_rng(0).standard_normal(7)
    loss, reference = NonSaturatingLoss(), nn.BCEWithLogitsLoss()
    loss(s)
    analytic = loss.backward(0.7)  # an upstream gradient that is not 1
    with nn.no_grad():
        numerical = numerical_gradient(lambda: loss(s), s, np.array(0.7))
    assert relative_error(analytic, numerical)[0] < 1e-6
    assert np.isclose(loss(s), reference(s, np.ones(7)))
    assert np.allclose(loss.backward(), reference.backward())
    rejected = np.array([-30.0, -60.0])
    loss(rejected)
    assert np.allclose(loss.backward(), -1 / 2)  # no saturation


if __name__ == "__main__":
    check()
    print("ok")
