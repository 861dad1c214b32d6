"""Thin Celery wrappers around enrollment.services."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError, connection

# The database went away (a PostgreSQL restart, a dropped connection): retry soon, on a
# new connection. Each retry of roster_process_task counts as an attempt of the batch.
DB_ERRORS = (OperationalError, InterfaceError)
DB_RETRY_DELAY = 10  # seconds


@shared_task(bind=True, max_retries=5, default_retry_delay=DB_RETRY_DELAY, acks_late=True)
def roster_process_task(self, *, batch_id: int) -> None:
    """Load a queued batch. Redelivered after a worker died, it starts the batch again
    until services.MAX_ATTEMPTS, then fails it (services.roster_process)."""
    from enrollment import services
    from wuhai_coverage.outbox.services import claim

    try:
        claim(services.TASK, batch_id=batch_id)
        services.roster_process(batch_id=batch_id)
    except DB_ERRORS as exc:
        connection.close()
        raise self.retry(exc=exc) from exc
    finally:
        # A file is minutes of work: reconnecting once per file costs nothing, and a
        # connection left open in a worker thread outlives the task (and, in tests,
        # blocks dropping the test database). Never inside a caller's transaction.
        if not connection.in_atomic_block:
            connection.close()


@shared_task(acks_late=True)
def roster_sweep_task() -> dict:
    """Beat (every FAULT_SWEEP_SECONDS): batches whose worker died are sent again, or
    failed after MAX_ATTEMPTS; per-batch tables no batch needs are dropped."""
    from enrollment import services

    try:
        return {**services.roster_sweep(), "tables_dropped": services.roster_tables_sweep()}
    finally:
        if not connection.in_atomic_block:
            connection.close()


@shared_task(acks_late=True)
def roster_retention_task() -> None:
    """Nightly: retry or fail batches whose worker died, drop rows of expired snapshots."""
    from enrollment import services

    services.roster_sweep()
    services.roster_tables_sweep()
    services.roster_retention()


@shared_task(bind=True, max_retries=3, default_retry_delay=60, acks_late=True)
def registry_refresh_task(self, *, as_of: str | None = None) -> dict:
    """Nightly (after the comparison): Employer/Person/Enrollment from the current snapshots.
    Safe to redeliver: a refresh over unchanged snapshots writes nothing."""
    import datetime as dt

    from enrollment.registry import registry_refresh

    try:
        summary = registry_refresh(as_of=dt.date.fromisoformat(as_of) if as_of else None)
    except DB_ERRORS as exc:
        connection.close()
        raise self.retry(exc=exc) from exc
    finally:
        if not connection.in_atomic_block:
            connection.close()
    return summary.as_dict()
