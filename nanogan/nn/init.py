"""Weight initialisation: the fills that layers and models draw their starting weights with.

Values are drawn on the host from a NumPy Generator (nanogan's default one
unless `generator` is given) and written into the parameter in place, on
whatever backend and in whatever dtype it lives. So a seed gives the same
weights on NumPy and CuPy, in float32 and float64.
"""

import math

from ..backend import backend_name, to_backend
from ..random import default_generator


def _fill(parameter, host_values):
    parameter.data[...] = to_backend(host_values, backend_name(parameter.data), parameter.dtype)
    return parameter


def uniform_(parameter, a=0.0, b=1.0, generator=None):
    """Fill with draws from U(a, b)."""
    generator = generator or default_generator()
    return _fill(parameter, generator.uniform(a, b, size=parameter.shape))


def normal_(parameter, mean=0.0, std=1.0, generator=None):
    """Fill with draws from N(mean, std^2)."""
    generator = generator or default_generator()
    return _fill(parameter, generator.normal(mean, std, size=parameter.shape))


def constant_(parameter, value):
    """Fill the parameter with `value`, in place; returns it."""
    parameter.data.fill(value)
    return parameter


def zeros_(parameter):
    """Fill the parameter with 0, in place; returns it."""
    return constant_(parameter, 0.0)


def ones_(parameter):
    """Fill the parameter with 1, in place; returns it."""
    return constant_(parameter, 1.0)


def fan_in_uniform_(parameter, fan_in, generator=None):
    """PyTorch's default for Linear and convolution weights and biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

    (For weights PyTorch calls it kaiming_uniform_ with a=sqrt(5); the bound works out the same.)
    """
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return uniform_(parameter, -bound, bound, generator)
