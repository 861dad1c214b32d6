"""Life of a task across runs: open, refresh, close as resolved_by_data, dismissal snooze,
a rerun that writes nothing, the database-enforced uniqueness, one run at a time, and a
run killed mid-way that leaves no partial state."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enforcement.comparison import engine
from enforcement.comparison.engine import RunInProgress, reap_dead_runs, start_run
from enforcement.models import ComparisonRun, Task, TaskEvent
from tests.enforcement.comparison.comparison_world import World, open_keys, open_tasks, years_before
from tests.factories import ClosedTaskFactory, OpenTaskFactory

D = dt.date(2025, 6, 15)
ROOT = Path(__file__).resolve().parents[3]  # the repository (tests/enforcement/comparison/…)


@pytest.mark.django_db
def test_open_then_refresh_only_when_evidence_changes_then_close_by_data():
    w = World(D)
    uscc = w.insured(ip=10, ii=8)
    first = w.run()
    task = Task.objects.get(kind="selective_enrollment")
    assert first.opened["selective_enrollment"] == 1
    assert list(task.events.values_list("kind", "actor", "run")) == [("opened", None, first.run_id)]
    assert task.opened_by_run_id == first.run_id and task.status == "open"

    second = w.run()  # same snapshots: nothing written
    task.refresh_from_db()
    assert task.last_run_id == first.run_id and task.events.count() == 1
    assert second.opened["selective_enrollment"] == 0 and second.closed["selective_enrollment"] == 0

    w.replace("insurance_employers")
    w.insured(uscc, ip=10, ii=9)
    third = w.run()
    task.refresh_from_db()
    assert task.evidence == {"Ip": 10, "Ii": 9, "Iu": 10} and task.last_run_id == third.run_id
    assert task.refreshed_at is not None and task.status == "open"
    assert list(task.events.values_list("kind", flat=True)) == ["opened", "refreshed"]

    w.replace("insurance_employers")
    w.insured(uscc, ip=10, ii=10)
    fourth = w.run()
    task.refresh_from_db()
    assert (task.status, task.resolution) == ("closed", "resolved_by_data") and task.closed_at
    assert fourth.closed["selective_enrollment"] == 1 and fourth.open["selective_enrollment"] == 0
    assert task.events.last().kind == "closed_by_data" and task.events.last().actor is None
    assert task.events.last().run_id == fourth.run_id


@pytest.mark.django_db
def test_assigned_tasks_are_closed_by_data_too_and_reopened_later_as_new():
    w = World(D)
    pid = w.household()
    w.run()
    Task.objects.filter(subject_key=pid).update(status="contacted")
    w.pension(pid, status="active")
    w.run()
    assert Task.objects.get(subject_key=pid).resolution == "resolved_by_data"
    w.replace("insurance_persons")
    w.run()
    assert Task.objects.filter(subject_key=pid, kind="enroll_person").count() == 2
    assert open_keys("enroll_person") == {pid}


@pytest.mark.django_db
@pytest.mark.parametrize("days_ago, reopened", [(179, False), (180, True)])
def test_a_dismissal_snoozes_the_same_kind_and_subject_for_180_days(days_ago, reopened):
    w = World(D)
    uscc = w.market()
    dismissed_on = timezone.make_aware(dt.datetime.combine(D - dt.timedelta(days=days_ago), dt.time(23, 59)))
    ClosedTaskFactory(
        kind="enroll_employer", subject_key=uscc, resolution="dismissed", closed_at=dismissed_on
    )
    summary = w.run()
    assert (uscc in open_keys("enroll_employer")) is reopened
    assert summary.opened["enroll_employer"] == int(reopened)


@pytest.mark.django_db
def test_a_dismissal_of_another_kind_does_not_snooze():
    w = World(D)
    uscc = w.market(industry_code="B0610")
    ClosedTaskFactory(
        kind="injury_key_industry",
        subject_key=uscc,
        resolution="dismissed",
        closed_at=timezone.make_aware(dt.datetime.combine(D, dt.time(8))),
    )
    w.run()
    assert uscc in open_keys("enroll_employer") and uscc not in open_keys("injury_key_industry")


@pytest.mark.django_db
def test_at_most_one_task_not_closed_per_kind_and_subject_is_enforced_by_the_database():
    OpenTaskFactory(kind="enroll_employer", subject_key="X" * 18)
    OpenTaskFactory(kind="missed_employees", subject_key="X" * 18)
    ClosedTaskFactory(kind="enroll_employer", subject_key="X" * 18)
    with pytest.raises(IntegrityError), transaction.atomic():
        OpenTaskFactory(kind="enroll_employer", subject_key="X" * 18, status="assigned")


@pytest.mark.django_db
def test_a_second_start_while_one_runs_is_refused():
    World(D)
    queued = start_run(as_of=D, trigger="test")  # queued for a worker
    with pytest.raises(RunInProgress):
        start_run(as_of=D, trigger="test")
    assert ComparisonRun.objects.filter(status="running").count() == 1
    # The nightly (or the command) executes the queued run first, then its own: one at a time.
    summary = engine.run_comparison(as_of=D)
    assert summary.run_id != queued.pk
    assert set(ComparisonRun.objects.values_list("status", flat=True)) == {"finished"}


@pytest.mark.django_db(transaction=True)
def test_the_advisory_lock_refuses_a_second_executor_and_protects_a_live_run():
    import psycopg2

    World(D)
    run = start_run(as_of=D, trigger="test")
    ComparisonRun.objects.filter(pk=run.pk).update(progress={"phase": "evaluating"})
    s = connection.settings_dict
    other = psycopg2.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"]
    )
    try:
        with other.cursor() as c:
            c.execute("SELECT pg_advisory_lock(%s)", [engine.ADVISORY_LOCK_KEY])  # a live worker
        assert reap_dead_runs() == 0
        with pytest.raises(RunInProgress):
            engine.execute_run(run)
        assert ComparisonRun.objects.get(pk=run.pk).status == "running"
    finally:
        other.close()  # the worker dies: its lock goes with its session (the backend exits asynchronously)
    for _ in range(100):
        if reap_dead_runs():
            break
        time.sleep(0.05)
    assert ComparisonRun.objects.get(pk=run.pk).status == "failed"
    assert engine.run_comparison(as_of=D).run_id != run.pk


@pytest.mark.django_db
def test_a_failure_mid_write_rolls_every_task_back_and_marks_the_run_failed(monkeypatch):
    w = World(D)
    w.market()
    w.household()
    w.insured(ip=5, ii=1, arrears=10)
    real = engine._write_rule
    calls = []

    def flaky(kind, *args):
        calls.append(kind)
        if kind == "subsidized_enrollment":
            raise RuntimeError("worker lost")
        return real(kind, *args)

    monkeypatch.setattr(engine, "_write_rule", flaky)
    with pytest.raises(RuntimeError):
        w.run()
    assert "collect_arrears" in calls  # employer tasks were written … and rolled back
    assert Task.objects.count() == 0 and TaskEvent.objects.count() == 0
    run = ComparisonRun.objects.get()
    assert run.status == "failed" and "worker lost" in run.error
    monkeypatch.setattr(engine, "_write_rule", real)
    assert w.run().opened["enroll_employer"] == 1  # the next run is not blocked


KILLER = r"""
import os, signal, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuhai_coverage.settings")
django.setup()
from enforcement.comparison import engine
real = engine._write_rule
def killing(kind, *args):
    out = real(kind, *args)
    if kind == "collect_arrears":       # employer tasks are written, persons not yet
        print("KILLING", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    return out
engine._write_rule = killing
import datetime as dt
engine.run_comparison(as_of=dt.date.fromisoformat(sys.argv[1]), trigger="test")
"""


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_leaves_no_partial_state():
    w = World(D)
    w.market()
    w.insured(ip=5, ii=1, arrears=10)
    w.household()
    s = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
        "DJANGO_DEBUG": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, D.isoformat()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert "KILLING" in proc.stdout
    assert Task.objects.count() == 0 and TaskEvent.objects.count() == 0
    dead = ComparisonRun.objects.get()
    assert dead.status == "running"  # as the kill left it …
    for _ in range(200):  # … until the next start reaps it (PostgreSQL ends the killed
        try:  # session, and so its advisory lock, asynchronously)
            summary = w.run()
            break
        except RunInProgress:
            time.sleep(0.05)
    dead.refresh_from_db()
    assert dead.status == "failed" and "运行中断" in dead.error
    assert summary.opened["enroll_employer"] == 1 and summary.opened["enroll_person"] == 1


# --- property: a rerun over the same snapshots is a no-op -----------------------------------------

person_spec = st.fixed_dictionaries(
    {
        "age": st.sampled_from([15, 16, 30, 59, 60, 70]),
        "household": st.booleans(),
        "registry": st.sampled_from([None, "civil", "poverty", "disability"]),
        "pension": st.sampled_from(
            [
                None,
                ("active", 1),
                ("active", 5),
                ("interrupted", 2),
                ("retired", None),
                ("terminated", 9),
                ("resident", 1),
            ]
        ),
    }
)
employer_spec = st.fixed_dictionaries(
    {
        "market": st.sampled_from([None, "enterprise", "individual"]),
        "h": st.integers(0, 30),
        "ip": st.one_of(st.none(), st.integers(0, 30)),
        "ii": st.integers(0, 30),
        "key": st.booleans(),
        "arrears": st.sampled_from([0, 5]),
    }
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(person_spec, max_size=8),
    employers=st.lists(employer_spec, max_size=8),
    pre_dismissed=st.booleans(),
)
def test_property_a_rerun_over_the_same_snapshots_writes_nothing(people, employers, pre_dismissed):
    Task.objects.all().delete()
    ComparisonRun.objects.all().delete()
    w = World(D)
    for p in people:
        pid = w.person_id(years_before(D, p["age"]))
        if p["household"]:
            w.household(pid)
        if p["registry"] == "civil":
            w.civil(pid)
        elif p["registry"] == "poverty":
            w.poverty(pid)
        elif p["registry"] == "disability":
            w.disability(pid, level=2)
        if p["pension"]:
            status, back = p["pension"]
            if status == "resident":
                w.pension(pid, status="active", scheme="resident", last_paid=202505)
            else:
                w.pension(pid, status=status, last_paid=None if back is None else 202506 - back)
    for e in employers:
        uscc = (
            w.market(entity_type=e["market"], industry_code="B0610" if e["key"] else "F5191")
            if e["market"]
            else None
        )
        uscc = w.tax(uscc, h=e["h"], w=e["h"] * 4000)
        if e["ip"] is not None:
            w.insured(uscc, ip=e["ip"], ii=e["ii"], base=e["ip"] * 3000, arrears=e["arrears"])
    if pre_dismissed and people:
        ClosedTaskFactory(kind="enroll_person", subject_key="1" * 18, resolution="dismissed")
    first = w.run()
    state = sorted(
        Task.objects.values_list(
            "id", "kind", "subject_key", "status", "evidence", "last_run_id", "refreshed_at"
        )
    )
    events = TaskEvent.objects.count()
    second = w.run()
    assert not any(second.opened.values()) and not any(second.closed.values())
    assert second.open == first.open
    assert TaskEvent.objects.count() == events
    assert (
        sorted(
            Task.objects.values_list(
                "id", "kind", "subject_key", "status", "evidence", "last_run_id", "refreshed_at"
            )
        )
        == state
    )
    # and each person holds at most one person task
    person_tasks = open_tasks().filter(subject_type="person").values_list("subject_key", flat=True)
    assert len(person_tasks) == len(set(person_tasks))


def _hold_lock():
    import psycopg2

    s = connection.settings_dict
    other = psycopg2.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"]
    )
    with other.cursor() as c:
        c.execute("SELECT pg_advisory_lock(%s)", [engine.ADVISORY_LOCK_KEY])
    return other


@pytest.mark.django_db(transaction=True)
def test_a_run_queued_while_the_last_one_still_unlocks_waits_for_the_lock():
    """The run before is marked finished inside its write and unlocked just after; a run
    queued in that instant (found on a second worker of the region bench) waits for the lock
    instead of being dropped and left `running` with nobody executing it."""
    import threading

    World(D).market()
    run = start_run(as_of=D, trigger="test")
    other = _hold_lock()  # the previous run's writer, about to unlock
    threading.Timer(1.0, other.close).start()
    summary = engine.execute_run(run)
    assert summary.run_id == run.pk
    assert ComparisonRun.objects.get(pk=run.pk).status == "finished"


@pytest.mark.django_db(transaction=True)
def test_a_queued_run_behind_a_long_holder_is_sent_again_not_dropped(monkeypatch):
    from celery.exceptions import Retry

    from enforcement import tasks

    World(D)
    run = start_run(as_of=D, trigger="test")
    monkeypatch.setattr(engine, "QUEUED_LOCK_WAIT_SECONDS", 0.3)
    sent = []
    monkeypatch.setattr(
        tasks.comparison_run_task,
        "retry",
        lambda **kw: sent.append(kw) or Retry("again", when=kw["countdown"]),
    )
    other = _hold_lock()
    try:
        with pytest.raises(Retry):
            tasks.comparison_run_task.run(run_id=run.pk)
        assert sent and sent[0]["countdown"] == tasks.LOCK_BUSY_DELAY
        assert sent[0]["max_retries"] == tasks.LOCK_BUSY_RETRIES
        current = ComparisonRun.objects.get(pk=run.pk)
        assert current.status == "running" and current.progress["phase"] == "queued"  # untouched, not dropped
        # Another delivery of a run that is no longer queued is left be at once, not retried.
        ComparisonRun.objects.filter(pk=run.pk).update(progress={"phase": "evaluating"})
        sent.clear()
        assert tasks.comparison_run_task.run(run_id=run.pk) is None
        assert sent == []
    finally:
        other.close()
