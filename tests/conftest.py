"""Shared fixtures: every test that takes `backend` runs once per backend.

The CuPy run is skipped, not failed, where CuPy or a GPU is missing.
"""

import numpy as np
import pytest
from hypothesis import settings

import nanogan
from nanogan.backend import is_available

# Deterministic example generation, so a CI run is repeatable; no deadline,
# since a shared 2-core machine can stall any single example.
settings.register_profile("nanogan", derandomize=True, deadline=None, max_examples=25)
settings.load_profile("nanogan")

BACKENDS = ["numpy", "cupy"]


@pytest.fixture(params=BACKENDS, scope="session")
def backend(request):
    if not is_available(request.param):
        pytest.skip(f"the {request.param} backend is not available on this machine")
    return request.param


@pytest.fixture(autouse=True)
def _seed_weights():
    """Every test starts from the same default generator, so weights are reproducible."""
    nanogan.manual_seed(1234)

