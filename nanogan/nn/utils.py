"""Gradient clipping, as torch.nn.utils: applied between backward and the optimizer's step.

    model.backward(criterion.backward())
    nanogan.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()

Both change `.grad` in place, for the parameters that require a gradient, and
never wait for a GPU: the norm stays a 0-d array on the device, and the scaling
factor is applied there.
"""

from ..backend import get_array_module
from .parameter import Parameter


def _trainable(parameters):
    parameters = [parameters] if isinstance(parameters, Parameter) else list(parameters)
    return [parameter for parameter in parameters if parameter.requires_grad]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale the gradients so that their total norm is at most max_norm; returns the norm before, a 0-d array.

    total = (sum over parameters of sum |g|^p)^(1/p), the p-norm of all gradients as one vector
    (p = norm_type; float("inf"): the largest |g|), then g *= min(1, max_norm / (total + 1e-6)).
    error_if_nonfinite=True raises when the norm is NaN or infinite (it reads the norm, so waits for a GPU).
    """
    grads = [parameter.grad for parameter in _trainable(parameters)]
    if not grads:
        return get_array_module(None).asarray(0.0)
    xp = get_array_module(grads[0])
    norm_type = float(norm_type)
    if norm_type == float("inf"):
        # total = max |g|
        total = xp.max(xp.stack([xp.abs(grad).max() for grad in grads]))
    else:
        # total = (sum |g|^p)^(1/p)
        total = sum((xp.abs(grad) ** norm_type).sum() for grad in grads) ** (1.0 / norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"clip_grad_norm_: the total {norm_type:g}-norm of the gradients is {float(total)}; "
                           f"pass error_if_nonfinite=False to clip anyway")
    # g *= min(1, max_norm / (total + 1e-6))
    scale = xp.minimum(max_norm / (total + 1e-6), 1.0)
    for grad in grads:
        grad *= scale
    return total


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient entry to [-clip_value, clip_value], in place."""
    for parameter in _trainable(parameters):
        xp = get_array_module(parameter.grad)
        xp.clip(parameter.grad, -clip_value, clip_value, out=parameter.grad)
