"""The portal's Celery app. Without CELERY_BROKER_URL, tasks run eagerly in-process."""

import logging
import os
import time

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuhai_coverage.settings")

app = Celery("wuhai_coverage")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger(__name__)

# pg_advisory_lock key held by the one beat process for its lifetime.
BEAT_LOCK_KEY = 0x5748_4245_4154  # "WHBEAT"
_beat_lock_connection = None


@beat_init.connect
def _one_beat(sender=None, **_kwargs) -> None:
    """One beat per installation: a second beat waits here until the first one is gone
    (its session, and so the lock, ends with its process). PostgreSQL only; cheap."""
    global _beat_lock_connection
    from django.db import connections

    if connections["default"].vendor != "postgresql":
        return
    # A connection of its own, never closed by Django's per-task clean-up.
    conn = connections.create_connection("default")
    conn.ensure_connection()
    conn.connection.autocommit = True
    waited = False
    while True:
        with conn.connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%(key)s)", {"key": BEAT_LOCK_KEY})
            if cur.fetchone()[0]:
                break
        if not waited:
            log.warning("another celery beat is running (it holds the beat lock): waiting for it to stop")
            waited = True
        time.sleep(10)
    _beat_lock_connection = conn
