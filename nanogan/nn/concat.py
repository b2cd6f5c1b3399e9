"""Concat: torch.cat as a layer, whose backward hands each input its slice of the gradient."""

from ..backend import get_array_module
from .module import Module


class Concat(Module):
    """y = the inputs joined along `dim` (default 1: the channels of (N, C, H, W) images).

    forward(x_1, ..., x_k): each (N, C_i, H, W) -> y: (N, C_1 + ... + C_k, H, W)
    backward(g) -> (dx_1, ..., dx_k): each input's slice of g, a tuple in the order of the inputs
    """

    def __init__(self, dim=1):
        super().__init__()
        self.dim = dim

    def forward(self, *inputs):
        if not inputs:
            raise self._error("expected at least one input, got none")
        first = inputs[0]
        dim = self.dim % first.ndim if first.ndim else None
        for x in inputs:
            same = x.ndim == first.ndim and all(a == b for axis, (a, b) in enumerate(zip(x.shape, first.shape))
                                                if axis != dim)
            if dim is None or not same or x.dtype != first.dtype:
                raise self._error(f"expected inputs of one dtype whose shapes differ only in dim {self.dim}, got "
                                  + ", ".join(f"{tuple(a.shape)} {a.dtype}" for a in inputs))
        y = get_array_module(first).concatenate(inputs, axis=dim)
        self.save_for_backward([x.shape[dim] for x in inputs], dim, output=y)
        return y

    def backward(self, grad_output):
        sizes, dim = self.saved_tensors(grad_output)
        xp = get_array_module(grad_output)
        ends = [sum(sizes[: index + 1]) for index in range(len(sizes) - 1)]
        # dx_i = g[..., C_1 + ... + C_(i-1) : C_1 + ... + C_i, ...]: the slice of y that x_i became
        return tuple(xp.split(grad_output, ends, axis=dim))

    def extra_repr(self):
        return f"dim={self.dim}"
