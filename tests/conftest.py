"""Shared fixtures: every test starts at mpmath's default precision."""

import mpmath
import pytest

from freespec.testing import law_registry

REGISTRY = law_registry()


@pytest.fixture(autouse=True)
def _reset_precision():
    mpmath.mp.dps = 15
    yield
    mpmath.mp.dps = 15


@pytest.fixture(params=sorted(REGISTRY), ids=sorted(REGISTRY))
def law(request):
    """Every law of the registry (freespec.testing.law_registry)."""
    return REGISTRY[request.param]
