"""Stochastic gradient descent with momentum, with PyTorch's update rule."""

from .optimizer import Optimizer


class SGD(Optimizer):
    """For each parameter, with g its gradient (+ weight_decay * param):

        b = g at the first step, then b = momentum * b + (1 - dampening) * g
        param -= lr * b        (lr * (g + momentum * b) with nesterov=True)

    With momentum=0 this is plain gradient descent: param -= lr * g.
    """

    def __init__(self, params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        super().__init__(
            params, lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov
        )

    def check_hyperparameters(self, group):
        lr, momentum, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(
                f"SGD: expected lr, momentum and weight_decay >= 0, got lr={lr}, momentum={momentum}, "
                f"weight_decay={weight_decay}"
            )
        if group["nesterov"] and (momentum <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: nesterov momentum requires momentum > 0 and dampening = 0")

    def step(self):
        """One update of every parameter that requires a gradient, from its .grad."""
        for group_index, group in enumerate(self.param_groups):
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            for index, parameter in self.trainable(group_index):
                g = parameter.grad
                if group["weight_decay"]:
                    g = g + group["weight_decay"] * parameter.data
                if momentum:
                    state = self._state(index, parameter)
                    if "momentum_buffer" not in state:
                        # b = g
                        state["momentum_buffer"] = g.copy()
                    else:
                        # b = momentum * b + (1 - dampening) * g
                        state["momentum_buffer"] *= momentum
                        state["momentum_buffer"] += (1 - dampening) * g
                    b = state["momentum_buffer"]
                    g = g + momentum * b if group["nesterov"] else b
                # param -= lr * g
                parameter.data -= lr * g
