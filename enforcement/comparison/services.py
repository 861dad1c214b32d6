"""Writes around comparison runs used by the portal and the API (the engine does the run)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from enforcement.comparison.engine import RunInProgress, run_comparison, start_run
from enforcement.models import ComparisonRun

__all__ = ["RunInProgress", "comparison_request_run"]


def _eager() -> bool:
    from wuhai_coverage.celery import app

    return bool(app.conf.task_always_eager or getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


def comparison_request_run(*, user, as_of: dt.date | None = None, trigger: str = "portal") -> tuple[ComparisonRun, bool]:
    """Start a run for a city manager. Without a broker (the demo) it runs inline and the
    finished run is returned with True; with one it is queued for a worker (False).
    Raises RunInProgress when a run is already running."""
    from enforcement.tasks import comparison_run

    if _eager():
        summary = run_comparison(as_of=as_of, trigger=trigger, user=user)
        return ComparisonRun.objects.get(pk=summary.run_id), True
    run = start_run(as_of=as_of, trigger=trigger, user=user)
    transaction.on_commit(lambda: comparison_run.delay(run_id=run.pk))
    return run, False
