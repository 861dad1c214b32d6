"""SMS pushes: templates, preparing a campaign (set-based: dedup, opt-out, frequency cap,
jurisdiction), sending (the 7-day rule in the database, retries with backoff, the rate
cap, the task timeline) and receipts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from enforcement.models import TaskEvent
from outreach.models import SmsCampaign, SmsMessage, SmsOptOut, SmsPersonLedger
from outreach.sms import services
from outreach.sms.gateways import FileGateway, Gateway, GatewayError, GatewayRefused
from tests.factories import OpenTaskFactory, make_user
from tests.outreach.sms_helpers import make_campaign, person_task, phone_of, send_now

pytestmark = pytest.mark.django_db


class FakeGateway(Gateway):
    """Records what it is handed; fails a phone `fail[phone]` times first, refuses `refuse`."""

    def __init__(self, *, fail: dict[str, int] | None = None, refuse: set[str] | None = None) -> None:
        self.fail, self.refuse = dict(fail or {}), set(refuse or ())
        self.sent: list[tuple[str, str, str]] = []
        self.calls = 0

    def send(self, *, phone: str, text: str, ref: str) -> str:
        self.calls += 1
        if phone in self.refuse:
            raise GatewayRefused("HTTP 400")
        if self.fail.get(phone, 0) > 0:
            self.fail[phone] -= 1
            raise GatewayError("HTTP 503")
        self.sent.append((phone, text, ref))
        return f"gw-{len(self.sent)}"


@pytest.fixture
def caseworker_hbw(db):
    return make_user("district_caseworker", district="150302")


@pytest.fixture(autouse=True)
def _no_backoff(settings):
    settings.WUHAI_SMS_BACKOFF_MS = 0
    settings.WUHAI_SMS_RATE_PER_SECOND = 1000


# --- templates -------------------------------------------------------------------------------


def test_an_unknown_placeholder_is_refused_with_the_known_ones_named():
    with pytest.raises(services.SmsError, match=r"\{姓名\}.*\{姓氏\}"):
        services.template_parts("{姓名}您好")


@pytest.mark.parametrize("template", ["您好{", "您好}", "", "   ", "x" * 501])
def test_a_stray_brace_an_empty_or_an_overlong_template_is_refused(template):
    with pytest.raises(services.SmsError):
        services.template_parts(template)


@pytest.mark.parametrize(
    ("name", "sex", "expected"),
    [("陈静", "F", "陈女士"), ("王强", "M", "王先生"), ("李四", "", "李**"), (" 赵 ", "X", "赵**")],
)
def test_the_name_is_masked_to_the_surname(name, sex, expected):
    assert services.salutation(name, sex) == expected


@pytest.mark.parametrize(
    ("length", "parts"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_segments_70_for_one_part_then_67_per_part(length, parts):
    assert services.segments("短" * length) == parts


# --- preparing -------------------------------------------------------------------------------


def test_the_prepared_text_is_the_python_rendering(caseworker_hbw, settings):
    settings.WUHAI_SMS_OFFICE_PHONES = {"150302": "0473-3995012"}
    task = person_task(name="陈静", sex="F", kind="resume_contributions")
    template = "{姓氏}：{原因}｜{经办机构}｜{电话}｜{截止日期}"
    deadline = dt.date(2027, 1, 5)
    campaign = make_campaign(
        caseworker_hbw, template=template, kinds=["resume_contributions"], deadline=deadline
    )
    msg = SmsMessage.objects.get(campaign=campaign)
    assert msg.text == services.render(
        template, name="陈静", sex="F", kind="resume_contributions", district_code="150302", deadline=deadline
    )
    assert msg.text.startswith("陈女士：你的基本养老保险已中断缴费")
    assert "乌海市海勃湾区人力资源和社会保障局｜0473-3995012｜2027年1月5日" in msg.text
    assert "静" not in msg.text and msg.task_id == task.pk


def test_a_campaign_takes_open_person_tasks_of_the_kinds_in_the_district_once_per_person(caseworker_hbw):
    wanted = person_task()
    second_task_same_person = person_task(kind="elderly_enrollment", id_number=wanted.subject_key)
    person_task(district="150304", street="150304002")  # another district
    person_task(status="closed")  # closed: the factory needs a resolution
    OpenTaskFactory()  # an employer task
    other_kind = person_task(kind="subsidized_enrollment")
    campaign = make_campaign(caseworker_hbw, kinds=["enroll_person", "elderly_enrollment"])
    rows = list(SmsMessage.objects.filter(campaign=campaign).values_list("task_id", flat=True))
    assert rows == [wanted.pk]  # one message per person, about the first task
    assert second_task_same_person.pk not in rows and other_kind.pk not in rows
    assert campaign.district_id == "150302" and campaign.progress == {"done": 0, "total": 1}


@pytest.fixture(autouse=True)
def _closed_tasks_get_a_resolution(monkeypatch):
    """person_task(status="closed") needs the resolution the check constraint asks for."""
    from tests import factories

    original = factories.PersonTaskFactory._create.__func__

    def create(cls, model_class, *args, **kwargs):
        if kwargs.get("status") == "closed":
            kwargs.setdefault("resolution", "resolved_by_data")
            kwargs.setdefault("closed_at", timezone.now())
        return original(cls, model_class, *args, **kwargs)

    monkeypatch.setattr(factories.PersonTaskFactory, "_create", classmethod(create))


def test_skipped_persons_are_marked_with_the_reason(caseworker_hbw):
    no_phone = person_task(phone=None)
    landline = person_task(phone="04733995012")
    opted = person_task()
    recent = person_task()
    fine = person_task()
    SmsOptOut.objects.create(phone=phone_of(opted), source="manual")
    SmsPersonLedger.objects.create(
        id_number=recent.subject_key, last_sent_at=timezone.now() - dt.timedelta(days=6)
    )
    campaign = make_campaign(caseworker_hbw)
    got = dict(SmsMessage.objects.filter(campaign=campaign).values_list("task_id", "skip_reason"))
    assert got == {
        no_phone.pk: "no_phone",
        landline.pk: "no_phone",
        opted.pk: "opted_out",
        recent.pk: "recent",
        fine.pk: "",
    }


def test_a_caseworker_cannot_reach_another_district(caseworker_hbw):
    from wuhai_coverage.core.models import District, Street

    with pytest.raises(services.SmsError):
        make_campaign(caseworker_hbw, district=District.objects.get(code="150304"))
    with pytest.raises(services.SmsError):
        make_campaign(caseworker_hbw, street=Street.objects.get(code="150304002"))


def test_street_staff_and_employer_kinds_and_closed_statuses_are_refused(caseworker_hbw):
    with pytest.raises(services.SmsError):
        make_campaign(make_user("street_staff", street="150302001"))
    with pytest.raises(services.SmsError):
        make_campaign(caseworker_hbw, kinds=["enroll_employer"])
    with pytest.raises(services.SmsError):
        make_campaign(caseworker_hbw, statuses=["closed"])
    with pytest.raises(services.SmsError):
        make_campaign(caseworker_hbw, deadline=timezone.localdate() - dt.timedelta(days=1))
    assert not SmsCampaign.objects.exists()


def test_a_city_manager_reaches_every_district_or_one(db):
    manager = make_user("city_manager")
    person_task(district="150302", street="150302001")
    person_task(district="150304", street="150304002")
    assert make_campaign(manager).messages.count() == 2
    from wuhai_coverage.core.models import District

    one = make_campaign(manager, district=District.objects.get(code="150304"))
    assert list(one.messages.values_list("task__district_id", flat=True)) == ["150304"]


# --- sending ---------------------------------------------------------------------------------


def test_sending_hands_each_message_to_the_gateway_and_writes_the_timeline(caseworker_hbw):
    tasks = [person_task() for _ in range(3)]
    campaign = make_campaign(caseworker_hbw)
    gateway = FakeGateway()
    result = send_now(campaign, user=caseworker_hbw, gateway=gateway)
    assert (result.sent, result.failed, result.skipped) == (3, 0, 0)
    campaign.refresh_from_db()
    assert campaign.status == "finished" and campaign.progress == {"done": 3, "total": 3}
    assert len(gateway.sent) == 3 and all(len(phone) == 11 for phone, _t, _r in gateway.sent)
    for task in tasks:
        event = TaskEvent.objects.get(task=task, kind=TaskEvent.Kind.SMS_SENT)
        assert event.actor == caseworker_hbw and event.data["campaign"] == campaign.pk
        assert "****" in event.data["phone"] and event.data["message"].startswith("【乌海人社】陈女士")
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert SmsPersonLedger.objects.count() == 3


def test_sending_twice_sends_nothing_more(caseworker_hbw):
    person_task()
    campaign = make_campaign(caseworker_hbw)
    gateway = FakeGateway()
    send_now(campaign, user=caseworker_hbw, gateway=gateway)
    again = services.campaign_send(campaign_id=campaign.pk, gateway=gateway)
    assert again.sent == 0 and len(gateway.sent) == 1


@pytest.mark.parametrize(
    ("ago", "sent"),
    [
        (dt.timedelta(days=6, hours=23), False),
        (dt.timedelta(days=6, hours=23, minutes=59, seconds=59), False),
        (dt.timedelta(days=7), True),
        (dt.timedelta(days=8), True),
    ],
)
def test_the_7_day_boundary(caseworker_hbw, ago, sent):
    task = person_task()
    campaign = make_campaign(caseworker_hbw)
    # Sent by another campaign `ago` before the moment this one claims the person.
    now = timezone.now()
    SmsPersonLedger.objects.create(id_number=task.subject_key, last_sent_at=now - ago)
    import time_machine

    with time_machine.travel(now, tick=False):
        result = send_now(campaign, user=caseworker_hbw, gateway=FakeGateway())
    msg = SmsMessage.objects.get(campaign=campaign)
    assert (result.sent, msg.status) == ((1, "sent") if sent else (0, "skipped"))
    if not sent:
        assert msg.skip_reason == "recent"
        assert not TaskEvent.objects.filter(task=task, kind="sms_sent").exists()


def test_a_person_in_two_campaigns_gets_one_message(caseworker_hbw):
    person_task()
    first, second = make_campaign(caseworker_hbw), make_campaign(caseworker_hbw)
    gateway = FakeGateway()
    send_now(first, user=caseworker_hbw, gateway=gateway)
    send_now(second, user=caseworker_hbw, gateway=gateway)
    assert len(gateway.sent) == 1
    assert SmsMessage.objects.get(campaign=second).skip_reason == "recent"


def test_an_opt_out_after_preparing_is_honoured_at_sending(caseworker_hbw):
    task = person_task()
    campaign = make_campaign(caseworker_hbw)
    services.opt_out_add(phone=phone_of(task), actor=caseworker_hbw)
    gateway = FakeGateway()
    send_now(campaign, user=caseworker_hbw, gateway=gateway)
    assert gateway.sent == [] and SmsMessage.objects.get().skip_reason == "opted_out"
    assert not SmsPersonLedger.objects.exists()


def test_gateway_errors_are_retried_with_exponential_backoff(caseworker_hbw, settings):
    settings.WUHAI_SMS_BACKOFF_MS = 500
    settings.WUHAI_SMS_MAX_ATTEMPTS = 4
    task = person_task()
    phone = phone_of(task)
    campaign = make_campaign(caseworker_hbw)
    slept: list[float] = []
    send_now(campaign, user=caseworker_hbw, gateway=FakeGateway(fail={phone: 3}), sleep=slept.append)
    msg = SmsMessage.objects.get()
    assert (msg.status, msg.attempts, msg.error) == ("sent", 4, "")
    assert slept == [0.5, 1.0, 2.0]


def test_a_message_that_keeps_failing_is_failed_and_frees_its_person(caseworker_hbw, settings):
    settings.WUHAI_SMS_MAX_ATTEMPTS = 3
    task = person_task()
    phone = phone_of(task)
    campaign = make_campaign(caseworker_hbw)
    gateway = FakeGateway(fail={phone: 99})
    result = send_now(campaign, user=caseworker_hbw, gateway=gateway)
    msg = SmsMessage.objects.get()
    assert (result.failed, msg.status, msg.attempts, msg.error, gateway.calls) == (
        1,
        "failed",
        3,
        "HTTP 503",
        3,
    )
    assert not TaskEvent.objects.filter(task=task, kind="sms_sent").exists()
    # Nothing reached the person: a later campaign may send today.
    later = make_campaign(caseworker_hbw)
    assert send_now(later, user=caseworker_hbw, gateway=FakeGateway()).sent == 1


def test_a_refused_message_is_not_retried(caseworker_hbw):
    task = person_task()
    phone = phone_of(task)
    gateway = FakeGateway(refuse={phone})
    send_now(make_campaign(caseworker_hbw), user=caseworker_hbw, gateway=gateway)
    msg = SmsMessage.objects.get()
    assert (msg.status, msg.attempts, gateway.calls) == ("failed", 1, 1)


def test_the_file_gateway_appends_json_lines(caseworker_hbw, tmp_path):
    person_task()
    person_task()
    campaign = make_campaign(caseworker_hbw)
    gateway = FileGateway(tmp_path)
    send_now(campaign, user=caseworker_hbw, gateway=gateway)
    lines = [json.loads(line) for line in gateway.path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2 and {line["id"] for line in lines} == set(
        SmsMessage.objects.values_list("provider_id", flat=True)
    )
    assert all(line["text"].startswith("【乌海人社】") for line in lines)


# --- the rate cap ------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds


@pytest.mark.parametrize("rate", [1, 5, 50])
def test_the_rate_limiter_never_lets_more_than_rate_into_one_second(rate):
    clock = FakeClock()
    limiter = services.RateLimiter(rate, clock=clock, sleep=clock.sleep)
    times = []
    for i in range(rate * 4):
        limiter.wait()
        times.append(clock.now)
        clock.now += 0.001 * (i % 3)  # the sends themselves take a little time
    for i, start in enumerate(times):
        assert sum(1 for t in times[i:] if t < start + 1.0) <= rate
    assert times[-1] - times[0] >= 3.0  # 4 seconds' worth at the cap


def test_the_rate_cap_holds_when_sending(caseworker_hbw, settings):
    settings.WUHAI_SMS_RATE_PER_SECOND = 2
    for _ in range(5):
        person_task()
    clock = FakeClock()
    result = send_now(
        make_campaign(caseworker_hbw),
        user=caseworker_hbw,
        gateway=FakeGateway(),
        sleep=clock.sleep,
        clock=clock,
    )
    times = result.send_times
    assert result.sent == 5 and len(times) == 5
    assert all(sum(1 for t in times[i:] if t < s + 1.0) <= 2 for i, s in enumerate(times))


# --- receipts and replies ------------------------------------------------------------------------


def test_receipts_mark_delivered_and_failed_and_replies_opt_out(caseworker_hbw):
    a, b = person_task(), person_task()
    send_now(make_campaign(caseworker_hbw), user=caseworker_hbw, gateway=FakeGateway())
    ids = dict(SmsMessage.objects.values_list("task_id", "provider_id"))
    phone = phone_of(a)
    summary = services.receipts_apply(
        receipts=[
            {"message_id": ids[a.pk], "status": "delivered"},
            {"message_id": ids[b.pk], "status": "failed", "error": "UNDELIV"},
            {"message_id": "nope", "status": "delivered"},
        ],
        replies=[
            {"phone": phone, "text": " td "},
            {"phone": "13800000000", "text": "谢谢"},
            {"phone": "x", "text": "退订"},
        ],
    )
    assert (summary.delivered, summary.failed, summary.unknown, summary.opted_out) == (1, 1, 2, 1)
    assert SmsMessage.objects.get(task=a).status == "delivered"
    assert SmsMessage.objects.get(task=b).error == "UNDELIV"
    assert list(SmsOptOut.objects.values_list("phone", "source")) == [(phone, "reply")]


@pytest.mark.parametrize(
    ("raw", "ok"),
    [("13712345678", True), ("+86 137-1234-5678", True), ("12712345678", False), ("1371234567", False)],
)
def test_manual_opt_out_takes_a_mobile_number(raw, ok, caseworker_hbw):
    if ok:
        assert services.opt_out_add(phone=raw, actor=caseworker_hbw) is True
        assert services.opt_out_add(phone=raw, actor=caseworker_hbw) is False
        assert SmsOptOut.objects.get().created_by == caseworker_hbw
    else:
        with pytest.raises(services.SmsError):
            services.opt_out_add(phone=raw, actor=caseworker_hbw)


class BrokenGateway(FakeGateway):
    """Works for `ok` messages, then fails with something that is not a gateway error."""

    def __init__(self, ok: int) -> None:
        super().__init__()
        self.ok = ok

    def send(self, *, phone: str, text: str, ref: str) -> str:
        if len(self.sent) >= self.ok:
            raise OSError("disk full")
        return super().send(phone=phone, text=text, ref=ref)


def test_a_fault_midway_keeps_what_was_sent_and_the_resumed_job_sends_the_rest(caseworker_hbw):
    tasks = [person_task() for _ in range(5)]
    campaign = make_campaign(caseworker_hbw)
    broken = BrokenGateway(ok=2)
    with pytest.raises(OSError):
        send_now(campaign, user=caseworker_hbw, gateway=broken)
    campaign.refresh_from_db()
    assert campaign.status == "failed" and "OSError" in campaign.error
    statuses = list(SmsMessage.objects.order_by("id").values_list("status", "error"))
    assert statuses == [("sent", ""), ("sent", ""), ("failed", "OSError"), ("pending", ""), ("pending", "")]
    assert TaskEvent.objects.filter(kind="sms_sent").count() == 2
    # The job is taken up again (the Celery retry): only the persons not reached are sent.
    good = FakeGateway()
    result = services.campaign_send(campaign_id=campaign.pk, gateway=good)
    assert result.sent == 2 and {p for p, _t, _r in good.sent}.isdisjoint({p for p, _t, _r in broken.sent})
    assert TaskEvent.objects.filter(kind="sms_sent", task__in=tasks).count() == 4
    campaign.refresh_from_db()
    assert campaign.status == "finished" and campaign.progress == {"done": 5, "total": 5}
