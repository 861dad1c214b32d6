"""Shared fixtures: the suite's frozen clock, users of every role, API clients, the browser
launch override for Debian's Chromium, and a real Celery worker on Redis."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.clock import suite_instant
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _frozen_clock(request):
    """Travel to suite_instant() for the test (ticking, so that durations still pass); tests
    marked `real_clock(reason=…)` run on the machine's clock."""
    marker = request.node.get_closest_marker("real_clock")
    if marker is not None:
        if not marker.kwargs.get("reason"):
            raise pytest.UsageError(f"{request.node.nodeid}: real_clock needs a reason=…")
        yield None
        return
    with time_machine.travel(suite_instant(), tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _reference_data(request, django_db_setup, django_db_blocker):
    """A transactional test ends with a flush that empties every table, the reference
    data loaded by migrations included: put it back (committed, before the test's own
    transaction starts) for the next test that uses the database."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if uses_db:
        from django.apps import apps as django_apps

        from wuhai_coverage.core.models import District
        from wuhai_coverage.core.reference import load_reference_data

        with django_db_blocker.unblock():
            if not District.objects.exists():
                load_reference_data(django_apps)
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the portal's default language (Chinese): a test that switches
    to English (translation.activate, or a request with the English cookie, whose
    middleware leaves the thread's language behind) must not change the next test's text."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The default cache is shared across processes and outlives a test run (a file cache
    under WUHAI_VAR_DIR, or Redis): every test starts with it empty."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def fast_password_hasher(settings):
    """Many users per test in the permission tables: a fast hasher keeps them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fast_pdf(monkeypatch):
    """For tests about who may do what, not about the PDF (the PDF itself is tested in
    tests/enforcement/portal/test_services.py)."""
    from enforcement import notices

    monkeypatch.setattr(notices, "render_pdf", lambda notice: b"%PDF-1.4\n% stub for permission tests\n")
    # Case documents (enforcement/cases/documents.py) render through the same function.
    monkeypatch.setattr(notices, "html_to_pdf", lambda html: b"%PDF-1.4\n% stub for permission tests\n")


@pytest.fixture(autouse=True)
def _plain_http(settings, tmp_path):
    """Tests talk plain HTTP to the test client and live_server."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def city_manager(db):
    return make_user("city_manager")


@pytest.fixture
def caseworker(db):
    return make_user("district_caseworker", district="150302")


@pytest.fixture
def other_caseworker(db):
    return make_user("district_caseworker", district="150304")


@pytest.fixture
def street_staff(db):
    return make_user("street_staff", street="150302001")


@pytest.fixture
def inspector(db):
    return make_user("inspector")


@pytest.fixture
def partner_market(db):
    return make_user("partner", department="market")


@pytest.fixture
def api_client():
    return APIClient()


def token_client(user) -> APIClient:
    """An APIClient sending a freshly issued key of `user` (keys are stored hashed: the
    clear key exists only in this client)."""
    from wuhai_coverage.core.services import api_token_issue

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(username=user.username)}")
    return client


@pytest.fixture
def client_for(db):
    """client_for(user) → an APIClient authenticated with the user's token."""
    return token_client


# --- Browser: Debian's Chromium through Playwright (never `playwright install`). ---
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


# --- A real Celery worker on Redis, for the few end-to-end task tests. ---
def _reset_broker_pools(app) -> None:
    """Forget broker connections made under the previous configuration (as Celery
    itself does after a fork)."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup, django_db_blocker):
    """Starts an in-process Celery worker (solo pool) against a real Redis broker.
    Tests using it need @pytest.mark.django_db(transaction=True)."""
    from celery.contrib.testing.worker import start_worker

    from wuhai_coverage.celery import app

    broker = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
    # Namespaced keys: the app reads Django settings with namespace CELERY, and plain
    # keys (broker_url=…) are silently ignored — the worker then used the default AMQP
    # broker on localhost, a queue shared with every other test run on the machine.
    app.conf.update(
        CELERY_BROKER_URL=broker,
        CELERY_TASK_ALWAYS_EAGER=False,
        CELERY_RESULT_BACKEND=None,
        CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP=True,
    )
    _reset_broker_pools(app)  # a pool made earlier in the session still points at the default broker
    assert app.connection_for_read().as_uri().startswith("redis://"), app.connection_for_read().as_uri()
    from celery.signals import task_postrun
    from django.db import connection

    def _close_worker_connection(**_):
        # The worker thread's connection would otherwise outlive the test database.
        connection.close()

    task_postrun.connect(_close_worker_connection, weak=False)
    with django_db_blocker.unblock():
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield app
    task_postrun.disconnect(_close_worker_connection)
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=True)


@pytest.fixture
def celery_worker(celery_worker_session, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_worker_session.conf.update(CELERY_TASK_ALWAYS_EAGER=False)
    yield celery_worker_session
    celery_worker_session.conf.update(CELERY_TASK_ALWAYS_EAGER=True)
