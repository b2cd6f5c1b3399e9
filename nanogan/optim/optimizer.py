"""The optimizer base class: parameter groups, per-parameter state, state dicts."""

from ..backend import backend_name, to_backend, to_numpy
from ..nn.parameter import Parameter


class Optimizer:
    """Updates Parameters in place from their `.grad`, as torch.optim does.

    params: model.parameters() (any iterable of Parameters), or a list of groups,
    dicts with "params" and any hyperparameters that differ from the defaults:

        Adam([{"params": G.parameters()}, {"params": D.parameters(), "lr": 1e-4}], lr=2e-4)

    `defaults` are the constructor's keyword arguments (lr, betas, ...); each group
    in `param_groups` holds all of them, as a dict that a learning-rate scheduler (or
    you) may change between steps. With one group (or one value across all groups)
    each is also an attribute: `optimizer.lr = 1e-4` sets it in every group.
    Per-parameter state (moment estimates, momentum buffers) lives in `self.state[i]`
    for parameter i, counted across the groups in order, and follows the parameter's
    backend and dtype: after `model.to("cupy")` it moves on the next step.
    """

    def __init__(self, params, **defaults):
        object.__setattr__(self, "defaults", defaults)
        self.param_groups = []
        self.state = []
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for group in params if isinstance(params[0], dict) else [{"params": params}]:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group of parameters ({"params": ..., hyperparameters}), the defaults filling in the rest."""
        if not isinstance(param_group, dict) or "params" not in param_group:
            raise TypeError(f"{type(self).__name__}: a parameter group is a dict with a 'params' entry, "
                            f"got {param_group!r}")
        params = param_group["params"]
        params = [params] if isinstance(params, Parameter) else list(params)
        if not params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for parameter in params:
            if not isinstance(parameter, Parameter):
                raise TypeError(
                    f"{type(self).__name__} expects nanogan Parameters (model.parameters()), "
                    f"got {type(parameter).__name__}"
                )
        seen = {id(parameter) for parameter in self.params}
        if any(id(parameter) in seen for parameter in params):
            raise ValueError(f"{type(self).__name__}: a parameter appears in more than one parameter group")
        group = {**self.defaults, **{key: value for key, value in param_group.items() if key != "params"}}
        self.check_hyperparameters(group)
        group["params"] = params
        self.param_groups.append(group)
        self.state += [{} for _ in params]

    def check_hyperparameters(self, group):
        """Raise ValueError for hyperparameters that make no sense; each optimizer says which."""

    @property
    def params(self):
        """All parameters, group after group: parameter i has state `self.state[i]`."""
        return [parameter for group in self.param_groups for parameter in group["params"]]

    def trainable(self, group_index):
        """(i, parameter) for each parameter of group `group_index` that requires a gradient."""
        start = sum(len(group["params"]) for group in self.param_groups[:group_index])
        for offset, parameter in enumerate(self.param_groups[group_index]["params"]):
            if parameter.requires_grad:
                yield start + offset, parameter

    def __getattr__(self, name):
        defaults = self.__dict__.get("defaults", {})
        if name not in defaults:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        values = [group[name] for group in self.__dict__.get("param_groups", [])]
        if any(value != values[0] for value in values):
            raise AttributeError(f"{type(self).__name__}.{name} differs between parameter groups; "
                                 f"read optimizer.param_groups[i][{name!r}]")
        return values[0] if values else defaults[name]

    def __setattr__(self, name, value):
        if name in self.__dict__.get("defaults", {}):
            for group in self.param_groups:
                group[name] = value
            return
        object.__setattr__(self, name, value)

    def zero_grad(self):
        """Set every parameter's `.grad` to zero."""
        for parameter in self.params:
            parameter.zero_grad()

    def step(self):
        """One update of every parameter that requires a gradient, from its `.grad`."""
        raise NotImplementedError

    def _state(self, index, parameter):
        """State of parameter `index`, moved to that parameter's backend and dtype if it moved."""
        state = self.state[index]
        backend = backend_name(parameter.data)
        for key, value in state.items():
            if hasattr(value, "dtype") and (backend_name(value) != backend or value.dtype != parameter.dtype):
                state[key] = to_backend(value, backend, parameter.dtype)
        return state

    def state_dict(self):
        """{"state": {i: {name: array or number}}, "param_groups": [{hyperparameters, "params": [i, ...]}]},
        PyTorch's layout: parameters numbered across the groups in order. Arrays are the optimizer's own."""
        groups, start = [], 0
        for group in self.param_groups:
            saved = {key: value for key, value in group.items() if key != "params"}
            saved["params"] = list(range(start, start + len(group["params"])))
            start += len(group["params"])
            groups.append(saved)
        return {
            "state": {index: dict(state) for index, state in enumerate(self.state) if state},
            "param_groups": groups,
        }

    def load_state_dict(self, state_dict):
        """Restore each group's hyperparameters and each parameter's state saved by `state_dict()`,
        from an optimizer with the same groups of the same sizes."""
        saved_groups = list(state_dict["param_groups"])
        sizes = [len(group["params"]) for group in saved_groups]
        own_sizes = [len(group["params"]) for group in self.param_groups]
        if sizes != own_sizes:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: the state is for "
                f"{' + '.join(map(str, sizes))} parameters, this optimizer has {' + '.join(map(str, own_sizes))}"
            )
        position = {}  # saved parameter number -> this optimizer's
        for saved, group in zip(saved_groups, self.param_groups):
            start = len(position)
            position.update({int(index): start + offset for offset, index in enumerate(saved["params"])})
            for key, value in saved.items():
                if key != "params":
                    group[key] = _python_value(value)
        parameters = self.params
        self.state = [{} for _ in parameters]
        for index, saved in state_dict.get("state", {}).items():  # a checkpoint keeps no empty dict
            own_index = position[int(index)]
            for key, value in saved.items():
                self.state[own_index][key] = self._restore(value, parameters[own_index], key, own_index)

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
