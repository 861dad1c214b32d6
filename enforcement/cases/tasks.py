"""Celery tasks of the cases: thin wrappers around the services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError, connection

log = logging.getLogger(__name__)

# As the comparison's tasks (enforcement/tasks.py, which imports this module): the
# database went away, nothing was written (each case moves in its own transaction).
DB_ERRORS = (OperationalError, InterfaceError)
DB_RETRY_DELAY = 10  # seconds


@shared_task(bind=True, acks_late=True, max_retries=2, default_retry_delay=DB_RETRY_DELAY)
def case_deadlines_task(self) -> list[int]:
    """Beat, 01:30 Asia/Shanghai: orders whose deadline passed unrectified move to
    `unrectified` (the inspectors' "ready to propose" list). Safe to repeat."""
    from enforcement.cases.services import case_overdue_orders_mark

    try:
        moved = case_overdue_orders_mark()
    except DB_ERRORS as exc:
        if not connection.in_atomic_block:
            connection.close()
        raise self.retry(exc=exc) from exc
    log.info("case deadlines: %d case(s) now unrectified", len(moved))
    return moved
