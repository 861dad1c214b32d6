"""Crash safety, stale batches, retention, progress, and the real Celery worker."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from enrollment import loading, services, snapshots
from enrollment.models import MarketEntityRow, RosterBatch, RosterIssue
from enrollment.selectors import batch_current_get
from tests.conftest import token_client
from tests.enrollment.factories import bulk_market_csv, roster_csv, valid_row
from tests.factories import make_user

BASE_DIR = Path(__file__).resolve().parents[2]
FAR = dt.date(2100, 1, 1)


class WorkerDied(BaseException):
    """Stands for the process vanishing: nothing in the service may catch it."""


def _push(user, content: bytes, name="m.csv", **kw):
    return services.roster_push(
        user=user, kind="market_entities", upload=SimpleUploadedFile(name, content), **kw
    )


@pytest.mark.django_db
def test_a_crash_inside_the_load_leaves_no_rows_and_the_batch_ends_failed(monkeypatch):
    partner = make_user("partner", department="market")
    old, _ = _push(
        partner,
        roster_csv("market_entities", [valid_row("market_entities")]),
        snapshot_date=dt.date(2026, 10, 1),
    )
    content = roster_csv("market_entities", [valid_row("market_entities") for _ in range(30)])

    def die(self):
        raise WorkerDied

    monkeypatch.setattr(loading.IssueSpool, "flush", die)  # after every row is COPYed
    with pytest.raises(WorkerDied):
        _push(partner, content, snapshot_date=dt.date(2026, 11, 1))
    batch = RosterBatch.objects.latest("id")
    assert batch.status == "processing" and batch.started_at is not None
    assert MarketEntityRow.objects.filter(batch_id=batch.pk).count() == 0
    assert batch_current_get(kind="market_entities", as_of=FAR) == old

    assert services.roster_fail_stale() == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == "failed" and "请重新报送" in batch.message
    monkeypatch.undo()
    again, outcome = _push(partner, content, snapshot_date=dt.date(2026, 11, 1))
    assert outcome == "processed" and again.pk != batch.pk
    assert (again.status, again.rows_loaded) == ("loaded", 30)
    assert batch_current_get(kind="market_entities", as_of=FAR) == again


@pytest.mark.django_db
def test_an_error_inside_the_load_fails_the_batch_at_once(monkeypatch):
    partner = make_user("partner", department="market")

    def boom(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loading.IssueSpool, "flush", boom)
    batch, _ = _push(partner, roster_csv("market_entities", [valid_row("market_entities")]))
    assert batch.status == "failed" and batch.rows_loaded == 0
    assert MarketEntityRow.objects.count() == 0 and RosterIssue.objects.count() == 0


@pytest.mark.django_db
def test_a_redelivered_task_starts_the_batch_again_until_its_attempts_are_spent():
    partner = make_user("partner", department="market")
    content = roster_csv("market_entities", [valid_row("market_entities") for _ in range(3)])
    batch = RosterBatch.objects.create(
        kind="market_entities",
        department="market",
        pushed_by=partner,
        snapshot_date=dt.date(2026, 11, 1),
        sha256="x" * 64,
        started_at=timezone.now(),
        attempts=1,
    )
    batch.file.save("m.csv", SimpleUploadedFile("m.csv", content))
    done = services.roster_process(batch_id=batch.pk)  # its first worker died: a second start
    assert (done.status, done.rows_loaded, done.attempts) == ("loaded", 3, 2)

    spent = RosterBatch.objects.create(
        kind="market_entities",
        department="market",
        pushed_by=partner,
        snapshot_date=dt.date(2026, 11, 1),
        sha256="z" * 64,
        started_at=timezone.now(),
        attempts=services.MAX_ATTEMPTS,
    )
    spent = services.roster_process(batch_id=spent.pk)
    assert spent.status == "failed" and "处理进程已中断 3 次" in spent.message


@pytest.mark.django_db
def test_a_batch_never_started_is_given_up_only_after_the_timeout():
    batch = RosterBatch.objects.create(
        kind="market_entities", department="market", snapshot_date=dt.date(2026, 11, 1), sha256="y" * 64
    )
    assert services.roster_fail_stale() == []
    later = timezone.now() + services.UNSTARTED_TIMEOUT + dt.timedelta(minutes=1)
    assert services.roster_fail_stale(now=later) == [batch.pk]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_file(tmp_path, monkeypatch):
    """kill -9 of the process loading a file: progress was visible meanwhile, no row of
    it is ever visible, the batch ends failed, the previous snapshot stays current, and
    the same file can be pushed again."""
    partner = make_user("partner", department="market")
    old, _ = _push(
        partner,
        roster_csv("market_entities", [valid_row("market_entities")]),
        snapshot_date=dt.date(2026, 10, 1),
    )
    big = tmp_path / "big.csv"
    bulk_market_csv(big, 150_000)
    content = big.read_bytes()
    monkeypatch.setattr(settings, "ROSTER_INLINE_MAX_BYTES", 0)
    from enrollment import tasks

    monkeypatch.setattr(tasks.roster_process_task, "delay", lambda **kw: None)  # we run the worker ourselves
    batch, outcome = _push(partner, content, snapshot_date=dt.date(2026, 11, 1))
    assert outcome == "queued"

    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "WUHAI_VAR_DIR": str(tmp_path),
    }
    code = f"import django; django.setup(); from enrollment import services; services.roster_process(batch_id={batch.pk})"
    worker = subprocess.Popen(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            batch.refresh_from_db()
            if batch.rows_read > 0 or time.monotonic() > deadline or worker.poll() is not None:
                break
            time.sleep(0.02)
        assert batch.rows_read > 0, worker.stderr.read() if worker.poll() is not None else "no progress"
        assert MarketEntityRow.objects.filter(batch_id=batch.pk).count() == 0  # not visible while loading
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait()
    batch.refresh_from_db()
    assert batch.status == "processing" and batch.rows_read < 150_000

    deadline = time.monotonic() + 30
    while batch.pk not in services.roster_fail_stale() and time.monotonic() < deadline:
        time.sleep(0.1)  # PostgreSQL notices the dead client and releases its lock
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert MarketEntityRow.objects.filter(batch_id=batch.pk).count() == 0
    assert batch_current_get(kind="market_entities", as_of=FAR) == old

    monkeypatch.setattr(settings, "ROSTER_INLINE_MAX_BYTES", 1 << 30)
    again, outcome = _push(partner, content, snapshot_date=dt.date(2026, 11, 1))
    assert (outcome, again.status, again.rows_loaded) == ("processed", "loaded", 150_000)
    assert batch_current_get(kind="market_entities", as_of=FAR) == again


@pytest.mark.django_db
def test_retention_drops_rows_of_old_snapshots_but_never_the_current_one(settings):
    settings.ROSTER_RETENTION_DAYS = 30
    partner = make_user("partner", department="market")
    today = dt.date(2026, 11, 28)
    older, _ = _push(
        partner,
        roster_csv("market_entities", [valid_row("market_entities")]),
        snapshot_date=today - dt.timedelta(days=90),
    )
    old_current, _ = _push(
        partner,
        roster_csv("market_entities", [valid_row("market_entities")]),
        snapshot_date=today - dt.timedelta(days=60),
    )
    assert services.roster_retention(today=today) == 1
    older.refresh_from_db()
    assert older.rows_purged_at is not None and not older.file
    assert MarketEntityRow.objects.filter(batch_id=older.pk).count() == 0
    assert MarketEntityRow.objects.filter(batch_id=old_current.pk).count() == 1
    assert batch_current_get(kind="market_entities", as_of=today) == old_current
    assert batch_current_get(kind="market_entities", as_of=today - dt.timedelta(days=80)) is None
    assert services.roster_retention(today=today) == 0


@pytest.mark.django_db
def test_retention_deletes_the_files_of_old_rejected_batches(settings):
    settings.ROSTER_RETENTION_DAYS = 30
    partner = make_user("partner", department="market")
    rejected, _ = _push(partner, b"uscc\n1\n")
    assert rejected.status == "rejected" and rejected.file
    services.roster_retention(today=timezone.localdate())
    rejected.refresh_from_db()
    assert rejected.file
    services.roster_retention(today=timezone.localdate() + dt.timedelta(days=31))
    rejected.refresh_from_db()
    assert not rejected.file


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_processed_by_a_real_celery_worker(celery_worker, settings, tmp_path):
    settings.ROSTER_INLINE_MAX_BYTES = 1000
    client = token_client(make_user("partner", department="market"))
    big = tmp_path / "m.csv"
    bulk_market_csv(big, 20_000, seed=11)
    with open(big, "rb") as fh:
        response = client.post(
            "/api/v1/rosters/", {"kind": "market_entities", "file": fh}, format="multipart"
        )
    assert response.status_code == 202, response.content
    batch_id = response.json()["id"]
    deadline = time.monotonic() + 60
    body = response.json()
    while body["status"] == "processing" and time.monotonic() < deadline:
        time.sleep(0.2)
        body = client.get(f"/api/v1/rosters/{batch_id}/").json()
    assert (body["status"], body["rows_loaded"], body["rows_read"]) == ("loaded", 20_000, 20_000)
    assert MarketEntityRow.objects.filter(batch_id=batch_id).count() == 20_000


# --- stranded batches never block a re-push; bounded attempts; statistics ------------------------


def _stranded(partner, content: bytes, *, started: bool, attempts: int = 1) -> RosterBatch:
    """A processing batch as a dead worker leaves it (or a queued one whose message is lost)."""
    import hashlib

    batch = RosterBatch.objects.create(
        kind="market_entities",
        department="market",
        pushed_by=partner,
        snapshot_date=dt.date(2026, 11, 1),
        filename="m.csv",
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        started_at=timezone.now() if started else None,
        attempts=attempts if started else 0,
    )
    batch.file.save("m.csv", SimpleUploadedFile("m.csv", content))
    return batch


@pytest.mark.django_db
def test_a_re_push_of_a_batch_stranded_by_a_dead_worker_is_accepted_as_a_new_batch():
    partner = make_user("partner", department="market")
    content = roster_csv("market_entities", [valid_row("market_entities") for _ in range(4)])
    dead = _stranded(partner, content, started=True)
    again, outcome = _push(partner, content, snapshot_date=dt.date(2026, 11, 1))
    assert (
        outcome == "processed" and again.pk != dead.pk and (again.status, again.rows_loaded) == ("loaded", 4)
    )
    dead.refresh_from_db()
    assert dead.status == "failed" and "已由重新报送的同一文件取代" in dead.message


@pytest.mark.django_db
def test_a_re_push_of_a_batch_whose_message_was_lost_sends_it_again(django_capture_on_commit_callbacks):
    partner = make_user("partner", department="market")
    content = roster_csv("market_entities", [valid_row("market_entities") for _ in range(2)])
    queued = _stranded(partner, content, started=False)
    with django_capture_on_commit_callbacks(execute=True):
        again, outcome = _push(partner, content)
    assert again.pk == queued.pk and outcome == "queued"  # sent again (after the commit), not "existing"
    again.refresh_from_db()
    assert (again.status, again.rows_loaded, again.attempts) == ("loaded", 2, 1)


@pytest.mark.django_db
def test_the_sweep_starts_a_stranded_batch_again_and_fails_it_after_the_last_attempt(
    django_capture_on_commit_callbacks,
):
    partner = make_user("partner", department="market")
    content = roster_csv("market_entities", [valid_row("market_entities")])
    retried = _stranded(partner, content, started=True, attempts=1)
    spent = _stranded(partner, content + b"\r\n", started=True, attempts=services.MAX_ATTEMPTS)
    with django_capture_on_commit_callbacks(execute=True):
        swept = services.roster_sweep()
    assert swept == {"again": [retried.pk], "failed": [spent.pk]}
    retried.refresh_from_db()
    spent.refresh_from_db()
    assert (retried.status, retried.attempts) == ("loaded", 2)  # eager: sent again = processed here
    assert spent.status == "failed" and "处理进程已中断 3 次" in spent.message
    assert services.roster_sweep() == {"again": [], "failed": []}


@pytest.mark.django_db
def test_with_a_broker_every_push_is_queued_and_never_parsed_in_the_web_process(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    from wuhai_coverage.celery import app
    from wuhai_coverage.outbox.models import OutboxMessage

    sent = []
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app, "send_task", lambda name, kwargs=None, **kw: sent.append((name, kwargs)))
    client = token_client(make_user("partner", department="market"))
    tiny = roster_csv("market_entities", [valid_row("market_entities")])
    with django_capture_on_commit_callbacks(execute=True):
        res = client.post(
            "/api/v1/rosters/",
            {"kind": "market_entities", "file": SimpleUploadedFile("m.csv", tiny)},
            format="multipart",
        )
    assert res.status_code == 202, res.content
    body = res.json()
    assert (body["status"], body["rows_read"], body["started_at"]) == ("processing", 0, None)
    assert sent == [("enrollment.tasks.roster_process_task", {"batch_id": body["id"]})]
    assert OutboxMessage.objects.get().sent_at is not None


@pytest.mark.django_db
def test_a_loaded_batch_is_known_to_the_planner_statistics_at_once():
    """A load ANALYZEs the batch's partition before attaching it: pg_stats knows the new
    batch (the comparison's joins are planned for its real size), with autovacuum off or
    not. Rows written by other means (the default partition) are analysed on demand."""
    partner = make_user("partner", department="market")
    batch, _ = _push(
        partner, roster_csv("market_entities", [valid_row("market_entities") for _ in range(20)])
    )
    assert batch.status == "loaded"
    assert loading.analyze_unknown_batches({"market_entities": batch}) == []  # known already
    with connection.cursor() as c:
        c.execute(
            "SELECT most_common_vals::text, histogram_bounds::text FROM pg_stats "
            "WHERE tablename = %s AND attname = 'batch_id'",
            [snapshots.partition_name("market_entities", batch.pk)],
        )
        common, bounds = c.fetchone()
    assert str(batch.pk) in (common or "") + (bounds or "")
    table = snapshots.default_partition_name("market_entities")

    other = RosterBatch.objects.create(
        kind="market_entities",
        department="market",
        status="loaded",
        snapshot_date=dt.date(2026, 11, 2),
        sha256="s" * 64,
    )
    MarketEntityRow.objects.bulk_create(  # rows written by other means than roster_process
        [MarketEntityRow(**{**row, "batch_id": other.pk}) for row in MarketEntityRow.objects.values()]
    )
    assert loading.analyze_unknown_batches({"market_entities": other}) == [table]
    assert loading.analyze_unknown_batches({"market_entities": other}) == []


@pytest.mark.django_db
def test_a_batch_message_is_stored_in_the_site_language_and_its_msgid_has_an_english_translation():
    from django.utils import translation

    from enrollment.validation import dropped_suffix

    partner = make_user("partner", department="market")
    with translation.override("en"):  # the push is answered in English, the record stays Chinese
        batch, outcome = services.roster_push(
            user=partner,
            kind="market_entities",
            upload=SimpleUploadedFile("empty.csv", roster_csv("market_entities", [])),
        )
        english = services._gave_up_message(3)
        dropped = dropped_suffix()
    assert (batch.status, outcome) == ("rejected", "processed")
    assert batch.message == "文件只有表头，没有数据行；确实为空的名册请加 allow_empty=true"
    assert "stopped 3 times" in english and dropped == " (value dropped)"


@pytest.mark.django_db
def test_a_push_loads_under_debug_cursors_too():
    """With DEBUG=True Django wraps cursors in CursorDebugWrapper, whose copy_expert takes
    (sql, file, *args): a size= keyword made every load fail ("处理失败：TypeError")."""
    partner = make_user("partner", department="market")
    good = valid_row("market_entities")
    bad = dict(good, **{next(iter(good)): ""})  # a row with an issue: the issue spool's COPY runs too
    previous = connection.force_debug_cursor
    connection.force_debug_cursor = True
    try:
        batch, _ = _push(partner, roster_csv("market_entities", [good, bad]))
    finally:
        connection.force_debug_cursor = previous
    batch.refresh_from_db()
    assert batch.status == "loaded", batch.message
    assert MarketEntityRow.objects.filter(batch=batch).count() == 1
    assert RosterIssue.objects.filter(batch=batch).exists()
