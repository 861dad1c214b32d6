"""The blacklist API: the partners' feed with updated_since (removals included), the
delivery log, and every step with its 409 — the same services as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from enforcement.blacklist import services
from enforcement.blacklist.models import BlacklistDelivery
from enforcement.models import BlacklistEntry
from tests.conftest import token_client
from tests.enforcement.blacklist.conftest import make_case, noon
from tests.factories import make_user
from wuhai_coverage.core.models import Department

pytestmark = pytest.mark.django_db
Status = BlacklistEntry.Status


@pytest.fixture
def partner(db):
    return make_user("partner", department="tax")


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def test_the_feed_lists_every_listed_entry_with_measures(life, partner):
    listed = life.listed()
    life.under_review()
    response = token_client(partner).get("/api/v1/blacklist/")
    assert response.status_code == 200
    item = response.json()["results"][0]
    assert ids(response) == [listed.pk]
    assert item["status"] == "published" and "bidding" in item["measures"]
    assert item["legal_representative"] == "赵强" and item["expires_on"] == listed.expires_on.isoformat()
    assert "statement" not in item and "decision" not in item


def test_updated_since_reports_new_listings_and_removals(life, partner, manager, inspector, travel):
    old = life.listed(employer_name="乌海市早列入公司")
    gone = life.listed(employer_name="乌海市将修复公司")
    travel(timezone.localdate() + dt.timedelta(days=400))
    since = timezone.now()
    client = token_client(partner)
    assert ids(client.get("/api/v1/blacklist/", {"updated_since": since.isoformat()})) == []
    services.blacklist_apply_repair(entry=gone, actor=inspector, application="x", rectified=True, paid=True)
    services.blacklist_approve_repair(entry=gone, actor=manager, decision="同意")
    new = life.listed(employer_name="乌海市新列入公司")
    response = client.get("/api/v1/blacklist/", {"updated_since": since.isoformat()})
    items = {item["id"]: item for item in response.json()["results"]}
    assert set(items) == {gone.pk, new.pk}
    assert items[gone.pk]["status"] == "removed" and items[gone.pk]["removed_at"]
    assert items[new.pk]["status"] == "published"
    assert sorted(ids(client.get("/api/v1/blacklist/"))) == sorted(
        [old.pk, new.pk]
    )  # without it: listed only


def test_an_expiry_is_reported_as_a_removal(life, partner, travel):
    entry = life.listed()
    travel(entry.expires_on)
    since = timezone.now() - dt.timedelta(minutes=1)
    services.blacklist_nightly()
    items = (
        token_client(partner)
        .get("/api/v1/blacklist/", {"updated_since": since.isoformat()})
        .json()["results"]
    )
    assert [(item["id"], item["status"]) for item in items] == [(entry.pk, "removed")]


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00", "1", "9999-12-31T23:59:59-12:00"])
def test_a_malformed_updated_since_is_a_400(partner, value):
    response = token_client(partner).get("/api/v1/blacklist/", {"updated_since": value})
    assert response.status_code == 400 and "updated_since" in response.json()


def test_a_naive_updated_since_is_wuhai_time(life, partner):
    life.listed()
    since = timezone.localtime().replace(tzinfo=None) - dt.timedelta(minutes=5)
    assert (
        len(ids(token_client(partner).get("/api/v1/blacklist/", {"updated_since": since.isoformat()}))) == 1
    )


@pytest.mark.parametrize(
    "role, kwargs, code",
    [
        ("partner", {"department": "market"}, 200),
        ("city_manager", {}, 200),
        ("inspector", {}, 200),
        ("district_caseworker", {"district": "150302"}, 403),
        ("street_staff", {"street": "150302001"}, 403),
    ],
)
def test_who_reads_the_feed(role, kwargs, code):
    assert token_client(make_user(role, **kwargs)).get("/api/v1/blacklist/").status_code == code


def test_anonymous_is_401(api_client):
    assert api_client.get("/api/v1/blacklist/").status_code == 401


# --- deliveries --------------------------------------------------------------------------


def test_a_partner_reads_and_acknowledges_its_own_deliveries(life, partner):
    entry = life.listed()
    client = token_client(partner)
    response = client.get("/api/v1/blacklist/deliveries/")
    rows = response.json()["results"]
    assert [(row["department"], row["change"], row["entry"]["id"]) for row in rows] == [
        ("tax", "listed", entry.pk)
    ]
    ack = client.post(f"/api/v1/blacklist/deliveries/{rows[0]['id']}/ack/", {}, format="json")
    assert ack.status_code == 200 and ack.json()["acknowledged_at"]
    again = client.post(f"/api/v1/blacklist/deliveries/{rows[0]['id']}/ack/", {}, format="json")
    assert again.status_code == 409
    assert client.get("/api/v1/blacklist/deliveries/", {"pending": "true"}).json()["results"] == []
    assert client.get("/api/v1/blacklist/deliveries/", {"pending": "maybe"}).status_code == 400


def test_a_partner_cannot_acknowledge_another_departments_delivery(life, partner):
    life.listed()
    market = BlacklistDelivery.objects.get(department=Department.MARKET)
    assert token_client(partner).post(f"/api/v1/blacklist/deliveries/{market.pk}/ack/").status_code == 404
    market.refresh_from_db()
    assert market.acknowledged_at is None


def test_bureau_staff_see_every_departments_deliveries(life, manager):
    life.listed()
    rows = token_client(manager).get("/api/v1/blacklist/deliveries/").json()["results"]
    assert len(rows) == len(Department.values)


# --- steps -------------------------------------------------------------------------------


def test_the_whole_lifecycle_through_the_api(inspector, manager, travel):
    case = make_case(inspector)
    insp = token_client(inspector)
    created = insp.post(
        "/api/v1/blacklist/proposals/", {"case": case.pk, "legal_representative": "赵强"}, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert insp.post(f"/api/v1/blacklist/{pk}/notify/", {}, format="json").json()["status"] == "notified"
    deadline = BlacklistEntry.objects.get(pk=pk).statement_deadline
    assert insp.post(f"/api/v1/blacklist/{pk}/lapse/", {}, format="json").status_code == 409
    travel(deadline + dt.timedelta(days=1))
    insp = token_client(inspector)
    assert insp.post(f"/api/v1/blacklist/{pk}/lapse/", {}, format="json").json()["status"] == "under_review"
    mgr = token_client(manager)
    approved = mgr.post(
        f"/api/v1/blacklist/{pk}/approve/", {"decision": "列入", "measures": ["bidding"]}, format="json"
    )
    assert approved.status_code == 200 and approved.json()["status"] == "published"
    assert [e["kind"] for e in approved.json()["events"]] == [
        "proposed",
        "notified",
        "period_lapsed",
        "approved",
    ]
    early = insp.post(
        f"/api/v1/blacklist/{pk}/repair/",
        {"application": "x", "rectified": True, "paid": True},
        format="json",
    )
    assert early.status_code == 409 and "方可" in early.json()["detail"]
    travel(timezone.localdate().replace(year=timezone.localdate().year + 1))
    insp, mgr = token_client(inspector), token_client(manager)
    applied = insp.post(
        f"/api/v1/blacklist/{pk}/repair/",
        {"application": "x", "rectified": True, "paid": True},
        format="json",
    )
    assert applied.status_code == 200
    removed = mgr.post(f"/api/v1/blacklist/{pk}/repair-approve/", {"decision": "同意"}, format="json")
    assert removed.json()["status"] == "removed"


def test_an_illegal_step_is_a_409_with_the_reason(life, manager):
    entry = life.proposed()
    response = token_client(manager).post(
        f"/api/v1/blacklist/{entry.pk}/approve/", {"decision": "列入", "measures": ["bidding"]}, format="json"
    )
    assert response.status_code == 409 and "拟列入" in response.json()["detail"]


def test_proposing_a_case_not_ready_is_a_409(inspector):
    case = make_case(inspector, status="order_issued")
    response = token_client(inspector).post(
        "/api/v1/blacklist/proposals/", {"case": case.pk, "legal_representative": "赵强"}, format="json"
    )
    assert response.status_code == 409
    assert (
        token_client(inspector)
        .post("/api/v1/blacklist/proposals/", {"case": 999999, "legal_representative": "赵强"}, format="json")
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    "body",
    [
        {"decision": "列入", "measures": []},
        {"decision": "列入", "measures": ["jail"]},
        {"decision": "", "measures": ["bidding"]},
    ],
)
def test_bad_input_is_a_400(life, manager, body):
    entry = life.under_review()
    assert (
        token_client(manager).post(f"/api/v1/blacklist/{entry.pk}/approve/", body, format="json").status_code
        == 400
    )
    entry.refresh_from_db()
    assert entry.status == Status.UNDER_REVIEW


def test_repair_flags_must_be_booleans(life, inspector, travel):
    entry = life.listed()
    response = token_client(inspector).post(
        f"/api/v1/blacklist/{entry.pk}/repair/",
        {"application": "x", "rectified": "yes", "paid": "1"},
        format="json",
    )
    assert response.status_code == 400 and {"rectified", "paid"} <= set(response.json())


def test_repair_needs_both_confirmations_true_as_the_schema_says(life, inspector):
    """rectified/paid are `enum: [true]` in the schema; `false` is a 400 on that field
    (not a 409 about the entry's state), and the entry stays listed."""
    from drf_spectacular.generators import SchemaGenerator

    entry = life.listed()
    response = token_client(inspector).post(
        f"/api/v1/blacklist/{entry.pk}/repair/",
        {"application": "x", "rectified": True, "paid": False},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"paid"} and "补缴欠费" in response.json()["paid"][0]
    entry.refresh_from_db()
    assert entry.status == Status.PUBLISHED and not entry.events.filter(kind="repair_applied").exists()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["paths"]["/api/v1/blacklist/{id}/repair/"]["post"]["requestBody"]["content"][
        "application/json"
    ]
    ref = body["schema"]["$ref"].rsplit("/", 1)[-1]
    props = schema["components"]["schemas"][ref]["properties"]
    assert props["rectified"] == props["paid"] == {"$ref": "#/components/schemas/ConfirmationEnum"}
    assert schema["components"]["schemas"]["ConfirmationEnum"] == {"type": "boolean", "enum": [True]}


@pytest.mark.parametrize(
    "step, role",
    [
        ("notify", "city_manager"),
        ("approve", "inspector"),
        ("reject", "inspector"),
        ("repair-approve", "inspector"),
    ],
)
def test_a_role_without_the_capability_is_403(life, step, role):
    entry = life.proposed()
    assert (
        token_client(make_user(role))
        .post(f"/api/v1/blacklist/{entry.pk}/{step}/", {}, format="json")
        .status_code
        == 403
    )


def test_the_entry_detail_is_for_staff(life, partner, inspector):
    entry = life.notified()
    assert token_client(partner).get(f"/api/v1/blacklist/{entry.pk}/").status_code == 403
    body = token_client(inspector).get(f"/api/v1/blacklist/{entry.pk}/").json()
    assert body["notice_number"] == entry.notice_number and len(body["events"]) == 2
    assert token_client(inspector).get("/api/v1/blacklist/999999/").status_code == 404


def test_the_schema_documents_the_409s():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in (
        "/api/v1/blacklist/{id}/approve/",
        "/api/v1/blacklist/{id}/repair/",
        "/api/v1/blacklist/proposals/",
    ):
        assert "409" in schema["paths"][path]["post"]["responses"], path
    assert any(
        p["name"] == "updated_since" for p in schema["paths"]["/api/v1/blacklist/"]["get"]["parameters"]
    )


def test_noon_helper_is_wuhai_time():
    assert noon(dt.date(2026, 6, 15)).utcoffset() == dt.timedelta(hours=8)
