"""Shared fixtures: every test that takes `backend` runs once per backend.

"strict" (tests/strict_backend.py) is NumPy behind CuPy's rules, so CI without
a GPU still catches code that only works with NumPy. The CuPy run is skipped,
not failed, where CuPy or a GPU is missing, unless NANOGAN_REQUIRE_GPU=1
(scripts/gpu_check.sh sets it, so a GPU check cannot pass by skipping).
"""

import os

import pytest
from hypothesis import settings

import nanogan
import strict_backend  # noqa: F401  (registers the "strict" backend)
from nanogan.backend import BackendUnavailableError, get_backend

# Deterministic example generation, so a CI run is repeatable; no deadline,
# since a shared 2-core machine can stall any single example.
settings.register_profile("nanogan", derandomize=True, deadline=None, max_examples=25)
settings.load_profile("nanogan")

BACKENDS = ["numpy", "strict", "cupy"]


def _available(name):
    """The module of backend `name`; skips the test where it cannot run (fails under NANOGAN_REQUIRE_GPU=1)."""
    try:
        return get_backend(name)
    except BackendUnavailableError as error:
        if os.environ.get("NANOGAN_REQUIRE_GPU") == "1":
            pytest.fail(f"NANOGAN_REQUIRE_GPU=1, but the {name} backend cannot run: {error}")
        pytest.skip(f"the {name} backend is not available on this machine")


@pytest.fixture(params=BACKENDS, scope="session")
def backend(request):
    _available(request.param)
    return request.param


@pytest.fixture(scope="session")
def cupy():
    """The CuPy module, for tests of the GPU alone (skipped without one)."""
    return _available("cupy")


@pytest.fixture
def forget_cupy(monkeypatch):
    """For tests of a machine without CuPy or a GPU, run where CuPy works: the CuPy that an earlier
    test imported into this process is forgotten, so that `get_backend("cupy")` imports it again."""
    monkeypatch.delitem(nanogan.backend._EXTRA_ARRAY_MODULES, "cupy", raising=False)


@pytest.fixture(autouse=True)
def _seed_weights():
    """Every test starts from the same default generator, so weights are reproducible."""
    nanogan.manual_seed(1234)

