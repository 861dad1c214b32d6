"""Writes for roster intake: push, process, sweep stranded batches, retention.

Dispatch. With a broker, every push is queued: the batch and its outbox row
(wuhai_coverage/outbox) are written in one transaction, so a push while Redis is down is
recorded and answered 202, and the beat's outbox-flush sends it once Redis is back. A
file is never parsed in the web process then; only the embedded default (no broker,
tasks eager) processes small files inline.

Crash safety. A batch's rows are written in ONE transaction while the batch is
`processing` (never current); the same transaction sets `loaded`. A worker that dies
mid-file leaves nothing behind: PostgreSQL rolls the transaction back when the
connection drops, which also releases the batch's session advisory lock. The batch
itself stays `processing` with `started_at` set and `attempts` counting the starts: a
redelivered message (acks_late, reject_on_worker_lost) or `roster_sweep_task` (beat) starts
it again, and after MAX_ATTEMPTS it is `failed` with the reason. A failed batch does
not count for the (kind, sha256) uniqueness, so the same file can be pushed again; a
re-push of a batch stranded in `processing` (nobody holds its lock) fails that batch
and is accepted as a new one, and a re-push of a batch still queued sends it again.

Snapshots as partitions (PostgreSQL, enrollment.snapshots). The load's transaction
creates the batch's own table, COPYs into it, indexes it, ANALYZEs it and attaches it as
the batch's partition of the row table, then sets `loaded`: the snapshot becomes current
already indexed and with planner statistics (the comparison and the pages join on rows
that are seconds old; autovacuum may be off, and is minutes late when on). Retention and
a failed batch drop the partition (detach + drop), never DELETE its rows; the sweep
(roster_tables_sweep) drops tables no batch needs. On SQLite the rows are in one table
per kind and are deleted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from pathlib import Path
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment import loading, snapshots
from enrollment.loading import Intake, IssueSpool, Progress, load_rows
from enrollment.models import KIND_DEPARTMENT, ROW_MODELS, RosterBatch, RosterIssue, RosterKind
from enrollment.reading import FileRejected, open_roster
from enrollment.roster_specs import SPECS
from enrollment.validation import References, RowChecker
from wuhai_coverage.core import access
from wuhai_coverage.core.roles import PUSH_ROSTERS
from wuhai_coverage.core.text import in_site_language
from wuhai_coverage.outbox import services as outbox

Params = ParamSpec("Params")
Result = TypeVar("Result")

log = logging.getLogger(__name__)

# Session advisory lock key of a batch being processed: base + batch id.
LOCK_BASE = 0x5748_0000_0000  # "WH"
# A batch queued but never started, with no outbox message left, is sent again after
# UNSTARTED_RESEND (its message was lost) and, by roster_fail_stale, given up after
# UNSTARTED_TIMEOUT.
UNSTARTED_RESEND = dt.timedelta(minutes=10)
UNSTARTED_TIMEOUT = dt.timedelta(hours=6)
# Starts of a batch before it is failed: a worker that died mid-file (killed, out of
# memory, a database restart) is retried this many times in all.
MAX_ATTEMPTS = 3
TASK = "enrollment.tasks.roster_process_task"
# On SQLite (no advisory locks) a started batch is stale after this long.
SQLITE_STALE_AFTER = dt.timedelta(hours=1)
HASH_BLOCK = 1 << 20


class RosterError(Exception):
    """A push the API answers with 400 (message names the problem)."""


class UnknownKind(RosterError):
    pass


def unknown_kind_message(kind: str) -> str:
    return _("未知的名册类型 %(kind)s；可用类型：%(known)s") % {
        "kind": repr(kind),
        "known": ", ".join(RosterKind.values),
    }


def require_push(*, user, kind: str) -> None:
    """400 for an unknown kind, 403 unless the user pushes for the kind's department."""
    if kind not in KIND_DEPARTMENT:
        raise UnknownKind(unknown_kind_message(kind))
    access.require(user, PUSH_ROSTERS)
    if user.department != KIND_DEPARTMENT[kind]:
        raise PermissionDenied(
            _("%(department)s 无权报送 %(kind)s")
            % {"department": user.get_department_display() or user.department, "kind": kind}
        )


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    for block in upload.chunks(chunk_size=HASH_BLOCK):
        digest.update(block)
    upload.seek(0)
    return digest.hexdigest()


