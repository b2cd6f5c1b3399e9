"""Double backward: each layer's derivative of its backward pass, checked by finite differences in float64,
and the gradient penalties built on it, checked by finite differences of the penalty and against
torch.autograd.grad(..., create_graph=True) where PyTorch is installed."""

import numpy as np
import pytest

from helpers import assert_gradcheck, random_array
from nanogan import manual_seed, nn
from nanogan.backend import to_backend, to_numpy
from nanogan.gradcheck import check_double_backward, numerical_gradient, relative_error
from nanogan.models import Discriminator
from nanogan.models.toy import MLPDiscriminator
from nanogan.penalties import GradientPenalty, R1Penalty, input_gradient

LAYERS = {
    "linear": (lambda: nn.Linear(4, 3), (5, 4)),
    "linear-3d": (lambda: nn.Linear(4, 2, bias=False), (2, 3, 4)),
    "conv": (lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 5, 6)),
    "conv-4x4": (lambda: nn.Conv2d(2, 2, (4, 3), stride=(2, 1), padding=(1, 0), bias=False), (3, 2, 6, 5)),
    "relu": (nn.ReLU, (4, 5)),
    "leaky-relu": (lambda: nn.LeakyReLU(0.2), (2, 3, 4, 4)),
    "flatten": (nn.Flatten, (2, 3, 2, 2)),
    "minibatch-std": (nn.MinibatchStdDev, (6, 4)),
    "minibatch-std-groups": (lambda: nn.MinibatchStdDev(group_size=3), (6, 2, 3, 3)),
    "pack": (lambda: nn.Pack(3), (6, 2, 3, 3)),
    "spectral-norm-linear": (lambda: nn.spectral_norm(nn.Linear(4, 3)).eval(), (5, 4)),
    "spectral-norm-conv": (lambda: nn.spectral_norm(nn.Conv2d(2, 3, 3, padding=1)).eval(), (2, 2, 4, 4)),
    "mlp-critic": (lambda: nn.Sequential(nn.Linear(4, 6), nn.LeakyReLU(0.2), nn.MinibatchStdDev(), nn.Linear(7, 5),
                                         nn.ReLU(), nn.Linear(5, 1)), (6, 4)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_double_backward_matches_finite_differences_of_the_input_gradient(backend, name):
    make, shape = LAYERS[name]
    layer = make().to(backend)
    x = random_array(np.random.default_rng(1), shape, backend)
    assert_gradcheck(check_double_backward(layer, x))


@pytest.mark.parametrize("options", [{}, {"pack": 2}, {"minibatch_std": True}, {"spectral_norm": True}])
def test_double_backward_of_whole_toy_critics(options):
    critic = MLPDiscriminator(2, hidden=8, sigmoid=False, **options)
    if options.get("spectral_norm"):
        critic.eval()  # no power iteration between the finite-difference passes
    assert_gradcheck(check_double_backward(critic, np.random.default_rng(2).standard_normal((8, 2))))


def test_double_backward_of_the_dcgan_critic_without_batchnorm():
    critic = Discriminator(nc=1, ndf=2, image_size=16, batch_norm=False, sigmoid=False, minibatch_std=True)
    rng = np.random.default_rng(3)
    for parameter in critic.parameters():  # DCGAN's N(0, 0.02^2) keeps LeakyReLU's inputs within a step of its kink
        parameter.data[...] = rng.normal(0, 0.5, parameter.shape)
    x = rng.standard_normal((3, 1, 16, 16))
    assert_gradcheck(check_double_backward(critic, x))


def test_the_check_catches_a_planted_mistake(monkeypatch):
    """A double backward off by a factor of 1.01 in the weight term fails the check."""
    original = nn.Linear.double_backward

    def wrong(self, grad_grad_input):
        result = original(self, grad_grad_input)
        self.weight.grad *= 1.01
        return result

    monkeypatch.setattr(nn.Linear, "double_backward", wrong)
    report = check_double_backward(nn.Linear(3, 2), np.random.default_rng(4).standard_normal((4, 3)))
    assert report.max_error > 1e-3 and report.worst == "weight"


def test_a_layer_without_double_backward_says_so():
    layer = nn.BatchNorm1d(3)
    layer(np.ones((4, 3), np.float32))
    with nn.create_graph():
        layer.backward(np.ones((4, 3), np.float32))
    with pytest.raises(NotImplementedError, match="BatchNorm1d has no double_backward"):
        layer.double_backward(np.ones((4, 3), np.float32))


def test_double_backward_needs_a_backward_inside_create_graph():
    layer = nn.Linear(3, 2)
    layer(np.ones((4, 3), np.float32))
    layer.backward(np.ones((4, 2), np.float32))
    with pytest.raises(ValueError, match=r"Linear\(.*\): double_backward needs a backward run inside "
                                         r"nanogan.nn.create_graph\(\) first"):
        layer.double_backward(np.ones((4, 3), np.float32))


def penalty_gradient_error(critic, make_penalty, real, fake):
    """Worst relative error between the penalty's dP/dparam (in .grad) and finite differences of P."""
    critic = critic.to(dtype=np.float64)
    critic.zero_grad()
    value = make_penalty()(critic, real, fake)
    worst = 0.0
    for name, parameter in critic.named_parameters():
        analytic = parameter.grad.copy()
        saved = {n: p.grad.copy() for n, p in critic.named_parameters()}

        def penalty():
            return np.array(float(make_penalty()(critic, real, fake)))

        numerical = numerical_gradient(penalty, parameter.data, np.array(1.0))
        for n, p in critic.named_parameters():
            p.grad[...] = saved[n]
        worst = max(worst, relative_error(analytic, numerical)[0])
    return worst, float(value)


@pytest.mark.parametrize("penalty", ["r1", "gp"])
@pytest.mark.parametrize("options", [{}, {"pack": 2, "minibatch_std": True}])
def test_the_penalties_gradient_is_the_derivative_of_the_penalty(penalty, options):
    rng = np.random.default_rng(5)
    real, fake = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    critic = MLPDiscriminator(2, hidden=5, sigmoid=False, **options)
    make = (lambda: R1Penalty(3.0)) if penalty == "r1" else (lambda: GradientPenalty(np.random.default_rng(6)))
    error, value = penalty_gradient_error(critic, make, real, fake)
    assert value > 0 and error < 1e-6


def test_r1_is_half_gamma_times_the_mean_squared_input_gradient():
    critic = MLPDiscriminator(2, hidden=5, sigmoid=False).to(dtype=np.float64)
    real = np.random.default_rng(7).standard_normal((4, 2))
    _, u = input_gradient(critic, real)
    expected = 0.5 * 2.0 * (u * u).sum(axis=1).mean()
    assert float(R1Penalty(2.0)(critic, real, real)) == pytest.approx(expected, rel=1e-12)


def test_input_gradient_leaves_the_critics_gradients_alone():
    critic = MLPDiscriminator(2, hidden=5, sigmoid=False)
    input_gradient(critic, np.ones((3, 2), np.float32))
    assert all(not np.any(p.grad) and p.requires_grad for p in critic.parameters())


def torch_penalty_grads(torch, critic, penalty, x):
    """PyTorch's gradient of the penalty on u = d sum D(x)/dx, with create_graph=True."""
    x = torch.from_numpy(x).requires_grad_()
    output = critic(x).reshape(-1)
    (u,) = torch.autograd.grad(output.sum(), x, create_graph=True)
    rows = u.reshape(output.numel(), -1)
    value = penalty(rows)
    value.backward()
    return value.item(), {name: p.grad.numpy() for name, p in critic.named_parameters()}


@pytest.mark.parametrize("penalty", ["r1", "gp"])
def test_penalties_match_pytorchs_create_graph(penalty):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    real, fake = rng.standard_normal((8, 3, 16, 16)), rng.standard_normal((8, 3, 16, 16))
    critic = Discriminator(nc=3, ndf=4, image_size=16, batch_norm=False, sigmoid=False, pack=2,
                           minibatch_std=True).to(dtype=np.float64)
    torch_critic = torch_dcgan_critic(torch)
    torch_critic.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in critic.state_dict().items()})
    critic.zero_grad()
    if penalty == "r1":
        value = R1Penalty(4.0)(critic, real, fake)
        x, formula = real, lambda rows: 2.0 * (rows * rows).sum(dim=1).mean()
    else:
        value = GradientPenalty(np.random.default_rng(9))(critic, real, fake)
        e = np.random.default_rng(9).uniform(size=(8, 1, 1, 1))
        x, formula = e * real + (1 - e) * fake, lambda rows: 10.0 * ((rows.norm(dim=1) - 1) ** 2).mean()
    torch_value, torch_grads = torch_penalty_grads(torch, torch_critic, formula, x)
    assert float(value) == pytest.approx(torch_value, rel=1e-12)
    for name, parameter in critic.named_parameters():
        torch_name = torch_critic.torch_name(name)
        np.testing.assert_allclose(to_numpy(parameter.grad), torch_grads[torch_name], rtol=1e-10, atol=1e-14,
                                   err_msg=name)


