"""Optimizer parameter groups with their own hyperparameters, and learning-rate schedules, as torch.optim's;
their state dicts go through a checkpoint and resume exactly."""

import math

import numpy as np
import pytest

from nanogan import nn, optim
from nanogan.io import load_checkpoint, save_checkpoint
from nanogan.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, LinearLR, StepLR


def two_layers():
    nanogan_model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    for parameter in nanogan_model.parameters():
        parameter.grad[...] = 1.0
    return nanogan_model


def test_each_group_is_updated_with_its_own_learning_rate():
    model = two_layers()
    before = [parameter.data.copy() for parameter in model.parameters()]
    optimizer = optim.SGD([{"params": model[0].parameters()}, {"params": model[1].parameters(), "lr": 0.5}], lr=0.1)
    optimizer.step()
    steps = [before_value - parameter.data for before_value, parameter in zip(before, model.parameters())]
    np.testing.assert_allclose(steps[0], 0.1, rtol=1e-6)
    np.testing.assert_allclose(steps[3], 0.5, rtol=1e-6)
    assert [group["lr"] for group in optimizer.param_groups] == [0.1, 0.5]
    assert optimizer.param_groups[1]["momentum"] == 0  # the defaults fill in the rest


def test_adam_runs_once_per_group_with_that_groups_hyperparameters():
    model, reference = two_layers(), two_layers()
    reference.load_state_dict(model.state_dict())
    grouped = optim.Adam([{"params": model[0].parameters(), "betas": (0.5, 0.9)},
                          {"params": model[1].parameters(), "lr": 0.01}], lr=0.1)
    separate = [optim.Adam(reference[0].parameters(), lr=0.1, betas=(0.5, 0.9)),
                optim.Adam(reference[1].parameters(), lr=0.01)]
    for _ in range(3):
        grouped.step()
        for optimizer in separate:
            optimizer.step()
    for ours, theirs in zip(model.parameters(), reference.parameters()):
        np.testing.assert_array_equal(ours.data, theirs.data)


def test_a_hyperparameter_attribute_sets_every_group_and_reads_only_when_they_agree():
    model = two_layers()
    optimizer = optim.Adam([{"params": model[0].parameters()}, {"params": model[1].parameters(), "lr": 0.5}])
    with pytest.raises(AttributeError, match="Adam.lr differs between parameter groups; read optimizer.param_groups"):
        optimizer.lr
    optimizer.lr = 0.01
    assert optimizer.lr == 0.01 and [group["lr"] for group in optimizer.param_groups] == [0.01, 0.01]
    assert optimizer.betas == (0.9, 0.999)


def test_groups_are_checked_like_the_constructors_arguments():
    model = two_layers()
    with pytest.raises(ValueError, match="expected lr >= 0"):
        optim.Adam([{"params": model[0].parameters(), "lr": -1.0}])
    optimizer = optim.Adam(model[0].parameters())
    with pytest.raises(ValueError, match="a parameter appears in more than one parameter group"):
        optimizer.add_param_group({"params": model[0].weight})
    optimizer.add_param_group({"params": model[1].parameters(), "weight_decay": 0.1})
    assert len(optimizer.params) == 4 and optimizer.param_groups[1]["weight_decay"] == 0.1


def test_a_grouped_state_dict_uses_pytorchs_layout_and_resumes_exactly(tmp_path):
    def make(model):
        return optim.Adam([{"params": model[0].parameters(), "lr": 0.01},
                           {"params": model[1].parameters(), "betas": (0.5, 0.99)}], lr=0.1)

    model = two_layers()
    optimizer = make(model)
    optimizer.step()
    state = optimizer.state_dict()
    assert [group["params"] for group in state["param_groups"]] == [[0, 1], [2, 3]]
    save_checkpoint(tmp_path / "run.npz", {"model": model.state_dict(), "optimizer": state}, {})
    arrays, _ = load_checkpoint(tmp_path / "run.npz")
    restored_model = two_layers()
    restored_model.load_state_dict(arrays["model"])
    restored = make(restored_model)
    restored.load_state_dict(arrays["optimizer"])
    assert restored.param_groups[1]["betas"] == (0.5, 0.99) and restored.state[2]["step"] == 1
    for _ in range(2):
        optimizer.step()
        restored.step()
    for ours, theirs in zip(model.parameters(), restored_model.parameters()):
        np.testing.assert_array_equal(ours.data, theirs.data)
    with pytest.raises(ValueError, match="the state is for 2 \\+ 2 parameters, this optimizer has 4"):
        optim.Adam(two_layers().parameters()).load_state_dict(state)


SCHEDULES = {
    "StepLR": (lambda optimizer: StepLR(optimizer, step_size=3, gamma=0.5),
               lambda base, epoch: base * 0.5 ** (epoch // 3)),
    "LambdaLR": (lambda optimizer: LambdaLR(optimizer, lambda epoch: 1 / (1 + epoch)),
                 lambda base, epoch: base / (1 + epoch)),
    "CosineAnnealingLR": (lambda optimizer: CosineAnnealingLR(optimizer, T_max=8, eta_min=0.001),
                          lambda base, epoch: 0.001 + (base - 0.001) * (1 + math.cos(math.pi * epoch / 8)) / 2),
    "LinearLR": (lambda optimizer: LinearLR(optimizer, start_factor=0.25, total_iters=4),
                 lambda base, epoch: base * (0.25 + 0.75 * min(epoch, 4) / 4)),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_a_schedule_sets_each_groups_lr_from_its_own_base(name):
    make, formula = SCHEDULES[name]
    model = two_layers()
    optimizer = optim.SGD([{"params": model[0].parameters()}, {"params": model[1].parameters(), "lr": 0.3}], lr=0.1)
    scheduler = make(optimizer)
    for epoch in range(12):
        assert scheduler.get_last_lr() == pytest.approx([formula(0.1, epoch), formula(0.3, epoch)], rel=1e-12)
        assert [group["lr"] for group in optimizer.param_groups] == scheduler.get_last_lr()
        optimizer.step()
        scheduler.step()


@pytest.mark.parametrize("name", SCHEDULES)
def test_a_schedule_resumes_from_a_checkpoint(tmp_path, name):
    make, _ = SCHEDULES[name]
    optimizer = optim.Adam(two_layers().parameters(), lr=0.1)
    scheduler = make(optimizer)
    for _ in range(5):
        scheduler.step()
    save_checkpoint(tmp_path / "run.npz", {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()},
                    {})
    arrays, _ = load_checkpoint(tmp_path / "run.npz")
    restored_optimizer = optim.Adam(two_layers().parameters(), lr=0.1)
    restored_optimizer.load_state_dict(arrays["optimizer"])
    restored = make(restored_optimizer)
    restored.load_state_dict(arrays["scheduler"])
    assert isinstance(restored.last_epoch, int) and isinstance(restored.base_lrs[0], float)
    for _ in range(6):
        scheduler.step()
        restored.step()
        assert restored.get_last_lr() == scheduler.get_last_lr()
        assert type(restored_optimizer.param_groups[0]["lr"]) is float  # never a 0-d array: no float64 upcast


def test_resuming_a_schedule_without_initial_lr_says_what_to_load_first():
    optimizer = optim.SGD(two_layers().parameters(), lr=0.1)
    with pytest.raises(KeyError, match="has no 'initial_lr' \\(load the optimizer's state dict first\\)"):
        StepLR(optimizer, step_size=2, last_epoch=4)
