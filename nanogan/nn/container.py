"""Containers of modules: Sequential (applied in order, backpropagated in reverse), ModuleList and ModuleDict."""

from .module import Module


class Sequential(Module):
    """`Sequential(a, b, c)(x) == c(b(a(x)))`; children are named "0", "1", "2" as in PyTorch."""

    def __init__(self, *modules):
        super().__init__()
        for module in modules:
            self.append(module)

    def forward(self, x):
        """x -> each child in order; y: the last child's output."""
        for module in self._modules.values():
            x = module(x)
        return x

    def backward(self, grad_output):
        """dL/dy -> each child's backward, last child first; dL/dx."""
        # chain rule: dL/dx = J_a^T J_b^T J_c^T dL/dy, applied right to left
        for module in reversed(self._modules.values()):
            grad_output = module.backward(grad_output)
        return grad_output

    def double_backward(self, grad_grad_input):
        """dP/d(dL/dx) -> each child's double_backward, first child first, then the backward of the input terms
        (docs/double-backward.md); (dP/d(dL/dy), dP/dx)."""
        # the backward ran last layer first, so its own backward runs first layer first: v_k = dP/dg_k
        grad_grad, input_terms = grad_grad_input, []
        for module in self._modules.values():
            grad_grad, input_term = module.double_backward(grad_grad)
            input_terms.append(input_term)
        # a layer's input gradient may depend on its input x_k (w_k = input_term), and x_k on every layer
        # below: a_k = dP/dx_k = J_{k+1}^T a_{k+1} + w_k, an ordinary backward from the top w_k down
        grad_input = None
        for module, input_term in zip(reversed(self._modules.values()), reversed(input_terms)):
            if grad_input is not None:
                grad_input = module.backward(grad_input)
            if input_term is not None:
                grad_input = input_term if grad_input is None else grad_input + input_term
        return grad_grad, grad_input

    def append(self, module):
        """Add `module` at the end (named by its position, as PyTorch does); returns self."""
        setattr(self, str(len(self)), _checked(self, module))
        return self

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        return modules[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class ModuleList(Module):
    """A list of modules whose parameters belong to the module that holds it, as torch.nn.ModuleList:
    children named "0", "1", ... It has no forward of its own: the holder's forward calls its modules
    (and the holder's backward calls their backward, in reverse)."""

    def __init__(self, modules=()):
        super().__init__()
        self.extend(modules)

    def append(self, module):
        """Add `module` at the end; returns self."""
        self._modules[str(len(self))] = _checked(self, module)
        return self

    def extend(self, modules):
        """Add each of `modules` at the end; returns self."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        """Put `module` before position `index`; the modules after it are renumbered."""
        modules = list(self._modules.values())
        modules.insert(index, _checked(self, module))
        self._renumber(modules)

    def _renumber(self, modules):
        self._modules.clear()
        self.extend(modules)

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        return modules[index]

    def __setitem__(self, index, module):
        modules = list(self._modules.values())
        modules[index] = _checked(self, module)
        self._renumber(modules)

    def __delitem__(self, index):
        modules = list(self._modules.values())
        del modules[index]
        self._renumber(modules)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class ModuleDict(Module):
    """Modules by name, in insertion order, whose parameters belong to the module that holds it, as
    torch.nn.ModuleDict: `blocks["encoder"]`, with state-dict names such as "blocks.encoder.weight"."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        if not isinstance(key, str) or not key or "." in key:
            raise KeyError(f"ModuleDict: keys are non-empty strings without '.', got {key!r}")
        self._modules[key] = _checked(self, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __contains__(self, key):
        return key in self._modules

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def keys(self):
        """The names, in insertion order."""
        return self._modules.keys()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self):
        """(name, module) pairs, in insertion order."""
        return self._modules.items()

    def pop(self, key):
        """Remove the module named `key` and return it."""
        return self._modules.pop(key)

    def update(self, modules):
        """Add or replace modules from a dict (or (name, module) pairs)."""
        for key, module in (modules.items() if hasattr(modules, "items") else modules):
            self[key] = module


def _checked(container, module):
    if not isinstance(module, Module):
        raise TypeError(f"{type(container).__name__} holds nanogan modules, got {type(module).__name__}")
    return module
