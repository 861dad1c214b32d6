"""deploy/nginx.conf for real: Debian's nginx, run with that file (upstream and ports
pointed at the test server), in front of the portal. The proxy redirects http to https,
replaces whatever X-Forwarded-For the client sent, tells the portal the request was
https, and never serves /media/."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.factories import PersonTaskFactory, make_user
from wuhai_coverage.core.models import AccessLog

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def proxy(live_server, tmp_path, settings):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), (
        "nginx is not installed: run the README's test command (scripts/setup_services.sh installs nginx-light)"
    )
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(tmp_path / "portal.key"),
            "-out",
            str(tmp_path / "portal.crt"),
        ],
        check=True,
        capture_output=True,
    )
    http, https = _free_port(), _free_port()
    upstream = live_server.url.removeprefix("http://")
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = (
        site.replace("server web:8000;", f"server {upstream};")
        .replace("listen 80 default_server;", f"listen 127.0.0.1:{http} default_server;")
        .replace("listen 443 ssl default_server;", f"listen 127.0.0.1:{https} ssl default_server;")
        .replace("/etc/nginx/certs/", f"{tmp_path}/")
        .replace("return 301 https://$host$request_uri;", f"return 301 https://$host:{https}$request_uri;")
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(f"""
        daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;
        events {{ worker_connections 64; }}
        http {{
            access_log {tmp_path}/access.log;
            client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;
            fastcgi_temp_path {tmp_path}/fcgi; uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;
            include {tmp_path}/site.conf;
        }}""")
    check = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([nginx, "-c", str(tmp_path / "nginx.conf")], stderr=subprocess.PIPE)
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", https), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    # The portal as deployed: DEBUG off, https required, the proxy the only trusted one.
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.CSRF_TRUSTED_ORIGINS = [f"https://localhost:{https}"]
    yield {"http": f"http://localhost:{http}", "https": f"https://localhost:{https}"}
    process.terminate()
    process.wait(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _open(url: str, **kw):
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _NoRedirect)
    try:
        return opener.open(urllib.request.Request(url, **kw), timeout=20)
    except urllib.error.HTTPError as exc:
        return exc


def test_the_proxy_sets_the_forwarded_headers_and_the_portal_believes_only_it(proxy):
    # http → https at the proxy
    plain = _open(f"{proxy['http']}/accounts/login/")
    assert plain.status == 301 and plain.headers["Location"].startswith("https://")
    # Through the proxy the request counts as https whatever the client claims: HSTS is
    # sent on secure requests only.
    page = _open(f"{proxy['https']}/accounts/login/", headers={"X-Forwarded-Proto": "http"})
    assert page.status == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    # The client's forged X-Forwarded-For is replaced: the access log holds the real peer.
    task = PersonTaskFactory(district_id="150302", street_id="150302001")
    user = make_user("district_caseworker", district="150302")
    from django.conf import settings as live
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = (
        str(user.pk),
        "django.contrib.auth.backends.ModelBackend",
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    csrf = "a" * 32
    revealed = _open(
        f"{proxy['https']}/tasks/{task.pk}/reveal/id_number/",
        method="POST",
        data=b"",
        headers={
            "Cookie": f"{live.SESSION_COOKIE_NAME}={session.session_key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Referer": f"{proxy['https']}/tasks/{task.pk}/",
            "X-Forwarded-For": "203.0.113.66",
        },
    )
    assert revealed.status == 200, revealed.read()[:300]
    assert list(AccessLog.objects.values_list("ip", flat=True)) == ["127.0.0.1"]
    # /media/ is never served
    assert _open(f"{proxy['https']}/media/notices/2026/01/notice-1.pdf").status == 404
