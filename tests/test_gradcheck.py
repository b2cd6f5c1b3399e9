"""nanogan.gradcheck itself: it must catch wrong backward passes, not just pass right ones."""

import numpy as np
import pytest

from nanogan import gradcheck, nn
from nanogan.kernels.layout import channel_rows, from_channel_rows


class LinearWithTransposedGradient(nn.Linear):
    """A classic slip: dx = g W^T instead of g W (only shape-compatible when in == out)."""

    def backward(self, grad_output):
        super().backward(grad_output)
        return grad_output @ self.weight.data.T


class WithoutMeanTerm:
    """A BatchNorm backward that forgets that the batch mean depends on x: dx = gamma * inv_std * (g - x_hat * mean(g * x_hat))."""

    def backward(self, grad_output):
        x_hat, inv_std, _ = self.saved_tensors(grad_output)  # (C, m) and (C, 1)
        g, gamma = channel_rows(grad_output), self.weight.data[:, None]
        grad_input = gamma * inv_std * (g - x_hat * (g * x_hat).mean(axis=1, keepdims=True))
        return from_channel_rows(grad_input, grad_output.shape)


class BatchNorm1dWithoutMeanTerm(WithoutMeanTerm, nn.BatchNorm1d):
    pass


class BatchNorm2dWithoutMeanTerm(WithoutMeanTerm, nn.BatchNorm2d):
    pass


def test_a_transposed_weight_in_backward_is_caught():
    x = np.random.default_rng(0).standard_normal((4, 3))
    report = gradcheck.check_module(LinearWithTransposedGradient(3, 3), x)
    assert report.max_error > 1e-2
    assert report.worst == "input"


def test_a_batchnorm_backward_missing_a_term_is_caught():
    layer = BatchNorm1dWithoutMeanTerm(3)
    x = np.random.default_rng(1).standard_normal((5, 3)) + 2
    assert gradcheck.check_module(layer, x).max_error > 1e-2
    assert gradcheck.check_module(nn.BatchNorm1d(3), x).max_error < 1e-6


def test_check_works_on_a_float64_copy_and_leaves_the_module_alone():
    layer = nn.BatchNorm1d(2)
    x = np.random.default_rng(2).standard_normal((4, 2)).astype(np.float32)
    gradcheck.check_module(layer, x)
    assert layer.weight.dtype == np.float32
    assert int(layer.num_batches_tracked) == 0
    assert x.dtype == np.float32


def test_frozen_parameters_are_not_checked():
    layer = nn.Linear(2, 2)
    layer.bias.requires_grad = False
    report = gradcheck.check_module(layer, np.ones((1, 2)))
    assert list(report.errors) == ["input", "weight"]


def test_relative_error_is_worst_entrywise_and_located():
    analytic = np.array([[1.0, 2.0], [0.0, 1e-12]])
    numerical = np.array([[1.0, 2.2], [0.0, 0.0]])
    error, index = gradcheck.relative_error(analytic, numerical)
    assert index == (0, 1)
    assert error == pytest.approx(0.2 / 4.2)
    # entries below the 1e-8 floor count as equal
    assert gradcheck.relative_error(np.array([1e-12]), np.array([0.0]))[0] < 1e-3


def test_report_lists_each_checked_array():
    report = gradcheck.check_module(nn.Linear(2, 3), np.ones((2, 2)))
    text = str(report)
    assert text.startswith("gradcheck of Linear(in_features=2, out_features=3, bias=True): worst relative error")
    for name in ("input", "weight", "bias"):
        assert f"  {name} " in text


def test_loss_check_catches_a_wrong_scale():
    class MSEWithoutMean(nn.MSELoss):
        def backward(self, grad_output=1.0):
            (difference,) = self.saved_tensors(grad_output)
            return grad_output * 2 * difference  # forgot / m

    x, y = np.random.default_rng(3).standard_normal((2, 5))
    assert gradcheck.check_loss(MSEWithoutMean(), x, y).max_error > 0.5
    assert gradcheck.check_loss(nn.MSELoss(), x, y).max_error < 1e-6


def smooth_network():
    return nn.Sequential(nn.Conv2d(2, 4, 3, stride=2, padding=1), nn.BatchNorm2d(4), nn.Tanh(), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, 1), nn.Sigmoid())


def test_directional_check_passes_a_whole_smooth_network():
    x = np.random.default_rng(4).standard_normal((3, 2, 8, 8))
    report = gradcheck.check_directional(smooth_network(), x)
    assert report.max_error < 1e-6, str(report)


def test_directional_check_catches_a_wrong_layer_inside_a_network():
    model = smooth_network()
    broken = nn.Sequential(*[BatchNorm2dWithoutMeanTerm(4) if isinstance(layer, nn.BatchNorm2d) else layer
                             for layer in model])
    x = np.random.default_rng(4).standard_normal((3, 2, 8, 8))
    assert gradcheck.check_directional(broken, x).max_error > 1e-3
