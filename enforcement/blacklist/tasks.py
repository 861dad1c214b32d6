"""Celery tasks of the blacklist: thin wrappers around its services."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=60)
def blacklist_nightly_task(self) -> dict[str, int]:
    """Beat, 01:10 Asia/Shanghai: entries at the end of their listing period are removed,
    notified entries past their statement period go to review. Safe to repeat."""
    from enforcement.blacklist.services import blacklist_nightly

    try:
        return blacklist_nightly()
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc) from exc
