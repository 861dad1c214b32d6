"""Celery beat: the monthly indicator snapshots (settings.CELERY_BEAT_SCHEDULE, the 1st at
04:00 Asia/Shanghai, after the nightly comparison of the month's last day has run)."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone


@shared_task(bind=True, max_retries=3, default_retry_delay=300, acks_late=True)
def indicator_snapshot_monthly(self, *, as_of: str | None = None) -> int:
    """Snapshot every district's indicators as of the last day of the previous month
    (or `as_of`, YYYY-MM-DD). Rerunning replaces the same day's snapshot."""
    from assessment import services

    day = dt.date.fromisoformat(as_of) if as_of else services.month_end_before(timezone.localdate())
    try:
        return services.snapshot_take(as_of=day)
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc
