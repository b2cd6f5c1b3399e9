"""Training quality, measured: a small 32x32 DCGAN trained for 400 steps on the synthetic faces must reach the
face benchmark's thresholds (nanogan/metrics/faces.py), which an untrained generator and one trained with a
planted backward-pass bug both miss. Gradient checks prove each layer computes its gradient; this proves that
the whole training still learns, and that it would notice if one gradient were wrong.

What the thresholds were set from (2,000 training faces, 1,000 samples against 1,000 held-out faces):

    these tests' runs              correct: modes covered 31, KL 1.09, domain FID 1318
                                   untrained: 0, 5.32, 3076      planted bug: 8, 3.87, 3384
    correct training, seeds 1-3    modes 24, 43, 27   KL 1.33, 1.42, 1.01   domain FID 1495, 1160, 1312
    (other noise)                  the sign of dW flipped in G's layer 0: 10, 3.48, 1967; layer 6: 1, 4.20, 2745
"""

import numpy as np
import pytest

from nanogan.data import synthetic_faces
from nanogan.dcgan.trainer import DCGANConfig, DCGANTrainer
from nanogan.metrics.faces import face_extractor, face_figures, measure_faces
from nanogan.metrics.sources import GeneratorSource, SyntheticSource

STEPS = 400  # about 15 s on 2 cores
SETTINGS = dict(image_size=32, nz=64, ngf=16, ndf=16, batch_size=32, lr=1e-3, seed=0)
SAMPLES = 1000
MIN_MODES, MAX_KL, MAX_DOMAIN_FID = 18, 2.0, 1700.0


@pytest.fixture(scope="module")
def face_benchmark():
    """The trained classifier as a feature network, and 1,000 held-out real faces measured through it."""
    extractor = face_extractor(32)
    return extractor, measure_faces(SyntheticSource(32), extractor, SAMPLES, 100, progress=False)


@pytest.fixture(scope="module")
def faces():
    return synthetic_faces(2000, 32, seed=0)


def figures_after_training(faces, face_benchmark, steps, planted_bug=None):
    """The face face_benchmark of a DCGAN trained for `steps` steps; planted_bug(trainer) breaks it first."""
    trainer = DCGANTrainer(DCGANConfig(**SETTINGS), faces)
    if planted_bug is not None:
        planted_bug(trainer)
    for _ in range(steps):
        trainer.train_step()
    extractor, real = face_benchmark
    fake = measure_faces(GeneratorSource(trainer.generator, [0, 3]), extractor, SAMPLES, 100, progress=False)
    return face_figures(fake, real)


def flip_the_weight_gradient_of_g_layer_3(trainer):
    """A sign error in one layer's weight gradient: G's second transposed convolution adds -dW, not dW."""
    layer = trainer.generator.main[3]
    backward = layer.backward

    def backward_with_the_sign_error(grad_output):
        before = layer.weight.grad.copy()
        grad_input = backward(grad_output)
        layer.weight.grad[...] = 2 * before - layer.weight.grad  # before - dW instead of before + dW
        return grad_input

    layer.backward = backward_with_the_sign_error


def meets_the_thresholds(figures):
    return (figures["modes_covered"] >= MIN_MODES and figures["kl"] <= MAX_KL
            and figures["domain_fid"] <= MAX_DOMAIN_FID)


def test_a_trained_dcgan_reaches_the_face_benchmarks_thresholds(faces, face_benchmark):
    figures = figures_after_training(faces, face_benchmark, STEPS)
    assert meets_the_thresholds(figures), {name: figures[name] for name in ("modes_covered", "kl", "domain_fid")}


def test_an_untrained_generator_misses_them(faces, face_benchmark):
    figures = figures_after_training(faces, face_benchmark, 0)
    assert figures["modes_covered"] < MIN_MODES and figures["kl"] > MAX_KL
    assert figures["domain_fid"] > MAX_DOMAIN_FID


def test_a_planted_sign_error_in_one_weight_gradient_is_caught(faces, face_benchmark):
    figures = figures_after_training(faces, face_benchmark, STEPS, planted_bug=flip_the_weight_gradient_of_g_layer_3)
    assert figures["modes_covered"] < MIN_MODES and figures["kl"] > MAX_KL
    assert figures["domain_fid"] > MAX_DOMAIN_FID
    assert not np.isnan(figures["domain_fid"])
