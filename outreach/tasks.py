"""Celery tasks of outreach, found by the app's autodiscovery (`<app>.tasks`)."""

from outreach.sms.tasks import sms_campaign_send_task  # noqa: F401
