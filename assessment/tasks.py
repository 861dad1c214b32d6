"""Celery beat (settings.CELERY_BEAT_SCHEDULE): the monthly indicator snapshots (the 1st at
04:00 Asia/Shanghai, after the nightly comparison of the month's last day has run) and the
nightly materialisation and ranking warm-up (02:30); and the materialisation a page queues."""

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
    """After the nightly comparison (beat, 02:30 Asia/Shanghai): materialise the snapshot
    indicators' rows and counts for this year and last year (the baseline of the
    interruption rate), which does nothing for inputs already materialised, then compute
    this year's ranking once. The day's first view then reads counts, not snapshot rows;
    tasks and postings are counted live on every view. Returns the number of districts ranked."""
    from assessment import selectors, services

    period = selectors.period_get(timezone.localdate().year)
    try:
        services.indicators_materialise(period=period)
        services.indicators_materialise(period=period.last_year)
        return len(selectors.ranking_list(period))
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=3, default_retry_delay=300, acks_late=True)
def indicator_materialise_task(self, *, code: str, year: int, as_of: str) -> int:
    """Materialise one snapshot indicator for a period (queued by a page that found the
    current inputs not yet materialised). Returns the rows written (0: nothing to do)."""
    from assessment import selectors, services

    period = selectors.period_get(year, as_of=dt.date.fromisoformat(as_of))
    try:
        run = services.indicator_materialise(code=code, period=period)
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc
    return run.rows if run is not None else 0
