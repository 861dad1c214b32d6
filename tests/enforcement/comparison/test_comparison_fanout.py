"""The comparison fanned out on real `celery worker` subprocesses (a private Redis, the
test PostgreSQL database): the parts run on every worker of the comparison queue, the
run is written once, a worker SIGKILLed mid-part leaves no task and the part is redone,
the runs page and API follow the parts (engine.py → the fan-out, docs/scaling.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from enforcement.comparison import engine
from enforcement.comparison.engine import run_comparison
from enforcement.models import ComparisonRun, RuleRun, Task, TaskEvent
from tests.conftest import token_client
from tests.core.test_faults import publishing_to, wait_for
from tests.enforcement.comparison.comparison_world import World, years_before

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

D = dt.date(2025, 6, 15)


def _world() -> World:
    """Employers and persons for most rules: both facts parts and a rule part of each."""
    w = World(D)
    for i in range(6):
        uscc = w.market()
        w.tax(uscc, h=8 + i, w=40_000 + 1000 * i)
        if i % 2:
            w.insured(uscc, ip=2, ii=0, base=Decimal(9000), arrears=Decimal(500) * i)
    w.insured(ip=3)  # enrolled, not in the market roster
    for i in range(8):
        person = w.household(birth=years_before(D, 25 + 6 * i))
        if i % 3 == 0:
            w.pension(person, status="interrupted", last_paid=202401)
        elif i % 3 == 1:
            w.poverty(person)
    w.dust(exposed=4)
    w.project()
    return w


def _tasks() -> list[tuple]:
    """The whole task table and its events, without ids, run ids and timestamps."""
    tasks = sorted(
        Task.objects.values_list(
            "kind",
            "subject_type",
            "subject_key",
            "subject_name",
            "district_id",
            "street_id",
            "priority",
            "status",
            "resolution",
            "evidence",
            "due_date",
        ),
        key=repr,
    )
    events = sorted(TaskEvent.objects.values_list("task__kind", "task__subject_key", "kind"))
    return [*tasks, *events]


def _staging_tables() -> list[str]:
    with connection.cursor() as c:
        c.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'cmp_r%%'")
        return [row[0] for row in c.fetchall()]


def _slow_parts(seconds: float, marker: str = "") -> str:
    """A worker prelude: each part pauses `seconds` after writing its staged rows, inside its
    transaction (optionally writing `marker` first, to say it got there)."""
    return (
        "import time, pathlib\n"
        "from enforcement.comparison import engine\n"
        "def _pause(run_id, part):\n"
        f"    if {marker!r}: pathlib.Path({marker!r}).write_text(part)\n"
        f"    time.sleep({seconds})\n"
        "engine._part_written = _pause\n"
    )


def _start_run(client, redis_url, settings) -> int:
    with publishing_to(redis_url, settings):
        res = client.post("/api/v1/comparison-runs/", {"as_of": D.isoformat()}, format="json")
    assert res.status_code == 202, res.content
    return res.json()["id"]


def test_two_workers_run_the_parts_concurrently_and_write_what_one_process_writes(
    settings, redis, stack, city_manager, client
):
    _world()
    for _ in range(2):
        stack.start("worker", "-P", "solo", prelude=_slow_parts(1.5))
    api = token_client(city_manager)
    run_id = _start_run(api, redis.url, settings)

    seen: list[dict] = []
    fragments: list[str] = []
    client.force_login(city_manager)

    def finished() -> bool:
        body = api.get(f"/api/v1/comparison-runs/{run_id}/").json()
        seen.append(body["progress"])
        if body["progress"].get("parts") and body["status"] == "running" and len(seen) % 5 == 1:
            fragment = client.get(f"/comparison-runs/{run_id}/", HTTP_HX_REQUEST="true").content.decode()
            fragments.append(fragment)
        return body["status"] != "running"

    wait_for(finished, timeout=120, what=f"the fanned-out run\n{stack.logs()}", every=0.3)
    run = ComparisonRun.objects.get(pk=run_id)
    assert run.status == "finished", (run.error, stack.logs())

    # The API followed the parts: some done while others were running.
    parts = run.progress["parts"]
    assert {"facts:employer", "facts:person"} <= set(parts) and len(parts) >= 8
    assert all(p["state"] == "done" and p["attempt"] == 1 for p in parts.values())
    assert any(0 < p.get("done", 0) < p.get("total", 0) for p in seen)
    assert any(any(v["state"] == "running" for v in (p.get("parts") or {}).values()) for p in seen)
    # Two workers executed parts at the same time.
    workers = {p["worker"] for p in parts.values()}
    assert len(workers) == 2, workers
    overlapping = [
        (a, b)
        for a, pa in parts.items()
        for b, pb in parts.items()
        if pa["worker"] != pb["worker"] and pa["started"] < pb["finished"] and pb["started"] < pa["finished"]
    ]
    assert overlapping, parts
    # The runs page polled the parts while they ran, and lists them once finished.
    assert any("run-parts" in f and 'hx-trigger="every 2s"' in f and "执行中" in f for f in fragments)
    detail = client.get(f"/comparison-runs/{run_id}/").content.decode()
    assert "run-parts" in detail and "人员事实表" in detail
    assert _staging_tables() == []
    fanned = _tasks()
    assert fanned and sum(run.opened.values()) == Task.objects.count()

    # The same world in one process (eager, this test's process) writes the same tasks.
    TaskEvent.objects.all().delete()
    Task.objects.all().delete()
    RuleRun.objects.all().delete()
    ComparisonRun.objects.all().delete()
    settings.COMPARISON_FANOUT = False
    summary = run_comparison(as_of=D, trigger="test")
    assert _tasks() == fanned
    assert summary.opened == run.opened and summary.open == run.open
    assert _staging_tables() == []


def test_a_worker_sigkilled_mid_part_writes_nothing_and_the_part_is_redone(
    tmp_path, settings, redis, stack, city_manager
):
    """kill -9 of the worker holding a part (its staged rows written, not committed): no
    task exists, the sweep sends the part again to the other worker, the run finishes with
    the tasks a clean run writes (a forced rerun in one process changes nothing), and no
    staging table is left."""
    _world()
    marker = tmp_path / "in-part"
    doomed = stack.start("worker", "-P", "solo", prelude=_slow_parts(600, str(marker)))
    client = token_client(city_manager)
    run_id = _start_run(client, redis.url, settings)
    wait_for(marker.exists, timeout=90, what=f"a part to write its rows\n{stack.logs()}")
    part = marker.read_text()
    stack.kill(doomed)
    assert Task.objects.count() == 0 and TaskEvent.objects.count() == 0
    run = ComparisonRun.objects.get(pk=run_id)
    assert run.status == "running" and run.progress["parts"][part]["state"] == "running"

    stack.start("worker", "-P", "solo")
    stack.start("beat")  # comparison-sweep: the dead part is sent again
    wait_for(
        lambda: ComparisonRun.objects.get(pk=run_id).status != "running",
        timeout=120,
        what=f"the run to be redone\n{stack.logs()}",
    )
    run = ComparisonRun.objects.get(pk=run_id)
    assert run.status == "finished", (run.error, stack.logs())
    assert run.progress["parts"][part]["attempt"] == 2
    assert Task.objects.count() == sum(run.opened.values()) > 0
    assert not Task.objects.exclude(opened_by_run_id=run_id).exists()
    wait_for(lambda: _staging_tables() == [], timeout=10, what="the staging tables to be dropped")
    for proc in list(stack.procs.values()):
        stack.kill(proc)  # the forced rerun below runs in this process alone

    settings.COMPARISON_FANOUT = False
    before = _tasks()
    rerun = run_comparison(as_of=D, trigger="test", force=True)
    assert not any(rerun.opened.values()) and not any(rerun.closed.values())
    assert _tasks() == before  # nothing refreshed either: the redone part staged what a clean run does


def test_a_part_whose_worker_died_twice_fails_the_run_and_drops_its_staging(
    settings, redis, stack, city_manager
):
    """The sweep (holding the comparison's lock) finds a part `running` whose part lock is
    free, already executed MAX_RUN_ATTEMPTS times: the run fails, nothing written, staging
    dropped."""
    _world()
    client = token_client(city_manager)
    run_id = _start_run(client, redis.url, settings)  # no worker: stays queued
    run = ComparisonRun.objects.get(pk=run_id)
    with publishing_to(redis.url, settings):
        assert engine.dispatch_run(run) is None  # planned here, its first stage sent
        run.refresh_from_db()
        assert run.progress["fanout"] and engine.staging_names(run_id)["plan"] in _staging_tables()
        part = next(iter(run.progress["parts"]))
        run.progress["parts"][part].update(state="running", attempt=engine.MAX_RUN_ATTEMPTS)
        ComparisonRun.objects.filter(pk=run_id).update(progress=run.progress)
        assert engine.reap_dead_runs() == 0
    run.refresh_from_db()
    assert run.status == "failed" and "未写入任何任务" in run.error
    assert Task.objects.count() == 0 and _staging_tables() == []


def test_the_nightly_plans_the_run_and_the_workers_execute_it(settings, redis, stack):
    """The beat's nightly with the fan-out (dispatch_comparison): planned in the calling
    process, its parts executed and its write done by a worker of the comparison queue."""
    _world()
    stack.start("worker", "-P", "solo", "-Q", "comparison")
    with publishing_to(redis.url, settings):
        assert engine.fanout_enabled()
        assert engine.dispatch_comparison(as_of=D) is None
    run = ComparisonRun.objects.get()
    assert run.trigger == "beat" and run.progress["fanout"]
    wait_for(
        lambda: ComparisonRun.objects.get(pk=run.pk).status != "running",
        timeout=90,
        what=f"the nightly run\n{stack.logs()}",
    )
    run.refresh_from_db()
    assert run.status == "finished", run.error
    assert Task.objects.count() == sum(run.opened.values()) > 0 and _staging_tables() == []
