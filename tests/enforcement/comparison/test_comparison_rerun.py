"""A rerun costs what changed (comparison/inputs.py): a rule whose inputs equal those of its
last execution is not executed, and leaves the tasks exactly as an executed (forced) one
would. Each scenario compares the skipping run with a forced run from the same state
(the other branch rolled back)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from enforcement.comparison.services import rule_parameter_update
from enforcement.models import ComparisonRun, RuleRun, Task, TaskEvent
from enforcement.services import task_dismiss, task_mark_rectified
from enrollment.models import RosterKind
from tests.enforcement.comparison.comparison_world import World, open_keys, period, years_before

D = dt.date(2025, 6, 15)
EMPLOYER_FACT_KINDS = {
    "enroll_employer",
    "missed_employees",
    "selective_enrollment",
    "underreported_base",
    "injury_key_industry",
    "collect_arrears",
}
PERSON_KINDS = {"subsidized_enrollment", "resume_contributions", "enroll_person", "elderly_enrollment"}
ALL_KINDS = EMPLOYER_FACT_KINDS | PERSON_KINDS | {"construction_injury"}
DATED = {"enroll_employer", "construction_injury", *PERSON_KINDS}


def populate(w: World) -> dict[str, str]:
    """At least one task of every kind."""
    keys = {
        "unenrolled": w.market(),
        "missed": w.insured(ip=2, name="漏保单位"),
        "selective": w.insured(ip=10, ii=8),
        "underreported": w.insured(ip=10, base=10_000),
        "arrears": w.insured(ip=5, arrears="1200.50"),
        "dust": w.dust(exposed=30),
        "project": w.project(),
        "household": w.household(birth=years_before(D, 30)),
        "elderly": w.household(birth=years_before(D, 70)),
        "interrupted": w.household(birth=years_before(D, 40)),
        "poor": w.poverty(w.person_id(years_before(D, 35))),
    }
    w.tax(keys["missed"], h=20, w=Decimal("100000"))
    w.tax(keys["underreported"], h=10, w=Decimal("80000"))
    w.pension(keys["interrupted"], status="interrupted", last_paid=period(D, 10))
    return keys


def table(since: dt.datetime | None = None) -> list[tuple]:
    """The task table without ids and run ids (a rolled-back branch spends sequence values),
    with each task's events; a time at or after `since` (written by the run in question) is
    "this run": the two branches run at different instants."""
    events: dict[int, list[str]] = {}
    for task_id, kind in TaskEvent.objects.order_by("id").values_list("task_id", "kind"):
        events.setdefault(task_id, []).append(kind)
    rows = Task.objects.order_by("kind", "subject_key", "id").values_list(
        "id", "kind", "subject_key", "subject_name", "status", "resolution", "priority", "due_date",
        "district_id", "street_id", "evidence", "closed_at", "refreshed_at", "opened_at",
    )  # fmt: skip

    def when(value: dt.datetime | None) -> object:
        return "this run" if since and value and value >= since else value

    return [(*row[1:11], *(when(v) for v in row[11:]), events.get(row[0], [])) for row in rows]


class _Rollback(Exception):
    """Raised inside atomic() to undo a forced comparison run after its tasks were read."""


def outcome(w: World, as_of: dt.date, *, force: bool) -> tuple[list[tuple], dict[str, str]]:
    """The task table after a run and each rule's status, then roll the run back."""
    result: tuple[list[tuple], dict[str, str]] = ([], {})
    try:
        with transaction.atomic():
            since = timezone.now()
            summary = w.run(as_of, force=force)
            statuses = dict(RuleRun.objects.filter(run_id=summary.run_id).values_list("kind", "status"))
            result = (table(since), statuses)
            raise _Rollback
    except _Rollback:
        return result


def executed(statuses: dict[str, str]) -> set[str]:
    return {k for k, v in statuses.items() if v == RuleRun.Status.EXECUTED}


