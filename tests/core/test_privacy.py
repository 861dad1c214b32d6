"""Privacy by construction: the one masking module, the API's masked keys and its logged
`reveal=true`, no key in a URL, whole-key search, no-store. (The walk over every page of a
seeded world is tests/core/test_privacy_walk.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import token_client
from tests.factories import OpenTaskFactory, PersonTaskFactory, load_snapshot, make_id_number, make_user
from wuhai_coverage.core import privacy
from wuhai_coverage.core.models import AccessLog
from wuhai_coverage.core.validators import InvalidIdentifier, normalize_id_number

pytestmark = pytest.mark.usefixtures("fast_password_hasher")

IDN = make_id_number(dt.date(1973, 7, 28), seq=29)


def test_one_mask_per_kind_of_value():
    assert privacy.mask(IDN, "id_number") == IDN[:6] + "********" + IDN[-4:]
    assert privacy.mask("13812345678", "phone") == "138****5678"
    assert privacy.mask(dt.date(1973, 7, 28), "birth_date") == "1973"
    assert privacy.mask("1973-07-28", "birth_date") == "1973"
    assert privacy.mask(None, "phone") == "" and privacy.mask("", "birth_date") == ""
    assert privacy.mask_subject_key("person", IDN) == privacy.mask_id_number(IDN)
    assert privacy.mask_subject_key("employer", "91150302MA0000001X") == "91150302MA0000001X"
    with pytest.raises(ValueError, match="unknown kind"):
        privacy.mask(IDN, "name")


def test_an_impossible_birth_date_is_not_repeated_beside_the_masked_number():
    bad = IDN[:10] + "1332" + IDN[14:]
    with pytest.raises(InvalidIdentifier) as exc:
        normalize_id_number(bad)
    assert bad[6:14] not in str(exc.value)


# --- The tasks API -------------------------------------------------------------------


@pytest.fixture
def person_task(db):
    return PersonTaskFactory(subject_key=IDN, street_id="150302001")


@pytest.mark.django_db
def test_api_masks_a_persons_key_in_list_detail_and_actions(street_staff, person_task):
    """The issue's row: GET /api/v1/tasks/ as street staff gave full ID numbers, no reveal logged."""
    employer = OpenTaskFactory(subject_key="91150302MA0000001X", street_id="150302001")
    client = token_client(street_staff)
    items = {r["id"]: r for r in client.get("/api/v1/tasks/?page_size=1000").json()["results"]}
    assert items[person_task.pk]["subject_key"] == privacy.mask_id_number(IDN)
    assert items[employer.pk]["subject_key"] == "91150302MA0000001X"  # a USCC is not personal
    assert client.get(f"/api/v1/tasks/{person_task.pk}/").json()["subject_key"] == privacy.mask_id_number(IDN)
    answer = client.post(
        f"/api/v1/tasks/{person_task.pk}/contact/", {"channel": "visit", "outcome": "reached"}, format="json"
    )
    assert answer.status_code == 200 and IDN not in answer.content.decode()
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_reveal_true_returns_full_keys_and_writes_one_entry_naming_every_subject(caseworker):
    tasks = [PersonTaskFactory() for _ in range(3)]
    OpenTaskFactory()
    client = token_client(caseworker)
    body = client.get("/api/v1/tasks/?reveal=true&page_size=1000", REMOTE_ADDR="10.1.2.3").json()
    keys = {r["subject_key"] for r in body["results"] if r["subject_type"] == "person"}
    assert keys == {t.subject_key for t in tasks}
    [log] = AccessLog.objects.all()
    assert log.actor == caseworker and log.field == "id_number" and log.ip == "10.1.2.3"
    assert sorted(log.subject_keys) == sorted(keys) and log.subject_key in keys
    assert IDN not in log.context and "api /api/v1/tasks/" == log.context
    # The detail: one more entry, for the one subject.
    detail = client.get(f"/api/v1/tasks/{tasks[0].pk}/?reveal=1").json()
    assert detail["subject_key"] == tasks[0].subject_key
    assert AccessLog.objects.count() == 2 and AccessLog.objects.first().subject_keys == [tasks[0].subject_key]


