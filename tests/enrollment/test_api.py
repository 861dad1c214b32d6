"""The roster API: authentication, department scoping, idempotency, listing, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from enrollment.models import KIND_DEPARTMENT, MarketEntityRow, RosterBatch, RosterKind
from tests.conftest import token_client
from tests.enrollment.conftest import upload
from tests.enrollment.factories import roster_csv, valid_row
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def market_file(n: int = 2, **cells) -> bytes:
    return roster_csv("market_entities", [valid_row("market_entities", **cells) for _ in range(n)])


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def post(client, kind="market_entities", content=None, **form):
    data = {"kind": kind, "file": upload(content if content is not None else market_file()), **form}
    return client.post("/api/v1/rosters/", data, format="multipart")


# --- who may push what ----------------------------------------------------------------------
def test_without_a_token_is_401():
    assert post(APIClient()).status_code == 401
    assert APIClient().get("/api/v1/rosters/").status_code == 401


def test_a_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert post(client).status_code == 401


@pytest.mark.parametrize(
    "role, extra",
    [
        ("city_manager", {}),
        ("district_caseworker", {"district": "150302"}),
        ("inspector", {}),
        ("street_staff", {"street": "150302001"}),
    ],
)
def test_staff_may_not_push(role, extra):
    response = post(token_client(make_user(role, **extra)))
    assert response.status_code == 403
    assert RosterBatch.objects.count() == 0


@pytest.mark.parametrize("kind", RosterKind.values)
def test_a_partner_may_push_its_departments_kinds(kind):
    response = post(
        token_client(make_user("partner", department=KIND_DEPARTMENT[kind])),
        kind=kind,
        content=roster_csv(kind, [valid_row(kind)]),
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "loaded", response.json()


@pytest.mark.parametrize("department", sorted(set(KIND_DEPARTMENT.values())))
def test_a_partner_may_not_push_another_departments_kinds(department):
    client = token_client(make_user("partner", department=department))
    for kind in RosterKind.values:
        if KIND_DEPARTMENT[kind] != department:
            assert post(client, kind=kind, content=roster_csv(kind, [valid_row(kind)])).status_code == 403
    assert RosterBatch.objects.count() == 0
    assert stored_files() == []  # nothing stored for a refused push


def test_an_unknown_kind_is_400_naming_the_kinds():
    response = post(token_client(make_user("partner", department="market")), kind="market")
    assert response.status_code == 400
    assert all(k in response.json()["detail"] for k in RosterKind.values)
    assert RosterBatch.objects.count() == 0 and stored_files() == []


@pytest.mark.parametrize(
    "form, fragment",
    [
        ({"file": None}, "file"),
        ({"snapshot_date": "2026-02-30"}, "snapshot_date"),
        ({"snapshot_date": "yesterday"}, "snapshot_date"),
    ],
)
def test_bad_form_fields_are_400(form, fragment):
    client = token_client(make_user("partner", department="market"))
    data = {"kind": "market_entities", "file": upload(market_file()), **form}
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post("/api/v1/rosters/", data, format="multipart")
    assert response.status_code == 400
    assert fragment in response.json()


# --- answers ----------------------------------------------------------------------------------
def test_push_answers_the_contract_fields_and_defaults_the_snapshot_date():
    client = token_client(make_user("partner", department="market"))
    body = post(client).json()
    for field in ("id", "kind", "status", "rows_total", "rows_loaded", "rows_rejected", "sha256"):
        assert field in body
    assert body["snapshot_date"] == timezone.localdate().isoformat()
    body = post(client, content=market_file(1), snapshot_date="2026-10-31").json()
    assert body["snapshot_date"] == "2026-10-31"


def test_the_same_file_twice_is_one_batch():
    client = token_client(make_user("partner", department="market"))
    content = market_file(3)
    first = post(client, content=content)
    second = post(client, content=content)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert RosterBatch.objects.count() == 1 and MarketEntityRow.objects.count() == 3
    assert len(stored_files()) == 1


def test_the_same_file_rejected_is_answered_again_with_its_report():
    client = token_client(make_user("partner", department="market"))
    first = post(client, content=b"uscc\n1\n")
    second = post(client, content=b"uscc\n1\n")
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert second.json()["status"] == "rejected"


def test_a_large_file_is_queued_with_202_and_polled(settings, django_capture_on_commit_callbacks):
    settings.ROSTER_INLINE_MAX_BYTES = 10
    client = token_client(make_user("partner", department="market"))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, content=market_file(5))
    assert response.status_code == 202
    assert response.json()["status"] == "processing"
    polled = client.get(f"/api/v1/rosters/{response.json()['id']}/").json()
    assert (polled["status"], polled["rows_loaded"], polled["rows_read"]) == ("loaded", 5, 5)


# --- reading back -----------------------------------------------------------------------------
def test_partners_list_their_own_batches_and_staff_see_all():
    market = token_client(make_user("partner", department="market"))
    hrss = token_client(make_user("partner", department="hrss"))
    m = post(market).json()
    h = post(
        hrss,
        kind="insurance_projects",
        content=roster_csv("insurance_projects", [valid_row("insurance_projects")]),
    ).json()
    assert [b["id"] for b in market.get("/api/v1/rosters/").json()["results"]] == [m["id"]]
    assert [b["id"] for b in hrss.get("/api/v1/rosters/").json()["results"]] == [h["id"]]
    assert market.get(f"/api/v1/rosters/{h['id']}/").status_code == 404
    assert market.get(f"/api/v1/rosters/{h['id']}/errors/").status_code == 404
    staff = token_client(make_user("city_manager"))
    assert [b["id"] for b in staff.get("/api/v1/rosters/").json()["results"]] == [h["id"], m["id"]]
    assert [b["id"] for b in staff.get("/api/v1/rosters/?kind=market_entities").json()["results"]] == [
        m["id"]
    ]
    assert [b["id"] for b in staff.get("/api/v1/rosters/?department=hrss").json()["results"]] == [h["id"]]
    assert staff.get("/api/v1/rosters/?kind=nope").status_code == 400
    assert staff.get(f"/api/v1/rosters/{m['id']}/").json()["pushed_by"]


@pytest.mark.parametrize("role, extra", [("inspector", {}), ("street_staff", {"street": "150302001"})])
def test_roles_without_roster_rights_see_nothing(role, extra):
    assert token_client(make_user(role, **extra)).get("/api/v1/rosters/").status_code == 403


def test_errors_are_listed_paginated_with_the_contract_fields():
    client = token_client(make_user("partner", department="market"))
    rows = [valid_row("market_entities", established_on="x") for _ in range(7)]
    rows.append(valid_row("market_entities", phone="1"))
    body = post(client, content=roster_csv("market_entities", rows)).json()
    page = client.get(f"/api/v1/rosters/{body['id']}/errors/?page_size=5").json()
    assert page["count"] == 8 and len(page["results"]) == 5 and page["next"]
    assert page["results"][0] == {
        "row": 2,
        "column": "established_on",
        "code": "invalid_date",
        "message": page["results"][0]["message"],
        "severity": "error",
    }
    warnings = client.get(f"/api/v1/rosters/{body['id']}/errors/?severity=warning").json()
    assert [(w["row"], w["code"]) for w in warnings["results"]] == [(9, "invalid_phone")]
    assert client.get(f"/api/v1/rosters/{body['id']}/errors/?severity=fatal").status_code == 400


def test_the_schema_documents_the_roster_endpoints(client):
    staff = make_user("city_manager")
    client.force_login(staff)
    schema = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/rosters/{id}/errors/" in schema and "rosters_push" in schema


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("kind=nope", "kind"),
        ("department=moon", "department"),
        ("kind=market_entities&department=x", "department"),
    ],
)
def test_an_unknown_list_filter_is_400_naming_the_parameter(query, parameter):
    response = token_client(make_user("city_manager")).get(f"/api/v1/rosters/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [parameter] and body[parameter][0].startswith("未知的")


def test_empty_list_filters_are_no_filters():
    client = token_client(make_user("partner", department="market"))
    pushed = post(client).json()
    listed = client.get("/api/v1/rosters/?kind=&department=").json()["results"]
    assert [b["id"] for b in listed] == [pushed["id"]]


def test_the_list_documents_its_400():
    schema = token_client(make_user("city_manager")).get("/api/v1/schema/?format=json").json()
    answers = schema["paths"]["/api/v1/rosters/"]["get"]["responses"]
    assert {"200", "400"} <= set(answers)
