"""Adam's update (the plain definition, the reference), in PyTorch's order of operations.

nanogan/optim/adam.py keeps the per-parameter state and calls adam_step for the
math of docs/adam.md. nanogan/kernels/dispatch.py runs it as written, or its
twins on CPU threads (nanogan/kernels/cpu/adam.py) and as one CUDA kernel for
all parameters at once (nanogan/kernels/cuda/adam.py).
"""

import math

from ..backend import get_array_module


def adam_step(params, grads, exp_avgs, exp_avg_sqs, steps, lr, betas, eps, weight_decay):
    """One step of Adam on each parameter, in place: params[i], exp_avgs[i] (m) and exp_avg_sqs[i] (v) change.

    grads[i]: the gradient of params[i]; steps[i]: its step count t, this step included.
    """
    beta1, beta2 = betas
    for param, grad, m, v, t in zip(params, grads, exp_avgs, exp_avg_sqs, steps):
        g = grad + weight_decay * param if weight_decay else grad
        # m = beta1 m + (1 - beta1) g
        m[...] = beta1 * m + (1 - beta1) * g
        # v = beta2 v + (1 - beta2) g^2
        v[...] = beta2 * v + (1 - beta2) * g**2
        # param -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
        step_size = lr / (1 - beta1**t)
        denominator = get_array_module(v).sqrt(v) / math.sqrt(1 - beta2**t) + eps
        param -= step_size * (m / denominator)
