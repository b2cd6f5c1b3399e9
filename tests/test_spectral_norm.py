"""SpectralNorm: PyTorch's parametrizations.spectral_norm, side by side in float64 (one power iteration per
training forward, none in eval mode, u and v held constant in the backward), and finite differences."""

import numpy as np
import pytest

from helpers import assert_gradcheck, random_array
from nanogan import nn
from nanogan.gradcheck import check_module

# name -> (nanogan layer, input shape, the same layer in PyTorch given the torch module)
LAYERS = {
    "linear": (lambda: nn.Linear(5, 3), (4, 5), lambda torch: torch.nn.Linear(5, 3)),
    "conv": (lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 6, 5),
             lambda torch: torch.nn.Conv2d(2, 3, 3, stride=2, padding=1)),
    "conv-transpose": (lambda: nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1, bias=False), (2, 3, 3, 3),
                       lambda torch: torch.nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1, bias=False)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_backward_in_eval_mode_passes_gradcheck(backend, name):
    make, shape, _ = LAYERS[name]
    layer = nn.spectral_norm(make()).to(backend)
    layer(random_array(np.random.default_rng(0), shape, backend))  # a training forward: one power iteration
    assert_gradcheck(check_module(layer.eval(), random_array(np.random.default_rng(1), shape, backend)))


def test_sigma_converges_to_the_largest_singular_value():
    layer = nn.spectral_norm(nn.Linear(6, 4)).to(dtype=np.float64)
    x = np.ones((1, 6))
    for _ in range(50):
        layer(x)
    weight = layer.original.data
    np.testing.assert_allclose(np.linalg.norm(layer.module.weight.data, 2), 1.0, rtol=1e-10)
    np.testing.assert_allclose(layer.module.weight.data, weight / np.linalg.norm(weight, 2), rtol=1e-10)


def test_eval_mode_leaves_u_and_v_alone_and_training_mode_moves_them():
    layer = nn.spectral_norm(nn.Linear(6, 4))
    layer.original.data[...] = np.random.default_rng(2).standard_normal((4, 6))  # u, v no longer converged
    u = layer.state_dict()["parametrizations.weight.0._u"].copy()
    layer.eval()(np.ones((2, 6), np.float32))
    np.testing.assert_array_equal(layer.state_dict()["parametrizations.weight.0._u"], u)
    layer.train()(np.ones((2, 6), np.float32))
    assert not np.array_equal(layer.state_dict()["parametrizations.weight.0._u"], u)


def test_parameters_list_the_weight_once_under_pytorchs_names():
    layer = nn.spectral_norm(nn.Conv2d(2, 3, 3))
    assert [name for name, _ in layer.named_parameters()] == ["bias", "parametrizations.weight.original"]
    assert list(layer.state_dict()) == ["bias", "parametrizations.weight.original", "parametrizations.weight.0._u",
                                        "parametrizations.weight.0._v"]


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("training", [True, False])
def test_matches_pytorchs_spectral_norm(name, training):
    torch = pytest.importorskip("torch")
    make, shape, make_torch = LAYERS[name]
    layer = nn.spectral_norm(make()).to(dtype=np.float64)
    torch_layer = torch.nn.utils.parametrizations.spectral_norm(make_torch(torch).double())
    torch_layer.load_state_dict({key: torch.from_numpy(np.array(value)) for key, value in layer.state_dict().items()})
    layer.train(training), torch_layer.train(training)
    rng = np.random.default_rng(3)
    for _ in range(2):  # two steps: the power iteration carries over from one forward to the next
        x = rng.standard_normal(shape)
        x_torch = torch.from_numpy(x).requires_grad_()
        y, y_torch = layer(x), torch_layer(x_torch)
        np.testing.assert_allclose(y, y_torch.detach().numpy(), rtol=1e-10, atol=1e-12)
        g = rng.standard_normal(y.shape)
        layer.zero_grad(), torch_layer.zero_grad()
        np.testing.assert_allclose(layer.backward(g), torch.autograd.grad(y_torch, x_torch, torch.from_numpy(g),
                                                                          retain_graph=True)[0].numpy(), rtol=1e-10)
        y_torch.backward(torch.from_numpy(g))
        torch_grads = dict(torch_layer.named_parameters())
        for key, parameter in layer.named_parameters():
            np.testing.assert_allclose(parameter.grad, torch_grads[key].grad.numpy(), rtol=1e-10, atol=1e-13,
                                       err_msg=key)
        for key, value in torch_layer.state_dict().items():
            np.testing.assert_allclose(layer.state_dict()[key], value.numpy(), rtol=1e-10, atol=1e-13, err_msg=key)
