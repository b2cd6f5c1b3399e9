"""The base class of every layer and model: parameters, buffers, children,
state dicts, backends, and the cache that connects forward to backward.

nanogan has no autograd. Each layer writes two methods:

    forward(x)            computes y and saves what backward will need
    backward(grad_output) takes dL/dy, adds dL/dparam into each parameter's
                          .grad and returns dL/dx

A forward pass saves its cache with `save_for_backward`; the matching
backward takes it back with `saved_tensors`, which also checks that the
incoming gradient has the output's shape and dtype. Taking the cache frees
it, so each forward is backpropagated at most once, and a second forward
before backward overwrites the first one's cache: run D on real data, then
backward, then D on fake data, then backward, as the GAN training step does.
"""

import contextlib

import numpy as np

from ..backend import backend_name, get_array_module, to_backend
from .parameter import Parameter

_grad_enabled = True
_graph_enabled = False


@contextlib.contextmanager
def no_grad():
    """Inside this block forward passes save nothing for backward (sampling, evaluation)."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


def is_grad_enabled():
    """False inside `no_grad()`, where forward passes save nothing for backward."""
    return _grad_enabled


@contextlib.contextmanager
def create_graph():
    """Inside this block a backward pass keeps what `double_backward` needs (as PyTorch's
    create_graph=True): the forward's cache stays for one more backward, and the incoming gradient is kept."""
    global _graph_enabled
    previous, _graph_enabled = _graph_enabled, True
    try:
        yield
    finally:
        _graph_enabled = previous


