"""The optimizer base class: parameters, per-parameter state, state dicts."""

from ..backend import backend_name, to_backend, to_numpy
from ..nn.parameter import Parameter


class Optimizer:
    """Updates a list of Parameters in place from their `.grad`, as torch.optim does.

    `hyperparameters` are the constructor's keyword arguments (lr, betas, ...);
    each is also an attribute (`optimizer.lr = 1e-4` changes the learning rate).
    Per-parameter state (moment estimates, momentum buffers) lives in
    `self.state[i]` for parameter i and follows the parameter's backend and
    dtype: after `model.to("cupy")` it moves on the next step.
    """

    def __init__(self, params, **hyperparameters):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for parameter in self.params:
            if not isinstance(parameter, Parameter):
                raise TypeError(
                    f"{type(self).__name__} expects nanogan Parameters (model.parameters()), "
                    f"got {type(parameter).__name__}"
                )
        self.hyperparameter_names = tuple(hyperparameters)
        for name, value in hyperparameters.items():
            setattr(self, name, value)
        self.state = [{} for _ in self.params]

    def zero_grad(self):
        for parameter in self.params:
            parameter.zero_grad()

    def step(self):
        raise NotImplementedError

    def _state(self, index):
        """State of parameter `index`, moved to that parameter's backend and dtype if it moved."""
        parameter = self.params[index]
        state = self.state[index]
        backend = backend_name(parameter.data)
        for key, value in state.items():
            if hasattr(value, "dtype") and (backend_name(value) != backend or value.dtype != parameter.dtype):
                state[key] = to_backend(value, backend, parameter.dtype)
        return state

    def state_dict(self):
        """{"state": {i: {name: array or number}}, "param_groups": [{hyperparameters, "params": [0..n-1]}]},
        PyTorch's layout with one parameter group. Arrays are the optimizer's own."""
        group = {name: getattr(self, name) for name in self.hyperparameter_names}
        group["params"] = list(range(len(self.params)))
        return {
            "state": {index: dict(state) for index, state in enumerate(self.state) if state},
            "param_groups": [group],
        }

    def load_state_dict(self, state_dict):
        """Restore hyperparameters and per-parameter state saved by `state_dict()`."""
        (group,) = state_dict["param_groups"]
        if len(group["params"]) != len(self.params):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: the state is for {len(group['params'])} parameters, "
                f"this optimizer has {len(self.params)}"
            )
        for name in self.hyperparameter_names:
            setattr(self, name, _python_value(group[name]))
        self.state = [{} for _ in self.params]
        for index, saved in state_dict["state"].items():
            parameter = self.params[int(index)]
            for key, value in saved.items():
                self.state[int(index)][key] = self._restore(value, parameter, key, index)

    def _restore(self, value, parameter, key, index):
        """A saved state value as this optimizer keeps it: numbers as Python numbers (a 0-d
        array would upcast float32 updates), arrays on the parameter's backend and dtype."""
        if not hasattr(value, "shape") or value.shape == ():
            return _python_value(value)
        if tuple(value.shape) != tuple(parameter.shape):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: state {key!r} of parameter {index} has "
                f"shape {tuple(value.shape)}, the parameter has {tuple(parameter.shape)}"
            )
        return to_backend(value, backend_name(parameter.data), parameter.dtype).copy()


def _python_value(value):
    """Numbers and tuples as Python objects, also when they come back from a file as arrays."""
    if not hasattr(value, "shape"):
        return tuple(value) if isinstance(value, list) else value
    plain = to_numpy(value).tolist()
    return tuple(plain) if isinstance(plain, list) else plain
