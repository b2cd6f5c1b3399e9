"""The one place that chooses between NumPy and CuPy.

Layer code never imports CuPy. It asks for the array module of its input,

    xp = get_array_module(x)
    y = xp.maximum(x, 0)

so the same line runs on the CPU (NumPy, the reference) and on an NVIDIA GPU
(CuPy). A backend is named by a string, "numpy" or "cupy" ("cuda" is another
name for "cupy", for PyTorch's `.to("cuda")`); `Module.to(name)`
and `to_backend(array, name)` move arrays between them, and `to_numpy`
brings any array back to the host for saving and plotting.

CuPy is imported only when it is asked for, so CPU users never pay for it.
"""

import numpy as np

BACKENDS = ("numpy", "cupy")
ALIASES = {"cuda": "cupy"}  # other names of a backend

CUPY_INSTALL_HINT = (
    'install CuPy for your CUDA version: pip install "nanogan[cuda12]" '
    'or pip install "nanogan[cuda13]"'
)

# Array types that are not NumPy's, with the module that owns them. CuPy adds
# itself here when it is first imported through `get_backend`; a test backend
# may add itself too (see tests/strict_backend.py).
_EXTRA_ARRAY_MODULES = {}


class BackendUnavailableError(RuntimeError):
    """A backend was asked for that this machine cannot run."""


def register_array_module(name, module, array_type):
    """Let `get_array_module` recognise arrays of `array_type` as `module`'s."""
    _EXTRA_ARRAY_MODULES[name] = (module, array_type)


def canonical_name(name):
    """The backend's own name for `name`: "cuda" -> "cupy"; any other name unchanged."""
    return ALIASES.get(name, name)


def _import_cupy():
    """CuPy, once it has shown that it reaches a GPU; otherwise BackendUnavailableError that says
    first what is missing (CuPy, or a usable GPU) and then CuPy's own words, which on a machine
    without a GPU talk about driver versions."""
    try:
        import cupy
    except ModuleNotFoundError as error:
        if error.name != "cupy":
            raise _no_gpu("CuPy is installed but could not load", error) from None
        raise BackendUnavailableError(
            f'the "cupy" backend needs CuPy, which is not installed; {CUPY_INSTALL_HINT}, or use the numpy backend'
        ) from None
    except ImportError as error:
        raise _no_gpu("CuPy is installed but could not load", error) from None
    try:
        device_count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CUDA raises its own types; all mean "no GPU here"
        raise _no_gpu("CuPy is installed but reached no GPU through a CUDA driver", error) from None
    if device_count == 0:
        raise BackendUnavailableError(
            'the "cupy" backend cannot run here: no usable NVIDIA GPU (CuPy found none); use the numpy backend'
        )
    register_array_module("cupy", cupy, cupy.ndarray)
    return cupy


def _no_gpu(what_happened, cupy_error):
    return BackendUnavailableError(
        f'the "cupy" backend cannot run here: no usable NVIDIA GPU ({what_happened}); use the numpy backend. '
        f"CuPy's reason: {cupy_error}"
    )


def get_backend(name):
    """Return the array module for a backend name: numpy, or cupy (also called "cuda") when it can run.

    Raises BackendUnavailableError with an install hint when CuPy or a GPU is
    missing, and ValueError for a name that is not a backend.
    """
    name = canonical_name(name)
    if name == "numpy":
        return np
    if name in _EXTRA_ARRAY_MODULES:
        return _EXTRA_ARRAY_MODULES[name][0]
    if name == "cupy":
        return _import_cupy()
    raise ValueError(f"unknown backend {name!r}: expected one of {', '.join(BACKENDS)} (cuda is another name for cupy)")


def is_available(name):
    """True when `get_backend(name)` would succeed."""
    try:
        get_backend(name)
    except BackendUnavailableError:
        return False
    return True


def get_array_module(array):
    """The module (numpy, cupy, ...) that owns `array`; numpy for anything else."""
    for module, array_type in _EXTRA_ARRAY_MODULES.values():
        if isinstance(array, array_type):
            return module
    return np


def backend_name(array):
    """The name of the backend that holds `array`: "numpy", "cupy", ..."""
    for name, (_, array_type) in _EXTRA_ARRAY_MODULES.items():
        if isinstance(array, array_type):
            return name
    return "numpy"


def to_numpy(array):
    """A NumPy copy (or view) of `array`, wherever it lives: for saving and plotting."""
    if isinstance(array, np.ndarray):
        return array
    module = get_array_module(array)
    if module is not np:
        return module.asnumpy(array)
    return np.asarray(array)


def to_backend(array, name, dtype=None):
    """`array` on backend `name`, cast to `dtype` if given; no copy when nothing changes."""
    name = canonical_name(name)
    xp = get_backend(name)
    if backend_name(array) != name:
        array = xp.asarray(to_numpy(array))
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    return array


def free_device_memory(name):
    """Bytes free on the current device of backend `name`; None for the host (NumPy) or when unknown."""
    runtime = getattr(getattr(get_backend(name), "cuda", None), "runtime", None)
    if runtime is None:
        return None
    free_bytes, _total_bytes = runtime.memGetInfo()
    return free_bytes
