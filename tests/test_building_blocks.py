"""Dropout, ELU, Identity, ModuleList, ModuleDict, Sequential.append, parameter counts, .float()/.double(),
gradient clipping: each backward gradchecked on every backend, each behaviour as PyTorch's
(tests/test_torch_building_blocks.py compares the numbers with PyTorch where it is installed)."""

import numpy as np
import pytest

import nanogan
from helpers import assert_close, assert_gradcheck, random_array
from nanogan import gradcheck, nn
from nanogan.backend import backend_name, to_backend, to_numpy
from nanogan.models import summary
from nanogan.nn.utils import clip_grad_norm_, clip_grad_value_


def test_elu_backward_passes_gradcheck(backend):
    x = np.random.default_rng(0).standard_normal((3, 5))
    x[np.abs(x) < 1e-3] = 0.5  # away from the kink at 0
    x = to_backend(x, backend)
    assert_gradcheck(gradcheck.check_module(nn.ELU(alpha=0.7), x))


def test_elu_is_x_above_zero_and_alpha_expm1_below_without_overflow(backend):
    x = to_backend(np.array([-1000.0, -1.0, 0.0, 2.0, 1000.0]), backend, np.float32)
    y = to_numpy(nn.ELU(alpha=0.5)(x))
    np.testing.assert_allclose(y, [-0.5, 0.5 * np.expm1(-1.0), 0.0, 2.0, 1000.0], rtol=1e-6)
    assert y.dtype == np.float32


def test_identity_passes_input_and_gradient_through(backend):
    x = random_array(np.random.default_rng(0), (2, 3), backend)
    layer = nn.Identity(54, unused_argument=0.1)
    assert layer(x) is x
    assert layer.backward(x) is x
    assert_gradcheck(gradcheck.check_module(layer, x))


def test_dropout_zeroes_a_fraction_p_and_scales_the_rest(backend):
    x = to_backend(np.ones((200, 100)), backend, np.float32)
    y = to_numpy(nn.Dropout(p=0.3)(x))
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.7)}
    assert abs((y == 0).mean() - 0.3) < 0.01 and y.dtype == np.float32


def test_dropout_masks_follow_the_default_seed_or_the_given_generator(backend):
    x = random_array(np.random.default_rng(0), (4, 6), backend)
    nanogan.manual_seed(5)
    first = to_numpy(nn.Dropout()(x))
    nanogan.manual_seed(5)
    assert_close(nn.Dropout()(x), first, rtol=0, atol=0)
    own = nn.Dropout(generator=np.random.default_rng(9))
    assert_close(own(x), nn.Dropout(generator=np.random.default_rng(9))(x), rtol=0, atol=0)
    assert not np.array_equal(to_numpy(own(x)), to_numpy(nn.Dropout(generator=np.random.default_rng(9))(x)))


def test_dropout_backward_uses_the_forwards_mask_and_eval_is_the_identity(backend):
    x = random_array(np.random.default_rng(0), (5, 7), backend)
    layer = nn.Dropout(p=0.4)
    y = layer(x)
    g = random_array(np.random.default_rng(1), (5, 7), backend)
    mask = to_numpy(y) / to_numpy(x)
    assert_close(layer.backward(g), to_numpy(g) * mask, rtol=1e-6)
    layer.eval()
    assert layer(x) is x and layer.backward(g) is g


def test_dropout_with_a_held_mask_passes_gradcheck(backend):
    x = random_array(np.random.default_rng(0), (3, 4), backend, np.float64)
    assert_gradcheck(gradcheck.check_module(nn.Dropout(0.5).hold_mask(), x))
    assert_gradcheck(gradcheck.check_module(nn.Dropout(0.5).eval(), x))


def test_gradcheck_says_a_random_forward_is_not_deterministic_and_how_to_fix_it():
    x = np.random.default_rng(0).standard_normal((3, 4))
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    with pytest.raises(gradcheck.NondeterministicForwardError) as raised:
        gradcheck.check_module(model, x)
    message = str(raised.value)
    assert "the forward pass is not deterministic" in message
    assert "model.eval()" in message and "hold_mask()" in message


def test_module_list_and_dict_register_their_modules_with_pytorch_names():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(2, 3), nn.Linear(3, 3)])
            self.heads = nn.ModuleDict({"mean": nn.Linear(3, 1), "train": nn.Linear(3, 1)})

    net = Net()
    assert list(net.state_dict()) == ["blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias",
                                      "heads.mean.weight", "heads.mean.bias", "heads.train.weight", "heads.train.bias"]
    net.blocks.append(nn.ReLU())
    net.blocks.insert(0, nn.Identity())
    assert [type(module).__name__ for module in net.blocks] == ["Identity", "Linear", "Linear", "ReLU"]
    assert list(net.blocks._modules) == ["0", "1", "2", "3"]
    del net.blocks[0]
    assert len(net.blocks) == 3 and isinstance(net.blocks[-1], nn.ReLU)
    assert "train" in net.heads and callable(net.heads.train)  # a key never hides a method
    assert net.heads.pop("train").out_features == 1 and list(net.heads) == ["mean"]
    with pytest.raises(TypeError, match="ModuleList holds nanogan modules, got builtin_function_or_method"):
        net.blocks.append(len)


