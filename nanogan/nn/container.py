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

    def double_backward(self, grad_grad_input):
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

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        return modules[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())
