"""nanogan.save / nanogan.load (as torch.save / torch.load, without pickle), and the generator files that
load_generator and `--generate` accept: a DCGAN run's checkpoint, or a generator saved from one's own loop."""

import math
import os
import sys

import numpy as np
import pytest

import nanogan
from nanogan import nn, optim
from nanogan.backend import backend_name, to_backend
from nanogan.dcgan.cli import main as dcgan_main
from nanogan.dcgan.trainer import generate_images, load_generator
from nanogan.io import CheckpointError, read_weights, save_checkpoint
from nanogan.models import Generator
from nanogan.models.dcgan import generator_architecture


def test_nested_state_comes_back_as_the_same_python_objects(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    optimizer = optim.Adam(model.parameters(), betas=(0.5, 0.999))
    for parameter in model.parameters():
        parameter.grad[...] = 1
    optimizer.step()
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": 7, "name": "run a",
             "losses": [0.5, float("nan"), math.inf], "done": False, "note": None}
    nanogan.save(state, tmp_path / "run.npz")
    loaded = nanogan.load(tmp_path / "run.npz")
    assert loaded["step"] == 7 and loaded["name"] == "run a" and loaded["done"] is False and loaded["note"] is None
    assert loaded["losses"][0] == 0.5 and math.isnan(loaded["losses"][1]) and loaded["losses"][2] == math.inf
    assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.5, 0.999)
    assert list(loaded["optimizer"]["state"]) == [0, 1, 2, 3]  # integer keys stay integers
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(loaded["model"][key], value)
        assert loaded["model"][key].dtype == value.dtype
    restored = optim.Adam(nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2)).parameters())
    restored.load_state_dict(loaded["optimizer"])
    assert restored.betas == (0.5, 0.999) and restored.state[0]["step"] == 1


def test_the_file_is_a_plain_npz_of_named_arrays_read_without_pickle(tmp_path):
    nanogan.save({"generator": {"main.0.weight": np.ones((2, 2), np.float32)}}, tmp_path / "g.npz")
    with np.load(tmp_path / "g.npz", allow_pickle=False) as data:
        assert "generator/main.0.weight" in data.files
    with pytest.raises(TypeError, match="nanogan.save: a is an array of Python objects"):
        nanogan.save({"a": np.array([{}, None], dtype=object)}, tmp_path / "bad.npz")
    with pytest.raises(TypeError, match="nanogan.save stores arrays, numbers, .*got function at f"):
        nanogan.save({"f": lambda: 0}, tmp_path / "bad.npz")
    assert not os.path.exists(tmp_path / "bad.npz")


def test_device_arrays_are_saved_from_the_device_and_loaded_onto_a_chosen_backend(tmp_path):
    nanogan.save({"x": to_backend(np.arange(3.0), "strict", np.float32)}, tmp_path / "x.npz")
    assert backend_name(nanogan.load(tmp_path / "x.npz")["x"]) == "numpy"
    assert backend_name(nanogan.load(tmp_path / "x.npz", backend="strict")["x"]) == "strict"


def test_a_crash_while_saving_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "state.npz"
    nanogan.save({"version": 1}, path)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        nanogan.save({"version": 2}, path)
    assert nanogan.load(path) == {"version": 1} and os.listdir(tmp_path) == ["state.npz"]


def test_other_files_are_refused_with_the_reason(tmp_path):
    with pytest.raises(FileNotFoundError):
        nanogan.load(tmp_path / "missing.npz")
    (tmp_path / "garbage.npz").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="not a complete .npz file"):
        nanogan.load(tmp_path / "garbage.npz")
    save_checkpoint(tmp_path / "checkpoint.npz", {"a": np.zeros(2)}, {})
    with pytest.raises(ValueError, match="was not written by nanogan.save .*nanogan.io.load_checkpoint"):
        nanogan.load(tmp_path / "checkpoint.npz")


