"""Module and Sequential: PyTorch's registration order, state dicts, modes, dtypes,
and the forward/backward cache contract."""

import copy

import numpy as np
import pytest

from helpers import assert_close
from nanogan import nn
from nanogan.backend import backend_name


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.norm = nn.BatchNorm1d(4)
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(4, 1))

    def forward(self, x):
        return self.head(self.norm(self.hidden(x)))

    def backward(self, grad_output):
        return self.hidden.backward(self.norm.backward(self.head.backward(grad_output)))


def test_parameters_and_state_dict_follow_definition_order_with_pytorch_names():
    model = TwoLayer()
    assert [name for name, _ in model.named_parameters()] == [
        "hidden.weight", "hidden.bias", "norm.weight", "norm.bias", "head.1.weight", "head.1.bias"]
    assert list(model.state_dict()) == [
        "hidden.weight", "hidden.bias", "norm.weight", "norm.bias", "norm.running_mean", "norm.running_var",
        "norm.num_batches_tracked", "head.1.weight", "head.1.bias"]


def test_load_state_dict_copies_values_into_the_models_own_arrays():
    source, target = TwoLayer(), TwoLayer()
    source.norm.running_mean[...] = 7.0
    weight_before = target.hidden.weight.data
    target.load_state_dict({key: np.array(value, dtype=np.float64) for key, value in source.state_dict().items()})
    for key, value in source.state_dict().items():
        np.testing.assert_array_equal(target.state_dict()[key], value)
    assert target.hidden.weight.data is weight_before  # copied in place, dtype kept
    assert target.hidden.weight.dtype == np.float32


def test_load_state_dict_names_missing_unexpected_and_misshapen_keys():
    model = TwoLayer()
    state = dict(model.state_dict())
    del state["norm.running_var"]
    state["extra.weight"] = np.zeros(1)
    with pytest.raises(KeyError, match=r"missing keys: \['norm.running_var'\]; unexpected keys: \['extra.weight'\]"):
        model.load_state_dict(state)
    state = dict(model.state_dict(), **{"hidden.weight": np.zeros((5, 3))})
    with pytest.raises(ValueError, match=r"'hidden.weight' has shape \(5, 3\) in the state dict but \(4, 3\)"):
        model.load_state_dict(state)


def test_train_and_eval_set_the_mode_of_every_submodule():
    model = TwoLayer().eval()
    assert not any(module.training for module in model.modules())
    model.train()
    assert all(module.training for module in model.modules())


def test_to_casts_parameters_gradients_and_floating_buffers(backend):
    model = TwoLayer().to(backend, np.float64)
    for parameter in model.parameters():
        assert parameter.dtype == np.float64 and parameter.grad.dtype == np.float64
        assert backend_name(parameter.data) == backend
    assert model.norm.running_mean.dtype == np.float64
    assert model.norm.num_batches_tracked.dtype == np.int64
    assert "norm.running_mean" in model.state_dict()


def test_forward_and_backward_chain_through_a_custom_module():
    model = TwoLayer()
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    y = model(x)
    assert y.shape == (5, 1) and y.dtype == np.float32
    assert model.backward(np.ones_like(y)).shape == x.shape


def test_backward_before_forward_names_the_layer():
    with pytest.raises(ValueError, match=r"Linear\(in_features=3, out_features=2, bias=True\): "
                                         r"backward called with no forward pass"):
        nn.Linear(3, 2).backward(np.zeros((1, 2), dtype=np.float32))


def test_each_forward_allows_one_backward():
    layer = nn.Tanh()
    layer(np.zeros(3, dtype=np.float32))
    layer.backward(np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match="each forward allows one backward"):
        layer.backward(np.ones(3, dtype=np.float32))


def test_a_second_forward_replaces_the_cache_of_the_first():
    """D on real data, then D on fake data: backward follows the latest forward."""
    layer = nn.Tanh()
    layer(np.zeros(2, dtype=np.float64))
    layer(np.array([1.0, 2.0]))
    assert_close(layer.backward(np.ones(2)), 1 - np.tanh([1.0, 2.0]) ** 2)


@pytest.mark.parametrize("grad_shape, grad_dtype", [((4, 3), np.float32), ((4, 2), np.float64)])
def test_gradient_of_the_wrong_shape_or_dtype_is_rejected(grad_shape, grad_dtype):
    layer = nn.Linear(5, 2)
    layer(np.zeros((4, 5), dtype=np.float32))
    with pytest.raises(ValueError, match=r"Linear\(.*expected grad_output of shape \(4, 2\) and dtype float32"):
        layer.backward(np.zeros(grad_shape, dtype=grad_dtype))


def test_no_grad_saves_nothing_for_backward():
    layer = nn.Linear(3, 2)
    with nn.no_grad():
        layer(np.zeros((1, 3), dtype=np.float32))
    assert nn.is_grad_enabled()
    with pytest.raises(ValueError, match="outside nanogan.no_grad"):
        layer.backward(np.zeros((1, 2), dtype=np.float32))


def test_sequential_indexing_and_repr_match_pytorch():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1, bias=False))
    assert len(model) == 3 and isinstance(model[1], nn.ReLU) and isinstance(model[-1], nn.Linear)
    assert len(model[:2]) == 2
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=3, out_features=1, bias=False)\n"
        ")"
    )


def test_apply_visits_children_before_the_parent():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU()))
    visited = []
    model.apply(lambda module: visited.append(type(module).__name__))
    assert visited == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_deepcopy_gives_an_independent_module():
    model = TwoLayer()
    clone = copy.deepcopy(model)
    clone.hidden.weight.data[...] = 0
    assert np.any(model.hidden.weight.data)
    assert [name for name, _ in clone.named_parameters()] == [name for name, _ in model.named_parameters()]