def test_a_custom_module_with_a_module_list_checks_and_backpropagates():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(3, 4), nn.ELU(), nn.Linear(4, 2)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

        def backward(self, grad_output):
            for layer in reversed(self.layers):
                grad_output = layer.backward(grad_output)
            return grad_output

    assert_gradcheck(gradcheck.check_module(Stack(), np.random.default_rng(0).standard_normal((5, 3))))
    with pytest.raises(ValueError, match="Stack\\(\\): expected input of dtype float32"):
        Stack()(np.zeros((1, 3)))


def test_sequential_append_names_the_new_layer_by_position():
    model = nn.Sequential(nn.Linear(2, 3)).append(nn.ReLU()).append(nn.Linear(3, 1))
    assert len(model) == 3 and list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert model(np.ones((4, 2), dtype=np.float32)).shape == (4, 1)


def test_parameter_counts_as_pytorch_users_write_them():
    model = nn.Sequential(nn.Linear(10, 5), nn.BatchNorm1d(5), nn.Linear(5, 1, bias=False))
    assert sum(parameter.numel() for parameter in model.parameters()) == 55 + 10 + 5
    model[0].requires_grad_(False)
    text = summary(model, (2, 10))
    assert text.endswith("trainable parameters: 15\ntotal parameters: 70")


def test_summary_of_a_model_that_is_not_a_stack_lists_its_children():
    class TwoHeads(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Linear(4, 8)
            self.heads = nn.ModuleDict({"a": nn.Linear(8, 1), "b": nn.Linear(8, 2)})

        def forward(self, x):
            return self.heads["b"](self.body(x))

    text = summary(TwoHeads(), (3, 4))
    assert "body " in text and "heads " in text and "(3, 2)" in text and text.endswith("total parameters: 67")


def test_float_and_double_cast_parameters_gradients_and_floating_buffers(backend):
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)).to(backend).double()
    assert {array.dtype for array in model.state_dict().values()} == {np.dtype(np.float64), np.dtype(np.int64)}
    assert model[0].weight.grad.dtype == np.float64 and backend_name(model[0].weight.data) == backend
    model.float()
    assert model[0].weight.dtype == np.float32 and model[1].running_var.dtype == np.float32


def gradients(backend, values):
    parameters = []
    for value in values:
        parameter = nn.Parameter(to_backend(np.zeros_like(value), backend, np.float32))
        parameter.grad[...] = to_backend(value, backend, np.float32)
        parameters.append(parameter)
    return parameters


def test_clip_grad_norm_scales_all_gradients_to_the_max_norm(backend):
    parameters = gradients(backend, [np.array([3.0, 0.0]), np.array([[0.0], [4.0]])])  # total 2-norm 5
    total = clip_grad_norm_(parameters, max_norm=1.0)
    assert float(total) == pytest.approx(5.0) and total.dtype == np.float32
    assert_close(parameters[0].grad, [3 / (5 + 1e-6), 0.0], rtol=1e-6)
    assert_close(parameters[1].grad, [[0.0], [4 / (5 + 1e-6)]], rtol=1e-6)
    total = clip_grad_norm_(parameters, max_norm=10.0)  # already within: unchanged
    assert_close(parameters[0].grad, [3 / (5 + 1e-6), 0.0], rtol=1e-6)


def test_clip_grad_norm_with_the_max_norm_and_error_if_nonfinite():
    parameters = gradients("numpy", [np.array([3.0, -7.0]), np.array([5.0])])
    assert float(clip_grad_norm_(parameters, max_norm=1.0, norm_type="inf")) == 7.0
    assert_close(parameters[0].grad, np.array([3.0, -7.0]) / (7 + 1e-6), rtol=1e-6)
    broken = gradients("numpy", [np.array([np.nan, 1.0])])
    with pytest.raises(RuntimeError, match="total 2-norm of the gradients is nan"):
        clip_grad_norm_(broken, 1.0, error_if_nonfinite=True)


def test_clip_grad_norm_on_a_device_never_syncs():
    from strict_backend import forbid_sync

    parameters = gradients("strict", [np.array([3.0, 4.0])])
    with forbid_sync():
        clip_grad_norm_(parameters, max_norm=1.0)
    assert_close(parameters[0].grad, np.array([3.0, 4.0]) / (5 + 1e-6), rtol=1e-6)


def test_clip_grad_value_clamps_each_entry_and_skips_frozen_parameters(backend):
    parameters = gradients(backend, [np.array([-3.0, 0.5, 2.0]), np.array([9.0])])
    parameters[1].requires_grad = False
    clip_grad_value_(parameters, 1.0)
    assert_close(parameters[0].grad, [-1.0, 0.5, 1.0])
    assert_close(parameters[1].grad, [9.0])
