"""Spectral normalisation (Miyato et al., 2018) with the semantics of PyTorch's
torch.nn.utils.parametrizations.spectral_norm.

A layer's weight W is replaced by W / sigma, where sigma estimates W's largest
singular value, so that the layer is about 1-Lipschitz. With W as a matrix
(rows: output units; ConvTranspose2d's weight is read with its dims 0 and 1
swapped) and two persistent unit vectors u and v, every forward pass in
training mode runs one power iteration

    u <- W v / |W v|,   v <- W^T u / |W^T u|,   sigma = u^T W v

(none in eval mode), and the backward pass holds u and v constant:

    dW = dW_sn / sigma - (sum(dW_sn * W) / sigma^2) u v^T     (dW_sn: the layer's gradient of W / sigma)

The parameter and buffer names are PyTorch's ("parametrizations.weight.original",
"parametrizations.weight.0._u", "..._v"), so state dicts move between the two.
"""

import numpy as np

from ..backend import backend_name, get_array_module, to_backend
from ..random import default_generator
from .conv import ConvTranspose2d
from .module import Module
from .parameter import Parameter

INITIAL_ITERATIONS = 15  # power iterations when u and v are first drawn, as PyTorch does


class _SpectralNormState(Module):
    """The persistent vectors u (rows of W) and v (columns of W): PyTorch's parametrizations.weight.0."""

    def __init__(self, rows, columns):
        super().__init__()
        self.register_buffer("_u", np.empty(rows, dtype=np.float32))
        self.register_buffer("_v", np.empty(columns, dtype=np.float32))


class _ParametrizedWeight(Module):
    """The original W and the state of its normalisation: PyTorch's parametrizations.weight."""

    def __init__(self, original, rows, columns):
        super().__init__()
        self.original = original
        setattr(self, "0", _SpectralNormState(rows, columns))


class _Parametrizations(Module):
    def __init__(self, weight):
        super().__init__()
        self.weight = weight


class SpectralNorm(Module):
    """`module` (Linear, Conv2d or ConvTranspose2d) with its weight W replaced by W / sigma(W).

    Use `spectral_norm(module)`. The wrapped module computes with W / sigma; it is not a child, so
    parameters() lists W once, as "parametrizations.weight.original", and the bias as "bias".
    """

    def __init__(self, module, n_power_iterations=1, eps=1e-12):
        super().__init__()
        if module.weight.data.ndim < 2:
            raise ValueError(f"SpectralNorm: expected a layer with a matrix or convolution weight, got {module!r}")
        object.__setattr__(self, "module", module)
        self.n_power_iterations, self.eps = n_power_iterations, eps
        self.dim = 1 if isinstance(module, ConvTranspose2d) else 0  # the output units' dim of W, as PyTorch's
        if module.bias is not None:
            self.bias = module.bias  # the same Parameter: the module's backward fills its .grad
        matrix = self._matrix(module.weight.data)
        self.parametrizations = _Parametrizations(_ParametrizedWeight(module.weight, *matrix.shape))
        module.weight = Parameter(module.weight.data.copy())  # W / sigma, set by each forward
        generator = default_generator()
        state = self._state()
        for name, size in (("_u", matrix.shape[0]), ("_v", matrix.shape[1])):
            setattr(state, name, self._normalize(to_backend(generator.standard_normal(size), backend_name(matrix),
                                                            matrix.dtype)))
        self._power_iteration(matrix, INITIAL_ITERATIONS)

    @property
    def original(self):
        """The Parameter W itself (PyTorch's parametrizations.weight.original), which the optimizer updates."""
        return self.parametrizations.weight.original

    def _state(self):
        return getattr(self.parametrizations.weight, "0")

    def _matrix(self, weight):
        """W as (output units, everything else)."""
        if self.dim == 1:
            weight = weight.swapaxes(0, 1)
        return weight.reshape(weight.shape[0], -1)

    def _from_matrix(self, matrix, shape):
        """The inverse of _matrix: an (output units, rest) matrix in W's layout."""
        if self.dim == 1:
            return matrix.reshape(shape[1], shape[0], *shape[2:]).swapaxes(0, 1)
        return matrix.reshape(shape)

    def _normalize(self, vector):
        xp = get_array_module(vector)
        return vector / xp.maximum(xp.sqrt((vector * vector).sum()), self.eps)  # x / max(|x|, eps)

    def _power_iteration(self, matrix, iterations):
        state = self._state()
        u, v = state._u, state._v
        for _ in range(iterations):
            u = self._normalize(matrix @ v)  # u <- W v / |W v|
            v = self._normalize(matrix.T @ u)  # v <- W^T u / |W^T u|
        state._u[...], state._v[...] = u, v

    def forward(self, x):
        weight = self.original.data
        matrix = self._matrix(weight)
        if self.training:
            self._power_iteration(matrix, self.n_power_iterations)
        u, v = self._state()._u.copy(), self._state()._v.copy()  # held constant in the backward pass
        sigma = u @ (matrix @ v)  # sigma = u^T W v
        self.module.weight.data = weight / sigma
        y = self.module(x)
        self.save_for_backward(u, v, sigma, output=y)
        return y

    def _through_module(self, method, gradient, saved):
        """Run the module's `method` (backward or double_backward), then turn its gradient of W / sigma
        into the gradient of W."""
        u, v, sigma = saved
        weight, normalized = self.original, self.module.weight
        normalized.requires_grad = weight.requires_grad
        normalized.grad = get_array_module(normalized.data).zeros_like(normalized.data)
        result = method(gradient)
        if weight.requires_grad:
            grad_normalized = normalized.grad  # dW_sn
            # dW = dW_sn / sigma - (sum(dW_sn * W) / sigma^2) u v^T
            outer = self._from_matrix(u[:, None] * v[None, :], weight.shape)
            weight.grad += grad_normalized / sigma - ((grad_normalized * weight.data).sum() / (sigma * sigma)) * outer
        return result

    def backward(self, grad_output):
        saved = self.saved_tensors(grad_output)
        return self._through_module(self.module.backward, grad_output, saved)

    def double_backward(self, grad_grad_input):
        saved, _ = self.saved_for_double_backward()
        return self._through_module(self.module.double_backward, grad_grad_input, saved)

    def __repr__(self):
        return f"SpectralNorm({self.module!r})"


def spectral_norm(module, n_power_iterations=1, eps=1e-12):
    """`module` with spectral normalisation of its weight, as torch.nn.utils.parametrizations.spectral_norm:
    u and v drawn from nanogan's default generator, then 15 power iterations."""
    return SpectralNorm(module, n_power_iterations, eps)
