"""SMS push pages: who may use them, a campaign from the form to the preview, the send
button (once), the progress fragment, the delivery log, the opt-out list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from enforcement.models import TaskEvent
from outreach.models import SmsCampaign, SmsMessage, SmsOptOut
from tests.factories import make_user
from tests.outreach.sms_helpers import make_campaign, person_task, phone_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_client():
    """A browser session for a user (client_for gives an API client)."""
    from django.test import Client

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.WUHAI_SMS_BACKOFF_MS = 0
    settings.VAR_DIR = tmp_path


def _form(**kw):
    data = {
        "kinds": ["enroll_person"],
        "statuses": ["open", "assigned"],
        "template": "{姓氏}您好，请于{截止日期}前办理。回复TD退订",
        "deadline": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "street": "",
    }
    data.update(kw)
    return data


def test_a_caseworker_prepares_a_campaign_and_sees_the_preview(page_client, caseworker):
    for _ in range(4):
        person_task()
    person_task(phone=None)
    client = page_client(caseworker)
    assert client.get("/outreach/sms/new/").status_code == 200
    res = client.post("/outreach/sms/new/", _form())
    campaign = SmsCampaign.objects.get()
    assert res.status_code == 302 and res["Location"] == f"/outreach/sms/{campaign.pk}/"
    page = client.get(res["Location"]).content.decode()
    assert page.count('class="sms-sample"') == 3
    assert "陈女士您好" in page and "发送 4 条短信" in page
    assert "无手机号 1" in page


def test_a_bad_template_answers_400_with_the_reason(page_client, caseworker):
    res = page_client(caseworker).post("/outreach/sms/new/", _form(template="{姓名}您好"))
    assert res.status_code == 400 and "未知的占位符" in res.content.decode()
    res = page_client(caseworker).post("/outreach/sms/new/", _form(kinds=["enroll_employer"]))
    assert res.status_code == 400
    assert not SmsCampaign.objects.exists()


def test_a_caseworker_cannot_pick_another_districts_street(page_client, caseworker):
    res = page_client(caseworker).post("/outreach/sms/new/", _form(street="150304002"))
    assert res.status_code == 400 and "请选择辖区内的街道" in res.content.decode()


def test_sending_runs_the_job_and_a_second_send_is_refused(
    page_client, caseworker, django_capture_on_commit_callbacks
):
    task = person_task()
    campaign = make_campaign(caseworker)
    client = page_client(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        res = client.post(f"/outreach/sms/{campaign.pk}/send/")
    assert res.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "finished" and campaign.sent_by == caseworker
    assert TaskEvent.objects.filter(task=task, kind="sms_sent").count() == 1
    assert client.post(f"/outreach/sms/{campaign.pk}/send/").status_code == 409
    # The task page shows the message on the timeline, the phone nowhere in full.
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "短信推送" in page and phone_of(task) not in page
    log = client.get(f"/outreach/sms/{campaign.pk}/?status=sent").content.decode()
    assert phone_of(task)[:3] + "****" in log and phone_of(task) not in log


def test_the_progress_fragment_polls_while_sending(page_client, caseworker):
    person_task()
    campaign = make_campaign(caseworker)
    SmsCampaign.objects.filter(pk=campaign.pk).update(status="sending", progress={"done": 0, "total": 1})
    res = page_client(caseworker).get(f"/outreach/sms/{campaign.pk}/", HTTP_HX_REQUEST="true")
    body = res.content.decode()
    assert res.status_code == 200 and 'hx-trigger="every 2s"' in body and "<progress" in body
    assert "<html" not in body


def test_campaigns_stay_in_their_district(page_client, caseworker, other_caseworker, city_manager):
    person_task()
    campaign = make_campaign(caseworker)
    assert page_client(other_caseworker).get(f"/outreach/sms/{campaign.pk}/").status_code == 404
    assert page_client(other_caseworker).post(f"/outreach/sms/{campaign.pk}/send/").status_code == 404
    assert (
        str(campaign.pk)
        not in page_client(other_caseworker).get("/outreach/sms/").content.decode().split("<tbody>")[1]
    )
    assert page_client(city_manager).get(f"/outreach/sms/{campaign.pk}/").status_code == 200
    assert SmsCampaign.objects.get().status == "prepared"


@pytest.mark.parametrize("role", ["street_staff", "inspector"])
def test_roles_without_send_sms_are_refused(page_client, role):
    user = make_user(role, street="150302001" if role == "street_staff" else None)
    for url in ("/outreach/sms/", "/outreach/sms/new/", "/outreach/sms/opt-outs/"):
        assert page_client(user).get(url).status_code == 403


def test_staff_enter_opt_outs_and_see_them_masked(page_client, caseworker):
    client = page_client(caseworker)
    assert (
        client.post("/outreach/sms/opt-outs/", {"phone": "137 1234 5678", "note": "电话要求"}).status_code
        == 302
    )
    assert client.post("/outreach/sms/opt-outs/", {"phone": "12345"}).status_code == 400
    page = client.get("/outreach/sms/opt-outs/").content.decode()
    assert "137****5678" in page and "13712345678" not in page
    entry = SmsOptOut.objects.get()
    assert (entry.phone, entry.source, entry.created_by) == ("13712345678", "manual", caseworker)
    assert SmsMessage.objects.count() == 0


def test_with_redis_down_the_send_is_recorded_and_flushed_later(
    page_client, caseworker, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError as BrokerDown

    from wuhai_coverage.celery import app
    from wuhai_coverage.outbox import services as outbox
    from wuhai_coverage.outbox.models import OutboxMessage

    state = {"up": False, "sent": []}

    def send_task(name, kwargs=None, **_):
        if not state["up"]:
            raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        state["sent"].append((name, kwargs))

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app, "send_task", send_task)
    person_task()
    campaign = make_campaign(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        res = page_client(caseworker).post(f"/outreach/sms/{campaign.pk}/send/")
    assert res.status_code == 302  # the caseworker is not kept waiting for Redis
    campaign.refresh_from_db()
    message = OutboxMessage.objects.get()
    assert campaign.status == "queued" and message.sent_at is None
    assert message.task == "outreach.sms.tasks.sms_campaign_send_task"
    state["up"] = True
    assert outbox.flush(now=timezone.now() + dt.timedelta(minutes=1)) == 1
    assert state["sent"] == [("outreach.sms.tasks.sms_campaign_send_task", {"campaign_id": campaign.pk})]


def test_a_city_manager_picks_a_district_and_a_street_that_agree(page_client, city_manager):
    person_task(district="150304", street="150304002")
    client = page_client(city_manager)
    assert 'name="district"' in client.get("/outreach/sms/new/").content.decode()
    res = client.post("/outreach/sms/new/", _form(district="150302", street="150304002"))
    assert res.status_code == 400 and "所选街道不在所选区内" in res.content.decode()
    res = client.post("/outreach/sms/new/", _form(street="150304002"))
    campaign = SmsCampaign.objects.get()
    assert res.status_code == 302 and (campaign.district_id, campaign.street_id) == ("150304", "150304002")
    assert campaign.messages.count() == 1
