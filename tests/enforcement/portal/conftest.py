"""Fixtures of the caseworker's portal tests: many users per test, so a fast hasher."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(fast_password_hasher):
    """Every portal test builds users of several roles; the real hasher would dominate."""
