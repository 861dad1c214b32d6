"""GET /api/v1/tasks/ and /{id}/ exactly as portal.md says, and the POST actions."""

import datetime as dt

import pytest
from django.utils import timezone

from enforcement.models import Task, TaskEvent
from tests.conftest import token_client
from tests.factories import (
    ClosedTaskFactory,
    OpenTaskFactory,
    OverdueTaskFactory,
    PersonTaskFactory,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]

ITEM_FIELDS = {
    "id",
    "kind",
    "status",
    "subject_type",
    "subject_key",
    "subject_name",
    "district_code",
    "street_code",
    "priority",
    "evidence",
    "opened_at",
    "due_date",
    "assignee",
    "closed_at",
    "resolution",
}


def test_list_is_paginated_with_the_item_fields_of_the_spec(caseworker):
    OpenTaskFactory(evidence={"H": 3, "sources": ["tax"]})
    body = token_client(caseworker).get("/api/v1/tasks/").json()
    assert set(body) == {"count", "next", "previous", "results"} and body["count"] == 1
    item = body["results"][0]
    assert ITEM_FIELDS <= set(item)
    assert item["evidence"] == {"H": 3, "sources": ["tax"]} and item["district_code"] == "150302"
    assert item["street_code"] == "150302001" and item["assignee"] is None


def test_list_includes_closed_tasks_unless_filtered(caseworker):
    OpenTaskFactory()
    ClosedTaskFactory()
    client = token_client(caseworker)
    assert client.get("/api/v1/tasks/").json()["count"] == 2
    closed = client.get("/api/v1/tasks/?status=closed").json()
    assert closed["count"] == 1 and closed["results"][0]["resolution"] == "resolved_by_data"


@pytest.mark.parametrize(
    "query, n",
    [
        ("kind=enroll_person", 1),
        ("district=150302", 3),
        ("district=150304", 0),
        ("street=150302002", 1),
        ("priority=high", 1),
        ("overdue=true", 1),
        ("overdue=false", 2),
    ],
)
def test_list_filters(query, n, city_manager):
    PersonTaskFactory(street_id="150302002")
    OpenTaskFactory(priority="high")
    OverdueTaskFactory()
    assert token_client(city_manager).get(f"/api/v1/tasks/?{query}").json()["count"] == n


def test_subject_filter_is_exact(caseworker):
    t = OpenTaskFactory(subject_key="91150302MA0000001X")
    OpenTaskFactory(subject_key="91150302MA0000001Y")
    body = token_client(caseworker).get("/api/v1/tasks/?subject=91150302MA0000001X").json()
    assert [r["id"] for r in body["results"]] == [t.pk]
    assert token_client(caseworker).get("/api/v1/tasks/?subject=91150302MA000000").json()["count"] == 0


def test_page_size_up_to_1000(caseworker):
    OpenTaskFactory.create_batch(3)
    client = token_client(caseworker)
    body = client.get("/api/v1/tasks/?page_size=2").json()
    assert len(body["results"]) == 2 and body["next"] and body["previous"] is None
    assert len(client.get("/api/v1/tasks/?page_size=1000").json()["results"]) == 3
    too_big = client.get("/api/v1/tasks/?page_size=5000")  # refused, not silently capped
    assert too_big.status_code == 400 and "page_size" in too_big.json()


@pytest.mark.parametrize(
    "query", ["kind=x", "status=finished", "overdue=perhaps", "district=1", "priority=low"]
)
def test_bad_filter_values_are_400_with_a_message(query, caseworker):
    response = token_client(caseworker).get(f"/api/v1/tasks/?{query}")
    assert response.status_code == 400 and response.json()["detail"]


def test_detail_outside_the_jurisdiction_is_404(caseworker):
    task = OpenTaskFactory(district_id="150304", street_id="150304002")
    assert token_client(caseworker).get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    assert token_client(caseworker).get("/api/v1/tasks/999999/").status_code == 404


def test_dismiss_without_reason_is_400_and_changes_nothing(caseworker):
    task = OpenTaskFactory()
    response = token_client(caseworker).post(
        f"/api/v1/tasks/{task.pk}/dismiss/", {"reason": ""}, format="json"
    )
    assert response.status_code == 400
    assert Task.objects.get(pk=task.pk).status == "open" and not TaskEvent.objects.exists()


def test_dismiss_twice_is_409_the_second_time(caseworker):
    task = OpenTaskFactory()
    client = token_client(caseworker)
    assert (
        client.post(f"/api/v1/tasks/{task.pk}/dismiss/", {"reason": "已注销"}, format="json").status_code
        == 200
    )
    second = client.post(f"/api/v1/tasks/{task.pk}/dismiss/", {"reason": "已注销"}, format="json")
    assert second.status_code == 409 and "已关闭" in second.json()["detail"]


def test_assign_by_username_through_the_api(caseworker):
    worker = make_user("street_staff", street="150302001", username="wang")
    task = OpenTaskFactory()
    body = (
        token_client(caseworker)
        .post(f"/api/v1/tasks/{task.pk}/assign/", {"assignee": "wang"}, format="json")
        .json()
    )
    assert body["status"] == "assigned" and body["assignee"] == worker.username


def test_notice_through_the_api_answers_the_notice(caseworker):
    task = OpenTaskFactory()
    deadline = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    body = (
        token_client(caseworker)
        .post(f"/api/v1/tasks/{task.pk}/notice/", {"deadline": deadline}, format="json")
        .json()
    )
    assert body["number"].startswith("乌人社告") and body["deadline"] == deadline
    assert body["pdf_url"] == f"/notices/{body['id']}.pdf"


def test_notice_with_a_malformed_deadline_is_400(caseworker):
    task = OpenTaskFactory()
    response = token_client(caseworker).post(
        f"/api/v1/tasks/{task.pk}/notice/", {"deadline": "next week"}, format="json"
    )
    assert response.status_code == 400


def test_schema_lists_the_tasks_api(caseworker):
    response = token_client(caseworker).get("/api/v1/schema/")
    assert response.status_code == 200 and b"/api/v1/tasks/{id}/" in response.content
