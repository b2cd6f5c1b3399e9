"""The objectives and regularisers on the command lines: the toy examples and the DCGAN program take
them, save them in checkpoints and resume with them; combinations that make no sense exit with code 2."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from nanogan.data import synthetic_faces
from nanogan.dcgan.trainer import DCGANConfig, DCGANTrainer, load_models, read_config
from nanogan.nn import BatchNorm2d, MinibatchStdDev, Pack, Sigmoid, SpectralNorm

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_example(script, *argv):
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", script), *argv], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": ROOT, "MPLBACKEND": "Agg"})
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("script, argv, message", [
    ("gaussian_ring.py", ["--loss", "wgan-clip", "--spectral-norm"], "weight clipping .* spectral normalisation"),
    ("toy_gaussian.py", ["--pack", "3", "--batch-size", "16"], "batch size 16 is not a multiple of the pack size 3"),
    ("gaussian_ring.py", ["--loss", "wgan"], "invalid choice: 'wgan'"),
    ("toy_gaussian.py", ["--r1", "-1"], "expected a number >= 0"),
])
def test_nonsense_combinations_exit_2_with_one_line(tmp_path, script, argv, message):
    code, output = run_example(script, *argv, "--steps", "2", "--out", str(tmp_path))
    assert code == 2
    assert re.search(message, output), output


def test_the_ring_trains_with_every_option_at_once(tmp_path):
    code, output = run_example("gaussian_ring.py", "--loss", "wgan-gp", "--r1", "0.5", "--spectral-norm", "--pack",
                               "2", "--minibatch-std", "--n-critic", "2", "--lr-d", "2e-3", "--lr-g", "5e-4",
                               "--steps", "3", "--batch-size", "16", "--out", str(tmp_path))
    assert code == 0, output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["options"] == {"loss": "wgan-gp", "r1": 0.5, "spectral_norm": True, "pack": 2,
                                  "minibatch_std": True, "n_critic": 2}
    assert (summary["lr_d"], summary["lr_g"]) == (2e-3, 5e-4)


def test_the_toy_gaussian_trains_with_another_objective(tmp_path):
    code, output = run_example("toy_gaussian.py", "--loss", "hinge", "--discriminator", "mlp", "--steps", "3",
                               "--out", str(tmp_path))
    assert code == 0, output


def tiny(**settings):
    return DCGANConfig(image_size=16, nz=8, ngf=4, ndf=4, batch_size=4, **settings)


def layer_types(trainer):
    return [type(layer) for layer in trainer.discriminator.main]


def test_the_dcgan_discriminator_follows_the_options():
    faces = synthetic_faces(8, 16, seed=0)
    default = DCGANTrainer(tiny(), faces)
    assert BatchNorm2d in layer_types(default) and layer_types(default)[-1] is Sigmoid
    penalised = DCGANTrainer(tiny(loss="wgan-gp", pack=2, minibatch_std=True, spectral_norm=True), faces)
    types = layer_types(penalised)
    assert BatchNorm2d not in types and Sigmoid not in types  # a gradient penalty is per sample, on the score
    assert types[0] is Pack and MinibatchStdDev in types and SpectralNorm in types


def test_options_are_saved_and_a_resumed_run_continues_with_them(tmp_path):
    faces = synthetic_faces(16, 16, seed=0)
    config = tiny(loss="wgan-gp", n_critic=2, pack=2, lr_d=1e-3)
    whole = DCGANTrainer(config, faces)
    for _ in range(2):
        whole.train_step()
    first = DCGANTrainer(config, faces)
    first.train_step()
    first.save(tmp_path / "checkpoint.npz")
    assert read_config(tmp_path / "checkpoint.npz") == config
    _, discriminator, _ = load_models(tmp_path / "checkpoint.npz")  # for evaluation: the run's own D
    assert type(discriminator.main[0]) is Pack and BatchNorm2d not in [type(layer) for layer in discriminator.main]
    resumed = DCGANTrainer.from_checkpoint(tmp_path / "checkpoint.npz", faces)
    resumed.train_step()
    for key, value in whole.discriminator.state_dict().items():
        np.testing.assert_array_equal(resumed.discriminator.state_dict()[key], value, err_msg=key)


def test_the_dcgan_program_refuses_clipping_with_spectral_normalisation(tmp_path):
    result = subprocess.run([sys.executable, "-m", "nanogan.dcgan", "--loss", "wgan-clip", "--spectral-norm",
                             "--data", "synthetic", "--out", str(tmp_path)], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "PYTHONPATH": ROOT}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: weight clipping") and result.stderr.count("\n") == 1
