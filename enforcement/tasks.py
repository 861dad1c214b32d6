"""Celery tasks of enforcement: thin wrappers around the comparison engine."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError, connection

log = logging.getLogger(__name__)

# The database went away mid-run (a PostgreSQL restart): nothing was written (the write is
# one transaction), so the run is retried on a new connection a little later.
DB_ERRORS = (OperationalError, InterfaceError)
DB_RETRY_DELAY = 10  # seconds
# A queued run that waited engine.QUEUED_LOCK_WAIT_SECONDS for the comparison's lock in vain
# is sent again this many times, this far apart, before it is left to the nightly.
LOCK_BUSY_RETRIES = 10
LOCK_BUSY_DELAY = 60  # seconds


def _close_connection() -> None:
    if not connection.in_atomic_block:
        connection.close()


@shared_task(bind=True, acks_late=True, max_retries=2, default_retry_delay=DB_RETRY_DELAY)
def comparison_nightly_task(self) -> dict | None:
    """Beat, 02:00 Asia/Shanghai: the comparison of today's current snapshots (after any
    run queued by a city manager that no worker has taken yet)."""
    from enforcement.comparison.engine import (
        RunInProgress,
        dispatch_comparison,
        fanout_enabled,
        run_comparison,
    )

    try:
        summary = dispatch_comparison(trigger="beat") if fanout_enabled() else run_comparison(trigger="beat")
        return summary.as_json() if summary else None  # None: its parts are on the workers
    except RunInProgress as exc:  # one run at a time: never interleave, just say so
        log.warning("nightly comparison not started: %s", exc)
        return None
    except DB_ERRORS as exc:
        _close_connection()
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, acks_late=True, max_retries=2, default_retry_delay=DB_RETRY_DELAY)
def comparison_run_task(self, *, run_id: int) -> dict | None:
    """Execute a run queued by the portal or the API (ComparisonRun row already `running`).
    Retried after a database error (the run is executed again, engine.MAX_RUN_ATTEMPTS in
    all); any other failure marks the run failed and a city manager starts a new one."""
    from enforcement.comparison.engine import (
        TASK_NAME,
        LockBusy,
        RunInProgress,
        dispatch_run,
        execute_run,
        fanout_enabled,
    )
    from enforcement.models import ComparisonRun
    from wuhai_coverage.outbox.services import claim

    try:
        claim(TASK_NAME, run_id=run_id)
        run = ComparisonRun.objects.filter(pk=run_id).first()
        if run is None:
            log.warning("comparison run %s does not exist", run_id)
            return None
        summary = dispatch_run(run) if fanout_enabled() else execute_run(run)
        return summary.as_json() if summary else None  # None: its parts are on the workers
    except LockBusy as exc:  # still queued behind another execution: try again later
        if self.request.retries < LOCK_BUSY_RETRIES:
            raise self.retry(exc=exc, countdown=LOCK_BUSY_DELAY, max_retries=LOCK_BUSY_RETRIES) from exc
        # Left queued: the nightly executes queued runs first (engine._run_queued_locked).
        log.warning("comparison run %s left queued: %s", run_id, exc)
        return None
    except RunInProgress as exc:  # delivered twice, or reaped meanwhile
        log.warning("comparison run %s not executed: %s", run_id, exc)
        return None
    except DB_ERRORS as exc:
        _close_connection()
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, acks_late=True)
def comparison_part_task(self, *, run_id: int, part: str) -> str:
    """One part of a fanned-out run (engine.run_part): facts of one subject, or one rule's
    candidates, into the run's staging tables. A worker that dies in it leaves only staging
    rows: the sweep sends the part again (engine.MAX_RUN_ATTEMPTS in all) or fails the run."""
    from enforcement.comparison.engine import PART_TASK, run_part
    from wuhai_coverage.outbox.services import claim

    try:
        claim(PART_TASK, run_id=run_id, part=part)
        return run_part(run_id, part, worker=self.request.hostname or "")
    finally:
        _close_connection()


@shared_task(acks_late=True)
def comparison_apply_task(*, run_id: int) -> dict | None:
    """The fan-out's callback, sent by the part that completes the last stage: the run's
    writes in one transaction under the comparison's lock (engine.apply_run)."""
    from enforcement.comparison.engine import APPLY_TASK, RunInProgress, apply_run
    from wuhai_coverage.outbox.services import claim

    try:
        claim(APPLY_TASK, run_id=run_id)
        summary = apply_run(run_id)
        return summary.as_json() if summary else None
    except RunInProgress as exc:
        log.warning("comparison run %s not written: %s", run_id, exc)
        return None
    finally:
        _close_connection()


@shared_task(acks_late=True)
def comparison_sweep_task() -> int:
    """Beat (every FAULT_SWEEP_SECONDS): runs left `running` by a worker that died are
    marked failed, so that neither the API nor the nightly run is refused for them."""
    from enforcement.comparison.engine import reap_dead_runs

    try:
        return reap_dead_runs()
    finally:
        _close_connection()


# The blacklist's nightly job lives with its package; imported here so the worker finds it.
from enforcement.blacklist.tasks import blacklist_nightly_task as blacklist_nightly_task  # noqa: E402

# The cases' nightly job lives with the cases; imported here so that the worker's
# autodiscovery (which reads enforcement.tasks) registers it.
from enforcement.cases.tasks import case_deadlines_task as case_deadlines_task  # noqa: E402
