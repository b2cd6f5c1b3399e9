"""Adam and SGD against their published update equations, and exact resume from a state dict."""

import copy

import numpy as np
import pytest

from helpers import assert_close
from nanogan import nn, optim
from nanogan.backend import backend_name, to_backend, to_numpy


def parameter_with_gradients(backend, rng, shape=(3, 4), steps=5):
    parameter = nn.Parameter(to_backend(rng.standard_normal(shape), backend, np.float64))
    gradients = [rng.standard_normal(shape) for _ in range(steps)]
    return parameter, gradients


def run(optimizer, parameter, gradients):
    for gradient in gradients:
        parameter.grad[...] = to_backend(gradient, backend_name(parameter.grad))
        optimizer.step()


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_adam_follows_kingma_and_ba(backend, weight_decay):
    """Algorithm 1 of the Adam paper, with bias-corrected m_hat and v_hat (and L2 decay added to g)."""
    rng = np.random.default_rng(0)
    parameter, gradients = parameter_with_gradients(backend, rng)
    theta = to_numpy(parameter.data).copy()
    lr, beta1, beta2, eps = 0.01, 0.5, 0.999, 1e-8
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    for t, g in enumerate(gradients, start=1):
        g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    run(optim.Adam([parameter], lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay),
        parameter, gradients)
    assert_close(parameter.data, theta, rtol=1e-12)


@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_follows_momentum_equations(backend, momentum, nesterov):
    """b = g first, then b = momentum * b + g; step along b (or g + momentum * b, Nesterov)."""
    rng = np.random.default_rng(1)
    parameter, gradients = parameter_with_gradients(backend, rng)
    theta = to_numpy(parameter.data).copy()
    lr, weight_decay = 0.1, 0.01
    buffer = None
    for g in gradients:
        g = g + weight_decay * theta
        buffer = g if buffer is None else momentum * buffer + g
        step = g + momentum * buffer if nesterov else buffer
        theta = theta - lr * (step if momentum else g)
    run(optim.SGD([parameter], lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov),
        parameter, gradients)
    assert_close(parameter.data, theta, rtol=1e-12)


@pytest.mark.parametrize("make_optimizer", [
    lambda params: optim.Adam(params, lr=1e-2, betas=(0.5, 0.999)),
    lambda params: optim.SGD(params, lr=1e-2, momentum=0.9),
])
def test_state_dict_resumes_training_exactly(make_optimizer):
    rng = np.random.default_rng(2)
    parameter, gradients = parameter_with_gradients("numpy", rng, steps=6)
    optimizer = make_optimizer([parameter])
    run(optimizer, parameter, gradients[:3])
    saved_parameter, saved_state = parameter.data.copy(), copy.deepcopy(optimizer.state_dict())
    run(optimizer, parameter, gradients[3:])

    resumed = nn.Parameter(saved_parameter)
    resumed_optimizer = make_optimizer([resumed])
    resumed_optimizer.load_state_dict(saved_state)
    run(resumed_optimizer, resumed, gradients[3:])
    np.testing.assert_array_equal(resumed.data, parameter.data)


def test_state_dict_loaded_from_a_file_keeps_float32_updates():
    """Steps and betas come back from an .npz as arrays; they must not turn float32 updates into float64."""
    parameter = nn.Parameter(np.ones(3, dtype=np.float32))
    optimizer = optim.Adam([parameter], betas=(0.5, 0.999))
    parameter.grad[...] = 1
    optimizer.step()
    state = optimizer.state_dict()
    as_arrays = {
        "state": {0: {key: np.asarray(value) for key, value in state["state"][0].items()}},
        "param_groups": [{key: np.asarray(value) for key, value in state["param_groups"][0].items()}],
    }
    optimizer.load_state_dict(as_arrays)
    optimizer.step()
    assert parameter.dtype == np.float32
    assert optimizer.betas == (0.5, 0.999) and optimizer.state[0]["step"] == 2


def test_optimizer_state_follows_the_model_to_float64():
    model = nn.Linear(3, 2)
    optimizer = optim.Adam(model.parameters())
    model(np.ones((4, 3), dtype=np.float32))
    model.backward(np.ones((4, 2), dtype=np.float32))
    optimizer.step()
    model.to(dtype=np.float64)
    optimizer.step()
    assert model.weight.dtype == np.float64
    assert optimizer.state[0]["exp_avg"].dtype == np.float64


def test_frozen_parameters_are_not_updated():
    model = nn.Linear(3, 2)
    model.bias.requires_grad = False
    bias = model.bias.data.copy()
    model.bias.grad[...] = 1.0
    optim.SGD(model.parameters(), lr=1.0).step()
    np.testing.assert_array_equal(model.bias.data, bias)


def test_load_state_dict_rejects_a_state_for_other_parameters():
    optimizer = optim.Adam(nn.Linear(3, 2).parameters())
    other = optim.Adam(nn.Linear(3, 2, bias=False).parameters())
    with pytest.raises(ValueError, match="the state is for 1 parameters, this optimizer has 2"):
        optimizer.load_state_dict(other.state_dict())


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.Adam(p, lr=-1), "expected lr >= 0"),
    (lambda p: optim.Adam(p, betas=(0.9, 1.0)), "0 <= betas < 1"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "nesterov momentum requires momentum > 0"),
    (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
])
def test_bad_hyperparameters_are_rejected(make, message):
    with pytest.raises(ValueError, match=message):
        make(list(nn.Linear(2, 2).parameters()))
