"""Deployment that is safe by default: private files, the demo-data guard, client IPs from
trusted proxies only, safe `next` redirects, security headers and the CSP."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import Resolver404, clear_url_caches, resolve
from django.utils import timezone

from enforcement import services
from enforcement.models import Task
from tests.conftest import token_client
from tests.enrollment.conftest import upload
from tests.enrollment.factories import roster_csv, valid_row
from tests.factories import OpenTaskFactory, make_user
from wuhai_coverage.core.demo import DEMO_PASSWORD, all_demo_users
from wuhai_coverage.core.http import client_ip, safe_next
from wuhai_coverage.core.models import Street, User
from wuhai_coverage.demodata.models import DemoMarker

ROOT = Path(__file__).resolve().parents[2]
RANDOM_PART = re.compile(r"-[A-Za-z0-9_-]{22}\.\w+$")


# --- /media/ ----------------------------------------------------------------------------


@pytest.fixture
def debug_urls(settings):
    """The URLconf as built with DEBUG on (the embedded default)."""
    import wuhai_coverage.urls

    settings.DEBUG = True
    importlib.reload(wuhai_coverage.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(wuhai_coverage.urls)
    clear_url_caches()


def test_media_is_never_served_not_even_with_debug_on(debug_urls, client, db, fast_pdf, settings):
    # Given a notice PDF and a pushed roster file on disk
    worker = make_user("district_caseworker", district="150302")
    notice = services.notice_issue(
        task=OpenTaskFactory(), actor=worker, deadline=timezone.localdate() + dt.timedelta(days=9)
    )
    partner = make_user("partner", department="market")
    pushed = token_client(partner).post(
        "/api/v1/rosters/",
        {
            "kind": "market_entities",
            "file": upload(roster_csv("market_entities", [valid_row("market_entities")])),
        },
        format="multipart",
    )
    assert pushed.status_code in (200, 201, 202), pushed.content
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert stored, "the notice PDF at least is on disk"
    # When anyone asks for them under /media/ (anonymous, or signed in as the city manager)
    manager = make_user("city_manager")
    for who in (None, manager):
        if who:
            client.force_login(who)
        for path in stored:
            url = "/media/" + path.relative_to(settings.MEDIA_ROOT).as_posix()
            with pytest.raises(Resolver404):
                resolve(url)
            # Then nothing answers but the 404 page
            assert client.get(url).status_code == 404, url
    # The notice is there through its own view, which checks access
    assert client.get(f"/notices/{notice.pk}.pdf").status_code == 200


def test_new_files_get_names_nobody_can_guess(db, fast_pdf):
    worker = make_user("district_caseworker", district="150302")
    one = services.notice_issue(
        task=OpenTaskFactory(), actor=worker, deadline=timezone.localdate() + dt.timedelta(days=9)
    )
    two = services.notice_issue(
        task=OpenTaskFactory(), actor=worker, deadline=timezone.localdate() + dt.timedelta(days=9)
    )
    for notice in (one, two):
        assert RANDOM_PART.search(notice.pdf.name), notice.pdf.name
        assert f"notice-{notice.pk}-" in notice.pdf.name
    assert one.pdf.name.rsplit("-", 1)[1] != two.pdf.name.rsplit("-", 1)[1]
    with pytest.raises(ValueError, match="no URL"):
        one.pdf.url  # noqa: B018 — a private file has no public address


def test_a_notice_pdf_is_served_only_within_the_jurisdiction(client, db, fast_pdf):
    issuer = make_user("district_caseworker", district="150302")
    notice = services.notice_issue(
        task=OpenTaskFactory(district_id="150302"),
        actor=issuer,
        deadline=timezone.localdate() + dt.timedelta(days=9),
    )
    assert client.get(f"/notices/{notice.pk}.pdf").status_code == 302  # to the login page
    for user, expected in (
        (make_user("district_caseworker", district="150304"), 404),
        (make_user("partner", department="market"), 403),
        (issuer, 200),
    ):
        client.force_login(user)
        response = client.get(f"/notices/{notice.pk}.pdf")
        assert response.status_code == expected, user.role
    assert response["Content-Type"] == "application/pdf"


def test_no_url_pattern_reaches_a_raw_roster_file():
    """Decision (docs/security.md): a pushed roster's raw file holds full ID numbers and is
    not downloadable by anyone; staff read its report and its loaded rows, masked."""
    from django.urls import get_resolver

    def patterns(resolver, prefix=""):
        for p in resolver.url_patterns:
            if hasattr(p, "url_patterns"):
                yield from patterns(p, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    every = list(patterns(get_resolver()))
    assert not [p for p in every if "media" in p or "raw" in p or p.endswith(("file/", "download/"))], every


# --- load_demo_data ----------------------------------------------------------------------


@pytest.fixture
def no_demo_loaders(settings):
    settings.DEMO_DATA_LOADERS = []
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_load_demo_data_refuses_a_database_that_is_not_a_demo_database(db, no_demo_loaders):
    # Given a production database: a real manager with their own password, no demo marker
    make_user("city_manager", username="manager", password="a-real-Secret-2026")
    make_user("partner", username="market", department="market", password="partner-Secret-2026")
    before = User.objects.count()
    # When the demo load is run against it
    with pytest.raises(CommandError, match="不是演示数据库.*--i-know-this-is-not-production"):
        call_command("load_demo_data")
    # Then nothing changed: no password reset, no user added, no marker
    assert User.objects.get(username="manager").check_password("a-real-Secret-2026")
    assert User.objects.get(username="market").check_password("partner-Secret-2026")
    assert User.objects.count() == before and not DemoMarker.objects.exists()


def test_the_override_flag_loads_but_never_touches_an_existing_user(db, no_demo_loaders, capsys):
    make_user("city_manager", username="manager", password="a-real-Secret-2026")
    call_command("load_demo_data", "--i-know-this-is-not-production")
    manager = User.objects.get(username="manager")
    assert manager.check_password("a-real-Secret-2026") and not manager.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="hainan").check_password(DEMO_PASSWORD)
    assert manager.pk not in DemoMarker.objects.get().user_ids
    out = capsys.readouterr().out
    assert "manager" in out and "已有用户，未改动" in out
    call_command("load_demo_data")  # marked now: runs without the flag, and still leaves manager alone
    assert User.objects.get(username="manager").check_password("a-real-Secret-2026")


def test_an_empty_database_becomes_a_demo_database_and_reloads(db, no_demo_loaders):
    assert not User.objects.exists()
    call_command("load_demo_data")
    marker = DemoMarker.objects.get()
    assert sorted(marker.user_ids) == sorted(User.objects.values_list("pk", flat=True))
    assert len(marker.user_ids) == len(all_demo_users())
    # A demo user whose password was changed is reset by the next demo load (its own user)
    hainan = User.objects.get(username="hainan")
    hainan.set_password("changed-it-Myself-1")
    hainan.save()
    call_command("load_demo_data")
    assert User.objects.get(username="hainan").check_password(DEMO_PASSWORD)


def test_every_street_gets_a_staff_account_and_the_logins_stay_short(db, no_demo_loaders, capsys):
    call_command("load_demo_data")
    staffed = set(User.objects.filter(role="street_staff").values_list("street_id", flat=True))
    assert staffed == set(Street.objects.values_list("code", flat=True))
    assert User.objects.get(username="street_150302002").check_password(DEMO_PASSWORD)
    out = capsys.readouterr().out
    logins = out[out.index("演示账号") :]
    assert "sandaokan" in logins and "street_<街道代码>" in logins and "street_150302002" in logins
    assert "street_150304400" not in logins  # one summary line, not one line per street
    assert len(logins.splitlines()) < 20


@pytest.mark.django_db
def test_load_demo_data_loads_the_whole_demo_on_a_fresh_database(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo_data", "--scale", "0.02")
    assert DemoMarker.objects.exists() and Task.objects.exists()


# --- client IP ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        ([], "203.0.113.7", "", "203.0.113.7"),
        ([], "203.0.113.7", "10.9.9.9", "203.0.113.7"),  # no trusted proxy: header ignored
        (["172.30.0.10"], "203.0.113.7", "10.9.9.9", "203.0.113.7"),  # not from the proxy: ignored
        (["172.30.0.10"], "172.30.0.10", "198.51.100.4", "198.51.100.4"),  # from the proxy: its client
        (["172.30.0.10"], "172.30.0.10", "1.1.1.1, 198.51.100.4", "198.51.100.4"),  # client-sent hop ignored
        (["172.30.0.0/24"], "172.30.0.10", "198.51.100.4, 172.30.0.3", "198.51.100.4"),  # chained proxies
        (["172.30.0.10"], "172.30.0.10", "not-an-ip", "172.30.0.10"),
        (["172.30.0.10"], "172.30.0.10", "", "172.30.0.10"),
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
        ([], "", "", None),
    ],
)
def test_client_ip_believes_forwarded_for_only_from_a_trusted_proxy(
    settings, proxies, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_reveal_logs_the_client_behind_the_trusted_proxy_only(client, db, settings):
    from tests.factories import PersonTaskFactory
    from wuhai_coverage.core.models import AccessLog

    settings.TRUSTED_PROXIES = ["172.30.0.10"]
    task = PersonTaskFactory(district_id="150302", street_id="150302001")
    client.force_login(make_user("district_caseworker", district="150302"))
    client.post(
        f"/tasks/{task.pk}/reveal/id_number/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.0.0.1"
    )
    client.post(
        f"/tasks/{task.pk}/reveal/id_number/",
        REMOTE_ADDR="172.30.0.10",
        HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.4",
    )
    assert list(AccessLog.objects.order_by("at", "pk").values_list("ip", flat=True)) == [
        "203.0.113.9",
        "198.51.100.4",
    ]


def test_forwarded_proto_from_an_untrusted_client_is_dropped(client, db, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXIES = ["172.30.0.10"]
    # A client talking to gunicorn directly cannot claim https (redirected to https instead)
    direct = client.get("/healthz/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")
    # The trusted proxy can
    proxied = client.get("/healthz/", REMOTE_ADDR="172.30.0.10", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


def _settings_in_subprocess(env: dict, expr: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update({"DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x", "DJANGO_SECRET_KEY": "k" * 50, **env})
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='wuhai_coverage.settings'; "
        f"from django.conf import settings as s; print({expr})"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_proxy_ssl_header_and_hsts_preload_are_opt_in(tmp_path):
    expr = "getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.SECURE_HSTS_PRELOAD, s.SECURE_HSTS_SECONDS > 0"
    plain = _settings_in_subprocess({"WUHAI_VAR_DIR": str(tmp_path)}, expr)
    assert plain == "None False True"
    behind = _settings_in_subprocess(
        {"WUHAI_VAR_DIR": str(tmp_path), "DJANGO_TRUSTED_PROXIES": "172.30.0.10", "DJANGO_HSTS_PRELOAD": "1"},
        expr,
    )
    assert behind == "('HTTP_X_FORWARDED_PROTO', 'https') True True"


def test_a_malformed_trusted_proxy_stops_start_up(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(
        {"WUHAI_VAR_DIR": str(tmp_path), "DJANGO_TRUSTED_PROXIES": "nginx", "DJANGO_SECRET_KEY": "k" * 50}
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']="
            "'wuhai_coverage.settings'; from django.conf import settings; settings.DEBUG",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0 and "DJANGO_TRUSTED_PROXIES" in out.stderr


# --- next= -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, expected",
    [
        ("//evil.example/", "/fallback/"),
        ("https://evil.example/", "/fallback/"),
        ("/\\evil.example", "/fallback/"),
        ("javascript:alert(1)", "/fallback/"),
        ("http://testserver/tasks/", "http://testserver/tasks/"),
        ("/tasks/?page=2", "/tasks/?page=2"),
        ("", "/fallback/"),
    ],
)
def test_safe_next_stays_on_the_site(target, expected):
    request = RequestFactory().post("/", {"next": target})
    assert safe_next(request, "/fallback/") == expected


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_bulk_assign_never_redirects_off_site(client, db, target):
    worker = make_user("street_staff", street="150302001")
    task = OpenTaskFactory(district_id="150302", street_id="150302001")
    client.force_login(make_user("district_caseworker", district="150302"))
    response = client.post("/tasks/bulk-assign/", {"assignee": worker.pk, "task": [task.pk], "next": target})
    assert response.status_code == 302 and response["Location"] == "/tasks/"
    kept = client.post(
        "/tasks/bulk-assign/", {"assignee": worker.pk, "task": [task.pk], "next": "/tasks/?page=2"}
    )
    assert kept["Location"] == "/tasks/?page=2"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/"])
def test_task_actions_and_login_never_redirect_off_site(client, db, target):
    task = OpenTaskFactory(district_id="150302", street_id="150302001")
    make_user("district_caseworker", district="150302", username="cw-next", password="pw-next-12345")
    client.force_login(User.objects.get(username="cw-next"))
    response = client.post(f"/tasks/{task.pk}/note/", {"note": "x", "next": target})
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task.pk}/"
    client.logout()
    login = client.post(
        f"/accounts/login/?next={target}",
        {"username": "cw-next", "password": "pw-next-12345", "next": target},
    )
    assert login.status_code == 302 and login["Location"] == "/"


# --- headers and CSP ---------------------------------------------------------------------

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def _csp(response) -> dict[str, str]:
    return {
        d.split(" ", 1)[0]: d.split(" ", 1)[1]
        for d in (part.strip() for part in response["Content-Security-Policy"].split(";"))
        if d
    }


@pytest.mark.parametrize("url", ["/accounts/login/", "/api/v1/docs/", "/api/v1/docs/?script="])
def test_pages_carry_the_security_headers(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    assert _csp(response) == EXPECTED_CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_hsts_is_sent_without_preload_by_default(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_api_docs_take_their_init_script_from_a_file(client, db):
    html = client.get("/api/v1/docs/").content.decode()
    assert "<style" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert '<script src="/api/v1/docs/?script="></script>' in html
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


TEMPLATE_DIRS = [
    ROOT / "templates",
    *(ROOT / app / "templates" for app in ("enforcement", "enrollment", "outreach", "assessment")),
]
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on…= handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"hx-on", re.I), "an hx-on handler (needs eval)"),
]
# Rendered by WeasyPrint into a PDF, never served as a page (notices, case documents).
PDF_ONLY = {"notice_pdf.html", "document_pdf.html"}


def test_no_template_holds_inline_script_or_style():
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text()
            for pattern, what in INLINE:
                if pattern.search(text):
                    found.append(f"{path.relative_to(ROOT)}: {what}")
            if "<style" in text and path.name not in PDF_ONLY:
                found.append(f"{path.relative_to(ROOT)}: an inline <style>")
    assert found == []


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    import secrets

    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(
        {
            "WUHAI_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "portal.example",
            "DJANGO_TRUSTED_PROXIES": "172.30.0.10",
        }
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
