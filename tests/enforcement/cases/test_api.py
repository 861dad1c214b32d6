"""The cases API: the same services, permissions and 409s as the pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from enforcement.models import EnforcementCase
from tests.enforcement.cases import factories as f

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_inspector_works_a_case_through_the_api(inspector, fast_pdf):
    api = _api(inspector)
    employer = f.registry_employer()
    opened = api.post("/api/v1/cases/", {"uscc": employer.uscc, "case_type": "arrears"}, format="json")
    assert opened.status_code == 201, opened.json()
    pk = opened.json()["id"]
    steps = [
        ("violations", {"kind": "arrears", "description": "欠缴2026年1-5月"}),
        (
            "findings",
            {
                "source": "audit",
                "period": "2026-05-20",
                "verified_headcount": 8,
                "verified_monthly_base": "32000.00",
            },
        ),
        ("order", {"working_days": 5}),
        ("rectified", {"what_changed": "已补缴"}),
        ("outcome", {"outcome": "paid"}),
    ]
    for step, data in steps:
        response = api.post(f"/api/v1/cases/{pk}/{step}/", data, format="json")
        assert response.status_code == 200, (step, response.json())
    body = api.get(f"/api/v1/cases/{pk}/").json()
    assert body["status"] == "closed" and body["outcome_kind"] == "paid"
    assert body["findings"][0]["period"] == "2026-05-01"
    assert body["documents"][0]["pdf_url"].startswith("/cases/documents/")
    assert [e["kind"] for e in body["events"]] == [
        "opened",
        "violation",
        "finding",
        "document",
        "order_issued",
        "rectified",
        "closed",
    ]


def test_an_illegal_step_is_a_409_with_the_reason(inspector):
    case = f.open_case(inspector)
    response = _api(inspector).post(f"/api/v1/cases/{case.pk}/order/", {}, format="json")
    assert response.status_code == 409 and "违法行为" in response.json()["detail"]
    dup = _api(inspector).post(
        "/api/v1/cases/", {"uscc": case.employer_uscc, "case_type": "unenrolled"}, format="json"
    )
    assert dup.status_code == 409


@pytest.mark.parametrize(
    "step, data, field",
    [
        ("violations", {"kind": "speeding", "description": "x"}, "kind"),
        (
            "findings",
            {
                "source": "audit",
                "period": "2026-05-01",
                "verified_headcount": -1,
                "verified_monthly_base": "1",
            },
            "verified_headcount",
        ),
        ("order", {"working_days": 61}, "working_days"),
        ("outcome", {"outcome": "pardoned"}, "outcome"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(inspector, step, data, field):
    case = f.open_case(inspector)
    response = _api(inspector).post(f"/api/v1/cases/{case.pk}/{step}/", data, format="json")
    assert response.status_code == 400 and field in response.json()


def test_a_bad_uscc_is_a_400(inspector):
    response = _api(inspector).post(
        "/api/v1/cases/", {"uscc": "9" * 18, "case_type": "unenrolled"}, format="json"
    )
    assert response.status_code == 400 and not EnforcementCase.objects.exists()


def test_an_attachment_through_the_api_is_type_checked(inspector):
    case = f.open_case(inspector)
    api = _api(inspector)
    ok = api.post(
        f"/api/v1/cases/{case.pk}/attachments/",
        {"file": SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n0000"), "description": "现场"},
        format="multipart",
    )
    assert ok.status_code == 200 and ok.json()["attachments"][0]["content_type"] == "image/png"
    bad = api.post(
        f"/api/v1/cases/{case.pk}/attachments/",
        {"file": SimpleUploadedFile("p.png", b"GIF89a")},
        format="multipart",
    )
    assert bad.status_code == 400


def test_district_caseworkers_read_their_district_and_cannot_act(inspector, caseworker, other_caseworker):
    case = f.open_case(inspector, district="150302")
    assert [c["id"] for c in _api(caseworker).get("/api/v1/cases/?view=all").json()["results"]] == [case.pk]
    assert _api(other_caseworker).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    refused = _api(caseworker).post(
        f"/api/v1/cases/{case.pk}/rectified/", {"what_changed": "x"}, format="json"
    )
    assert refused.status_code == 403


def test_the_arrears_statement_through_the_api(inspector):
    case = f.open_case(inspector)
    api = _api(inspector)
    url = f"/api/v1/cases/{case.pk}/arrears/"
    assert (
        api.post(f"{url}periods/", {"period": "202604", "owed": "1000.00"}, format="json").status_code == 200
    )
    assert (
        api.post(f"{url}payments/", {"paid_on": "2026-05-15", "amount": "1000.00"}, format="json").status_code
        == 200
    )
    body = api.get(url).json()
    # 202604 is due 2026-05-15 and paid that day: nothing unpaid, no fee, no fine possible
    assert (body["total_unpaid"], body["total_late_fee"], body["fine_max"]) == ("0.00", "0.00", "0.00")
    assert api.post(f"{url}fine/", {"amount": "10", "reason": "x"}, format="json").status_code == 409
    assert api.post(f"{url}periods/", {"period": "2026-4"}, format="json").status_code == 400
