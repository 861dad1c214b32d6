"""Migrations on PostgreSQL, reference data, database-enforced rules, the schema and
pages served by the portal itself."""
import shutil
import subprocess
from pathlib import Path

import pytest
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
    assert client.get("/").status_code == 302


def test_unknown_page_is_a_chinese_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    assert client.get("/api/v1/no-such/").status_code == 404


def test_times_are_asia_shanghai(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.LANGUAGE_CODE == "zh-hans"
    assert settings.CELERY_BEAT_SCHEDULE["nightly-comparison"]["schedule"].hour == {2}


def test_docker_compose_file_is_valid():
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed here (scripts/setup_services.sh installs it)")
    out = subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--services"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert set(out.stdout.split()) == {"postgres", "redis", "web", "worker", "beat"}


@pytest.mark.parametrize("role, kwargs, shown, hidden", [
    ("city_manager", {}, ["/tasks/", "/rosters/", "/assessment/", "/comparison-runs/"], ["/tasks/street/"]),
    ("street_staff", {"street": "150302001"}, ["/tasks/", "/tasks/street/", "/outreach/postings/"],
     ["/rosters/", "/assessment/"]),
    ("inspector", {}, ["/tasks/"], ["/rosters/", "/outreach/postings/", "/assessment/"]),
])
def test_nav_shows_only_what_the_role_may_use(client, db, role, kwargs, shown, hidden):
    client.force_login(make_user(role, username="navuser", password="pw-123456", **kwargs))
    nav = client.get("/dashboard/").content.decode().split('<nav class="mainnav">')[1].split("</nav>")[0]
    for href in shown:
        assert f'href="{href}"' in nav
    for href in hidden:
        assert f'href="{href}"' not in nav
