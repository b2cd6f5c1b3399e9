"""Wrong inputs fail at forward, naming the layer, what it expected, what it got and how to fix it, as PyTorch does."""

import numpy as np
import pytest

from nanogan import nn, optim
from nanogan.backend import to_backend
from nanogan.models import Discriminator, Generator
from nanogan.training import train_step
from strict_backend import HostSyncError, forbid_sync

LAYERS = [
    (lambda: nn.Linear(4, 3), (2, 4)),
    (lambda: nn.Conv2d(2, 3, 3), (2, 2, 5, 5)),
    (lambda: nn.ConvTranspose2d(2, 3, 3), (2, 2, 5, 5)),
    (lambda: nn.BatchNorm1d(4), (2, 4)),
    (lambda: nn.BatchNorm2d(2, affine=False), (2, 2, 3, 3)),  # no parameters: its running statistics decide
    (lambda: nn.Sequential(nn.ReLU(), nn.Linear(4, 3)), (2, 4)),  # the container checks before its first child
]


@pytest.mark.parametrize("make, shape", LAYERS)
def test_a_float64_input_into_a_float32_layer_fails_at_forward(make, shape):
    layer = make()
    with pytest.raises(ValueError) as raised:
        layer(np.zeros(shape))
    message = str(raised.value)
    assert message.startswith(type(layer).__name__ + "(")
    assert "expected input of dtype float32 (the parameters'), got dtype float64" in message
    assert "x.astype(np.float32)" in message and "model.to(dtype=np.float64)" in message


@pytest.mark.parametrize("make, shape", LAYERS)
def test_the_same_layer_runs_in_float64_after_double(make, shape):
    layer = make().double()
    assert layer(np.zeros(shape)).dtype == np.float64


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.bool_])
def test_a_non_floating_input_fails_with_and_without_parameters(dtype):
    with pytest.raises(ValueError, match=f"Linear.*expected input of dtype float32.*got dtype {np.dtype(dtype)}"):
        nn.Linear(2, 2)(np.ones((1, 2), dtype=dtype))
    with pytest.raises(ValueError, match=f"ReLU\\(\\): expected a floating-point input, got dtype {np.dtype(dtype)}"):
        nn.ReLU()(np.ones((1, 2), dtype=dtype))


def test_a_list_is_not_taken_as_an_input():
    with pytest.raises(TypeError, match=r"Linear\(.*expected an array .*got list; .*np.asarray"):
        nn.Linear(2, 2)([[1.0, 2.0]])


def test_an_input_on_another_backend_says_where_to_move_it():
    with pytest.raises(ValueError, match="expected input on numpy.*got an array on strict.*model.to\\('strict'\\)"):
        nn.Linear(2, 2)(to_backend(np.zeros((1, 2)), "strict", np.float32))


def test_a_layer_with_other_inputs_overrides_check_input():
    class Lookup(nn.Module):  # integer indices in, as an embedding takes them
        def __init__(self):
            super().__init__()
            self.table = nn.Parameter(np.arange(6, dtype=np.float32).reshape(3, 2))

        def check_input(self, indices):
            if indices.dtype.kind not in "iu":
                raise self._error(f"expected integer indices, got {indices.dtype}")

        def forward(self, indices):
            return self.table.data[indices]

    np.testing.assert_array_equal(Lookup()(np.array([2, 0])), [[4, 5], [0, 1]])


def dcgan_pair():
    generator, discriminator = Generator(nz=4, ngf=4, image_size=16), Discriminator(ndf=4, image_size=16)
    return (generator, discriminator, optim.Adam(generator.parameters()), optim.Adam(discriminator.parameters()),
            nn.BCELoss())


@pytest.mark.parametrize("which", ["real", "noise"])
def test_train_step_refuses_a_float64_batch_before_changing_anything(which):
    setup = dcgan_pair()
    rng = np.random.default_rng(0)
    batches = {"real": rng.uniform(-1, 1, (2, 3, 16, 16)).astype(np.float32),
               "noise": rng.standard_normal((2, 4, 1, 1)).astype(np.float32)}
    batches[which] = batches[which].astype(np.float64)
    before = [value.copy() for value in setup[1].state_dict().values()]
    with pytest.raises(ValueError, match=f"train_step: the {which} batch: .*got dtype float64"):
        train_step(*setup, batches["real"], batches["noise"])
    for old, new in zip(before, setup[1].state_dict().values()):
        np.testing.assert_array_equal(old, new)


def test_bce_loss_on_logits_points_to_bce_with_logits():
    logits = np.array([2.5, -1.0, 0.3], dtype=np.float32)
    with pytest.raises(ValueError, match="BCELoss.*expected probabilities in \\[0, 1\\].*nanogan.nn.BCEWithLogitsLoss"):
        nn.BCELoss()(logits, np.ones(3, dtype=np.float32))
    assert np.isfinite(nn.BCEWithLogitsLoss()(logits, np.ones(3, dtype=np.float32)))


def test_bce_loss_on_a_device_defers_the_range_check_to_the_metrics_read():
    generator, discriminator, g_optimizer, d_optimizer, _ = dcgan_pair()
    discriminator.main = nn.Sequential(*list(discriminator.main)[:-1])  # no Sigmoid: D outputs logits
    setup = [model.to("strict") for model in (generator, discriminator)] + [g_optimizer, d_optimizer, nn.BCELoss()]
    rng = np.random.default_rng(0)
    real = to_backend(rng.uniform(-1, 1, (2, 3, 16, 16)), "strict", np.float32)
    noise = to_backend(rng.standard_normal((2, 4, 1, 1)), "strict", np.float32)
    with forbid_sync():  # no host synchronisation inside the step, the check included
        metrics = train_step(*setup, real, noise)
        with pytest.raises(HostSyncError):
            metrics.to_host()
    with pytest.raises(ValueError, match="expected probabilities in \\[0, 1\\].*BCEWithLogitsLoss"):
        metrics.to_host()


def test_bce_loss_on_a_device_accepts_probabilities_without_a_sync():
    criterion = nn.BCELoss()
    p = to_backend(np.array([0.0, 0.5, 1.0]), "strict", np.float32)
    with forbid_sync():
        criterion(p, to_backend(np.array([0.0, 1.0, 1.0]), "strict", np.float32))
    criterion.check_deferred()  # nothing outside [0, 1]: no error


@pytest.mark.parametrize("criterion", [nn.BCELoss(), nn.BCEWithLogitsLoss(), nn.MSELoss()])
def test_a_target_given_as_a_list_is_read_in_the_inputs_dtype(criterion, backend):
    p = to_backend(np.array([0.2, 0.9]), backend, np.float32)
    from_list = criterion(p, [1, 0])
    from_array = criterion(p, to_backend(np.array([1.0, 0.0]), backend, np.float32))
    assert from_list.dtype == np.float32 and float(from_list) == float(from_array)


def test_a_target_list_that_does_not_fit_is_one_clear_error():
    p = np.array([0.2, 0.9], dtype=np.float32)
    with pytest.raises(ValueError, match="expected target of shape \\(2,\\).*got shape \\(3,\\)"):
        nn.BCELoss()(p, [1, 0, 1])
    with pytest.raises(ValueError, match="BCELoss\\(\\): cannot read the target as an array of dtype float32"):
        nn.BCELoss()(p, ["real", "fake"])
    with pytest.raises(TypeError, match="BCELoss\\(\\): expected an array .*got list"):
        nn.BCELoss()([0.2, 0.9], p)