def existing_batch(*, kind: str, sha256: str) -> RosterBatch | None:
    return (
        RosterBatch.objects.filter(kind=kind, sha256=sha256)
        .exclude(status=RosterBatch.Status.FAILED)
        .order_by("-id")
        .first()
    )


def roster_push(
    *, user, kind: str, upload, snapshot_date: dt.date | None = None, allow_empty: bool = False
) -> tuple[RosterBatch, str]:
    """Store a pushed file as a batch and process it (inline when small, else queued).

    Returns (batch, outcome): outcome is "existing" (the same file was pushed before:
    nothing stored), "processed" (inline; loaded or rejected) or "queued" (a worker
    will process it)."""
    require_push(user=user, kind=kind)
    return roster_receive(
        kind=kind, upload=upload, pushed_by=user, snapshot_date=snapshot_date, allow_empty=allow_empty
    )


@in_site_language
def roster_receive(
    *,
    kind: str,
    upload,
    pushed_by=None,
    snapshot_date: dt.date | None = None,
    allow_empty: bool = False,
    in_process: bool = False,
) -> tuple[RosterBatch, str]:
    """roster_push without the caller check (the demo loader, a bureau-side import).
    in_process=True processes the file here whatever its size — for management commands,
    never for a web request."""
    if kind not in KIND_DEPARTMENT:
        raise UnknownKind(unknown_kind_message(kind))
    sha256 = _sha256(upload)
    found = existing_batch(kind=kind, sha256=sha256)
    if found is not None and found.status == RosterBatch.Status.PROCESSING:
        if found.started_at is None:
            # Queued and never started (its message may be lost): send it again — a
            # duplicate message finds the batch loaded and does nothing.
            _dispatch(found)
            found.refresh_from_db()
            return found, ("queued" if found.status == RosterBatch.Status.PROCESSING else "processed")
        if _fail_if_stranded(
            found.pk,
            _("处理进程中断，已由重新报送的同一文件取代"),
        ):
            found = None
    if found is not None:
        return found, "existing"
    batch = RosterBatch(
        kind=kind,
        department=KIND_DEPARTMENT[kind],
        pushed_by=pushed_by,
        snapshot_date=snapshot_date or timezone.localdate(),
        filename=Path(upload.name or "").name[:255],
        size_bytes=upload.size,
        sha256=sha256,
        allow_empty=allow_empty,
    )
    too_big = upload.size > settings.ROSTER_MAX_BYTES
    if too_big:
        batch.status = RosterBatch.Status.REJECTED
        batch.finished_at = timezone.now()
        batch.message = _("文件大小 %(size)s 字节超过上限 %(limit)s 字节") % {
            "size": upload.size,
            "limit": settings.ROSTER_MAX_BYTES,
        }
    else:
        batch.file.save(f"{kind}-{sha256[:16]}{Path(batch.filename).suffix[:8].lower()}", upload, save=False)
    # With a broker every file is queued: never parsed in the web process.
    inline = in_process or (outbox.eager() and upload.size <= settings.ROSTER_INLINE_MAX_BYTES)
    try:
        with transaction.atomic():
            batch.save()
            if not too_big and not inline:
                _dispatch(batch)  # the outbox row commits with the batch
    except IntegrityError:  # the same file, pushed concurrently: that one wins
        if batch.file:
            batch.file.delete(save=False)
        found = existing_batch(kind=kind, sha256=sha256)
        if found is None:
            raise
        return found, "existing"
    if too_big:
        return batch, "processed"
    if inline:
        return roster_process(batch_id=batch.pk), "processed"
    return batch, "queued"


def _dispatch(batch: RosterBatch) -> None:
    outbox.enqueue(TASK, batch_id=batch.pk)


# ------------------------------------------------------------------ processing


