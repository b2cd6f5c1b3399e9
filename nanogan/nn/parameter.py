"""A learnable array and the gradient that backward passes add into."""

from ..backend import backend_name, get_array_module, to_backend


class Parameter:
    """A learnable array: `.data` holds the values, `.grad` the gradient.

    `.grad` has the shape, dtype and backend of `.data` and starts at zero.
    Backward passes add into it (`grad += ...`), so gradients of a parameter
    used twice accumulate, and `zero_grad()` resets it, as in PyTorch.
    A parameter with `requires_grad = False` is frozen: backward passes
    leave its `.grad` alone and skip the work of computing it.
    """

    def __init__(self, data, requires_grad=True):
        self.data = data
        self.grad = get_array_module(data).zeros_like(data)
        self.requires_grad = requires_grad

    @property
    def shape(self):
        """The shape of `.data`."""
        return self.data.shape

    @property
    def dtype(self):
        """The dtype of `.data`."""
        return self.data.dtype

    @property
    def size(self):
        """The number of entries of `.data` (also `numel()`)."""
        return self.data.size

    def numel(self):
        """How many numbers the parameter holds, as torch's `numel()`: sum(p.numel() for p in model.parameters())."""
        return self.data.size

    def zero_grad(self):
        """Set `.grad` to zero."""
        self.grad.fill(0)

    def to(self, backend=None, dtype=None):
        """Move `.data` and `.grad` to `backend` and/or cast them to `dtype`, in place."""
        backend = backend or backend_name(self.data)
        self.data = to_backend(self.data, backend, dtype)
        self.grad = to_backend(self.grad, backend, dtype)
        return self

    def __repr__(self):
        return f"Parameter(shape={tuple(self.shape)}, dtype={self.dtype}, backend={backend_name(self.data)})"
