"""The backend switch: names, conversions, and a clear error when CuPy or a GPU is missing."""

import importlib.abc
import importlib.util
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


def test_cupy_without_a_gpu_says_that_first_and_cupys_reason_after(monkeypatch, forget_cupy):
    def no_driver():  # what CuPy says on a machine with no GPU at all
        raise RuntimeError("cudaErrorInsufficientDriver: CUDA driver version is insufficient for CUDA runtime version")

    fake_cupy = types.SimpleNamespace(cuda=types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=no_driver)))
    monkeypatch.setitem(sys.modules, "cupy", fake_cupy)
    with pytest.raises(backend.BackendUnavailableError) as raised:
        backend.get_backend("cuda")
    message = str(raised.value)
    assert message.startswith('the "cupy" backend cannot run here: no usable NVIDIA GPU')
    assert message.index("use the numpy backend") < message.index("CuPy's reason: cudaErrorInsufficientDriver")


class _CupyThatFailsToLoad(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """An installed CuPy whose import fails, as it does where CUDA's libraries are missing."""

    def find_spec(self, name, path, target=None):
        return importlib.util.spec_from_loader(name, self) if name == "cupy" else None

    def exec_module(self, module):
        raise ImportError("libcuda.so.1: cannot open shared object file: No such file or directory")


def test_cupy_that_cannot_load_is_not_called_missing(monkeypatch, forget_cupy):
    monkeypatch.delitem(sys.modules, "cupy", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_CupyThatFailsToLoad(), *sys.meta_path])
    with pytest.raises(backend.BackendUnavailableError) as raised:
        backend.get_backend("cupy")
    message = str(raised.value)
    assert message.startswith('the "cupy" backend cannot run here: no usable NVIDIA GPU (CuPy is installed')
    assert "not installed" not in message and message.endswith("No such file or directory")


def test_cuda_is_another_name_for_the_cupy_backend(monkeypatch, forget_cupy):
    assert backend.canonical_name("cuda") == "cupy" and backend.canonical_name("numpy") == "numpy"
    monkeypatch.setitem(sys.modules, "cupy", None)
    model = nn.Linear(2, 2)
    with pytest.raises(backend.BackendUnavailableError, match='the "cupy" backend needs CuPy, which is not installed'):
        model.to("cuda")
    assert backend.to_backend(np.zeros(2), "numpy").dtype == np.float64


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