def assert_skip_equals_forced(w: World, as_of: dt.date) -> set[str]:
    """The skipping run leaves the same task table as a forced one; returns what it executed."""
    before = table()
    skipping, statuses = outcome(w, as_of, force=False)
    forced, forced_statuses = outcome(w, as_of, force=True)
    assert executed(forced_statuses) == ALL_KINDS
    assert skipping == forced
    assert table() == before  # both branches rolled back
    return executed(statuses)


@pytest.mark.django_db
def test_an_unchanged_rerun_executes_nothing_and_leaves_the_tasks_as_a_forced_run_would():
    w = World(D)
    populate(w)
    first = w.run()
    assert {k for k in ALL_KINDS if first.open.get(k)} == ALL_KINDS  # every kind has a task
    assert (
        executed(dict(RuleRun.objects.filter(run_id=first.run_id).values_list("kind", "status"))) == ALL_KINDS
    )

    assert assert_skip_equals_forced(w, D) == set()
    again = w.run()
    assert {u["rule"] for u in again.unchanged} == ALL_KINDS
    assert again.open == first.open and sum(again.opened.values()) == sum(again.closed.values()) == 0
    # The run says which batches each skipped rule would have read.
    batches = {u["rule"]: u["batches"] for u in again.unchanged}
    assert batches["construction_injury"] == {
        "construction_projects": w.batches["construction_projects"].pk,
        "insurance_projects": w.batches["insurance_projects"].pk,
    }
    assert set(batches["enroll_person"]) == {
        "household_registry",
        "civil_affairs",
        "poverty_registry",
        "disability_registry",
        "insurance_persons",
    }
    # Nothing was materialised or analysed: only the inputs were read.
    seconds = ComparisonRun.objects.get(pk=again.run_id).rule_seconds
    assert set(seconds) == {"_inputs"}


@pytest.mark.django_db
def test_a_new_batch_of_one_kind_executes_only_the_rules_that_read_it():
    w = World(D)
    keys = populate(w)
    w.run()

    w.replace("construction_projects")
    w.project()
    assert assert_skip_equals_forced(w, D) == {"construction_injury"}
    w.run()

    w.replace("dust_hazard")
    w.dust(exposed=40)
    assert assert_skip_equals_forced(w, D) == {"injury_key_industry"}
    w.run()

    w.replace("tax_payroll")
    w.tax(keys["missed"], h=25, w=Decimal("120000"))
    assert assert_skip_equals_forced(w, D) == EMPLOYER_FACT_KINDS
    w.run()

    w.replace("poverty_registry")
    w.poverty(w.person_id(years_before(D, 45)))
    assert assert_skip_equals_forced(w, D) == PERSON_KINDS
    summary = w.run()
    assert {u["rule"] for u in summary.unchanged} == ALL_KINDS - PERSON_KINDS
    assert summary.opened["subsidized_enrollment"] == 1


@pytest.mark.django_db
def test_a_parameter_change_executes_the_rules_that_use_it(city_manager):
    w = World(D)
    keys = populate(w)
    w.run()
    assert len(open_keys("missed_employees")) == 1
    rule_parameter_update(actor=city_manager, name="missed_min_gap", value=Decimal("30"), reason="测试")
    assert assert_skip_equals_forced(w, D) == {"missed_employees"}
    summary = w.run()
    assert summary.closed["missed_employees"] == 1 and keys["missed"] not in open_keys("missed_employees")

    # The grace period moves enroll_employer's cut-off only.
    rule_parameter_update(
        actor=city_manager, name="registration_grace_days", value=Decimal("500"), reason="测试"
    )
    assert assert_skip_equals_forced(w, D) == {"enroll_employer"}
    w.run()
    # A, the average wage, is read by the underreported base only.
    from enforcement.comparison.services import average_wage_set

    average_wage_set(actor=city_manager, year=D.year, value=Decimal("1"))
    assert assert_skip_equals_forced(w, D) == {"underreported_base"}


