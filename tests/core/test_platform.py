"""Migrations on PostgreSQL, reference data, database-enforced rules, the schema and
pages served by the portal itself."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from enforcement.models import Task
from tests.factories import ClosedTaskFactory, OpenTaskFactory, make_user
from wuhai_coverage.core.models import AverageWage, Community, District, IndustryDivision, KeyIndustry, Street

ROOT = Path(__file__).resolve().parents[2]


def test_suite_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"


def test_reference_data_is_loaded_by_migrations(db):
    assert District.objects.count() == 3
    assert Street.objects.count() == 22
    assert Community.objects.count() == 87
    assert IndustryDivision.objects.get(code="B06").section_id == "B"
    assert KeyIndustry.objects.filter(code__startswith="B07").count() == 0
    assert KeyIndustry.objects.filter(code="B1110").exists()
    assert AverageWage.objects.get(year=2025).value == 8179
    assert Street.objects.get(code="150302001").name == "凤凰岭街道"


def test_no_missing_migrations(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_database_enforces_one_unclosed_task_per_kind_and_subject(db):
    task = OpenTaskFactory(subject_key="911503027XXXXXXXX0")
    with pytest.raises(IntegrityError), transaction.atomic():
        OpenTaskFactory(subject_key=task.subject_key, status="assigned")
    OpenTaskFactory(subject_key=task.subject_key, kind="collect_arrears")  # another kind: fine
    ClosedTaskFactory(subject_key=task.subject_key)  # closed ones: as many as history holds
    ClosedTaskFactory(subject_key=task.subject_key)
    assert Task.objects.filter(subject_key=task.subject_key).count() == 4


def test_database_enforces_resolution_only_on_closed(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        OpenTaskFactory(resolution="dismissed")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClosedTaskFactory(resolution="")


def test_schema_is_openapi_3(client, db):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    body = response.json()
    assert body["openapi"].startswith("3.")
    assert "/api/v1/me/" in body["paths"]


def test_api_docs_use_assets_served_by_the_portal(client, db):
    html = client.get("/api/v1/docs/").content.decode()
    assert "cdn" not in html.lower() and "jsdelivr" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    asset = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200


def test_api_without_token_is_401(client, db):
    assert client.get("/api/v1/me/").status_code in (401, 403)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401


def test_login_page_is_chinese_and_login_works(client, db):
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and "登录" in page.content.decode()
    make_user("city_manager", username="boss", password="pw-123456")
    response = client.post("/accounts/login/", {"username": "boss", "password": "pw-123456"})
    assert response.status_code == 302
    home = client.get("/", follow=True)  # the root redirects to the role's dashboard
    assert "工作台" in home.content.decode() and "全市" in home.content.decode()
    client.post("/accounts/logout/")
    front = client.get("/")  # a visitor gets the public front page
    assert front.status_code == 200 and 'href="/accounts/login/"' in front.content.decode()


def test_unknown_page_is_a_chinese_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    assert client.get("/api/v1/no-such/").status_code == 404


def test_times_are_asia_shanghai(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.LANGUAGE_CODE == "zh-hans"
    assert settings.CELERY_BEAT_SCHEDULE["nightly-comparison"]["schedule"].hour == {2}


COMPOSE_SECRETS = {
    "DJANGO_SECRET_KEY": "k" * 50,
    "POSTGRES_PASSWORD": "pg-secret",
    "REDIS_PASSWORD": "redis-secret",
    "DJANGO_ALLOWED_HOSTS": "portal.example",
}


def _compose_config(env: dict) -> subprocess.CompletedProcess:
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed here (scripts/setup_services.sh installs it)")
    clean = {k: v for k, v in os.environ.items() if k not in COMPOSE_SECRETS}
    return subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, **env},
    )


def test_docker_compose_file_is_valid_and_safe_by_default():
    out = _compose_config(COMPOSE_SECRETS)
    assert out.returncode == 0, out.stderr
    config = yaml.safe_load(out.stdout)
    services = config["services"]
    assert set(services) == {"proxy", "postgres", "redis", "web", "worker", "beat"}
    # The reverse proxy is the only published port; gunicorn is reachable on the network only.
    published = {name for name, svc in services.items() if svc.get("ports")}
    assert published == {"proxy"}
    assert "8000" in [str(p) for p in services["web"]["expose"]]
    assert "nginx" in services["proxy"]["image"]
    # Redis: a password and an append-only file on a volume; every URL carries the password.
    command = services["redis"]["command"]
    assert command[command.index("--requirepass") + 1] == "redis-secret"
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(v.startswith("redisdata:/data") for v in services["redis"]["volumes"])
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["CELERY_BROKER_URL"] == "redis://:redis-secret@redis:6379/0"
        assert env["CACHE_URL"] == "redis://:redis-secret@redis:6379/1"
        assert env["DJANGO_SECRET_KEY"] == "k" * 50 and env["DJANGO_DEBUG"] == "0"
        assert "pg-secret" in env["DATABASE_URL"]
        # Forwarded headers are believed from the proxy's fixed address only.
        assert env["DJANGO_TRUSTED_PROXIES"] == services["proxy"]["networks"]["portal"]["ipv4_address"]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == "pg-secret"


@pytest.mark.parametrize("missing", sorted(COMPOSE_SECRETS))
def test_docker_compose_refuses_to_start_without_each_secret(missing):
    out = _compose_config({k: v for k, v in COMPOSE_SECRETS.items() if k != missing})
    assert out.returncode != 0
    assert missing in out.stderr


def test_nginx_config_sets_the_forwarded_headers_and_hides_media():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert (
        "proxy_set_header X-Forwarded-For   $remote_addr;" in conf
    )  # replaces, never appends to, the client's
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "server web:8000;" in conf and "return 301 https://" in conf
    assert "location /media/ {\n        return 404;" in conf
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in compose


@pytest.mark.parametrize(
    "role, kwargs, shown, hidden",
    [
        (
            "city_manager",
            {},
            ["/tasks/", "/rosters/", "/assessment/", "/comparison-runs/"],
            ["/tasks/street/"],
        ),
        (
            "street_staff",
            {"street": "150302001"},
            ["/tasks/", "/tasks/street/", "/outreach/postings/"],
            ["/rosters/", "/assessment/"],
        ),
        ("inspector", {}, ["/tasks/"], ["/rosters/", "/outreach/postings/", "/assessment/"]),
    ],
)
def test_nav_shows_only_what_the_role_may_use(client, db, role, kwargs, shown, hidden):
    client.force_login(make_user(role, username="navuser", password="pw-123456", **kwargs))
    landing = client.get("/dashboard/", follow=True)  # street staff go on to their street list
    nav = landing.content.decode().split('<nav class="mainnav">')[1].split("</nav>")[0]
    for href in shown:
        assert f'href="{href}"' in nav
    for href in hidden:
        assert f'href="{href}"' not in nav


def test_ci_runs_the_static_checks_before_the_tests_and_ruff_is_clean():
    ci = (ROOT / ".ci" / "run").read_text()
    assert (
        ci.index("bash scripts/lint.sh")
        < ci.index("bash scripts/test.sh")
        < ci.index("bash scripts/schemathesis.sh")
    )
    lint = (ROOT / "scripts" / "lint.sh").read_text()
    for check in (".venv/bin/ruff check .", ".venv/bin/ruff format --check .", ".venv/bin/mypy"):
        assert check in lint
    ruff = Path(sys.executable).parent / "ruff"
    for args in (["check", "."], ["format", "--check", "."]):
        out = subprocess.run([str(ruff), *args], cwd=ROOT, capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
