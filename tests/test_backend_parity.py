"""One suite for every backend: DCGAN training on each backend against the NumPy reference,
from the same initial weights (moved by state dict) and the same batches (drawn on the host).

On "strict" the results equal NumPy's exactly (the same NumPy runs underneath); on "cupy"
they differ by float32 roundoff in other summation orders, well inside the tolerances here.
"""

import functools

import numpy as np
import pytest

from helpers import assert_close
from nanogan import nn, optim
from nanogan.backend import to_backend, to_numpy
from nanogan.models import Discriminator, Generator
from nanogan.training import METRIC_NAMES, train_step
from strict_backend import HostSyncError, forbid_sync

BATCH_SIZE, NZ, IMAGE_SIZE = 4, 8, 16  # the smallest DCGAN: two stride-2 layers each way
LR, BETAS = 2e-4, (0.5, 0.999)  # the DCGAN paper's Adam
PARAMETER_RTOL, PARAMETER_ATOL = 1e-4, 1e-6  # float32 roundoff after 2 Adam steps of at most lr each
LOSS_RTOL = 1e-3  # losses after 5 steps: roundoff, slightly grown by training


def make_pair():
    return Generator(nz=NZ, ngf=4, image_size=IMAGE_SIZE), Discriminator(ndf=4, image_size=IMAGE_SIZE)


@functools.lru_cache(maxsize=None)
def initial_state():
    """Host copies of one pair's state dicts: the weights every backend starts from."""
    generator, discriminator = make_pair()
    return tuple({key: to_numpy(value).copy() for key, value in model.state_dict().items()}
                 for model in (generator, discriminator))


def host_batches(steps):
    """(real images, noise) per step, float32 on the host, the same for every backend."""
    rng = np.random.default_rng(0)
    return [(rng.uniform(-1, 1, (BATCH_SIZE, 3, IMAGE_SIZE, IMAGE_SIZE)).astype(np.float32),
             rng.standard_normal((BATCH_SIZE, NZ, 1, 1)).astype(np.float32)) for _ in range(steps)]


def training_setup(backend):
    """A fresh pair on `backend` loaded with the initial state, its optimizers and loss."""
    generator, discriminator = make_pair()
    for model, state in zip((generator, discriminator), initial_state()):
        model.load_state_dict(state)
        model.to(backend)
    g_optimizer = optim.Adam(generator.parameters(), lr=LR, betas=BETAS)
    d_optimizer = optim.Adam(discriminator.parameters(), lr=LR, betas=BETAS)
    return generator, discriminator, g_optimizer, d_optimizer, nn.BCELoss()


def train(backend, steps):
    """Train for `steps` steps; returns the final state dicts and each step's metrics, on the host."""
    setup = training_setup(backend)
    metrics = [train_step(*setup, to_backend(real, backend), to_backend(noise, backend))
               for real, noise in host_batches(steps)]
    states = [{key: to_numpy(value) for key, value in model.state_dict().items()} for model in setup[:2]]
    return states, [step.to_host() for step in metrics]


@functools.lru_cache(maxsize=None)
def numpy_reference(steps):
    return train(backend="numpy", steps=steps)


def test_two_dcgan_training_steps_give_numpys_parameters(backend):
    states, _ = train(backend, steps=2)
    reference_states, _ = numpy_reference(steps=2)
    for state, reference in zip(states, reference_states):
        assert list(state) == list(reference)
        for key in reference:
            assert state[key].dtype == reference[key].dtype, key
            assert_close(state[key], reference[key], rtol=PARAMETER_RTOL, atol=PARAMETER_ATOL)


def test_losses_of_a_short_run_track_numpys(backend):
    _, metrics = train(backend, steps=5)
    _, reference_metrics = numpy_reference(steps=5)
    for name in reference_metrics[0]:
        assert_close([step[name] for step in metrics], [step[name] for step in reference_metrics],
                     rtol=LOSS_RTOL, atol=0)


def test_a_dcgan_train_step_on_the_device_never_syncs_and_stays_float32():
    """Run on "strict": any float(), .item(), host copy or float64 upcast inside train_step raises."""
    generator, discriminator, g_optimizer, d_optimizer, criterion = setup = training_setup("strict")
    batches = [(to_backend(real, "strict"), to_backend(noise, "strict")) for real, noise in host_batches(2)]
    with forbid_sync():
        for real, noise in batches:  # the second step finds Adam's moments and BatchNorm's statistics in place
            metrics = train_step(*setup, real, noise)
        with pytest.raises(HostSyncError):
            metrics.to_host()  # the one sync, for logging every N steps, is the caller's choice
    arrays = [*generator.state_dict().values(), *discriminator.state_dict().values(),
              *(parameter.grad for parameter in [*generator.parameters(), *discriminator.parameters()]),
              *(getattr(metrics, name) for name in METRIC_NAMES)]
    assert {array.dtype for array in arrays} == {np.dtype(np.float32), np.dtype(np.int64)}  # int64: batch counts
