"""Learning-rate schedules, as torch.optim.lr_scheduler: each sets every parameter group's lr from the epoch.

    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch()          # optimizer.step() inside
        scheduler.step()           # lr for the next epoch

Each schedule is written as its closed form, lr(e) = f(base_lr, e) for epoch e
(PyTorch computes the same values by updating the last lr, so the two agree to
rounding). base_lr is each group's lr when the scheduler was made, kept in the
group as "initial_lr" as PyTorch does. A scheduler's `state_dict()` is plain
numbers, so it goes into a checkpoint beside the optimizer's.
"""

import math


class LRScheduler:
    """The shared machinery: base_lrs, last_epoch, step(), get_last_lr(), state dicts.

    A subclass defines `lr_at(base_lr, epoch)`, the learning rate of a group at `epoch`.
    Making a scheduler sets each group's lr to its value at epoch 0, as PyTorch's does.
    """

    def __init__(self, optimizer, last_epoch=-1):
        self.optimizer = optimizer
        for index, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"{type(self).__name__}: last_epoch={last_epoch} resumes a schedule, but parameter "
                               f"group {index} has no 'initial_lr' (load the optimizer's state dict first)")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def lr_at(self, base_lr, epoch):
        """The learning rate at `epoch` of a group whose lr was `base_lr` at epoch 0."""
        raise NotImplementedError

    def step(self):
        """Move to the next epoch and set each group's lr to the schedule's value there."""
        self.last_epoch += 1
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.lr_at(base_lr, self.last_epoch)
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rate of each group, as the last step() set it."""
        return list(self._last_lr)

    def state_dict(self):
        """The schedule's settings and position as plain numbers (not the optimizer, nor functions)."""
        return {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "lr_lambdas")}

    def load_state_dict(self, state_dict):
        """Continue from a `state_dict()`; numbers read back from a file as 0-d arrays become Python numbers."""
        for key, value in state_dict.items():
            self.__dict__[key] = _python_number(value)


class StepLR(LRScheduler):
    """lr = base_lr * gamma^floor(epoch / step_size): decay by gamma every step_size epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return base_lr * self.gamma ** (epoch // self.step_size)


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch); lr_lambda is one function, or a list with one per group."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        groups = len(optimizer.param_groups)
        self.lr_lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * groups
        if len(self.lr_lambdas) != groups:
            raise ValueError(f"LambdaLR: expected {groups} lr_lambdas (one per parameter group), "
                             f"got {len(self.lr_lambdas)}")
        super().__init__(optimizer, last_epoch)

    def step(self):
        """Move to the next epoch: each group's lr is its base lr times its function of the epoch."""
        self.last_epoch += 1
        for group, base_lr, lr_lambda in zip(self.optimizer.param_groups, self.base_lrs, self.lr_lambdas):
            group["lr"] = base_lr * lr_lambda(self.last_epoch)
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2: from base_lr down to
    eta_min over T_max epochs along half a cosine (and back up after, as PyTorch's does)."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2


class LinearLR(LRScheduler):
    """lr = base_lr * (start_factor + (end_factor - start_factor) * min(epoch, total_iters) / total_iters):
    a linear ramp of the factor over total_iters epochs (a warm-up with the defaults), then constant."""

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        if not 0 < start_factor <= 1 or not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: expected 0 < start_factor <= 1 and 0 <= end_factor <= 1, "
                             f"got {start_factor} and {end_factor}")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        progress = min(epoch, self.total_iters) / self.total_iters
        return base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)


def _python_number(value):
    """0-d arrays and arrays of numbers (as a checkpoint gives them back) as Python numbers and lists."""
    return value.tolist() if hasattr(value, "tolist") else value