class Module:
    """Base class for layers and models, with PyTorch's names and semantics.

    Attributes that are Parameters or Modules are registered on assignment,
    in definition order, so `parameters()` and `state_dict()` list them in
    the same order as the equivalent PyTorch model.
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_saved", None)
        object.__setattr__(self, "_saved_for_double", None)
        self.training = True

    # -- registration ------------------------------------------------------

    def __setattr__(self, name, value):
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def register_buffer(self, name, array):
        """An array that is state but not learnable (BatchNorm's running statistics).

        The name stays a buffer when the attribute is later reassigned.
        """
        self._buffers[name] = True
        object.__setattr__(self, name, array)

    # -- forward and backward ----------------------------------------------

    def __call__(self, *inputs):
        """`module(x)`: check x (`check_input`), then run `forward(x)`."""
        if inputs:
            self.check_input(inputs[0])
        return self.forward(*inputs)

    def forward(self, *inputs):
        """Compute the output from the input, saving what `backward` needs (`save_for_backward`).

        Subclasses define it; call the module (`module(x)`), not `forward`, so that the input is checked.
        """
        raise NotImplementedError(f"{type(self).__name__} does not define forward")

    def backward(self, grad_output):
        """Take dL/dy (shaped like the last forward's output), add dL/dparam into each parameter's
        `.grad`, and return dL/dx (shaped like that forward's input). Subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define backward")

    def double_backward(self, grad_grad_input):
        """The backward pass of `backward`, run after a backward inside `create_graph()`.

        grad_grad_input: dP/d(grad_input), for a scalar P of the input gradient (a gradient penalty).
        Adds dP/dparam into each parameter's .grad; returns (dP/d grad_output, dP/dx through the
        dependence of grad_input on x, or None where that is zero).
        """
        raise NotImplementedError(
            f"{type(self).__name__} has no double_backward, so a gradient penalty cannot pass through it "
            f"(docs/double-backward.md lists the layers that have one)"
        )

    def check_input(self, x):
        """Refuse an input that the layer would compute on silently wrong, as PyTorch does at forward.

        x must be an array (NumPy, CuPy, ...) of floating-point dtype, and, for a module that holds
        parameters (or floating-point buffers), of their dtype and on their backend: a float64 batch
        into a float32 model is an error here, not a float64 output and a failure at backward.
        A layer that takes other inputs (integer indices, say) overrides this method.
        """
        if not hasattr(x, "shape"):
            raise TypeError(
                f"{self._describe()}: expected an array (numpy.ndarray or a CuPy array), got {type(x).__name__}; "
                f"convert it first, e.g. np.asarray(x, dtype=np.float32)"
            )
        reference = self._reference_array()
        if reference is None:
            if x.dtype.kind != "f":
                raise self._error(
                    f"expected a floating-point input, got dtype {x.dtype}; convert it with x.astype(np.float32)"
                )
            return
        expected, got = backend_name(reference), backend_name(x)
        if got != expected:
            raise self._error(
                f"expected input on {expected} (the parameters' backend), got an array on {got}; move the input "
                f"with nanogan.backend.to_backend(x, {expected!r}), or the model with model.to({got!r})"
            )
        if x.dtype != reference.dtype:
            model_fix = f", or the model with model.to(dtype=np.{x.dtype})" if np.issubdtype(x.dtype, np.floating) else ""
            raise self._error(
                f"expected input of dtype {reference.dtype} (the parameters'), got dtype {x.dtype}; "
                f"convert the input with x.astype(np.{reference.dtype}){model_fix}"
            )

    def _reference_array(self):
        """The array whose dtype and backend inputs must match: this module's first parameter, else
        the first that a child holds, else a floating-point buffer, else None (a layer without
        state, such as ReLU, takes any floating-point input)."""
        for parameter in self._parameters.values():
            return parameter.data
        for child in self._modules.values():
            reference = child._reference_array()
            if reference is not None:
                return reference
        for name in self._buffers:
            buffer = getattr(self, name)
            if buffer.dtype.kind == "f":
                return buffer
        return None

    def save_for_backward(self, *arrays, output):
        """Keep `arrays` for backward, and the shape and dtype of `output` to check its gradient.

        A 0-d output (a loss) also accepts a Python number as its gradient.
        """
        if _grad_enabled:
            self._saved = (arrays, output.shape, output.dtype)

    def saved_tensors(self, grad_output):
        """Take back what forward saved, after checking `grad_output` against the output."""
        if self._saved is None:
            raise self._error(
                "backward called with no forward pass to backpropagate "
                "(call forward first, outside nanogan.no_grad(); each forward allows one backward)"
            )
        arrays, output_shape, output_dtype = self._saved
        scalar_for_scalar = isinstance(grad_output, (int, float)) and output_shape == ()
        if not scalar_for_scalar and (grad_output.shape != output_shape or grad_output.dtype != output_dtype):
            raise self._error(
                f"expected grad_output of shape {tuple(output_shape)} and dtype {output_dtype} "
                f"(the forward output's), got shape {tuple(grad_output.shape)} and dtype {grad_output.dtype}"
            )
        if _graph_enabled:
            self._saved_for_double = (arrays, grad_output)  # and _saved stays, for the backward of double_backward
        else:
            self._saved = None
        return arrays

    def saved_for_double_backward(self):
        """What the backward inside `create_graph()` saw: (the forward's arrays, its grad_output); frees it."""
        if self._saved_for_double is None:
            raise self._error("double_backward needs a backward run inside nanogan.nn.create_graph() first")
        saved, self._saved_for_double = self._saved_for_double, None
        return saved

    def _error(self, message):
        """A ValueError that names this layer, for bad input."""
        return ValueError(f"{self._describe()}: {message}")

    def _describe(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    # -- traversal -----------------------------------------------------------

    def named_children(self):
        """(name, module) for each direct child, in definition order."""
        yield from self._modules.items()

    def children(self):
        """Each direct child module, in definition order."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix=""):
        """(name, module) for this module and every submodule, depth first, names joined with '.'."""
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        """This module and every submodule, depth first."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self):
        """(name, Parameter) for every parameter, in definition order, with PyTorch's names."""
        for module_name, module in self.named_modules():
            for name, parameter in module._parameters.items():
                yield (f"{module_name}.{name}" if module_name else name), parameter

    def parameters(self):
        """Every Parameter, in definition order: what an optimizer takes."""
        for _, parameter in self.named_parameters():
            yield parameter

    def named_buffers(self):
        """(name, array) for every buffer (state that is not learned, such as running_mean)."""
        for module_name, module in self.named_modules():
            for name in module._buffers:
                yield (f"{module_name}.{name}" if module_name else name), getattr(module, name)

    def buffers(self):
        """Every buffer array."""
        for _, buffer in self.named_buffers():
            yield buffer

    def apply(self, fn):
        """Call `fn(module)` on every submodule and then on self, as PyTorch does."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # -- modes and gradients --------------------------------------------------

    def train(self, mode=True):
        """Set training mode (mode=True) or eval mode on this module and every submodule; returns self.

        Training mode: BatchNorm uses batch statistics and updates its running ones, Dropout drops."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self):
        """Set eval mode (BatchNorm uses its running statistics, Dropout passes inputs through); returns self."""
        return self.train(False)

    def zero_grad(self):
        """Set the `.grad` of every parameter to zero: call before each backward that should not accumulate."""
        for parameter in self.parameters():
            parameter.zero_grad()

    def requires_grad_(self, requires_grad=True):
        """Freeze (False) or unfreeze (True) every parameter, as PyTorch's method does."""
        for parameter in self.parameters():
            parameter.requires_grad = requires_grad
        return self

    # -- state ---------------------------------------------------------------

    def state_dict(self):
        """Parameters and buffers by PyTorch-style name ("0.weight", "main.1.running_mean").

        The arrays are the module's own, not copies, as in PyTorch.
        """
        state = {}
        for module_name, module in self.named_modules():
            prefix = f"{module_name}." if module_name else ""
            for name, parameter in module._parameters.items():
                state[prefix + name] = parameter.data
            for name in module._buffers:
                state[prefix + name] = getattr(module, name)
        return state

    def load_state_dict(self, state_dict, strict=True):
        """Copy arrays from `state_dict` (NumPy, CuPy or anything array-like) into this module.

        Values keep this module's backend and dtype. With strict=True the
        keys must match exactly; shapes must always match.
        """
        own = self.state_dict()
        if strict:
            missing = [key for key in own if key not in state_dict]
            unexpected = [key for key in state_dict if key not in own]
            if missing or unexpected:
                raise KeyError(
                    f"{type(self).__name__}.load_state_dict: state dict does not match the model "
                    f"(missing keys: {missing or 'none'}; unexpected keys: {unexpected or 'none'})"
                )
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            if tuple(value.shape) != tuple(target.shape):
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: {key!r} has shape {tuple(value.shape)} "
                    f"in the state dict but {tuple(target.shape)} in the model"
                )
            value = to_backend(value, backend_name(target), target.dtype)
            get_array_module(target).copyto(target, value)

    def to(self, backend=None, dtype=None):
        """Move parameters and buffers to `backend` ("numpy" | "cupy", or "cuda" for "cupy") and/or cast
        floating-point ones to `dtype`; returns self.

        Optimizers follow their parameters: their state moves at their next step.
        """
        for module in self.modules():
            for parameter in module._parameters.values():
                parameter.to(backend, dtype)
            for name in module._buffers:
                array = getattr(module, name)
                target_dtype = dtype if np.issubdtype(array.dtype, np.floating) else None
                setattr(module, name, to_backend(array, backend or backend_name(array), target_dtype))
        return self

    def float(self):
        """Cast floating-point parameters and buffers to float32, as torch's `.float()`; returns self."""
        return self.to(dtype=np.float32)

    def double(self):
        """Cast floating-point parameters and buffers to float64, as torch's `.double()`; returns self."""
        return self.to(dtype=np.float64)

    # -- printing ------------------------------------------------------------

    def extra_repr(self):
        """The constructor arguments, shown by repr and in error messages."""
        return ""

    def __repr__(self):
        if not self._modules:
            return self._describe()
        lines = [f"{type(self).__name__}("]
        for name, child in self._modules.items():
            child_lines = repr(child).split("\n")
            lines.append(f"  ({name}): " + "\n  ".join(child_lines))
        lines.append(")")
        return "\n".join(lines)
