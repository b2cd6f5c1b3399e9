"""Adam (Kingma & Ba, 2015) with PyTorch's update rule."""

import math

from ..backend import get_array_module
from ..kernels.threads import run_split
from ..kernels.workspace import scratch
from .optimizer import Optimizer


class Adam(Optimizer):
    """For each parameter, at step t, with g its gradient (+ weight_decay * param):

        m = beta1 * m + (1 - beta1) * g                  first moment
        v = beta2 * v + (1 - beta2) * g^2                second moment
        param -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    The factors 1 - beta^t undo the bias of m and v towards their zero start.
    Each step works in place: one pass over the parameter per operation, with
    `update` the only other array (a scratch array that all parameters share),
    and each large parameter is updated in parts on the CPU threads.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0):
        if lr < 0 or eps < 0 or weight_decay < 0 or not all(0 <= beta < 1 for beta in betas):
            raise ValueError(
                f"Adam: expected lr >= 0, 0 <= betas < 1, eps >= 0, weight_decay >= 0, "
                f"got lr={lr}, betas={betas}, eps={eps}, weight_decay={weight_decay}"
            )
        super().__init__(params, lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay)

    def step(self):
        for index, parameter in enumerate(self.params):
            if not parameter.requires_grad:
                continue
            xp = get_array_module(parameter.data)
            state = self._state(index)
            if not state:
                state.update(step=0, exp_avg=xp.zeros_like(parameter.data), exp_avg_sq=xp.zeros_like(parameter.data))
            state["step"] += 1
            m, v, t = state["exp_avg"], state["exp_avg_sq"], state["step"]
            g = parameter.grad
            if self.weight_decay:
                g = g + self.weight_decay * parameter.data
            # in parts along the first axis on the CPU threads (a 0-d parameter is one row); views, any layout
            rows = [array.reshape(1) if array.ndim == 0 else array for array in (parameter.data, g, m, v)]
            run_split(lambda part: self._update(*(array[part] for array in rows), t), len(rows[0]), xp, g.size)

    def _update(self, param, g, m, v, t):
        """Step t of Adam on a parameter (or a slice of one): param, m and v change in place."""
        xp = get_array_module(param)
        beta1, beta2 = self.betas
        update = scratch("adam.update", g.shape, g.dtype, xp)
        # m = beta1 m + (1 - beta1) g
        m *= beta1
        xp.multiply(g, 1 - beta1, out=update)
        m += update
        # v = beta2 v + (1 - beta2) g^2
        v *= beta2
        xp.multiply(g, g, out=update)
        update *= 1 - beta2
        v += update
        # param -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
        xp.sqrt(v, out=update)
        update *= 1 / math.sqrt(1 - beta2**t)
        update += self.eps
        xp.divide(m, update, out=update)
        update *= self.lr / (1 - beta1**t)
        param -= update
