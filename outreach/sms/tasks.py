"""Celery task of SMS pushes: a thin wrapper around services.campaign_send."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError, connection

DB_ERRORS = (OperationalError, InterfaceError)
DB_RETRY_DELAY = 10  # seconds


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=DB_RETRY_DELAY)
def sms_campaign_send_task(self, *, campaign_id: int) -> dict | None:
    """Send a queued campaign. Delivered twice (or retried after a database error), it
    sends only what is still pending: each person is claimed before the gateway sees them."""
    from outreach.sms.services import SEND_TASK, campaign_send
    from wuhai_coverage.outbox.services import claim

    claim(SEND_TASK, campaign_id=campaign_id)
    try:
        result = campaign_send(campaign_id=campaign_id)
    except DB_ERRORS as exc:
        if not connection.in_atomic_block:
            connection.close()
        # The campaign is marked failed; the retry takes it up where it stopped.
        raise self.retry(exc=exc) from exc
    return {"sent": result.sent, "failed": result.failed, "skipped": result.skipped}
