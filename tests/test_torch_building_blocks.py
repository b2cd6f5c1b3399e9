"""The building blocks side by side with PyTorch in float64, where it is installed: ELU, Identity, Dropout,
ModuleList/ModuleDict state dicts, parameter counts, gradient clipping, parameter groups and the
learning-rate schedules. Skipped when PyTorch is missing."""

import numpy as np
import pytest

from nanogan import nn, optim
from nanogan.nn.utils import clip_grad_norm_, clip_grad_value_
from nanogan.optim import lr_scheduler

torch = pytest.importorskip("torch")

from test_torch_parity import compare_layer, to_torch  # noqa: E402  (itself needs torch)


@pytest.mark.parametrize("alpha", [1.0, 0.3])
def test_elu_matches_pytorch(alpha):
    compare_layer(nn.ELU(alpha), torch.nn.ELU(alpha), np.random.default_rng(0).standard_normal((4, 6)))


def test_identity_matches_pytorch():
    compare_layer(nn.Identity(), torch.nn.Identity(), np.random.default_rng(0).standard_normal((3, 2)))


def test_dropout_keeps_what_pytorch_keeps_scaled_the_same_and_is_the_identity_in_eval():
    x = np.random.default_rng(0).standard_normal((50, 40)) + 5.0  # never 0: a zero in y is a dropped entry
    ours = nn.Dropout(0.25)(x)
    theirs = torch.nn.Dropout(0.25)(to_torch(x)).numpy()
    for y in (ours, theirs):
        kept = y != 0
        np.testing.assert_allclose(y[kept], x[kept] / 0.75, rtol=1e-15)
        assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_array_equal(nn.Dropout(0.25).eval()(x), torch.nn.Dropout(0.25).eval()(to_torch(x)).numpy())


def test_module_list_and_dict_state_dicts_load_into_pytorchs():
    class Ours(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(2, 3), nn.ELU(), nn.Linear(3, 3)])
            self.heads = nn.ModuleDict({"score": nn.Linear(3, 1)})

    class Theirs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = torch.nn.ModuleList([torch.nn.Linear(2, 3), torch.nn.ELU(), torch.nn.Linear(3, 3)])
            self.heads = torch.nn.ModuleDict({"score": torch.nn.Linear(3, 1)})

    ours, theirs = Ours(), Theirs().double()
    theirs.load_state_dict({key: to_torch(value) for key, value in ours.state_dict().items()})
    assert list(theirs.state_dict()) == list(ours.state_dict())
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters())


def model_pair(seed=0):
    """A nanogan Sequential and the same torch one, float64, with the same weights and random .grad."""
    ours = nn.Sequential(nn.Linear(3, 4), nn.ELU(), nn.Linear(4, 2)).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ELU(), torch.nn.Linear(4, 2)).double()
    theirs.load_state_dict({key: to_torch(value) for key, value in ours.state_dict().items()})
    rng = np.random.default_rng(seed)
    for parameter, torch_parameter in zip(ours.parameters(), theirs.parameters()):
        parameter.grad[...] = rng.standard_normal(parameter.shape) * 3
        torch_parameter.grad = to_torch(parameter.grad)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_pytorch(norm_type, max_norm):
    ours, theirs = model_pair()
    total = clip_grad_norm_(ours.parameters(), max_norm, norm_type=norm_type)
    torch_total = torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm, norm_type=norm_type)
    np.testing.assert_allclose(total, torch_total.numpy(), rtol=1e-12)
    for parameter, torch_parameter in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(parameter.grad, torch_parameter.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_clip_grad_value_matches_pytorch():
    ours, theirs = model_pair()
    clip_grad_value_(ours.parameters(), 1.5)
    torch.nn.utils.clip_grad_value_(theirs.parameters(), 1.5)
    for parameter, torch_parameter in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_array_equal(parameter.grad, torch_parameter.grad.numpy())


@pytest.mark.parametrize("make, make_torch", [
    (lambda groups: optim.Adam(groups, lr=0.1, betas=(0.8, 0.95)),
     lambda groups: torch.optim.Adam(groups, lr=0.1, betas=(0.8, 0.95))),
    (lambda groups: optim.SGD(groups, lr=0.1, momentum=0.9),
     lambda groups: torch.optim.SGD(groups, lr=0.1, momentum=0.9)),
])
def test_parameter_groups_update_as_pytorchs(make, make_torch):
    ours, theirs = model_pair()
    optimizer = make([{"params": ours[0].parameters(), "lr": 0.01}, {"params": ours[2].parameters()}])
    torch_optimizer = make_torch([{"params": theirs[0].parameters(), "lr": 0.01}, {"params": theirs[2].parameters()}])
    for _ in range(4):
        optimizer.step()
        torch_optimizer.step()
    for parameter, torch_parameter in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(parameter.data, torch_parameter.detach().numpy(), rtol=1e-12)
    assert [group["params"] for group in optimizer.state_dict()["param_groups"]] == \
           [group["params"] for group in torch_optimizer.state_dict()["param_groups"]]


SCHEDULERS = [
    ("StepLR", {"step_size": 3, "gamma": 0.3}),
    ("LambdaLR", {"lr_lambda": lambda epoch: 0.95**epoch}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.002}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.9, "total_iters": 6}),
]


@pytest.mark.parametrize("name, arguments", SCHEDULERS)
def test_schedules_give_pytorchs_learning_rates(name, arguments):
    ours, theirs = model_pair()
    optimizer = optim.SGD([{"params": ours[0].parameters()}, {"params": ours[2].parameters(), "lr": 0.05}], lr=0.1)
    torch_optimizer = torch.optim.SGD([{"params": theirs[0].parameters()},
                                       {"params": theirs[2].parameters(), "lr": 0.05}], lr=0.1)
    scheduler = getattr(lr_scheduler, name)(optimizer, **arguments)
    torch_scheduler = getattr(torch.optim.lr_scheduler, name)(torch_optimizer, **arguments)
    for _ in range(20):  # past T_max and total_iters
        np.testing.assert_allclose(scheduler.get_last_lr(), torch_scheduler.get_last_lr(), rtol=1e-10, atol=1e-15)
        optimizer.step()
        torch_optimizer.step()
        scheduler.step()
        torch_scheduler.step()
    state, torch_state = scheduler.state_dict(), torch_scheduler.state_dict()
    assert state["last_epoch"] == torch_state["last_epoch"] and state["base_lrs"] == torch_state["base_lrs"]


def test_the_user_guides_pytorch_block_runs(tmp_path, monkeypatch):
    from test_docs import NOT_RUN, ROOT, parse_page

    blocks = [code for language, code, _, before in parse_page(ROOT / "docs" / "user-guide.md")[1]
              if language == "python" and NOT_RUN.search(before) and "needs PyTorch" in before]
    assert len(blocks) == 1
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks[0], "docs/user-guide.md (PyTorch block)", "exec"), {"__name__": "__docs__"})  # noqa: S102
