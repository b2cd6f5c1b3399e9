"""nanogan's default random generator, used to initialise weights.

Like `torch.manual_seed`, `manual_seed(seed)` makes every layer built after it
start from the same weights. Weights are drawn on the host with a NumPy
Generator and then moved to the layer's backend, so a seed gives the same
initial model on NumPy and CuPy.
"""

import numpy as np

_default_generator = np.random.default_rng()


def manual_seed(seed):
    """Reseed the default generator; returns it."""
    global _default_generator
    _default_generator = np.random.default_rng(seed)
    return _default_generator


def default_generator():
    """The generator that layers draw their initial weights from."""
    return _default_generator
