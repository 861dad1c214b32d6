"""Fixtures of the caseworker's portal tests (imported by its modules, not a conftest, so
that the comparison's tests in this folder are not affected)."""
import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Many users per test in the permission tables: a fast hasher keeps them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fast_pdf(monkeypatch):
    """For tests about who may do what, not about the PDF (tested in test_services)."""
    from enforcement import notices

    monkeypatch.setattr(notices, "render_pdf", lambda notice: b"%PDF-1.4\n% stub for permission tests\n")


@pytest.fixture(autouse=True)
def _clear_cache():
    """The task page caches which batch is current for a minute: each test starts afresh."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
