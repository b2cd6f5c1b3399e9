"""Dropout (Srivastava et al., 2014) and Identity."""

import numpy as np

from ..backend import backend_name, to_backend
from ..random import default_generator
from .module import Module


class Dropout(Module):
    """In training mode y = x * mask, each mask entry 0 with probability p and 1 / (1 - p) otherwise, so
    that E[y] = x; a new mask at every forward. In eval mode y = x. As torch.nn.Dropout.

    generator: a NumPy Generator to draw the masks from; None: nanogan's default generator, so that
    nanogan.manual_seed makes the masks reproducible. Masks are drawn on the host, as weights are, and
    moved to the input's backend: a seed gives the same masks on NumPy and CuPy.
    `hold_mask()` makes every forward reuse one mask, so that finite differences (nanogan.gradcheck)
    see a deterministic function.
    """

    def __init__(self, p=0.5, generator=None):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: p is a probability, expected 0 <= p <= 1, got {p}")
        self.p = p
        self.generator = generator
        self.mask_held = False
        self._held_mask = None

    def forward(self, x):
        """x: any shape -> y: the same shape."""
        mask = self._mask(x) if self.training and self.p > 0 else None
        y = x if mask is None else x * mask
        self.save_for_backward(mask, output=y)
        return y

    def backward(self, grad_output):
        """dL/dy -> dL/dx, both shaped like x."""
        (mask,) = self.saved_tensors(grad_output)
        # dx = g * mask   (the mask holds 0 or 1 / (1 - p))
        return grad_output if mask is None else grad_output * mask

    def hold_mask(self, hold=True):
        """hold=True: every forward from the next on reuses one mask (drawn by the next forward in training
        mode), e.g. for gradcheck; hold=False: a new mask at every forward again. Returns self."""
        self.mask_held = hold
        self._held_mask = None
        return self

    def _mask(self, x):
        """0 with probability p, 1 / (1 - p) otherwise: (x.shape), on x's backend in x's dtype."""
        held = self._held_mask
        if held is not None and held.shape == x.shape:
            return to_backend(held, backend_name(x), x.dtype)
        generator = self.generator if self.generator is not None else default_generator()
        keep = generator.random(x.shape) >= self.p
        scale = 0.0 if self.p == 1 else 1.0 / (1.0 - self.p)
        mask = to_backend(keep * np.float64(scale), backend_name(x), x.dtype)
        if self.mask_held:
            self._held_mask = mask
        return mask

    def extra_repr(self):
        return f"p={self.p}"


class Identity(Module):
    """y = x, as torch.nn.Identity (any constructor arguments are ignored): a placeholder layer."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        """x -> x."""
        self.save_for_backward(output=x)
        return x

    def backward(self, grad_output):
        """dL/dy -> dL/dx = dL/dy."""
        self.saved_tensors(grad_output)
        return grad_output
