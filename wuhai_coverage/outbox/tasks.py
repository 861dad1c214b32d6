"""Beat, every OUTBOX_FLUSH_SECONDS: send what the broker missed (services.flush)."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def outbox_flush_task() -> int:
    from wuhai_coverage.outbox.services import flush

    return flush()
