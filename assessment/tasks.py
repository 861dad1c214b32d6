"""Celery beat: the monthly indicator snapshots (settings.CELERY_BEAT_SCHEDULE, the 1st at
04:00 Asia/Shanghai, after the nightly comparison of the month's last day has run)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone


@shared_task(bind=True, max_retries=3, default_retry_delay=300, acks_late=True)
def indicator_snapshot_monthly_task(self, *, as_of: str | None = None) -> int:
    """Snapshot every district's indicators as of the last day of the previous month
    (or `as_of`, YYYY-MM-DD). Rerunning replaces the same day's snapshot."""
    from assessment import services

    day = dt.date.fromisoformat(as_of) if as_of else services.month_end_before(timezone.localdate())
    try:
        return services.snapshot_take(as_of=day)
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=3, default_retry_delay=300, acks_late=True)
def ranking_warm_up_task(self) -> int:
    """Compute this year's ranking once, after the nightly comparison (beat, 02:30
    Asia/Shanghai), so that the snapshot indicators' counts — seconds each at Wuhai scale —
    are in the shared cache before the first manager opens /assessment/. Tasks and
    postings are counted live on every view anyway. Returns the number of districts ranked."""
    from assessment import selectors

    period = selectors.period_get(timezone.localdate().year)
    try:
        return len(selectors.ranking_list(period))
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc
