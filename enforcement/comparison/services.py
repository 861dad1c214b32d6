"""Writes around comparison runs used by the portal and the API (the engine does the run)."""

from __future__ import annotations

import datetime as dt

from enforcement.comparison.engine import RunInProgress, run_comparison, start_run
from enforcement.models import ComparisonRun
from wuhai_coverage.outbox.services import eager

__all__ = ["RunInProgress", "comparison_request_run"]


def comparison_request_run(
    *, user, as_of: dt.date | None = None, trigger: str = "portal"
) -> tuple[ComparisonRun, bool]:
    """Start a run for a city manager. Without a broker (the demo) it runs inline and the
    finished run is returned with True; with one it is queued for a worker (False) through
    the outbox: recorded even while the broker is down, and sent once it is back.
    Raises RunInProgress when a run is already running."""
    if eager():
        summary = run_comparison(as_of=as_of, trigger=trigger, user=user)
        return ComparisonRun.objects.get(pk=summary.run_id), True
    return start_run(as_of=as_of, trigger=trigger, user=user), False
