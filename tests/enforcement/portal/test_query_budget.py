"""Query budgets of the queue and the task page (issue 13, "fast under load"): each page
issues a fixed number of queries whatever the number of rows it shows, so a label, an
assignee or an event actor read per row (an N+1) fails here before it reaches the
benchmark (bench/portal.py).

The world is more than a page of tasks (PAGE_SIZE + 10) spread over kinds, statuses,
streets and several assignees, and a task with a long timeline written by many actors,
notices by several issuers and a roster row per source: an N+1 would add tens of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from enforcement import selectors
from enforcement.models import Notice, Task, TaskEvent
from tests.factories import load_snapshot, make_id_number, make_user

pytestmark = pytest.mark.django_db

# Measured: session, user, the page's rows, the capped count, the bulk-assign staff, the
# street filter's streets, and the session's save (BEGIN, UPDATE, COMMIT) = 9.
QUEUE_BUDGET = 9
# Measured: session, user, the task, a roster row per source of an employer (3 loaded
# here), the assignable staff, notices, cases, events, the session's save (3) = 13.
TASK_PAGE_BUDGET = 13

STREETS = ("150302001", "150302002", "150302003", "150302004")
KINDS = ("enroll_employer", "collect_arrears", "enroll_person", "resume_contributions")
STATUSES = ("open", "assigned", "contacted", "notice_issued", "escalated")


@pytest.fixture
def world(db):
    """PAGE_SIZE + 10 open tasks in district 150302 (and a few closed), assigned among
    eight street workers, half employers named …煤业…, half persons named 李秀英/王丽."""
    staff = [make_user("street_staff", street=STREETS[i % len(STREETS)]) for i in range(8)]
    now, today = timezone.now(), timezone.localdate()
    tasks = []
    for i in range(selectors.PAGE_SIZE + 10):
        kind = KINDS[i % len(KINDS)]
        person = kind in ("enroll_person", "resume_contributions")
        status = STATUSES[i % len(STATUSES)]
        street = STREETS[(i // len(KINDS)) % len(STREETS)]  # every kind on every street
        assignee = next((u for u in staff[i % 8 :] + staff if u.street_id == street), None)
        tasks.append(
            Task(
                kind=kind,
                subject_type="person" if person else "employer",
                subject_key=make_id_number(dt.date(1960, 1, 1) + dt.timedelta(days=i), seq=i % 100)
                if person
                else f"91150302MA{i:08d}",
                subject_name=("李秀英" if i % 3 else "王丽") if person else f"乌海市红星煤业{i}有限公司",
                district_id="150302",
                street_id=street,
                priority="high" if i % 4 == 0 else "normal",
                status=status,
                opened_at=now - dt.timedelta(hours=i),
                due_date=today + dt.timedelta(days=i % 20 - 5)
                if status in ("notice_issued", "escalated")
                else None,
                assignee=assignee if status in ("assigned", "contacted") else None,
            )
        )
    Task.objects.bulk_create(tasks)
    Task.objects.bulk_create(
        [
            Task(
                kind="enroll_employer",
                subject_type="employer",
                subject_key=f"91150302MC{i:08d}",
                subject_name=f"乌海市红星煤业已关闭{i}",
                district_id="150302",
                street_id=STREETS[0],
                status="closed",
                resolution="resolved_by_data",
                opened_at=now,
                closed_at=now,
            )
            for i in range(5)
        ]
    )
    return {"staff": staff}


@pytest.fixture
def busy_task(world, caseworker):
    """An employer task with 40 timeline events by 8 actors, 4 notices by 4 issuers and a
    row in three of its rosters."""
    staff = world["staff"]
    task = Task.objects.filter(subject_type="employer", street_id=STREETS[0], status="assigned").first()
    assert task is not None
    TaskEvent.objects.bulk_create(
        [
            TaskEvent(
                task=task,
                kind=TaskEvent.Kind.NOTE if i % 2 else TaskEvent.Kind.CONTACTED,
                actor=staff[i % len(staff)],
                at=timezone.now() - dt.timedelta(minutes=i),
                data={"note": f"第{i}次", "channel": "visit", "outcome": "reached"},
            )
            for i in range(40)
        ]
    )
    issuers = [caseworker] + [make_user("district_caseworker", district="150302") for _ in range(3)]
    for i, issuer in enumerate(issuers):
        Notice.objects.create(
            task=task,
            kind="enrollment",
            number=f"乌人社告〔2026〕{900 + i}号",
            addressee=task.subject_name,
            facts="未参保",
            legal_basis="《社会保险法》第五十八条",
            deadline=timezone.localdate() + dt.timedelta(days=15),
            issuing_office="海勃湾区人力资源和社会保障局",
            issued_by=issuer,
        )
    base = {"uscc": task.subject_key, "name": task.subject_name, "district_code": "150302"}
    load_snapshot(
        "market_entities",
        [{**base, "entity_type": "enterprise", "status": "active", "established_on": dt.date(2020, 1, 1)}],
    )
    load_snapshot(
        "tax_payroll", [{**base, "period": 202610, "payroll_headcount": 12, "payroll_total": 54000}]
    )
    load_snapshot(
        "tax_payroll", [{**base, "period": 202609, "payroll_headcount": 11, "payroll_total": 50000}]
    )
    return task


QUEUE_MIX = [
    pytest.param("kind=enroll_employer", id="kind"),
    pytest.param("status=assigned", id="status"),
    pytest.param("sort=due_date", id="due-date-sort"),
    pytest.param("q=煤业", id="name-2-chars"),
    pytest.param("q=李秀英", id="name-3-chars"),
    pytest.param("", id="default"),
]


@pytest.mark.parametrize("query", QUEUE_MIX)
@pytest.mark.parametrize("role", ["caseworker", "city_manager", "street_staff"])
def test_each_queue_filter_stays_within_its_query_budget(
    query, role, world, request, client, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    client.get(f"/tasks/?{query}")  # warm: the first request of a session may differ
    with django_assert_max_num_queries(QUEUE_BUDGET):
        response = client.get(f"/tasks/?{query}")
    assert response.status_code == 200
    assert response.context["tasks"], "the budget is only meaningful over a page of rows"


def test_the_budget_holds_for_a_full_page_of_rows_with_assignees(
    world, caseworker, client, django_assert_max_num_queries
):
    """Given more than a page of tasks with eight different assignees, the first page
    shows PAGE_SIZE rows and their assignees' names at the same fixed cost."""
    client.force_login(caseworker)
    client.get("/tasks/")
    with django_assert_max_num_queries(QUEUE_BUDGET):
        response = client.get("/tasks/")
    rows = response.context["tasks"]
    assert len(rows) == selectors.PAGE_SIZE and response.context["has_next"]
    assignees = {row["assignee"] for row in rows} - {"—"}
    assert len(assignees) >= 4


@pytest.mark.parametrize("role", ["caseworker", "city_manager"])
def test_the_task_page_stays_within_its_query_budget(
    role, busy_task, request, client, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    client.get(f"/tasks/{busy_task.pk}/")
    with django_assert_max_num_queries(TASK_PAGE_BUDGET):
        response = client.get(f"/tasks/{busy_task.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("第") >= 40 and "乌人社告〔2026〕903号" in page  # every event and notice shown
    actors = {str(u) for u in busy_task.events.exclude(actor=None).values_list("actor__username", flat=True)}
    assert len(actors) == 8 and all(name in page for name in actors)


def test_the_street_workers_task_page_stays_within_its_query_budget(
    busy_task, world, client, django_assert_max_num_queries
):
    worker = busy_task.assignee
    client.force_login(worker)
    client.get(f"/tasks/{busy_task.pk}/")
    with django_assert_max_num_queries(TASK_PAGE_BUDGET):
        response = client.get(f"/tasks/{busy_task.pk}/")
    assert response.status_code == 200