@contextlib.contextmanager
def _batch_lock(batch_id: int):
    """A session advisory lock held while a batch is processed (PostgreSQL). Yields
    False when another process holds it."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%(key)s)", {"key": LOCK_BASE + batch_id})
        got = cur.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%(key)s)", {"key": LOCK_BASE + batch_id})


def _gave_up_message(attempts: int) -> str:
    return _("处理进程已中断 %(attempts)s 次（文件可能超出处理能力），已停止重试；请检查文件后重新报送") % {
        "attempts": attempts
    }


@in_site_language
def roster_process(*, batch_id: int) -> RosterBatch:
    """Read, check and load a processing batch; does nothing to a finished one. A batch
    started before by a worker that is gone (we hold its lock) is started again, up to
    MAX_ATTEMPTS starts; then it is failed."""
    with _batch_lock(batch_id) as got:
        batch = RosterBatch.objects.get(pk=batch_id)
        if not got or batch.status != RosterBatch.Status.PROCESSING:
            return batch
        if batch.attempts >= MAX_ATTEMPTS:
            return _fail(batch, _gave_up_message(batch.attempts))
        started = timezone.now()
        RosterBatch.objects.filter(pk=batch_id).update(started_at=started, attempts=F("attempts") + 1)
        batch.started_at, batch.attempts = started, batch.attempts + 1
        try:
            with _memory_limit():
                done = _load(batch)
        except FileRejected as exc:
            return _finish(batch, status=RosterBatch.Status.REJECTED, message=str(exc))
        except (OperationalError, InterfaceError):
            raise  # the database went away (a restart): the task retries, the batch stays processing
        except MemoryError:
            log.warning("roster batch %s needs more memory than ROSTER_WORKER_MEMORY_LIMIT", batch_id)
            return _fail(batch, _("文件需要的内存超过上限，无法处理"))
        except Exception as exc:
            log.exception("roster batch %s failed", batch_id)
            return _fail(batch, _("处理失败：%(error)s") % {"error": type(exc).__name__})
    if done.status == RosterBatch.Status.LOADED:
        # The partition was analysed before it was attached; the plain table (SQLite has
        # no ANALYZE here anyway) and the issues are analysed now.
        loading.analyze(*([] if snapshots.partitioned() else [ROW_MODELS[done.kind]]), RosterIssue)
    return done


@contextlib.contextmanager
def _memory_limit():
    """RLIMIT_AS for the worker process while it reads a file (ROSTER_WORKER_MEMORY_LIMIT):
    a file that would allocate without bound fails its batch (MemoryError, or the worker
    child dies and the batch is retried, then failed) instead of taking the machine. Never
    in the web process (eager mode): the limit would hold for all its threads."""
    limit = settings.ROSTER_WORKER_MEMORY_LIMIT
    if not limit or outbox.eager():
        yield
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    new = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (new, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _load(batch: RosterBatch) -> RosterBatch:
    if not batch.file:
        raise FileRejected(_("没有文件"))
    roster = open_roster(batch.file.path)
    checker = RowChecker(SPECS[batch.kind], roster.header, References.load())
    progress = Progress(batch.pk)
    spool = IssueSpool(batch.pk)
    intake = Intake(
        batch_id=batch.pk,
        roster=roster,
        checker=checker,
        on_issues=spool,
        on_progress=progress,
        spill_after=loading.DEDUPE_MEMORY_KEYS if connection.vendor == "postgresql" else None,
    )
    partitioned = snapshots.partitioned()
    try:
        with transaction.atomic():
            stage = None
            if partitioned:
                with connection.cursor() as cur:
                    stage = snapshots.stage_create(cur, batch.kind, batch.pk)
            load_rows(kind=batch.kind, intake=intake, table=stage)
            spool.flush()
            c = intake.counters
            status, message = RosterBatch.Status.LOADED, ""
            if c.total == 0 and not batch.allow_empty:
                status = RosterBatch.Status.REJECTED
                message = _("文件只有表头，没有数据行；确实为空的名册请加 allow_empty=true")
            elif c.loaded == 0 and c.total > 0 and not batch.allow_empty:
                status = RosterBatch.Status.REJECTED
                message = _("没有一行通过校验")
            elif c.rejected:
                message = _("%(rows)s 行被退回，详见错误报告") % {"rows": c.rejected}
            if partitioned:
                with connection.cursor() as cur:
                    if status == RosterBatch.Status.REJECTED:
                        snapshots.stage_drop(cur, batch.kind, batch.pk)
                    else:  # indexed, analysed and attached before the batch is loaded
                        snapshots.stage_attach(cur, batch.kind, batch.pk)
            elif status == RosterBatch.Status.REJECTED:
                ROW_MODELS[batch.kind]._default_manager.filter(batch_id=batch.pk).delete()
            RosterBatch.objects.filter(pk=batch.pk).update(
                status=status,
                message=message,
                file_format=roster.file_format,
                encoding=roster.encoding,
                rows_total=c.total,
                rows_loaded=c.loaded if status == RosterBatch.Status.LOADED else 0,
                rows_rejected=c.rejected,
                warnings=c.warnings,
                rows_read=c.total,
                ignored_columns=checker.ignored_columns,
                finished_at=timezone.now(),
            )
    finally:
        progress.close()
        spool.close()
    return RosterBatch.objects.get(pk=batch.pk)


def _finish(batch: RosterBatch, *, status: str, message: str) -> RosterBatch:
    with transaction.atomic():
        snapshots.rows_drop(batch.kind, batch.pk)
        RosterIssue.objects.filter(batch_id=batch.pk).delete()
        RosterBatch.objects.filter(pk=batch.pk, status=RosterBatch.Status.PROCESSING).update(
            status=status, message=message, finished_at=timezone.now(), rows_loaded=0
        )
    return RosterBatch.objects.get(pk=batch.pk)


def _fail(batch: RosterBatch, message: str) -> RosterBatch:
    return _finish(batch, status=RosterBatch.Status.FAILED, message=message)


def _fail_if_stranded(batch_id: int, message: str, *, now: dt.datetime | None = None) -> bool:
    """Fail a batch a worker started and nobody works on any more; True if it was."""
    now = now or timezone.now()
    with _batch_lock(batch_id) as got:
        batch = RosterBatch.objects.get(pk=batch_id)
        if not got or batch.status != RosterBatch.Status.PROCESSING or batch.started_at is None:
            return False
        if connection.vendor != "postgresql" and batch.started_at >= now - SQLITE_STALE_AFTER:
            return False  # no advisory locks on SQLite: only an old start is taken as dead
        _fail(batch, message)
        return True


@in_site_language
def roster_sweep(*, now: dt.datetime | None = None, retry: bool = True) -> dict[str, list[int]]:
    """Beat (every FAULT_SWEEP_SECONDS): every processing batch whose worker is gone is
    sent again while it has attempts left, else failed; a batch never started whose
    message was lost is sent again. With retry=False every stranded batch is failed."""
    now = now or timezone.now()
    again: list[int] = []
    failed: list[int] = []
    for batch in RosterBatch.objects.filter(status=RosterBatch.Status.PROCESSING).order_by("id"):
        if batch.started_at is None:
            if outbox.pending(TASK, batch_id=batch.pk):
                continue  # the outbox sends it when the broker is back
            if batch.received_at < now - UNSTARTED_TIMEOUT and not retry:
                _fail(batch, _("排队超时未处理，请重新报送"))
                failed.append(batch.pk)
            elif batch.received_at < now - UNSTARTED_RESEND and retry:
                again.append(batch.pk)
            continue
        with _batch_lock(batch.pk) as got:
            batch.refresh_from_db()
            if not got or batch.status != RosterBatch.Status.PROCESSING:
                continue  # a live worker holds it, or it just finished
            if connection.vendor != "postgresql" and batch.started_at >= now - SQLITE_STALE_AFTER:
                continue
            if retry and batch.attempts < MAX_ATTEMPTS:
                again.append(batch.pk)  # sent after the lock is released (the worker takes it)
            else:
                _fail(
                    batch,
                    _gave_up_message(batch.attempts) if retry else _("处理进程中断，请重新报送"),
                )
                failed.append(batch.pk)
    for pk in again:
        log.warning("roster batch %s: its worker is gone; sent again", pk)
        outbox.enqueue(TASK, batch_id=pk)
    return {"again": again, "failed": failed}


def roster_fail_stale(*, now: dt.datetime | None = None) -> list[int]:
    """Mark failed every processing batch whose worker is gone; returns their ids."""
    return roster_sweep(now=now, retry=False)["failed"]


def roster_rows_purge(batch: RosterBatch) -> bool:
    """Drop a snapshot's rows and mark it purged (one transaction): detach and drop its
    partition on PostgreSQL — a catalogue change, seconds whatever the snapshot's size —
    or DELETE on SQLite. False, and nothing changed, when a reader kept the row table
    locked beyond snapshots.PURGE_LOCK_TIMEOUT: the next retention run tries again."""
    try:
        with transaction.atomic():
            snapshots.rows_drop(batch.kind, batch.pk)
            RosterBatch.objects.filter(pk=batch.pk).update(rows_purged_at=timezone.now())
    except OperationalError:
        if not snapshots.partitioned():
            raise
        log.warning("roster batch %s: its snapshot's table stayed locked; purged on a later run", batch.pk)
        return False
    return True


def roster_tables_sweep() -> list[str]:
    """Beat (with roster_sweep): drop the per-batch tables no batch needs (PostgreSQL) — a
    standalone table left behind (never by roster_process, whose table commits attached
    with its batch `loaded`, or not at all), and a partition whose batch is gone,
    failed, rejected or purged. A batch being processed (its lock held) is left alone.
    Returns the tables dropped."""
    dropped = []
    live = {RosterBatch.Status.LOADED, RosterBatch.Status.PROCESSING}
    for table in snapshots.tables():
        batch = RosterBatch.objects.filter(pk=table.batch_id).values("status", "rows_purged_at").first()
        if (
            table.attached
            and batch is not None
            and batch["rows_purged_at"] is None
            and batch["status"] in live
        ):
            continue  # a snapshot
        with _batch_lock(table.batch_id) as got:
            if not got:
                continue  # a loader works on it
            try:
                if table.attached:  # with whatever else of the batch's rows
                    snapshots.rows_drop(table.kind, table.batch_id)
                else:  # the table only: the batch's other rows are not ours to judge
                    with transaction.atomic(), connection.cursor() as cur:
                        snapshots.stage_drop(cur, table.kind, table.batch_id)
            except OperationalError:  # the row table stayed locked: the next sweep
                log.warning("table %s: its row table stayed locked; dropped on a later sweep", table)
                continue
            dropped.append(snapshots.partition_name(table.kind, table.batch_id))
    for name in dropped:
        log.warning("dropped the table %s: no batch needs it", name)
    return dropped


def roster_retention(*, today: dt.date | None = None) -> int:
    """Drop the rows (and stored file) of loaded snapshots older than the retention
    that are no longer current; the batch and its report stay. Returns batches purged."""
    from enrollment.selectors import batch_current_get

    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=settings.ROSTER_RETENTION_DAYS)
    purged = 0
    for kind in ROW_MODELS:
        current = batch_current_get(kind=kind, as_of=today)
        old = RosterBatch.objects.filter(
            kind=kind, status=RosterBatch.Status.LOADED, snapshot_date__lt=cutoff, rows_purged_at__isnull=True
        )
        if current is not None:
            old = old.exclude(pk=current.pk)
        for batch in old:
            if not roster_rows_purge(batch):
                continue
            if batch.file:
                batch.file.delete(save=False)
                RosterBatch.objects.filter(pk=batch.pk).update(file="")
            purged += 1
    # Files of batches that never became a snapshot are kept as long, then deleted.
    for batch in RosterBatch.objects.filter(
        status__in=[RosterBatch.Status.REJECTED, RosterBatch.Status.FAILED], received_at__date__lt=cutoff
    ).exclude(file=""):
        batch.file.delete(save=False)
        RosterBatch.objects.filter(pk=batch.pk).update(file="")
    return purged
