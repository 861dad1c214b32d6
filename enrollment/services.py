"""Writes for roster intake: push, process, fail stale batches, retention.

Crash safety. A batch's rows are written in ONE transaction while the batch is
`processing` (never current); the same transaction sets `loaded`. A worker that dies
mid-file leaves nothing behind: PostgreSQL rolls the transaction back when the
connection drops, which also releases the batch's session advisory lock. The batch
itself stays `processing` with `started_at` set — `roster_fail_stale` (run by the
retention task, and by a redelivered task) sees that no one holds the lock and marks it
`failed`, deleting any rows and issues. A failed batch does not count for the
(kind, sha256) uniqueness, so the same file can be pushed again.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from enrollment import loading
from enrollment.loading import Intake, IssueSpool, Progress, load_rows
from enrollment.models import KIND_DEPARTMENT, ROW_MODELS, RosterBatch, RosterIssue, RosterKind
from enrollment.reading import FileRejected, open_roster
from enrollment.roster_specs import SPECS
from enrollment.validation import References, RowChecker
from wuhai_coverage.core import access
from wuhai_coverage.core.roles import PUSH_ROSTERS

log = logging.getLogger(__name__)

# Session advisory lock key of a batch being processed: base + batch id.
LOCK_BASE = 0x5748_0000_0000  # "WH"
# A batch queued but never started is given up after this long (its task was lost).
UNSTARTED_TIMEOUT = dt.timedelta(hours=6)
# On SQLite (no advisory locks) a started batch is stale after this long.
SQLITE_STALE_AFTER = dt.timedelta(hours=1)
HASH_BLOCK = 1 << 20


class RosterError(Exception):
    """A push the API answers with 400 (message names the problem)."""


class UnknownKind(RosterError):
    pass


def unknown_kind_message(kind: str) -> str:
    return (f"未知的名册类型 {kind!r}；可用类型：{', '.join(RosterKind.values)} / "
            f"unknown kind; known kinds: {', '.join(RosterKind.values)}")


def require_push(*, user, kind: str) -> None:
    """400 for an unknown kind, 403 unless the user pushes for the kind's department."""
    if kind not in KIND_DEPARTMENT:
        raise UnknownKind(unknown_kind_message(kind))
    access.require(user, PUSH_ROSTERS)
    if user.department != KIND_DEPARTMENT[kind]:
        raise PermissionDenied(f"{user.get_department_display() or user.department} 无权报送 {kind} / "
                               f"your department may not push {kind}")


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    for block in upload.chunks(chunk_size=HASH_BLOCK):
        digest.update(block)
    upload.seek(0)
    return digest.hexdigest()


def existing_batch(*, kind: str, sha256: str) -> RosterBatch | None:
    return (RosterBatch.objects.filter(kind=kind, sha256=sha256)
            .exclude(status=RosterBatch.Status.FAILED).order_by("-id").first())


def roster_push(*, user, kind: str, upload, snapshot_date: dt.date | None = None,
                allow_empty: bool = False) -> tuple[RosterBatch, str]:
    """Store a pushed file as a batch and process it (inline when small, else queued).

    Returns (batch, outcome): outcome is "existing" (the same file was pushed before:
    nothing stored), "processed" (inline; loaded or rejected) or "queued" (a worker
    will process it)."""
    require_push(user=user, kind=kind)
    return roster_receive(kind=kind, upload=upload, pushed_by=user, snapshot_date=snapshot_date,
                          allow_empty=allow_empty)


