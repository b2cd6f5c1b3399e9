"""adam_step of nanogan/kernels/adam.py on CPU threads, in place.

The same operations in the same order (so the same results, to the bit), each
written into the parameter's own arrays or into one scratch array that all
parameters share (nanogan/kernels/workspace.py): one pass over the parameter
per operation and no temporaries. Each large parameter is updated in parts
along its first axis, one part per CPU thread (nanogan/kernels/threads.py).
"""

import math

import numpy as np

from ..threads import run_split
from ..workspace import scratch


def adam_step(params, grads, exp_avgs, exp_avg_sqs, steps, lr, betas, eps, weight_decay):
    """The threaded twin of nanogan.kernels.adam.adam_step."""
    for param, grad, m, v, t in zip(params, grads, exp_avgs, exp_avg_sqs, steps):
        g = grad + weight_decay * param if weight_decay else grad
        rows = [array.reshape(1) if array.ndim == 0 else array for array in (param, g, m, v)]  # a 0-d one is 1 row
        run_split(lambda part, rows=rows, t=t: _update(*(array[part] for array in rows), t, lr, betas, eps),
                  len(rows[0]), np, g.size)


def _update(param, g, m, v, t, lr, betas, eps):
    """Adam's step t on a parameter, or a slice of one: param, m and v change in place."""
    beta1, beta2 = betas
    update = scratch("adam.update", g.shape, g.dtype, np)
    m *= beta1
    np.multiply(g, 1 - beta1, out=update)
    m += update  # m = beta1 m + (1 - beta1) g
    v *= beta2
    np.multiply(g, g, out=update)
    update *= 1 - beta2
    v += update  # v = beta2 v + (1 - beta2) g^2
    np.sqrt(v, out=update)
    update /= math.sqrt(1 - beta2**t)
    update += eps  # sqrt(v) / sqrt(1 - beta2^t) + eps
    np.divide(m, update, out=update)
    update *= lr / (1 - beta1**t)
    param -= update  # param -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