@pytest.mark.django_db
def test_reveal_of_a_page_without_persons_logs_nothing(caseworker):
    OpenTaskFactory()
    assert token_client(caseworker).get("/api/v1/tasks/?reveal=true").status_code == 200
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_reveal_without_the_capability_is_403_with_a_clear_message(monkeypatch, inspector, person_task):
    from wuhai_coverage.core import roles

    monkeypatch.setitem(roles.CAPABILITIES, "inspector", frozenset({roles.VIEW_TASKS}))
    client = token_client(inspector)
    r = client.get("/api/v1/tasks/?reveal=true")
    assert (
        r.status_code == 403
        and "reveal" in r.json()["detail"]
        and "无权查看完整身份证号" in r.json()["detail"]
    )
    assert client.get(f"/api/v1/tasks/{person_task.pk}/?reveal=true").status_code == 403
    assert client.get("/api/v1/tasks/").json()["results"][0]["subject_key"] == privacy.mask_id_number(IDN)
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_reveal_takes_a_boolean(caseworker):
    r = token_client(caseworker).get("/api/v1/tasks/?reveal=please")
    assert r.status_code == 400 and "reveal" in r.json()


@pytest.mark.django_db
def test_subject_filters_by_the_full_key_with_or_without_reveal(caseworker, person_task):
    PersonTaskFactory()
    client = token_client(caseworker)
    masked = client.get(f"/api/v1/tasks/?subject={IDN}").json()
    assert [r["id"] for r in masked["results"]] == [person_task.pk]
    assert masked["results"][0]["subject_key"] == privacy.mask_id_number(IDN)
    assert client.get(f"/api/v1/tasks/?subject={IDN[:14]}").json()["count"] == 0
    assert client.get(f"/api/v1/tasks/?subject={IDN}&reveal=true").json()["results"][0]["subject_key"] == IDN
    # q: a whole ID number finds the person; a prefix of one finds nobody.
    assert client.get(f"/api/v1/tasks/?q={IDN.lower()}").json()["count"] == 1
    assert client.get(f"/api/v1/tasks/?q={IDN[:14]}").json()["count"] == 0


@pytest.mark.django_db
def test_the_openapi_schema_documents_reveal(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    for path in ("/api/v1/tasks/", "/api/v1/tasks/{id}/"):
        params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert params["reveal"]["schema"]["type"] == "boolean", path
        assert (
            "access-log" in params["reveal"]["description"]
            and "reveal_personal" in params["reveal"]["description"]
        )


# --- Pages --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_task_page_shows_the_birth_year_beside_the_masked_id(client, caseworker, person_task):
    load_snapshot(
        "household_registry",
        [
            dict(
                id_number=IDN,
                name="张三",
                birth_date=dt.date(1973, 7, 28),
                sex="M",
                district_code="150302",
                street_code="150302001",
                phone="13900002222",
            )
        ],
    )
    client.force_login(caseworker)
    html = client.get(f"/tasks/{person_task.pk}/").content.decode()
    assert privacy.mask_id_number(IDN) in html and "1973" in html
    for clear in (IDN, "1973-07-28", "19730728", "13900002222"):
        assert clear not in html
    assert "出生年份" in html


@pytest.mark.django_db
def test_the_task_closure_rows_of_assessment_mask_a_persons_key(client, city_manager):
    """The issue's row: the task-closure rows page showed subject_key unmasked."""
    t = PersonTaskFactory(subject_key=IDN)
    client.force_login(city_manager)
    year = timezone.localdate().year
    html = client.get(
        f"/assessment/districts/{t.district_id}/task_closure_rate/?year={year}"
    ).content.decode()
    assert privacy.mask_id_number(IDN) in html and IDN not in html


@pytest.mark.django_db
def test_responses_with_personal_data_are_never_stored(client, caseworker, person_task):
    client.force_login(caseworker)
    for url in ("/tasks/", f"/tasks/{person_task.pk}/", "/tasks/export.xlsx", "/persons/", "/dashboard/"):
        r = client.get(url)
        assert r.status_code == 200 and "no-store" in r["Cache-Control"], url
    api = token_client(caseworker).get("/api/v1/tasks/")
    assert api.status_code == 200 and "no-store" in api["Cache-Control"]
    # Even an anonymous answer (a login page, a 404) is not cached by default.
    client.logout()
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]


@pytest.mark.django_db
def test_the_street_workers_pages_work_with_the_birth_year(client, person_task):
    worker = make_user("street_staff", street="150302001")
    load_snapshot(
        "household_registry",
        [
            dict(
                id_number=IDN,
                name="张三",
                birth_date=dt.date(1973, 7, 28),
                sex="M",
                district_code="150302",
                street_code="150302001",
                phone="13900002222",
            )
        ],
    )
    client.force_login(worker)
    html = client.get(f"/tasks/{person_task.pk}/visit/").content.decode()
    assert privacy.mask_phone("13900002222") in html and "13900002222" not in html and IDN not in html


