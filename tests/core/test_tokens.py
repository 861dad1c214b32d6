"""API keys (issue 9): hashed at rest, expiring, rotated, revoked by a city manager;
API throttling with 429 and a clear message, bad keys included."""

import datetime as dt
import hashlib
import importlib

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import make_user
from wuhai_coverage.core.models import ApiToken
from wuhai_coverage.core.services import api_token_issue

pytestmark = pytest.mark.django_db


def _me(key, ip="10.7.0.1", language="zh-hans"):
    return APIClient().get(
        "/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=language
    )


@pytest.fixture
def partner(db):
    return make_user("partner", department="market", username="market-sys")


@pytest.fixture
def manager(db):
    return make_user("city_manager", username="boss")


def test_the_key_is_stored_only_as_its_digest(partner, capsys):
    call_command("issue_api_token", "market-sys")
    key = capsys.readouterr().out.strip()
    assert len(key) == 40 and _me(key).status_code == 200
    token = ApiToken.objects.get(user=partner)
    assert token.digest == hashlib.sha256(key.encode()).hexdigest() and token.prefix == key[:8]
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        dump = repr(cur.fetchall())
    assert key not in dump and key[8:] not in dump  # the clear key is nowhere in the table
    assert "authtoken_token" not in connection.introspection.table_names()


def test_an_expired_key_is_401_with_a_message(partner):
    key = api_token_issue(username="market-sys", days=30)
    with time_machine.travel(timezone.now() + dt.timedelta(days=29)):
        assert _me(key).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        response = _me(key)
        assert response.status_code == 401 and "令牌已过期" in response.json()["detail"]
        assert "expired" in _me(key, language="en").json()["detail"]


def test_keys_expire_after_a_year_by_default(partner, settings):
    api_token_issue(username="market-sys")
    token = ApiToken.objects.get(user=partner)
    assert settings.API_TOKEN_DAYS == 365
    assert abs((token.expires_at - token.created_at) - dt.timedelta(days=365)) < dt.timedelta(seconds=1)


def test_a_key_of_a_disabled_account_is_refused(partner):
    key = api_token_issue(username="market-sys")
    partner.is_active = False
    partner.save()
    assert _me(key).status_code == 401


def test_rotation_issues_a_new_key_and_revokes_the_old(partner):
    old = api_token_issue(username="market-sys")
    kept = api_token_issue(username="market-sys")
    assert old != kept and _me(old).status_code == _me(kept).status_code == 200
    new = api_token_issue(username="market-sys", rotate=True)
    assert (_me(old).status_code, _me(kept).status_code, _me(new).status_code) == (401, 401, 200)
    assert "吊销" in _me(old, ip="10.7.0.2").json()["detail"]


def test_last_use_is_recorded(partner):
    key = api_token_issue(username="market-sys")
    assert ApiToken.objects.get(user=partner).last_used_at is None
    _me(key)
    assert ApiToken.objects.get(user=partner).last_used_at is not None


def test_a_city_manager_lists_and_revokes_tokens_on_the_page(partner, manager):
    key = api_token_issue(username="market-sys")
    other = api_token_issue(username=make_user("partner", department="tax", username="tax-sys").username)
    _me(key)
    client = Client()
    client.force_login(manager)
    page = client.get("/accounts/tokens/").content.decode()
    assert "market-sys" in page and "tax-sys" in page and key[:8] in page and key not in page
    assert "市场监管局" in page  # by partner department
    token = ApiToken.objects.get(user=partner)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == manager
    response = _me(key)
    assert response.status_code == 401 and "吊销" in response.json()["detail"]
    assert "revoked" in _me(key, language="en").json()["detail"]
    assert _me(other).status_code == 200  # only that key
    assert key[:8] not in client.get("/accounts/tokens/").content.decode().split("<tbody>")[1]  # active only
    assert "boss" in client.get("/accounts/tokens/?show=all").content.decode()  # who revoked it