def test_read_weights_tells_the_formats_apart(tmp_path):
    save_checkpoint(tmp_path / "checkpoint.npz", {"a": np.zeros(2)}, {"step": 3})
    nanogan.save({"a": np.zeros(2)}, tmp_path / "saved.npz")
    np.savez(tmp_path / "foreign.npz", a=np.zeros(2))
    assert read_weights(tmp_path / "checkpoint.npz")[1]["step"] == 3
    assert read_weights(tmp_path / "saved.npz")[1] == {}
    with pytest.raises(CheckpointError, match="not a nanogan weights file: expected a nanogan checkpoint"):
        read_weights(tmp_path / "foreign.npz")


def tiny_generator():
    return Generator(nz=8, ngf=4, nc=3, image_size=16)


def test_the_architecture_is_read_from_a_generators_weights():
    for image_size in (16, 64):
        generator = Generator(nz=12, ngf=4, nc=1, image_size=image_size)
        assert generator_architecture(generator.state_dict()) == {"nz": 12, "ngf": 4, "nc": 1, "image_size": image_size}


def own_loop_files(tmp_path):
    """A generator saved the ways a loop of one's own saves it, and the samples it gives."""
    generator = tiny_generator()
    state = generator.state_dict()
    save_checkpoint(tmp_path / "own_checkpoint.npz", {"generator": state, "discriminator": {"w": np.zeros(2)}},
                    {"step": 100, "config": {"my": "settings"}})
    nanogan.save(state, tmp_path / "state_dict.npz")
    nanogan.save({"generator": state, "architecture": {"nz": 8, "ngf": 4, "nc": 3, "image_size": 16}},
                 tmp_path / "with_architecture.npz")
    noise = np.random.default_rng(0).standard_normal((2, 8, 1, 1)).astype(np.float32)
    return generate_images(generator, noise), noise


@pytest.mark.parametrize("name", ["own_checkpoint", "state_dict", "with_architecture"])
def test_load_generator_takes_a_generator_saved_from_ones_own_loop(tmp_path, name):
    expected, noise = own_loop_files(tmp_path)
    generator, config = load_generator(tmp_path / f"{name}.npz")
    assert (config.nz, config.ngf, config.nc, config.image_size) == (8, 4, 3, 16)
    np.testing.assert_array_equal(generate_images(generator, noise), expected)


def test_a_file_without_a_generator_is_a_clear_error(tmp_path):
    nanogan.save({"discriminator": nn.Linear(2, 1).state_dict()}, tmp_path / "d.npz")
    with pytest.raises(CheckpointError, match="holds no DCGAN generator: not the state dict of a DCGAN Generator"):
        load_generator(tmp_path / "d.npz")
    nanogan.save({"generator": tiny_generator().state_dict(),
                  "architecture": {"nz": 8, "ngf": 4, "nc": 3, "image_size": 32}}, tmp_path / "wrong.npz")
    with pytest.raises(CheckpointError, match="does not fit a DCGAN generator of its own architecture"):
        load_generator(tmp_path / "wrong.npz")


def test_generate_from_the_command_line_takes_a_checkpoint_of_ones_own_loop(tmp_path, capsys):
    own_loop_files(tmp_path)
    grid = tmp_path / "grid.png"
    assert dcgan_main(["--generate", str(tmp_path / "own_checkpoint.npz"), "--n", "4", "--out", str(grid)]) == 0
    assert grid.exists() and (tmp_path / "grid_interpolation.png").exists()


def test_the_command_line_takes_cuda_as_the_cupy_backend(tmp_path, capsys, monkeypatch, forget_cupy):
    monkeypatch.setitem(sys.modules, "cupy", None)  # a machine without CuPy
    with pytest.raises(SystemExit) as exit_info:
        dcgan_main(["--generate", str(tmp_path / "any.npz"), "--backend", "cuda"])
    assert exit_info.value.code == 2
    assert 'error: the "cupy" backend needs CuPy, which is not installed' in capsys.readouterr().err
