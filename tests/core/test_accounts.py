"""Accounts hardening (issue 9): login lockout, password rules, idle sessions, partners
kept to the API. Real login POSTs through Django's test Client; time moves with
time-machine, never by editing rows."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone, translation

from tests.factories import make_user
from wuhai_coverage.core.access import PARTNER_PAGES, PARTNER_PATH_PREFIXES
from wuhai_coverage.core.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "tide-lantern-8841"
LOCKED_ZH = "登录失败次数过多"
LOCKED_EN = "Too many failed sign-ins"


def _login(client, username, password, ip="10.1.2.3", **extra):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )


def _signed_in(client, ip="10.1.2.3") -> bool:
    return client.get("/dashboard/", REMOTE_ADDR=ip).status_code == 200


@pytest.fixture
def manager(db):
    return make_user("city_manager", username="boss", password=PASSWORD)


# --- Login throttling and lockout (django-axes) ---


def test_thirty_wrong_passwords_then_the_right_one_is_refused_with_the_lockout_message(manager, settings):
    client = Client()
    statuses = [_login(client, "boss", f"wrong-{i}").status_code for i in range(30)]
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the login form again, "wrong password"
    assert set(statuses[limit - 1 :]) == {429}
    response = _login(client, "boss", PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429 and LOCKED_ZH in page and "30 分钟" in page
    assert 'class="card narrow"' in page and "portal.css" in page  # the portal's own page, not bare text
    assert not _signed_in(client)


def test_the_lockout_message_in_english(manager):
    client = Client()
    client.cookies["django_language"] = "en"
    for i in range(6):
        response = _login(client, "boss", f"wrong-{i}")
    assert response.status_code == 429 and LOCKED_EN in response.content.decode()


def test_the_lock_holds_one_username_from_one_address_only(manager, settings):
    make_user("district_caseworker", district="150302", username="colleague", password=PASSWORD)
    attacker = Client()
    for i in range(settings.AXES_FAILURE_LIMIT + 3):
        _login(attacker, "boss", f"guess-{i}", ip="10.9.9.9")
    assert _login(attacker, "boss", PASSWORD, ip="10.9.9.9").status_code == 429
    colleague = Client()  # behind the same NAT address: not locked out
    assert _login(colleague, "colleague", PASSWORD, ip="10.9.9.9").status_code == 302
    owner = Client()  # the account's owner at their own desk
    assert _login(owner, "boss", PASSWORD, ip="10.1.1.1").status_code == 302 and _signed_in(owner, "10.1.1.1")


def test_a_forged_forwarded_header_does_not_dodge_the_lock(manager, settings):
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT + 1):
        _login(client, "boss", f"guess-{i}", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert _login(client, "boss", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


def test_a_success_before_the_limit_starts_the_count_again(manager, settings):
    client = Client()
    for round_ in range(3):
        for i in range(settings.AXES_FAILURE_LIMIT - 1):
            assert _login(client, "boss", f"typo-{round_}-{i}").status_code == 200
        assert _login(client, "boss", PASSWORD).status_code == 302
        client.post("/accounts/logout/", REMOTE_ADDR="10.1.2.3")


def test_the_lock_ends_after_the_cool_off(manager, settings):
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "boss", f"wrong-{i}")
    assert _login(client, "boss", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        assert _login(client, "boss", PASSWORD).status_code == 302


def test_a_city_manager_unlocks_from_the_lockouts_page(manager, settings):
    victim = make_user("street_staff", street="150302001", username="li", password=PASSWORD)
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "li", f"wrong-{i}")
    assert _login(client, "li", PASSWORD).status_code == 429
    boss = Client()
    boss.force_login(manager)
    page = boss.get("/accounts/lockouts/")
    assert page.status_code == 200 and "li" in page.content.decode() and "10.1.2.3" in page.content.decode()
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.get(username="li")
    assert boss.post(f"/accounts/lockouts/{attempt.pk}/unlock/").status_code == 302
    assert _login(client, "li", PASSWORD).status_code == 302
    assert victim.username not in boss.get("/accounts/lockouts/").content.decode().split("<tbody>")[1]


def test_axes_reset_username_command_unlocks(manager, settings):
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "boss", f"wrong-{i}")
    call_command("axes_reset_username", "boss")
    assert _login(client, "boss", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "role, kw",
    [
        ("district_caseworker", {"district": "150302"}),
        ("inspector", {}),
        ("street_staff", {"street": "150302001"}),
        ("partner", {"department": "tax"}),
    ],
)
def test_only_city_managers_see_the_lockouts_page(role, kw):
    client = Client()
    client.force_login(make_user(role, **kw))
    assert client.get("/accounts/lockouts/").status_code == 403
    assert client.post("/accounts/lockouts/1/unlock/").status_code == 403


# --- Passwords: Django's four validators, in create_user too ---


@pytest.mark.parametrize(
    "password, zh, en",
    [
        ("1", "密码太短", "too short"),
        ("short-pw", "至少需要 12 个字符", "at least 12 characters"),
        ("48213309127744", "只包含数字", "entirely numeric"),
        ("password12345", "太常见", "too common"),
        ("zhangwei-2026", "太相似", "too similar"),
    ],
)
@pytest.mark.parametrize("via", ["argv", "stdin"])
def test_create_user_refuses_a_weak_password_with_the_validators_messages(password, zh, en, via):
    args = ["zhangwei-2026", "--role", "inspector"]
    kwargs = {}
    if via == "argv":
        args += ["--password", password]
    else:
        args += ["--password-stdin"]
        kwargs["stdin"] = io.StringIO(password + "\n")
    with pytest.raises(CommandError) as err:
        call_command("create_user", *args, **kwargs)
    assert zh in str(err.value)
    if via == "stdin":
        kwargs["stdin"] = io.StringIO(password + "\n")
    with translation.override("en"), pytest.raises(CommandError) as err:
        call_command("create_user", *args, **kwargs)
    assert en in str(err.value)
    assert not User.objects.filter(username="zhangwei-2026").exists()


def test_create_user_takes_a_strong_password_from_stdin(capsys):
    call_command(
        "create_user",
        "wang",
        "--role",
        "inspector",
        "--password-stdin",
        stdin=io.StringIO("harbour-lantern-4417\n"),
    )
    assert User.objects.get(username="wang").check_password("harbour-lantern-4417")
    assert "harbour" not in capsys.readouterr().out


def test_create_user_from_stdin_without_a_line_is_refused():
    with pytest.raises(CommandError, match="标准输入中没有密码"):
        call_command("create_user", "wang", "--role", "inspector", "--password-stdin", stdin=io.StringIO(""))


def test_create_user_password_from_stdin_in_a_real_process(tmp_path, settings):
    """The way an operator runs it: the password piped in, never in argv."""
    import os
    import subprocess
    import sys

    from django.db import connection

    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SECRET_KEY": "x" * 50}
    run = subprocess.run(
        [sys.executable, "manage.py", "create_user", "piped", "--role", "inspector", "--password-stdin"],
        input="123",
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    assert run.returncode != 0 and "密码不符合要求" in run.stderr and "密码太短" in run.stderr


def test_admin_password_forms_apply_the_validators():
    from django.contrib.auth.forms import SetPasswordForm

    user = make_user("inspector")
    form = SetPasswordForm(user, {"new_password1": "12345678", "new_password2": "12345678"})
    assert not form.is_valid()


def test_the_demo_password_passes_the_validators():
    from django.contrib.auth.password_validation import validate_password

    from wuhai_coverage.core.demo import DEMO_PASSWORD, all_demo_users

    for username, *_ in all_demo_users():
        validate_password(DEMO_PASSWORD, User(username=username))


# --- Sessions: idle timeout and browser close ---


def test_a_session_ends_after_thirty_idle_minutes(manager):
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert _login(client, "boss", PASSWORD).status_code == 302
    with time_machine.travel(start + dt.timedelta(minutes=25), tick=False):
        assert _signed_in(client)  # activity moves the expiry on
    with time_machine.travel(start + dt.timedelta(minutes=50), tick=False):
        assert _signed_in(client)  # 25 idle minutes since the last request
    with time_machine.travel(start + dt.timedelta(minutes=81), tick=False):
        response = client.get("/dashboard/", REMOTE_ADDR="10.1.2.3")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_session_cookie_dies_with_the_browser(manager):
    client = Client()
    response = _login(client, "boss", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"]


# --- Partners: the API only ---


def _page_urls():
    """Every URL of the root URLconf outside the API, with sample arguments."""
    samples = {"int": "1", "str": "x", "path": "x", "slug": "x"}

    def walk(patterns, prefix):
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                full = prefix + route
                if "(?P" in full or full.startswith("^"):
                    continue  # regex routes (the DEBUG media server) are not staff pages
                for conv, sample in samples.items():
                    import re

                    full = re.sub(rf"<{conv}:\w+>", sample, full)
                full = re.sub(r"<\w+>", "x", full)
                yield "/" + full

    return sorted(set(walk(get_resolver().url_patterns, "")))


def test_a_partner_in_the_browser_gets_403_on_every_staff_page():
    partner = make_user("partner", department="market", password=PASSWORD)
    client = Client()
    client.force_login(partner)
    # Its own pages (its home, its batches, its keys) are the partner's; the rest is staff's.
    staff_pages = [
        u for u in _page_urls() if not u.startswith(PARTNER_PATH_PREFIXES) and not PARTNER_PAGES.match(u)
    ]
    assert {"/tasks/", "/persons/1/", "/rosters/", "/accounts/tokens/", "/admin/"} <= set(staff_pages)
    for url in staff_pages:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 403, (url, method)
    page = client.get("/tasks/").content.decode()
    assert "合作部门账号只能查看本部门的名册报送情况" in page and "portal.css" in page


def test_a_partner_still_has_the_api_and_can_sign_out():
    partner = make_user("partner", department="market", password=PASSWORD)
    client = Client()
    assert _login(client, partner.username, PASSWORD).status_code == 302
    assert client.get("/api/v1/me/").json()["role"] == "partner"
    assert client.get("/api/v1/docs/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_staff_are_not_affected_by_the_partner_rule(manager):
    client = Client()
    client.force_login(manager)
    assert client.get("/dashboard/").status_code == 200