@pytest.mark.django_db
def test_the_next_day_executes_the_rules_that_depend_on_the_date():
    w = World(D)
    keys = populate(w)
    # Someone turns 60 on D + 1: enroll_person closes, elderly_enrollment opens.
    turning = w.household(birth=years_before(D + dt.timedelta(days=1), 60))
    # A company whose grace ends on D + 1.
    fresh = w.market(established_on=D + dt.timedelta(days=1) - dt.timedelta(days=30))
    w.run()
    assert turning in open_keys("enroll_person") and fresh not in open_keys("enroll_employer")
    next_day = D + dt.timedelta(days=1)
    assert assert_skip_equals_forced(w, next_day) == DATED
    summary = w.run(next_day)
    assert turning in open_keys("elderly_enrollment") and fresh in open_keys("enroll_employer")
    assert {u["rule"] for u in summary.unchanged} == ALL_KINDS - DATED
    assert keys["missed"] in open_keys("missed_employees")


@pytest.mark.django_db
def test_staff_closing_a_task_makes_its_rule_execute_and_reopen_it(city_manager):
    w = World(D)
    keys = populate(w)
    w.run()
    task = Task.objects.get(kind="collect_arrears", subject_key=keys["arrears"])
    task_mark_rectified(task=task, actor=city_manager, what_changed="已补缴")
    assert assert_skip_equals_forced(w, D) == {"collect_arrears"}
    summary = w.run()
    assert summary.opened["collect_arrears"] == 1 and keys["arrears"] in open_keys("collect_arrears")
    # A task opened by hand is closed by the next run of its rule (not a candidate).
    Task.objects.create(
        kind="selective_enrollment",
        subject_type="employer",
        subject_key="911503000000000001",
        opened_at=timezone.now(),
    )
    assert assert_skip_equals_forced(w, D) == {"selective_enrollment"}


@pytest.mark.django_db
def test_a_dismissal_snoozes_and_its_rule_executes_again_when_the_snooze_ends(city_manager):
    w = World(D)
    keys = populate(w)
    w.run()
    task = Task.objects.get(kind="missed_employees", subject_key=keys["missed"])
    task_dismiss(task=task, actor=city_manager, reason="已核实为劳务派遣")
    assert assert_skip_equals_forced(w, D) == {"missed_employees"}
    w.run()
    assert keys["missed"] not in open_keys("missed_employees")
    # Dismissed 179 days before D: still snoozed on D, no longer on D + 1 (180 days).
    dismissed_at = timezone.make_aware(dt.datetime.combine(D - dt.timedelta(days=179), dt.time(9)))
    Task.objects.filter(pk=task.pk).update(closed_at=dismissed_at)
    assert assert_skip_equals_forced(w, D) == {"missed_employees"}  # a task changed by hand
    w.run()
    assert assert_skip_equals_forced(w, D) == set()
    # missed_employees does not depend on the date, but the snooze that ends on D + 1 does.
    next_day = D + dt.timedelta(days=1)
    assert assert_skip_equals_forced(w, next_day) == DATED | {"missed_employees"}
    w.run(next_day)
    assert keys["missed"] in open_keys("missed_employees")


@pytest.mark.django_db
def test_a_guarded_rule_runs_again_when_its_roster_is_back_and_a_failed_run_does_not_count():
    w = World(D, kinds=tuple(k for k in RosterKind.values if k != "insurance_projects"))
    populate(w)
    first = w.run()
    assert {s["rule"] for s in first.skipped} == {"construction_injury"}
    assert RuleRun.objects.get(run_id=first.run_id, kind="construction_injury").status == "guarded"
    w.batch("insurance_projects")
    assert assert_skip_equals_forced(w, D) == {"construction_injury"}
    summary = w.run()
    assert summary.opened["construction_injury"] == 1
    # A failed run's executions are not the last execution: its rows rolled back with it.
    ComparisonRun.objects.filter(pk=summary.run_id).update(status=ComparisonRun.Status.FAILED)
    assert "construction_injury" in assert_skip_equals_forced(w, D)