def test_log_lines_never_carry_an_id_number_or_a_mobile_number():
    """The portal's log handler formats through privacy.redact — messages, arguments and
    tracebacks (a database error names the duplicate key it met)."""
    import logging
    import logging.config

    from django.conf import settings

    formatter = logging.config.dictConfigClass(settings.LOGGING).configure_custom(
        dict(settings.LOGGING["formatters"]["plain"])
    )
    try:
        raise ValueError(f"Key (batch_id, id_number)=(5, {IDN}) already exists")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "enrollment.services",
            logging.ERROR,
            __file__,
            1,
            "roster %s phone %s",
            (IDN, "13812345678"),
            sys.exc_info(),
        )
    line = formatter.format(record)
    assert IDN not in line and "13812345678" not in line
    assert privacy.mask_id_number(IDN) in line and "138****5678" in line and "already exists" in line
    assert (
        privacy.redact("batch 12345 at 2026-11-30, sha 9f86d081") == "batch 12345 at 2026-11-30, sha 9f86d081"
    )


@pytest.mark.django_db
def test_a_whole_id_number_typed_into_the_queue_continues_on_the_persons_pk(client, caseworker, person_task):
    from enrollment.models import Person

    p = Person.objects.create(
        id_number=IDN,
        name="张三",
        birth_date=dt.date(1973, 7, 28),
        sex="M",
        district_id="150302",
        street_id="150302001",
    )
    client.force_login(caseworker)
    r = client.get(f"/tasks/?q={IDN.lower()}&status=all")
    assert r.status_code == 302 and IDN not in r["Location"] and f"person={p.pk}" in r["Location"]
    html = client.get(r["Location"]).content.decode()
    assert person_task.subject_name in html and IDN not in html
    # A whole ID number of nobody in the registry: searched as it is (the tasks may still exist).
    other = PersonTaskFactory()
    assert other.subject_name in client.get(f"/tasks/?q={other.subject_key}").content.decode()


@pytest.mark.django_db
def test_the_search_forms_post_so_a_typed_id_number_never_reaches_a_url(client, caseworker, person_task):
    """The queue's and the persons' search forms post; the answer redirects to a GET
    address where a whole ID number became the person's pk (or the person's page)."""
    from django.contrib.messages import get_messages

    from enrollment.models import Person

    p = Person.objects.create(
        id_number=IDN,
        name="张三",
        birth_date=dt.date(1973, 7, 28),
        sex="M",
        district_id="150302",
        street_id="150302001",
    )
    client.force_login(caseworker)
    for form in (client.get("/tasks/").content.decode(), client.get("/persons/").content.decode()):
        assert 'class="card filters" method="post"' in form and "csrfmiddlewaretoken" in form
    r = client.post("/tasks/", {"q": IDN.lower(), "status": "all", "kind": "", "csrfmiddlewaretoken": "x"})
    assert r.status_code == 302 and IDN not in r["Location"].upper()
    assert r["Location"].startswith("/tasks/?") and f"person={p.pk}" in r["Location"]
    assert "status=all" in r["Location"] and "csrfmiddlewaretoken" not in r["Location"]
    assert person_task.subject_name in client.get(r["Location"]).content.decode()
    r = client.post("/persons/", {"q": IDN})
    assert r.status_code == 302 and r["Location"] == f"/persons/{p.pk}/"
    # A name stays a name.
    r = client.post("/tasks/", {"q": "张三", "status": "all"})
    assert r.status_code == 302 and "q=%E5%BC%A0%E4%B8%89" in r["Location"]
    # The whole ID number of nobody in the caseworker's registry: dropped, with a message.
    nobody = make_id_number(dt.date(1990, 1, 2))
    r = client.post("/tasks/", {"q": nobody, "status": "all"})
    assert r.status_code == 302 and nobody not in r["Location"] and "q=" not in r["Location"]
    assert [str(m) for m in get_messages(r.wsgi_request)] == ["您的辖区内没有该身份证号的人员。"]
    r = client.post("/persons/", {"q": nobody})
    assert r.status_code == 302 and r["Location"] == "/persons/"
    # Another district's person is nobody for this caseworker.
    Person.objects.filter(pk=p.pk).update(district_id="150304", street_id="150304002")
    r = client.post("/tasks/", {"q": IDN})
    assert f"person={p.pk}" not in r["Location"] and IDN not in r["Location"]