def roster_receive(*, kind: str, upload, pushed_by=None, snapshot_date: dt.date | None = None,
                   allow_empty: bool = False) -> tuple[RosterBatch, str]:
    """roster_push without the caller check (the demo loader, a bureau-side import)."""
    if kind not in KIND_DEPARTMENT:
        raise UnknownKind(unknown_kind_message(kind))
    sha256 = _sha256(upload)
    found = existing_batch(kind=kind, sha256=sha256)
    if found is not None:
        return found, "existing"
    batch = RosterBatch(
        kind=kind, department=KIND_DEPARTMENT[kind], pushed_by=pushed_by,
        snapshot_date=snapshot_date or timezone.localdate(), filename=Path(upload.name or "").name[:255],
        size_bytes=upload.size, sha256=sha256, allow_empty=allow_empty,
    )
    too_big = upload.size > settings.ROSTER_MAX_BYTES
    if too_big:
        batch.status = RosterBatch.Status.REJECTED
        batch.finished_at = timezone.now()
        batch.message = (f"文件大小 {upload.size} 字节超过上限 {settings.ROSTER_MAX_BYTES} 字节 / "
                         f"the file is larger than the limit of {settings.ROSTER_MAX_BYTES} bytes")
    else:
        batch.file.save(f"{kind}-{sha256[:16]}{Path(batch.filename).suffix[:8].lower()}", upload, save=False)
    try:
        with transaction.atomic():
            batch.save()
    except IntegrityError:  # the same file, pushed concurrently: that one wins
        if batch.file:
            batch.file.delete(save=False)
        found = existing_batch(kind=kind, sha256=sha256)
        if found is None:
            raise
        return found, "existing"
    if too_big:
        return batch, "processed"
    if upload.size <= settings.ROSTER_INLINE_MAX_BYTES:
        return roster_process(batch_id=batch.pk), "processed"
    from enrollment.tasks import roster_process as roster_process_task

    roster_process_task.delay_on_commit(batch_id=batch.pk)
    return batch, "queued"


# ------------------------------------------------------------------ processing


