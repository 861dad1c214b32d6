"""Celery tasks of enforcement: thin wrappers around the comparison engine."""
from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def comparison_run_nightly() -> dict | None:
    """Beat, 02:00 Asia/Shanghai: the comparison of today's current snapshots."""
    from enforcement.comparison.engine import RunInProgress, run_comparison

    try:
        return run_comparison(trigger="beat").as_json()
    except RunInProgress as exc:  # one run at a time: never interleave, just say so
        log.warning("nightly comparison not started: %s", exc)
        return None


@shared_task(acks_late=True)
def comparison_run(*, run_id: int) -> dict | None:
    """Execute a run queued by the portal or the API (ComparisonRun row already `running`).
    Not retried: a failed run is marked failed and a city manager starts a new one."""
    from enforcement.comparison.engine import RunInProgress, execute_run
    from enforcement.models import ComparisonRun

    run = ComparisonRun.objects.filter(pk=run_id).first()
    if run is None:
        log.warning("comparison run %s does not exist", run_id)
        return None
    try:
        return execute_run(run).as_json()
    except RunInProgress as exc:  # delivered twice, or reaped meanwhile
        log.warning("comparison run %s not executed: %s", run_id, exc)
        return None
