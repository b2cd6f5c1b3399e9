"""The backend switch: names, conversions, and a clear error when CuPy or a GPU is missing."""

import sys
import types

import numpy as np
import pytest

import nanogan
from nanogan import backend, nn


def test_numpy_backend_and_array_module():
    assert backend.get_backend("numpy") is np
    assert backend.get_array_module(np.zeros(2)) is np
    assert backend.backend_name(np.zeros(2)) == "numpy"


def test_unknown_backend_name_is_a_value_error():
    with pytest.raises(ValueError, match="unknown backend 'torch': expected one of numpy, cupy"):
        backend.get_backend("torch")


def test_to_backend_casts_and_to_numpy_returns_host_arrays():
    x = np.arange(3, dtype=np.float64)
    y = backend.to_backend(x, "numpy", np.float32)
    assert y.dtype == np.float32
    assert backend.to_backend(y, "numpy") is y  # nothing to change, no copy
    assert isinstance(backend.to_numpy(y), np.ndarray)


def test_missing_cupy_gives_the_install_hint(monkeypatch, forget_cupy):
    monkeypatch.setitem(sys.modules, "cupy", None)  # makes `import cupy` raise ImportError
    with pytest.raises(backend.BackendUnavailableError, match=r'pip install "nanogan\[cuda12\]"'):
        backend.get_backend("cupy")
    assert not backend.is_available("cupy")


def test_cupy_without_a_gpu_says_so(monkeypatch, forget_cupy):
    def no_device():
        raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")

    fake_cupy = types.SimpleNamespace(cuda=types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=no_device)))
    monkeypatch.setitem(sys.modules, "cupy", fake_cupy)
    with pytest.raises(backend.BackendUnavailableError, match="needs an NVIDIA GPU.*no CUDA-capable device"):
        backend.get_backend("cupy")


def test_moving_a_model_to_an_unavailable_backend_fails_before_touching_a_layer(monkeypatch, forget_cupy):
    monkeypatch.setitem(sys.modules, "cupy", None)
    model = nn.Sequential(nn.Linear(2, 2))
    with pytest.raises(backend.BackendUnavailableError, match="use the numpy backend"):
        model.to("cupy")
    assert backend.backend_name(model[0].weight.data) == "numpy"


def test_manual_seed_makes_weights_reproducible():
    nanogan.manual_seed(7)
    first = nn.Conv2d(3, 4, 3).weight.data.copy()
    nanogan.manual_seed(7)
    np.testing.assert_array_equal(nn.Conv2d(3, 4, 3).weight.data, first)