def test_revoke_command(partner, capsys):
    first = api_token_issue(username="market-sys")
    second = api_token_issue(username="market-sys")
    call_command("revoke_api_token", "market-sys", "--prefix", first[:8])
    assert (_me(first).status_code, _me(second).status_code) == (401, 200)
    call_command("revoke_api_token", "market-sys")
    assert _me(second).status_code == 401
    assert "revoked 1 key(s)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "role, kw",
    [
        ("district_caseworker", {"district": "150302"}),
        ("inspector", {}),
        ("street_staff", {"street": "150302001"}),
        ("partner", {"department": "tax"}),
    ],
)
def test_only_city_managers_manage_tokens(partner, role, kw):
    token = ApiToken.objects.get(
        pk=ApiToken.objects.create(
            user=partner, prefix="abcdefgh", digest="0" * 64, expires_at=timezone.now() + dt.timedelta(days=1)
        ).pk
    )
    client = Client()
    client.force_login(make_user(role, **kw))
    assert client.get("/accounts/tokens/").status_code == 403
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_legacy_clear_keys_are_hashed_and_their_table_dropped(partner):
    """The data migration: DRF authtoken keys keep working, hashed, and the clear table goes."""
    migration = importlib.import_module("wuhai_coverage.core.migrations.0004_hash_authtoken_keys")
    legacy = "a" * 20 + "0123456789abcdef0123"
    with connection.cursor() as cur:
        cur.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, user_id bigint, '
            "created timestamptz)"
        )
        cur.execute("INSERT INTO authtoken_token VALUES (%s, %s, now())", [legacy, partner.pk])
    from django.apps import apps

    with connection.schema_editor() as editor:
        migration.hash_legacy_keys(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    assert ApiToken.objects.get(user=partner).digest == hashlib.sha256(legacy.encode()).hexdigest()
    assert _me(legacy).status_code == 200


# --- Throttling ---


def test_bad_keys_repeated_are_throttled_with_429(partner, settings):
    key = api_token_issue(username="market-sys")
    statuses = [_me("x" * 40, ip="10.6.6.6").status_code for _ in range(10)]
    assert statuses == [401] * 10
    response = _me("y" * 40, ip="10.6.6.6")
    assert response.status_code == 429 and "请求过于频繁" in response.json()["detail"]
    assert "请求过于频繁" in response.json()["detail"] and int(response["Retry-After"]) > 0
    assert _me(key, ip="10.6.6.6").status_code == 429  # the address waits, whatever key it sends next
    assert _me(key, ip="10.6.6.7").status_code == 200  # another system is not affected
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert _me(key, ip="10.6.6.6").status_code == 200


@pytest.fixture
def tight_rates(monkeypatch):
    """Rates low enough to reach in a test (DRF reads them once, at import: set them there)."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min", "token_failure": "10/min"}
    )


def test_a_user_over_the_rate_gets_429_with_a_message(partner, tight_rates):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(username='market-sys')}")
    assert [client.get("/api/v1/me/").status_code for _ in range(5)] == [200] * 5
    response = client.get("/api/v1/me/")
    assert response.status_code == 429 and "请求过于频繁" in response.json()["detail"]
    assert response.has_header("Retry-After")


def test_anonymous_callers_are_throttled_per_address(db, tight_rates):
    client = APIClient()
    assert [client.get("/api/v1/docs/", REMOTE_ADDR="10.5.5.5").status_code for _ in range(3)] == [200] * 3
    assert client.get("/api/v1/docs/", REMOTE_ADDR="10.5.5.5").status_code == 429
    # A forged X-Forwarded-For does not make a new caller.
    assert (
        client.get("/api/v1/docs/", REMOTE_ADDR="10.5.5.5", HTTP_X_FORWARDED_FOR="192.0.2.9").status_code
        == 429
    )
    assert client.get("/api/v1/docs/", REMOTE_ADDR="10.5.5.6").status_code == 200
