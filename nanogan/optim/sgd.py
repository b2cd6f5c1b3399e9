"""Stochastic gradient descent with momentum, with PyTorch's update rule."""

from .optimizer import Optimizer


class SGD(Optimizer):
    """For each parameter, with g its gradient (+ weight_decay * param):

        b = g at the first step, then b = momentum * b + (1 - dampening) * g
        param -= lr * b        (lr * (g + momentum * b) with nesterov=True)

    With momentum=0 this is plain gradient descent: param -= lr * g.
    """

    def __init__(self, params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(
                f"SGD: expected lr, momentum and weight_decay >= 0, got lr={lr}, momentum={momentum}, "
                f"weight_decay={weight_decay}"
            )
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov momentum requires momentum > 0 and dampening = 0")
        super().__init__(
            params, lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov
        )

    def step(self):
        for index, parameter in enumerate(self.params):
            if not parameter.requires_grad:
                continue
            g = parameter.grad
            if self.weight_decay:
                g = g + self.weight_decay * parameter.data
            if self.momentum:
                state = self._state(index)
                if "momentum_buffer" not in state:
                    # b = g
                    state["momentum_buffer"] = g.copy()
                else:
                    # b = momentum * b + (1 - dampening) * g
                    state["momentum_buffer"] *= self.momentum
                    state["momentum_buffer"] += (1 - self.dampening) * g
                b = state["momentum_buffer"]
                g = g + self.momentum * b if self.nesterov else b
            # param -= lr * g
            parameter.data -= self.lr * g
