"""Adam (Kingma & Ba, 2015) with PyTorch's update rule."""

from ..backend import get_array_module
from ..kernels.dispatch import adam_step
from .optimizer import Optimizer


class Adam(Optimizer):
    """For each parameter, at step t, with g its gradient (+ weight_decay * param):

        m = beta1 * m + (1 - beta1) * g                  first moment
        v = beta2 * v + (1 - beta2) * g^2                second moment
        param -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    The factors 1 - beta^t undo the bias of m and v towards their zero start.
    The update is adam_step of nanogan/kernels/adam.py, called once per parameter
    group with that group's lr, betas, eps and weight_decay.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0):
        super().__init__(params, lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay)

    def check_hyperparameters(self, group):
        lr, betas, eps, weight_decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if lr < 0 or eps < 0 or weight_decay < 0 or not all(0 <= beta < 1 for beta in betas):
            raise ValueError(
                f"Adam: expected lr >= 0, 0 <= betas < 1, eps >= 0, weight_decay >= 0, "
                f"got lr={lr}, betas={betas}, eps={eps}, weight_decay={weight_decay}"
            )
        group["betas"] = tuple(betas)

    def step(self):
        """One update of every parameter that requires a gradient, from its .grad."""
        for group_index, group in enumerate(self.param_groups):
            params, grads, exp_avgs, exp_avg_sqs, steps = [], [], [], [], []
            for index, parameter in self.trainable(group_index):
                state = self._state(index, parameter)
                if not state:  # m and v start at zero
                    xp = get_array_module(parameter.data)
                    state.update(step=0, exp_avg=xp.zeros_like(parameter.data),
                                 exp_avg_sq=xp.zeros_like(parameter.data))
                state["step"] += 1  # t
                params.append(parameter.data)
                grads.append(parameter.grad)
                exp_avgs.append(state["exp_avg"])
                exp_avg_sqs.append(state["exp_avg_sq"])
                steps.append(state["step"])
            if params:
                # m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;
                # param -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
                adam_step(params, grads, exp_avgs, exp_avg_sqs, steps, group["lr"], group["betas"], group["eps"],
                          group["weight_decay"])
