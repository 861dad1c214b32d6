"""One message per person per 7 days holds across concurrent senders: the database
decides (PostgreSQL, separate connections in threads), not the Python of either sender."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from outreach.models import SmsMessage, SmsPersonLedger
from outreach.sms import services
from outreach.sms.gateways import Gateway
from tests.factories import make_user
from tests.outreach.sms_helpers import make_campaign, person_task

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _on_postgresql():
    """The suite runs on PostgreSQL (scripts/test.sh); these tests are about its row locks,
    so they fail rather than skip anywhere else."""
    assert connection.vendor == "postgresql", "concurrent senders' row locks need PostgreSQL"


class CountingGateway(Gateway):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[str] = []

    def send(self, *, phone: str, text: str, ref: str) -> str:
        with self.lock:
            self.sent.append(phone)
        time.sleep(0.001)
        return f"id-{ref}"


def _in_thread(fn, errors: list):
    def run():
        try:
            fn()
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def test_two_concurrent_campaigns_send_each_person_once(settings):
    settings.WUHAI_SMS_RATE_PER_SECOND = 10_000
    settings.WUHAI_SMS_BACKOFF_MS = 0
    caseworker = make_user("district_caseworker", district="150302")
    for _ in range(60):
        person_task()
    first, second = make_campaign(caseworker), make_campaign(caseworker)
    for campaign in (first, second):
        type(campaign).objects.filter(pk=campaign.pk).update(status="queued", sent_by=caseworker)
    gateway, errors = CountingGateway(), []
    start = threading.Barrier(2)

    def sender(campaign_id):
        def go():
            start.wait()
            services.campaign_send(campaign_id=campaign_id, gateway=gateway)

        return go

    threads = [_in_thread(sender(c.pk), errors) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(gateway.sent) == 60 and len(set(gateway.sent)) == 60
    sent = SmsMessage.objects.filter(status="sent").count()
    skipped = SmsMessage.objects.filter(status="skipped", skip_reason="recent").count()
    assert (sent, skipped) == (60, 60)


def test_a_second_claim_waits_for_the_first_and_then_claims_nobody():
    caseworker = make_user("district_caseworker", district="150302")
    task = person_task()
    first, second = make_campaign(caseworker), make_campaign(caseworker)
    ids = {c.pk: SmsMessage.objects.get(campaign=c).pk for c in (first, second)}
    claimed_first, release, results, errors = threading.Event(), threading.Event(), {}, []

    def claim(campaign, wait_for=None, hold=None):
        def go():
            if wait_for:
                wait_for.wait(10)
            now = timezone.now()
            with transaction.atomic(), connection.cursor() as cursor:
                results[campaign.pk] = services._claim(
                    cursor, campaign_id=campaign.pk, lo=ids[campaign.pk], hi=ids[campaign.pk], now=now
                )
                if hold:
                    claimed_first.set()
                    hold.wait(10)  # the first sender has not committed yet

        return go

    a = _in_thread(claim(first, hold=release), errors)
    b = _in_thread(claim(second, wait_for=claimed_first), errors)
    a.start()
    b.start()
    time.sleep(0.5)
    assert b.is_alive(), "the second claim must wait on the first one's row lock"
    release.set()
    a.join(10)
    b.join(10)
    assert not errors, errors
    assert results == {first.pk: {task.subject_key}, second.pk: set()}
    assert SmsPersonLedger.objects.get().campaign_id == first.pk