@pytest.mark.django_db
def test_forced_runs_from_the_command_the_api_and_the_page(city_manager, caseworker, client, client_for):
    w = World(D)
    populate(w)
    w.run()
    err = io.StringIO()
    call_command("run_comparison", "--as-of", D.isoformat(), stdout=io.StringIO(), stderr=err)
    assert "unchanged enroll_person" in err.getvalue()
    call_command(
        "run_comparison", "--as-of", D.isoformat(), "--force", stdout=io.StringIO(), stderr=io.StringIO()
    )
    run = ComparisonRun.objects.order_by("-id").first()
    assert run.forced and set(run.rule_runs.values_list("status", flat=True)) == {"executed"}

    res = client_for(city_manager).post(
        "/api/v1/comparison-runs/", {"as_of": D.isoformat(), "force": True}, format="json"
    )
    assert res.status_code == 201 and res.json()["forced"] is True
    assert {r["status"] for r in res.json()["rules"]} == {"executed"}
    res = client_for(city_manager).post("/api/v1/comparison-runs/", {"as_of": D.isoformat()}, format="json")
    body = res.json()
    assert res.status_code == 201 and body["forced"] is False
    assert {r["status"] for r in body["rules"]} == {"unchanged"}
    rule = next(r for r in body["rules"] if r["rule"] == "construction_injury")
    assert rule["inputs"]["batches"]["construction_projects"] == w.batches["construction_projects"].pk
    for value in ("maybe", 0, 1):  # booleans only (1 == True in Python: not a boolean here)
        bad = client_for(city_manager).post("/api/v1/comparison-runs/", {"force": value}, format="json")
        assert bad.status_code == 400 and "force" in bad.json(), value

    # The page: the manager's button, the per-rule "unchanged", the batches it would have read.
    client.force_login(city_manager)
    page = client.get("/comparison-runs/").content.decode()
    assert "强制全部重算" in page and "条规则未变化，跳过" in page
    detail = client.get(f"/comparison-runs/{body['id']}/").content.decode()
    assert "未变化，跳过" in detail and f"#{w.batches['construction_projects'].pk}" in detail
    res = client.post("/comparison-runs/start/", {"as_of": D.isoformat(), "force": "1"})
    assert res.status_code == 302
    assert ComparisonRun.objects.order_by("-id").first().forced
    client.force_login(caseworker)
    assert 'name="force"' not in client.get("/comparison-runs/").content.decode()
    assert client.post("/comparison-runs/start/", {"force": "1"}).status_code == 403


@pytest.mark.django_db
def test_the_nightly_task_skips_unchanged_rules():
    from enforcement.tasks import comparison_nightly_task

    w = World(timezone.localdate())
    w.market()
    w.run()
    result = comparison_nightly_task.apply().get()
    run = ComparisonRun.objects.get(pk=result["run_id"])
    assert not run.forced
    assert set(run.rule_runs.values_list("status", flat=True)) == {"unchanged"}


def _task_schema() -> tuple:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            """SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
               WHERE indrelid IN ('enforcement_task'::regclass, 'enforcement_taskevent'::regclass) ORDER BY 1"""
        )
        indexes = c.fetchall()
        c.execute(
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid IN ('enforcement_task'::regclass, 'enforcement_taskevent'::regclass) ORDER BY 1"""
        )
        return tuple(indexes), tuple(c.fetchall())


@pytest.mark.django_db
def test_a_bulk_first_run_writes_what_an_incremental_one_does_and_rebuilds_what_it_dropped(monkeypatch):
    from enforcement.comparison import engine

    w = World(D)
    populate(w)
    schema = _task_schema()
    monkeypatch.setattr(engine, "BULK_MIN_OPENS", 10**9)
    incremental, _statuses = outcome(w, D, force=True)
    monkeypatch.setattr(engine, "BULK_MIN_OPENS", 1)
    bulk, _statuses = outcome(w, D, force=True)
    assert bulk == incremental and len(bulk) >= len(ALL_KINDS)
    summary = w.run(force=True)
    seconds = ComparisonRun.objects.get(pk=summary.run_id).rule_seconds
    assert "_bulk_rebuild" in seconds  # the bulk path ran …
    assert _task_schema() == schema  # … and every index and key is back as it was
    # The next write is incremental (the table holds more tasks than it opens).
    w.replace("construction_projects")
    w.project()
    again = w.run()
    assert "_bulk_rebuild" not in ComparisonRun.objects.get(pk=again.run_id).rule_seconds
    assert again.opened["construction_injury"] == 1
