"""The DCGAN training run end to end, on a CelebA-like fixture at a tiny width:
loading, caching, training, sample grids, checkpoints, exact resume, generation,
Ctrl-C, NaN, and every bad-input path of examples/celeba_dcgan.py (exit code 2)."""

import importlib.util
import json
import os
import re
import subprocess
import sys
from dataclasses import fields

import numpy as np
import pytest

from celeba_like import make_celeba_like
from nanogan.backend import is_available
from nanogan.io.checkpoint import load_checkpoint
from nanogan.data import synthetic_faces
from nanogan.dcgan.cli import TRAINING_SETTINGS, build_parser
from nanogan.dcgan.run import TrainingDiverged, train
from nanogan.dcgan.trainer import DCGANConfig, DCGANTrainer
from nanogan.training import StepMetrics

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(REPO, "examples", "celeba_dcgan.py")
TINY = ["--image-size", "16", "--nz", "8", "--ngf", "4", "--ndf", "4", "--batch-size", "4", "--no-progress"]


def load_example():
    spec = importlib.util.spec_from_file_location("celeba_dcgan_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example():
    return load_example()


@pytest.fixture(scope="module")
def celeba(tmp_path_factory):
    return make_celeba_like(tmp_path_factory.mktemp("celeba"))


def run(example, *argv):
    """main(argv) -> exit code, with SystemExit (from argparse or cli.fail) turned into its code."""
    try:
        return example.main(list(argv))
    except SystemExit as exit_info:
        return exit_info.code


def tiny_trainer(seed=0):
    config = DCGANConfig(image_size=16, nz=8, ngf=4, ndf=4, batch_size=4, seed=seed)
    return DCGANTrainer(config, synthetic_faces(24, 16, seed=0))


@pytest.mark.parametrize("layout", ["folder", "zip"])
def test_two_steps_on_celeba_write_every_promised_file(example, celeba, tmp_path, layout):
    out = tmp_path / "run"
    with pytest.warns(UserWarning, match="skipped 1 of 25 image files"):
        code = run(example, "--data", getattr(celeba, layout), "--cache-dir", str(tmp_path / "cache"),
                   "--max-steps", "2", "--log-every", "1", "--sample-every", "2", "--out", str(out), *TINY)
    assert code == 0
    for name in ("metrics.jsonl", "real_samples.png", "samples/step_000002.png", "losses.png", "checkpoint.npz"):
        assert (out / name).exists(), name
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [record["step"] for record in records] == [1, 2]
    assert {"loss_d", "loss_g", "d_real", "d_fake", "d_fake_after", "images_per_second", "epoch"} <= set(records[0])
    assert os.listdir(tmp_path / "cache")  # CelebA went through the cache


def test_resumed_run_ends_with_exactly_the_parameters_of_an_uninterrupted_one(tmp_path):
    """On NumPy: 6 steps in one go == 3 steps, save, load, 3 more (batches, noise, Adam state, BN stats)."""
    straight = tiny_trainer()
    for _ in range(6):
        straight.train_step()

    first_half = tiny_trainer()
    for _ in range(3):
        first_half.train_step()
    first_half.save(tmp_path / "half.npz")
    resumed = DCGANTrainer.from_checkpoint(tmp_path / "half.npz", first_half.images)
    assert resumed.step == 3
    for _ in range(3):
        resumed.train_step()
    straight.save(tmp_path / "straight.npz")
    resumed.save(tmp_path / "resumed.npz")
    expected, _ = load_checkpoint(tmp_path / "straight.npz")
    actual, _ = load_checkpoint(tmp_path / "resumed.npz")
    for network in ("generator", "discriminator"):
        for key, value in expected[network].items():
            np.testing.assert_array_equal(actual[network][key], value, err_msg=f"{network}.{key}")


def test_resume_from_the_command_line_continues_where_the_run_stopped(example, tmp_path):
    out = tmp_path / "run"
    common = ["--data", "synthetic", "--limit", "40", "--out", str(out), "--log-every", "1", *TINY[-1:]]
    assert run(example, *common, "--max-steps", "2", *TINY[:-1]) == 0
    assert run(example, *common, "--max-steps", "4", "--resume", str(out / "checkpoint.npz")) == 0
    _, metadata = load_checkpoint(out / "checkpoint.npz")
    assert metadata["step"] == 4
    steps = [json.loads(line)["step"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4]


def test_generate_writes_a_grid_and_an_interpolation_strip(example, tmp_path):
    trainer = tiny_trainer()
    trainer.train_step()
    trainer.save(tmp_path / "checkpoint.npz")
    grid = tmp_path / "grid.png"
    assert run(example, "--generate", str(tmp_path / "checkpoint.npz"), "--n", "16", "--out", str(grid)) == 0
    assert grid.exists() and (tmp_path / "grid_interpolation.png").exists()


def test_on_a_device_backend_the_images_are_uploaded_once_and_training_matches_numpy():
    import strict_backend  # noqa: F401  registers the "strict" backend (CuPy's rules on NumPy arrays)

    from nanogan.backend import backend_name, to_numpy

    host, device = tiny_trainer(), DCGANTrainer(DCGANConfig(image_size=16, nz=8, ngf=4, ndf=4, batch_size=4,
                                                            backend="strict"), synthetic_faces(24, 16, seed=0))
    assert backend_name(device.loader.images) == "strict" and backend_name(host.loader.images) == "numpy"
    with strict_backend.forbid_sync():
        for _ in range(2):
            device.train_step()
    for _ in range(2):
        host.train_step()
    for key, value in host.generator.state_dict().items():
        np.testing.assert_allclose(to_numpy(device.generator.state_dict()[key]), value, rtol=1e-4, atol=1e-6)


def test_sampling_leaves_the_generators_running_statistics_alone():
    trainer = tiny_trainer()
    trainer.train_step()
    before = {key: value.copy() for key, value in trainer.generator.state_dict().items()}
    trainer.generate(trainer.fixed_noise)
    assert trainer.generator.training
    for key, value in trainer.generator.state_dict().items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)


def test_ctrl_c_saves_a_checkpoint_and_stops_cleanly(tmp_path, monkeypatch):
    trainer = tiny_trainer()
    original_step = trainer.train_step

    def interrupted_at_step_3():
        if trainer.step == 2:
            raise KeyboardInterrupt
        return original_step()

    monkeypatch.setattr(trainer, "train_step", interrupted_at_step_3)
    assert train(trainer, str(tmp_path), max_steps=10, progress=False) == "interrupted"
    _, metadata = load_checkpoint(tmp_path / "checkpoint.npz")
    assert metadata["step"] == 2


def test_a_nan_loss_stops_training_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    trainer = tiny_trainer()
    original_step = trainer.train_step

    def nan_from_step_5():
        metrics = original_step()
        if trainer.step >= 5:
            return StepMetrics(np.float32("nan"), metrics.loss_g, metrics.d_real, metrics.d_fake, metrics.d_fake_after)
        return metrics

    monkeypatch.setattr(trainer, "train_step", nan_from_step_5)
    with pytest.raises(TrainingDiverged, match=r"loss_d became nan by step 5.*checkpoint.npz \(step 4\)"):
        train(trainer, str(tmp_path), max_steps=10, log_every=1, checkpoint_every=2, progress=False)
    _, metadata = load_checkpoint(tmp_path / "checkpoint.npz")
    assert metadata["step"] == 4


@pytest.mark.parametrize("argv, message", [
    (["--image-size", "24"], "image_size must be a power of two"),
    (["--batch-size", "0"], "expected a positive integer, got 0"),
    (["--max-steps", "-5"], "expected a positive integer"),
    (["--lr", "abc"], "expected a positive number"),
    (["--beta1", "1.5"], r"expected a number in \[0, 1\)"),
    (["--batch-size", "64", "--limit", "10"], "batch_size 64 is larger than the dataset"),
    (["--data", "/no/such/folder"], "does not exist"),
])
def test_nonsense_arguments_exit_2_with_one_line(example, tmp_path, capsys, argv, message):
    code = run(example, "--data", "synthetic", "--out", str(tmp_path / "run"), "--no-progress", *argv)
    assert code == 2
    assert re.search(message, capsys.readouterr().err)


def test_an_empty_data_folder_exits_2_and_says_where_to_get_celeba(example, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert run(example, "--data", str(tmp_path / "empty"), "--out", str(tmp_path / "run")) == 2
    assert "img_align_celeba" in capsys.readouterr().err


def test_an_unwritable_output_folder_exits_2(example, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run(example, "--data", "synthetic", "--out", str(blocker / "run")) == 2
    assert "cannot write to the output folder" in capsys.readouterr().err


@pytest.mark.skipif(is_available("cupy"), reason="CuPy and a GPU are present here")
def test_cupy_backend_without_cupy_exits_2_with_the_install_hint(example, tmp_path, capsys):
    assert run(example, "--backend", "cupy", "--out", str(tmp_path / "run")) == 2
    assert 'pip install "nanogan[cuda12]"' in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--resume", "--generate"])
def test_a_corrupt_checkpoint_exits_2(example, tmp_path, capsys, flag):
    bad = tmp_path / "checkpoint.npz"
    bad.write_bytes(b"garbage")
    assert run(example, "--data", "synthetic", "--out", str(tmp_path / "run"), flag, str(bad)) == 2
    assert "cannot read checkpoint" in capsys.readouterr().err


@pytest.mark.parametrize("option, value", [("--image-size", "32"), ("--nz", "16")])
def test_resuming_with_a_mismatched_architecture_exits_2(example, tmp_path, capsys, option, value):
    trainer = tiny_trainer()
    trainer.save(tmp_path / "checkpoint.npz")
    code = run(example, "--data", "synthetic", "--out", str(tmp_path / "run"),
               "--resume", str(tmp_path / "checkpoint.npz"), option, value)
    assert code == 2
    assert f"{option} {value} conflicts with the checkpoint's architecture" in capsys.readouterr().err


def test_the_script_runs_as_a_program(tmp_path):
    """The real entry point, in a fresh interpreter: two steps on the synthetic faces."""
    result = subprocess.run(
        [sys.executable, EXAMPLE, "--limit", "16", "--max-steps", "2", "--out", str(tmp_path / "run"), *TINY],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "NOT CelebA" in result.stdout
    assert (tmp_path / "run" / "checkpoint.npz").exists()


def test_python_m_nanogan_dcgan_is_the_same_program(tmp_path):
    result = subprocess.run([sys.executable, "-m", "nanogan.dcgan", "--help"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "--generate CHECKPOINT" in result.stdout


def test_the_settings_options_take_their_defaults_and_help_from_dcgan_config():
    help_text = " ".join(build_parser().format_help().split())
    for setting in fields(DCGANConfig):
        if setting.name in TRAINING_SETTINGS:
            option = "--" + setting.name.replace("_", "-")
            default = "" if setting.default is None or setting.default is False else f" (default {setting.default:g})" \
                if isinstance(setting.default, (int, float)) else f" (default {setting.default})"
            assert option in help_text and f"{setting.metadata['help']}{default}" in help_text
