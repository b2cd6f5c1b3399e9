"""CrossEntropyLoss: the value against its definition, the gradient against finite differences,
stability at huge logits, PyTorch's semantics (also with spatial dimensions), and strict targets."""

import numpy as np
import pytest

from helpers import assert_close, assert_gradcheck, random_array
from nanogan import nn
from nanogan.backend import to_backend, to_numpy
from nanogan.gradcheck import check_loss


def logits_and_classes(rng, shape, backend, dtype=np.float32):
    """Logits (N, C, ...) and class indices (N, ...) on `backend`."""
    logits = random_array(rng, shape, backend, dtype)
    classes = to_backend(rng.integers(0, shape[1], size=(shape[0], *shape[2:])), backend, np.int64)
    return logits, classes


@pytest.mark.parametrize("shape", [(5, 3), (4, 7), (2, 4, 3, 2)])
def test_cross_entropy_is_the_mean_negative_log_softmax_of_the_true_class(backend, shape):
    logits, classes = logits_and_classes(np.random.default_rng(0), shape, backend)
    loss = nn.CrossEntropyLoss()(logits, classes)
    s, y = to_numpy(logits).astype(np.float64), to_numpy(classes)
    s = np.moveaxis(s, 1, -1).reshape(-1, shape[1])  # one row per sample
    expected = np.mean([np.log(np.exp(row).sum()) - row[label] for row, label in zip(s, y.reshape(-1))])
    assert loss.shape == () and loss.dtype == np.float32
    assert_close(loss, expected, rtol=1e-6)


@pytest.mark.parametrize("shape", [(6, 4), (3, 5, 2, 2)])
def test_cross_entropy_gradient_matches_finite_differences(shape):
    logits, classes = logits_and_classes(np.random.default_rng(1), shape, "numpy", np.float64)
    assert_gradcheck(check_loss(nn.CrossEntropyLoss(), logits, classes))


def test_cross_entropy_is_finite_and_exact_at_huge_logits():
    logits = np.array([[1000.0, 0.0, -1000.0], [-1e4, 1e4, 0.0]], dtype=np.float32)
    criterion = nn.CrossEntropyLoss()
    assert float(criterion(logits, np.array([1, 1]))) == pytest.approx((1000 + 0) / 2)
    grad = criterion.backward()
    np.testing.assert_allclose(grad, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-7)


def test_cross_entropy_matches_pytorch_in_float64():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    for shape in [(8, 5), (3, 4, 2, 3)]:
        logits, classes = logits_and_classes(rng, shape, "numpy", np.float64)
        upstream = 0.7
        criterion = nn.CrossEntropyLoss()
        loss = criterion(logits, classes)
        grad = criterion.backward(upstream)
        logits_torch = torch.tensor(logits, requires_grad=True)
        loss_torch = torch.nn.CrossEntropyLoss()(logits_torch, torch.tensor(classes))
        (loss_torch * upstream).backward()
        assert float(loss) == pytest.approx(loss_torch.item(), rel=1e-12)
        np.testing.assert_allclose(grad, logits_torch.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("classes, message", [
    (np.array([0.0, 1.0, 1.0]), "expected integer class indices of shape \\(3,\\)"),
    (np.array([[0], [1], [1]]), "expected integer class indices of shape \\(3,\\)"),
])
def test_labels_that_are_not_class_indices_are_refused_with_the_fix(classes, message):
    logits = np.zeros((3, 2), dtype=np.float32)
    with pytest.raises(ValueError, match=message):
        nn.CrossEntropyLoss()(logits, classes)
