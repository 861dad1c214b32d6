"""A campaign sent by a real Celery worker on Redis: queued through the outbox, every
message through the file gateway, each on its task's timeline."""

from __future__ import annotations

import json
import time

import pytest

from enforcement.models import TaskEvent
from outreach.models import SmsCampaign, SmsMessage
from outreach.sms import services
from outreach.sms.gateways import FileGateway
from tests.factories import make_user
from tests.outreach.sms_helpers import make_campaign, person_task


@pytest.mark.django_db(transaction=True)
def test_a_campaign_is_sent_by_a_real_worker(celery_worker, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    caseworker = make_user("district_caseworker", district="150302")
    tasks = [person_task() for _ in range(5)]
    person_task(phone=None)
    campaign = make_campaign(caseworker)
    services.campaign_send_request(campaign=campaign, actor=caseworker)
    for _ in range(300):
        campaign.refresh_from_db()
        if campaign.status in ("finished", "failed"):
            break
        time.sleep(0.1)
    assert campaign.status == "finished", campaign.error
    assert campaign.progress == {"done": 6, "total": 6}
    assert SmsMessage.objects.filter(status="sent").count() == 5
    assert TaskEvent.objects.filter(task__in=tasks, kind="sms_sent").count() == 5
    lines = FileGateway(tmp_path / "sms").path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5 and all(json.loads(line)["text"].startswith("【乌海人社】") for line in lines)
    assert SmsCampaign.objects.get().sent_by == caseworker