@contextlib.contextmanager
def _batch_lock(batch_id: int):
    """A session advisory lock held while a batch is processed (PostgreSQL). Yields
    False when another process holds it."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_BASE + batch_id])
        got = cur.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [LOCK_BASE + batch_id])


def roster_process(*, batch_id: int) -> RosterBatch:
    """Read, check and load a processing batch; does nothing to a finished one."""
    with _batch_lock(batch_id) as got:
        batch = RosterBatch.objects.get(pk=batch_id)
        if not got or batch.status != RosterBatch.Status.PROCESSING:
            return batch
        if batch.started_at is not None:
            # A previous attempt started and its worker is gone (we hold the lock).
            return _fail(batch, "处理进程中断，请重新报送 / the worker processing this file stopped; push it again")
        started = timezone.now()
        RosterBatch.objects.filter(pk=batch_id).update(started_at=started)
        batch.started_at = started
        try:
            return _load(batch)
        except FileRejected as exc:
            return _finish(batch, status=RosterBatch.Status.REJECTED, message=str(exc))
        except Exception as exc:
            log.exception("roster batch %s failed", batch_id)
            return _fail(batch, f"处理失败：{type(exc).__name__} / processing failed")


def _load(batch: RosterBatch) -> RosterBatch:
    if not batch.file:
        raise FileRejected("没有文件 / no file stored")
    roster = open_roster(batch.file.path)
    checker = RowChecker(SPECS[batch.kind], roster.header, References.load())
    progress = Progress(batch.pk)
    spool = IssueSpool(batch.pk)
    intake = Intake(batch_id=batch.pk, roster=roster, checker=checker, on_issues=spool, on_progress=progress,
                    spill_after=loading.DEDUPE_MEMORY_KEYS if connection.vendor == "postgresql" else None)
    try:
        with transaction.atomic():
            load_rows(kind=batch.kind, intake=intake)
            spool.flush()
            c = intake.counters
            status, message = RosterBatch.Status.LOADED, ""
            if c.total == 0 and not batch.allow_empty:
                status = RosterBatch.Status.REJECTED
                message = ("文件只有表头，没有数据行；确实为空的名册请加 allow_empty=true / "
                           "the file has a header and no data rows (send allow_empty=true for a roster "
                           "that really is empty)")
            elif c.loaded == 0 and c.total > 0 and not batch.allow_empty:
                status = RosterBatch.Status.REJECTED
                message = "没有一行通过校验 / no row passed the checks"
            elif c.rejected:
                message = f"{c.rejected} 行被退回，详见错误报告 / {c.rejected} rows rejected, see the error report"
            if status == RosterBatch.Status.REJECTED:
                ROW_MODELS[batch.kind].objects.filter(batch_id=batch.pk).delete()
            RosterBatch.objects.filter(pk=batch.pk).update(
                status=status, message=message, file_format=roster.file_format, encoding=roster.encoding,
                rows_total=c.total, rows_loaded=c.loaded if status == RosterBatch.Status.LOADED else 0,
                rows_rejected=c.rejected, warnings=c.warnings, rows_read=c.total,
                ignored_columns=checker.ignored_columns, finished_at=timezone.now(),
            )
    finally:
        progress.close()
        spool.close()
    return RosterBatch.objects.get(pk=batch.pk)


def _finish(batch: RosterBatch, *, status: str, message: str) -> RosterBatch:
    with transaction.atomic():
        ROW_MODELS[batch.kind].objects.filter(batch_id=batch.pk).delete()
        RosterIssue.objects.filter(batch_id=batch.pk).delete()
        RosterBatch.objects.filter(pk=batch.pk, status=RosterBatch.Status.PROCESSING).update(
            status=status, message=message, finished_at=timezone.now(), rows_loaded=0)
    return RosterBatch.objects.get(pk=batch.pk)


def _fail(batch: RosterBatch, message: str) -> RosterBatch:
    return _finish(batch, status=RosterBatch.Status.FAILED, message=message)


def roster_fail_stale(*, now: dt.datetime | None = None) -> list[int]:
    """Mark failed every processing batch whose worker is gone; returns their ids."""
    now = now or timezone.now()
    failed = []
    for batch in RosterBatch.objects.filter(status=RosterBatch.Status.PROCESSING):
        if batch.started_at is None:
            if batch.received_at < now - UNSTARTED_TIMEOUT:
                _fail(batch, "排队超时未处理，请重新报送 / never processed; push it again")
                failed.append(batch.pk)
            continue
        if connection.vendor == "postgresql":
            with _batch_lock(batch.pk) as got:
                if got:  # nobody holds it: the worker that started the batch is gone
                    _fail(batch, "处理进程中断，请重新报送 / the worker processing this file stopped; "
                                 "push it again")
                    failed.append(batch.pk)
        elif batch.started_at < now - SQLITE_STALE_AFTER:
            _fail(batch, "处理超时，请重新报送 / processing timed out; push it again")
            failed.append(batch.pk)
    return failed


def roster_retention(*, today: dt.date | None = None) -> int:
    """Drop the rows (and stored file) of loaded snapshots older than the retention
    that are no longer current; the batch and its report stay. Returns batches purged."""
    from enrollment.selectors import current_batch

    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=settings.ROSTER_RETENTION_DAYS)
    purged = 0
    for kind in ROW_MODELS:
        current = current_batch(kind=kind, as_of=today)
        old = RosterBatch.objects.filter(kind=kind, status=RosterBatch.Status.LOADED, snapshot_date__lt=cutoff,
                                         rows_purged_at__isnull=True)
        if current is not None:
            old = old.exclude(pk=current.pk)
        for batch in old:
            with transaction.atomic():
                ROW_MODELS[kind].objects.filter(batch_id=batch.pk).delete()
                RosterBatch.objects.filter(pk=batch.pk).update(rows_purged_at=timezone.now())
            if batch.file:
                batch.file.delete(save=False)
                RosterBatch.objects.filter(pk=batch.pk).update(file="")
            purged += 1
    # Files of batches that never became a snapshot are kept as long, then deleted.
    for batch in RosterBatch.objects.filter(
            status__in=[RosterBatch.Status.REJECTED, RosterBatch.Status.FAILED],
            received_at__date__lt=cutoff).exclude(file=""):
        batch.file.delete(save=False)
        RosterBatch.objects.filter(pk=batch.pk).update(file="")
    return purged
