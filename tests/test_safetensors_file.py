"""safetensors files for any state dict: a round trip to the bit, from any backend, and one-line errors."""

import sys

import numpy as np
import pytest

from nanogan import nn
from nanogan.backend import to_numpy
from nanogan.io import WeightsError, load_safetensors, save_safetensors

pytest.importorskip("safetensors")


def test_a_state_dict_round_trips_to_the_bit_from_any_backend(backend, tmp_path):
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Linear(2, 5)).to(backend)
    model[1].num_batches_tracked += 3
    path = save_safetensors(model.state_dict(), tmp_path / "model.safetensors", metadata={"note": "test"})
    loaded = load_safetensors(path)
    state = {name: to_numpy(value) for name, value in model.state_dict().items()}
    assert set(loaded) == set(state)
    for name, value in state.items():
        assert loaded[name].dtype == value.dtype and loaded[name].shape == value.shape, name
        assert loaded[name].tobytes() == value.tobytes(), name
    fresh = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Linear(2, 5))
    fresh.load_state_dict(loaded)
    assert int(fresh[1].num_batches_tracked) == 3


def test_a_view_is_written_as_its_values(tmp_path):
    base = np.arange(12, dtype=np.float64).reshape(3, 4)
    loaded = load_safetensors(save_safetensors({"t": base.T, "row": base[1]}, tmp_path / "views.safetensors"))
    np.testing.assert_array_equal(loaded["t"], base.T)
    np.testing.assert_array_equal(loaded["row"], base[1])


def test_missing_and_damaged_files_are_one_line_errors(tmp_path):
    with pytest.raises(WeightsError, match=r"missing.safetensors does not exist"):
        load_safetensors(tmp_path / "missing.safetensors")
    path = save_safetensors({"a": np.zeros(100, np.float32)}, tmp_path / "cut.safetensors")
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(WeightsError, match=r"cut.safetensors: not a readable safetensors file \(.*\)"):
        load_safetensors(path)


def test_without_the_package_the_error_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)  # as if it were not installed
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(WeightsError, match=r'need the safetensors package: pip install "nanogan\[safetensors\]"'):
        save_safetensors({"a": np.zeros(2)}, tmp_path / "a.safetensors")
