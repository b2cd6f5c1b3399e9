"""Checkpoint files: round trips, atomic writes, and clear errors for bad files."""

import os

import numpy as np
import pytest

from nanogan import nn, optim
from nanogan.data import synthetic_faces
from nanogan.dcgan.trainer import DCGANTrainer, load_generator
from nanogan.files import atomic_write
from nanogan.io.checkpoint import CheckpointError, load_checkpoint, load_metadata, save_checkpoint

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def test_nested_state_round_trips_with_lists_of_dicts_and_big_integers(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    optimizer = optim.Adam(model.parameters(), betas=(0.5, 0.999))
    for parameter in model.parameters():
        parameter.grad[...] = 1
    optimizer.step()
    rng_state = np.random.default_rng(5).bit_generator.state  # holds 128-bit integers
    path = save_checkpoint(tmp_path / "run.npz", {"model": model.state_dict(), "optimizer": optimizer.state_dict()},
                           {"step": 7, "rng": rng_state})
    arrays, metadata = load_checkpoint(path)
    assert metadata["step"] == 7 and metadata["rng"] == rng_state
    assert isinstance(arrays["optimizer"]["param_groups"], list)
    restored = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    restored.load_state_dict(arrays["model"])
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(restored.state_dict()[key], value)
    restored_optimizer = optim.Adam(restored.parameters())
    restored_optimizer.load_state_dict(arrays["optimizer"])
    assert restored_optimizer.betas == (0.5, 0.999) and restored_optimizer.state[0]["step"] == 1
    assert load_metadata(path)["step"] == 7


def test_checkpoints_never_need_pickle(tmp_path):
    path = save_checkpoint(tmp_path / "run.npz", {"a": {"b": np.arange(3)}}, {"note": "x"})
    with np.load(path, allow_pickle=False) as data:
        assert all(data[name].dtype != object for name in data.files)


def test_a_crash_while_writing_keeps_the_previous_file(tmp_path):
    path = tmp_path / "checkpoint.npz"
    save_checkpoint(path, {"weights": np.ones(4)}, {"step": 1})
    with pytest.raises(RuntimeError, match="power cut"):
        with atomic_write(path) as file:
            file.write(b"half a checkpoint")
            raise RuntimeError("power cut")
    arrays, metadata = load_checkpoint(path)
    assert metadata["step"] == 1 and np.all(arrays["weights"] == 1)
    assert os.listdir(tmp_path) == ["checkpoint.npz"]  # no temporary file left behind


@pytest.mark.parametrize("content, message", [
    (None, "does not exist"),
    (b"not a zip file", "not a complete .npz file"),
])
def test_missing_or_corrupt_files_raise_checkpoint_error(tmp_path, content, message):
    path = tmp_path / "checkpoint.npz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(path)


def test_a_truncated_checkpoint_is_reported(tmp_path):
    path = save_checkpoint(tmp_path / "run.npz", {"weights": np.ones(10_000)}, {"step": 1})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="not a complete .npz file|damaged"):
        load_checkpoint(path)


def test_a_foreign_npz_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, weights=np.ones(2))
    with pytest.raises(CheckpointError, match="not a nanogan checkpoint"):
        load_checkpoint(path)


def test_a_checkpoint_written_before_the_package_layout_changed_still_resumes_and_samples_the_same():
    # Written by commit 318d566 (nanogan/dcgan_trainer.py, before nanogan/dcgan/ existed): a DCGANTrainer
    # (image_size 32, nz 8, ngf 4, ndf 4, batch 8, seed 3) on synthetic_faces(16, 32, seed=5), saved after
    # 3 steps; the expected file holds G on 4 noise vectors and the losses of the 4th step, from that code.
    path = os.path.join(FIXTURES, "dcgan_checkpoint_318d566.npz")
    expected = np.load(os.path.join(FIXTURES, "dcgan_checkpoint_318d566_expected.npz"))
    generator, config = load_generator(path)
    assert (config.image_size, config.nz, config.ngf, config.ndf, config.seed) == (32, 8, 4, 4, 3)
    trainer = DCGANTrainer.from_checkpoint(path, synthetic_faces(16, 32, seed=5))
    assert trainer.step == 3
    np.testing.assert_allclose(trainer.generate(expected["noise"]), expected["images"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(generator.eval()(expected["noise"]), expected["images"], rtol=0, atol=1e-6)
    metrics = trainer.train_step().to_host()
    assert metrics["loss_d"] == pytest.approx(float(expected["next_loss_d"]), rel=1e-5)
    assert metrics["loss_g"] == pytest.approx(float(expected["next_loss_g"]), rel=1e-5)
