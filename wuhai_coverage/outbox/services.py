"""Sending Celery tasks through the transactional outbox.

`enqueue(task, **kwargs)`, called inside the transaction that creates the batch or the
run, writes an `OutboxMessage` in that same transaction; after the commit the message is
published to the broker with a bounded timeout (settings: CELERY_BROKER_TRANSPORT_OPTIONS,
CELERY_TASK_PUBLISH_RETRY_POLICY), so a broker that is down costs the request about two
seconds and nothing else: the batch or run is recorded, the caller gets 202.

A row the broker never got (`sent_at IS NULL`) is published by `flush` — the beat job
`outbox-flush`, every OUTBOX_FLUSH_SECONDS — once the broker is back. The task deletes
its row when it starts (`claim`); a row still there OUTBOX_RESEND_AFTER_SECONDS after
it was sent was lost by the broker (a restart without persistence) and is sent again.
Every task sent this way is idempotent (a batch that is no longer processing, a run that
is no longer running: nothing to do), so a message sent twice costs nothing.

Without a broker (the embedded default, and tests that run tasks eagerly) no row is
written: the task runs in-process after the commit, as before.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from wuhai_coverage.outbox.models import OutboxMessage

log = logging.getLogger(__name__)

# A row younger than this is left to its own after-commit send (flush would race it).
FLUSH_GRACE = dt.timedelta(seconds=5)
# Rows published per flush: a flush after a long broker outage is spread over minutes.
FLUSH_BATCH = 500


def eager() -> bool:
    from wuhai_coverage.celery import app

    return bool(app.conf.task_always_eager or getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


def message_key(task: str, kwargs: dict) -> str:
    return f"{task}:{json.dumps(kwargs, sort_keys=True, separators=(',', ':'))}"[:255]


def enqueue(task: str, **kwargs) -> None:
    """Record that `task(**kwargs)` must run, in the caller's transaction; send it after commit."""
    if eager():
        func = import_string(task)
        transaction.on_commit(lambda: func.delay(**kwargs))
        return
    key = message_key(task, kwargs)
    with transaction.atomic():
        msg, created = OutboxMessage.objects.get_or_create(key=key, defaults={"task": task, "kwargs": kwargs})
        if not created and msg.sent_at is not None:
            OutboxMessage.objects.filter(pk=msg.pk).update(sent_at=None)
    transaction.on_commit(lambda: send(msg.pk))


def send(pk: int) -> bool:
    """Publish one row; False when the broker could not be reached (the row stays due)."""
    from wuhai_coverage.celery import app

    msg = OutboxMessage.objects.filter(pk=pk).first()
    if msg is None:  # the task started already
        return True
    try:
        app.send_task(msg.task, kwargs=msg.kwargs)
    except Exception as exc:  # kombu's OperationalError, socket errors, timeouts: the broker is away
        log.warning(
            "outbox: %s not sent, the broker is unreachable (%s: %s); the outbox-flush job will send it",
            msg.key,
            type(exc).__name__,
            exc,
        )
        OutboxMessage.objects.filter(pk=pk).update(
            send_attempts=F("send_attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:500]
        )
        return False
    OutboxMessage.objects.filter(pk=pk).update(
        sent_at=timezone.now(), send_attempts=F("send_attempts") + 1, last_error=""
    )
    return True


def claim(task: str, **kwargs) -> None:
    """Called by the task when it starts: its message has arrived."""
    OutboxMessage.objects.filter(key=message_key(task, kwargs)).delete()


def pending(task: str, **kwargs) -> bool:
    return OutboxMessage.objects.filter(key=message_key(task, kwargs)).exists()


def flush(*, now: dt.datetime | None = None) -> int:
    """Send every due row (never sent, or sent long ago and never started); stops at the
    first failure (the broker is still away). Returns the rows sent."""
    now = now or timezone.now()
    resend_after = dt.timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
    due = (
        OutboxMessage.objects.filter(
            Q(sent_at__isnull=True, created_at__lt=now - FLUSH_GRACE) | Q(sent_at__lt=now - resend_after)
        )
        .order_by("id")
        .values_list("pk", flat=True)[:FLUSH_BATCH]
    )
    sent = 0
    for pk in list(due):
        if not send(pk):
            break
        sent += 1
    if sent:
        log.info("outbox: %s queued task(s) sent", sent)
    return sent