def torch_dcgan_critic(torch):
    """The 16x16 critic of the test above (pack 2, no BatchNorm, minibatch std, no Sigmoid) in PyTorch."""

    class MinibatchStd(torch.nn.Module):
        def forward(self, x):
            sd = torch.sqrt(((x - x.mean(dim=0)) ** 2).mean(dim=0) + 1e-8)
            return torch.cat([x, sd.mean().expand(x.shape[0], 1, *x.shape[2:])], dim=1)

    class Critic(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.main = torch.nn.Sequential(
                torch.nn.Unflatten(0, (-1, 2)), torch.nn.Flatten(1, 2),
                torch.nn.Conv2d(6, 4, 4, 2, 1, bias=False), torch.nn.LeakyReLU(0.2),
                torch.nn.Conv2d(4, 8, 4, 2, 1, bias=False), torch.nn.LeakyReLU(0.2),
                MinibatchStd(), torch.nn.Conv2d(9, 1, 4, 1, 0, bias=False))

        def forward(self, x):
            return self.main(x)

        @staticmethod
        def torch_name(name):
            # nanogan's main.1/main.3/main.6 sit after its Pack layer (main.0); here after Unflatten and Flatten
            return f"main.{int(name.split('.')[1]) + 1}.weight"

        def load_state_dict(self, state):
            return super().load_state_dict({self.torch_name(key): value for key, value in state.items()})

    return Critic().double()


@pytest.mark.parametrize("penalty", ["r1", "gp"])
def test_penalties_keep_float32_and_agree_across_backends(backend, penalty):
    rng = np.random.default_rng(12)
    real, fake = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    grads = {}
    for name in ("numpy", backend):
        manual_seed(0)  # the same weights on both
        critic = MLPDiscriminator(2, hidden=5, sigmoid=False, pack=2, minibatch_std=True).to(name)
        make = R1Penalty(1.0) if penalty == "r1" else GradientPenalty(np.random.default_rng(13))
        value = make(critic, to_backend(real, name, np.float32), to_backend(fake, name, np.float32))
        assert value.dtype == np.float32
        grads[name] = [to_numpy(parameter.grad) for parameter in critic.parameters()]
    for numpy_grad, backend_grad in zip(grads["numpy"], grads[backend]):
        np.testing.assert_allclose(backend_grad, numpy_grad, rtol=1e-4, atol=1e-6)
