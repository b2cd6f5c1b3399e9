"""Adam (Kingma & Ba, 2015) with PyTorch's update rule."""

import math

from ..backend import get_array_module
from ..kernels import cuda_adam
from ..kernels.cuda import uses_cuda
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
    and each large parameter is updated in parts on the CPU threads. On CuPy
    one CUDA kernel updates all parameters at once (nanogan/kernels/cuda_adam.py).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0):
        if lr < 0 or eps < 0 or weight_decay < 0 or not all(0 <= beta < 1 for beta in betas):
            raise ValueError(
                f"Adam: expected lr >= 0, 0 <= betas < 1, eps >= 0, weight_decay >= 0, "
                f"got lr={lr}, betas={betas}, eps={eps}, weight_decay={weight_decay}"
            )
        super().__init__(params, lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay)
        self._fused = None  # on CuPy: the pointer tables of the one-kernel update, made at the first step

    def step(self):
        by_step = {}  # step count t -> indices of the parameters at that step (all of them, unless some were frozen)
        for index, parameter in enumerate(self.params):
            if not parameter.requires_grad:
                continue
            xp = get_array_module(parameter.data)
            state = self._state(index)
            if not state:
                state.update(step=0, exp_avg=xp.zeros_like(parameter.data), exp_avg_sq=xp.zeros_like(parameter.data))
            state["step"] += 1
            by_step.setdefault(state["step"], []).append(index)
        for t, indices in by_step.items():
            self._step_parameters(indices, t)

    def _step_parameters(self, indices, t):
        """Step t on parameters `indices`: in one CUDA kernel on CuPy (nanogan/kernels/cuda_adam.py),
        else each parameter by `_update`, each large one in parts on the CPU threads."""
        params = [self.params[index].data for index in indices]
        grads = [self.params[index].grad for index in indices]
        exp_avgs = [self.state[index]["exp_avg"] for index in indices]
        exp_avg_sqs = [self.state[index]["exp_avg_sq"] for index in indices]
        xp = get_array_module(params[0])
        if uses_cuda(xp) and cuda_adam.can_fuse(params + grads + exp_avgs + exp_avg_sqs):
            if self._fused is None:
                self._fused = cuda_adam.FusedAdam()
            self._fused.step(params, grads, exp_avgs, exp_avg_sqs, t, self.lr, self.betas, self.eps,
                             self.weight_decay)
            return
        for param, g, m, v in zip(params, grads, exp_avgs, exp_avg_sqs):
            if self.weight_decay:
                g = g + self.weight_decay * param
            # in parts along the first axis on the CPU threads (a 0-d parameter is one row); views, any layout
            rows = [array.reshape(1) if array.ndim == 0 else array for array in (param, g, m, v)]
            run_split(lambda part, rows=rows: self._update(*(array[part] for array in rows), t), len(rows[0]), xp,
                      g.size)

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
