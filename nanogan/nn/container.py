"""Sequential: layers applied in order, backpropagated in reverse order."""

from .module import Module


class Sequential(Module):
    """`Sequential(a, b, c)(x) == c(b(a(x)))`; children are named "0", "1", "2" as in PyTorch."""

    def __init__(self, *modules):
        super().__init__()
        for index, module in enumerate(modules):
            setattr(self, str(index), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def backward(self, grad_output):
        # chain rule: dL/dx = J_a^T J_b^T J_c^T dL/dy, applied right to left
        for module in reversed(self._modules.values()):
            grad_output = module.backward(grad_output)
        return grad_output

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        return modules[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())
