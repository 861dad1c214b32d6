"""The transactional outbox: a message is recorded with the work it starts, sent after the
commit, kept while the broker is away, sent by the flush once it is back, and deleted by
the task when it starts. (The end-to-end version with a real Redis stopped and started is
tests/core/test_faults.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from wuhai_coverage.outbox import services as outbox
from wuhai_coverage.outbox.models import OutboxMessage

TASK = "enrollment.tasks.roster_process_task"


@pytest.fixture
def broker(monkeypatch, settings):
    """The web side with a broker that can be switched off; records what it was sent."""
    from wuhai_coverage.celery import app

    state = {"up": True, "sent": []}

    def send_task(name, kwargs=None, **_):
        if not state["up"]:
            raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        state["sent"].append((name, kwargs))

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app, "send_task", send_task)
    return state


@pytest.mark.django_db
def test_a_message_is_sent_after_commit_and_deleted_when_its_task_starts(
    broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox.enqueue(TASK, batch_id=7)
        assert broker["sent"] == []  # nothing leaves before the commit
    assert broker["sent"] == [(TASK, {"batch_id": 7})]
    assert OutboxMessage.objects.get().sent_at is not None
    outbox.claim(TASK, batch_id=7)
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_transaction_sends_nothing(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue(TASK, batch_id=8)
            raise RuntimeError
    assert broker["sent"] == [] and not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_with_the_broker_down_the_message_waits_for_the_flush(broker, django_capture_on_commit_callbacks):
    broker["up"] = False
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(TASK, batch_id=9)
    msg = OutboxMessage.objects.get()
    assert msg.sent_at is None and msg.send_attempts == 1 and "Connection refused" in msg.last_error
    later = timezone.now() + dt.timedelta(seconds=30)
    assert outbox.flush(now=later) == 0  # still down: kept
    broker["up"] = True
    assert outbox.flush(now=timezone.now()) == 0  # too young: its own after-commit send may be running
    assert outbox.flush(now=later) == 1
    assert broker["sent"] == [(TASK, {"batch_id": 9})]
    assert OutboxMessage.objects.get().sent_at is not None


@pytest.mark.django_db
def test_a_message_sent_but_never_started_is_sent_again(broker, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(TASK, batch_id=10)
    assert outbox.flush(now=timezone.now() + dt.timedelta(minutes=5)) == 0
    lost = timezone.now() + dt.timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS + 1)
    assert outbox.flush(now=lost) == 1 and len(broker["sent"]) == 2


@pytest.mark.django_db
def test_without_a_broker_no_message_is_recorded_and_the_task_runs_in_process(
    django_capture_on_commit_callbacks, monkeypatch
):
    from enrollment import tasks

    ran = []
    monkeypatch.setattr(tasks.roster_process_task, "delay", lambda **kw: ran.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(TASK, batch_id=11)
    assert ran == [{"batch_id": 11}] and not OutboxMessage.objects.exists()
