"""Writes of SMS pushes: a campaign is prepared set-based (one INSERT … SELECT renders every
message, three UPDATEs mark who is skipped and why), then sent by a Celery job that claims
each batch of persons in the database before handing it to the gateway.

The rules and where they hold:
- one message per person per 7 days, across campaigns and concurrent senders: the
  conditional upsert on `SmsPersonLedger` (`_claim`) — the row lock of ON CONFLICT makes a
  second sender see the first one's `last_sent_at` and claim nobody;
- one message per person per campaign: the unique (campaign, id_number) constraint;
- the opt-out list: checked when preparing and again for each batch just before sending;
- at most WUHAI_SMS_RATE_PER_SECOND messages in any one-second window (`RateLimiter`);
- a gateway error is retried WUHAI_SMS_MAX_ATTEMPTS times in all, waiting
  WUHAI_SMS_BACKOFF_MS × 2ⁿ between tries; a message that still fails gives its person's
  7-day claim back.
A fault other than a gateway error stops the job after recording what the gateway was
handed (the current message failed) and giving the remaining persons their claim back, so
the Celery retry sends exactly those. Only a worker killed in the middle of a batch leaves
that batch's claimed persons to be skipped as "recent" when the job resumes: never sent
twice, at worst not sent this week.
Phones go to the gateway only; records, events and logs show them masked."""

from __future__ import annotations

import collections
import datetime as dt
import logging
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.kinds import KINDS, SubjectType
from enforcement.models import Task, TaskEvent
from enrollment.models import Person
from outreach.sms.gateways import Gateway, GatewayError, GatewayRefused, gateway_from_settings
from outreach.sms.models import SmsCampaign, SmsMessage, SmsOptOut, SmsPersonLedger
from wuhai_coverage.core import access
from wuhai_coverage.core.models import District, Street, User
from wuhai_coverage.core.privacy import mask_phone
from wuhai_coverage.core.sql import is_pg, param, t
from wuhai_coverage.core.text import site_language

log = logging.getLogger(__name__)

FREQUENCY_WINDOW = dt.timedelta(days=7)
# Persons claimed and sent per batch: one upsert, one bulk update and one bulk insert of
# timeline events per batch; 1,000 rows keep each statement well under a second.
SEND_BATCH = 1000
SEGMENT_SINGLE = 70  # characters of a one-part SMS (UCS-2)
SEGMENT_MULTI = 67  # characters per part of a longer one (the rest is the concatenation header)
TEMPLATE_MAX_CHARS = 500
SAMPLES = 3
SEND_TASK = "outreach.sms.tasks.sms_campaign_send_task"
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # a released claim: older than any window

MOBILE = re.compile(r"1[3-9]\d{9}")
PLACEHOLDERS = ("姓氏", "原因", "经办机构", "电话", "截止日期")
DEFAULT_TEMPLATE = (
    "【乌海人社】{姓氏}您好：{原因}办理期限：{截止日期}。咨询{经办机构}，电话{电话}。回复TD退订"
)
# A reply that is one of these (or contains 退订) puts its phone on the opt-out list.
OPT_OUT_WORDS = frozenset({"TD", "T", "N", "R", "0000", "退订", "取消", "拒收"})
OPEN_STATUSES = tuple(s for s in Task.Status.values if s != Task.Status.CLOSED)


class SmsError(ValueError):
    """A campaign or opt-out that cannot be made or sent; the message is for the user."""


class CampaignStateError(SmsError):
    """The campaign is not in the state the action needs (409)."""


# --- Templates --------------------------------------------------------------------------

_PART = re.compile(r"(\{[^{}]*\})")


def template_parts(template: str) -> list[tuple[bool, str]]:
    """(is_placeholder, text) pieces of a template; SmsError for an unknown placeholder or a
    stray brace."""
    text = (template or "").strip()
    if not text:
        raise SmsError(_("请填写短信模板"))
    if len(text) > TEMPLATE_MAX_CHARS:
        raise SmsError(_("短信模板不能超过 %(n)s 个字") % {"n": TEMPLATE_MAX_CHARS})
    parts = []
    for piece in _PART.split(text):
        if not piece:
            continue
        if piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1].strip()
            if name not in PLACEHOLDERS:
                raise SmsError(
                    _("未知的占位符 %(name)s；可用：%(known)s")
                    % {"name": piece, "known": "、".join("{" + p + "}" for p in PLACEHOLDERS)}
                )
            parts.append((True, name))
        elif "{" in piece or "}" in piece:
            raise SmsError(_("花括号只能用于占位符，如 {姓氏}"))
        else:
            parts.append((False, piece))
    return parts


def salutation(name: str, sex: str) -> str:
    """The name masked to the surname: 陈先生, 陈女士, or 陈** when the sex is unknown."""
    surname = (name or "").strip()[:1]
    return surname + {"M": "先生", "F": "女士"}.get(sex or "", "**")


def deadline_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def office_of(district_code: str | None, names: dict[str, str]) -> str:
    if district_code and district_code in names:
        return f"乌海市{names[district_code]}人力资源和社会保障局"
    return "乌海市人力资源和社会保障局"


def office_phone_of(district_code: str | None) -> str:
    return settings.WUHAI_SMS_OFFICE_PHONES.get(district_code or "", settings.WUHAI_SMS_CITY_PHONE)


def reason_of(kind: str) -> str:
    """The kind's reason, as its notice words it (enforcement/kinds.py, Chinese only)."""
    spec = KINDS.get(kind)
    return spec.request if spec else ""


def render(
    template: str, *, name: str, sex: str, kind: str, district_code: str | None, deadline: dt.date
) -> str:
    """One message in Python — the same text the preparing SQL writes (tests compare them)."""
    names = dict(District.objects.values_list("code", "name"))
    values = {
        "姓氏": salutation(name, sex),
        "原因": reason_of(kind),
        "经办机构": office_of(district_code, names),
        "电话": office_phone_of(district_code),
        "截止日期": deadline_text(deadline),
    }
    return "".join(values[text] if is_ph else text for is_ph, text in template_parts(template))


def segments(text: str) -> int:
    """Parts billed for one message: 70 characters fit one; longer, 67 per part."""
    n = len(text)
    if n <= SEGMENT_SINGLE:
        return 1
    return math.ceil(n / SEGMENT_MULTI)


def _text_sql(campaign: SmsCampaign, params: dict) -> str:
    """The SQL expression of a message's text (task `tk`, person `p`), its values in params."""
    names = dict(District.objects.values_list("code", "name"))

    def lit(value: str) -> str:
        key = f"s{len(params)}"
        params[key] = value
        return f"%({key})s"

    def by_code(column: str, values: dict[str, str], default: str) -> str:
        whens = " ".join(f"WHEN {lit(code)} THEN {lit(v)}" for code, v in values.items())
        return f"(CASE {column} {whens} ELSE {lit(default)} END)" if whens else lit(default)

    exprs = []
    for is_ph, text in template_parts(campaign.template):
        if not is_ph:
            exprs.append(lit(text))
        elif text == "姓氏":
            name = "COALESCE(NULLIF(p.name, ''), tk.subject_name)"
            exprs.append(
                f"SUBSTR(TRIM({name}), 1, 1) || (CASE p.sex WHEN 'M' THEN {lit('先生')} "
                f"WHEN 'F' THEN {lit('女士')} ELSE {lit('**')} END)"
            )
        elif text == "原因":
            exprs.append(by_code("tk.kind", {k: reason_of(k) for k in KINDS}, ""))
        elif text == "经办机构":
            exprs.append(
                by_code("tk.district_id", {c: office_of(c, names) for c in names}, office_of(None, names))
            )
        elif text == "电话":
            exprs.append(
                by_code("tk.district_id", {c: office_phone_of(c) for c in names}, office_phone_of(None))
            )
        else:  # 截止日期
            exprs.append(lit(deadline_text(campaign.deadline)))
    return " || ".join(exprs)


# --- Preparing a campaign -----------------------------------------------------------------


def _person_kinds() -> set[str]:
    return {code for code, spec in KINDS.items() if spec.subject == SubjectType.PERSON}


def _in(prefix: str, values: Iterable[str], params: dict) -> str:
    names = []
    for i, value in enumerate(values):
        params[f"{prefix}{i}"] = value
        names.append(f"%({prefix}{i})s")
    return ", ".join(names)


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    kinds: list[str],
    statuses: list[str],
    template: str,
    deadline: dt.date,
    district: District | None = None,
    street: Street | None = None,
) -> SmsCampaign:
    """Record a campaign and prepare its messages: every open person task of the chosen
    kinds and statuses in the actor's jurisdiction (narrowed to a district or street), one
    message per person, each skipped person marked with the reason."""
    started = time.perf_counter()
    j = access.jurisdiction_of(actor)
    if j.nothing or j.street_code:
        raise SmsError(_("只有区经办人员和市级管理人员可以发送短信"))
    if not j.city:  # a caseworker: their own district only
        if district is not None and district.code != j.district_code:
            raise SmsError(_("只能向本区人员发送短信"))
        district = District.objects.get(code=j.district_code)
    if street is not None:
        if district is None:
            district = street.district
        if street.district_id != district.code:
            raise SmsError(_("所选街道不在所选区内"))
    kinds = sorted(set(kinds))
    if not kinds or not set(kinds) <= _person_kinds():
        raise SmsError(_("请选择至少一种人员类任务"))
    statuses = sorted(set(statuses))
    if not statuses or not set(statuses) <= set(OPEN_STATUSES):
        raise SmsError(_("请选择至少一种未关闭的任务状态"))
    template_parts(template)
    today = timezone.localdate()
    if deadline < today:
        raise SmsError(_("截止日期不能早于今天"))
    if deadline > today + dt.timedelta(days=366):
        raise SmsError(_("截止日期不能晚于一年以后"))
    campaign = SmsCampaign.objects.create(
        district=district,
        street=street,
        kinds=kinds,
        task_statuses=statuses,
        template=template.strip(),
        deadline=deadline,
        created_by=actor,
    )
    _prepare(campaign)
    campaign.prepare_seconds = round(time.perf_counter() - started, 3)
    campaign.progress = {"done": 0, "total": campaign.messages.count()}
    campaign.save(update_fields=["prepare_seconds", "progress"])
    return campaign


def _prepare(campaign: SmsCampaign) -> None:
    params: dict = {"campaign": campaign.pk, "person": SubjectType.PERSON.value}
    text = _text_sql(campaign, params)
    where = [
        "tk.subject_type = %(person)s",
        f"tk.kind IN ({_in('k', campaign.kinds, params)})",
        f"tk.status IN ({_in('st', campaign.task_statuses, params)})",
    ]
    if campaign.district_id:
        where.append("tk.district_id = %(district)s")
        params["district"] = campaign.district_id
    if campaign.street_id:
        where.append("tk.street_id = %(street)s")
        params["street"] = campaign.street_id
    m, tk, p = t(SmsMessage), t(Task), t(Person)
    with connection.cursor() as cursor:
        # Ordered by task: a person with two open tasks gets one message, about the first.
        cursor.execute(
            f"""INSERT INTO {m} (campaign_id, task_id, id_number, phone, text, status, skip_reason,
                                 attempts, provider_id, error)
                SELECT %(campaign)s, tk.id, tk.subject_key, COALESCE(p.phone, ''), {text},
                       'pending', '', 0, '', ''
                FROM {tk} tk LEFT JOIN {p} p ON p.id_number = tk.subject_key
                WHERE {" AND ".join(where)}
                ORDER BY tk.id
                ON CONFLICT (campaign_id, id_number) DO NOTHING""",
            params,
        )
        _mark_skipped(cursor, campaign_id=campaign.pk)
        cursor.execute(
            f"""UPDATE {m} SET status = 'skipped', skip_reason = 'recent'
                WHERE campaign_id = %(campaign)s AND status = 'pending'
                  AND id_number IN (SELECT id_number FROM {t(SmsPersonLedger)} WHERE last_sent_at > %(cutoff)s)""",
            {"campaign": campaign.pk, "cutoff": param(timezone.now() - FREQUENCY_WINDOW)},
        )


def _mark_skipped(cursor, *, campaign_id: int, lo: int | None = None, hi: int | None = None) -> None:
    """No mobile number, then opted out — for the campaign, or for its ids lo..hi."""
    m = t(SmsMessage)
    scope = "campaign_id = %(campaign)s AND status = 'pending'"
    params: dict = {"campaign": campaign_id}
    if lo is not None:
        scope += " AND id BETWEEN %(lo)s AND %(hi)s"
        params.update(lo=lo, hi=hi)
    cursor.execute(
        f"""UPDATE {m} SET status = 'skipped', skip_reason = 'no_phone'
            WHERE {scope} AND (LENGTH(phone) <> 11 OR SUBSTR(phone, 1, 1) <> '1')""",
        params,
    )
    cursor.execute(
        f"""UPDATE {m} SET status = 'skipped', skip_reason = 'opted_out'
            WHERE {scope} AND phone IN (SELECT phone FROM {t(SmsOptOut)})""",
        params,
    )


# --- Sending ------------------------------------------------------------------------------


@transaction.atomic
def campaign_send_request(*, campaign: SmsCampaign, actor: User) -> SmsCampaign:
    """Queue the sending (through the outbox: recorded even while Redis is down)."""
    from wuhai_coverage.outbox.services import enqueue

    moved = SmsCampaign.objects.filter(pk=campaign.pk, status=SmsCampaign.Status.PREPARED).update(
        status=SmsCampaign.Status.QUEUED, sent_by=actor, started_at=timezone.now()
    )
    if moved != 1:
        raise CampaignStateError(_("该推送已开始发送"))
    enqueue(SEND_TASK, campaign_id=campaign.pk)
    return SmsCampaign.objects.get(pk=campaign.pk)


class RateLimiter:
    """At most `rate` sends in any one-second window: a send waits until the send `rate`
    places before it is a second old."""

    def __init__(self, rate: int, *, clock: Callable[[], float] = time.monotonic, sleep=time.sleep) -> None:
        self.rate, self.clock, self.sleep = rate, clock, sleep
        self.sent: collections.deque[float] = collections.deque(maxlen=rate)

    def wait(self) -> float:
        """Wait for a free place; returns the moment of the send it was taken for."""
        if len(self.sent) == self.rate:
            while (ahead := self.sent[0] + 1.0 - self.clock()) > 0:
                self.sleep(ahead)
        now = self.clock()
        self.sent.append(now)
        return now


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    batches: int = 0
    send_times: list[float] = field(default_factory=list)


def _claim(cursor, *, campaign_id: int, lo: int, hi: int, now: dt.datetime) -> set[str]:
    """Claim the batch's persons for this send: a person is claimed only when their last
    message is at least 7 days old (6 days 23 hours: not yet). Set-based, one statement, safe under concurrency."""
    ledger, m = t(SmsPersonLedger), t(SmsMessage)
    cursor.execute(
        f"""INSERT INTO {ledger} AS l (id_number, last_sent_at, campaign_id)
            SELECT id_number, %(now)s, %(campaign)s FROM {m}
            WHERE campaign_id = %(campaign)s AND status = 'pending' AND id BETWEEN %(lo)s AND %(hi)s
            ON CONFLICT (id_number) DO UPDATE
              SET last_sent_at = excluded.last_sent_at, campaign_id = excluded.campaign_id
              WHERE l.last_sent_at <= %(cutoff)s
            RETURNING id_number""",
        {
            "now": param(now),
            "campaign": campaign_id,
            "lo": lo,
            "hi": hi,
            "cutoff": param(now - FREQUENCY_WINDOW),
        },
    )
    return {row[0] for row in cursor.fetchall()}


def _send_one(gateway: Gateway, msg: SmsMessage, *, sleep) -> None:
    """Try the gateway up to WUHAI_SMS_MAX_ATTEMPTS times with exponential backoff."""
    tries = settings.WUHAI_SMS_MAX_ATTEMPTS
    for attempt in range(1, tries + 1):
        msg.attempts = attempt
        try:
            msg.provider_id = gateway.send(phone=msg.phone, text=msg.text, ref=str(msg.pk))
        except GatewayRefused as exc:
            msg.status, msg.error = SmsMessage.Status.FAILED, str(exc)[:300]
            return
        except GatewayError as exc:
            msg.error = str(exc)[:300]
            if attempt < tries:
                sleep(settings.WUHAI_SMS_BACKOFF_MS / 1000 * 2 ** (attempt - 1))
            continue
        msg.status, msg.error, msg.sent_at = SmsMessage.Status.SENT, "", timezone.now()
        return
    msg.status = SmsMessage.Status.FAILED


def campaign_send(
    *, campaign_id: int, gateway: Gateway | None = None, sleep=time.sleep, clock=time.monotonic
) -> SendResult:
    """Send a queued campaign (the Celery job; also resumes one that failed midway). Safe
    to run twice: only `pending` messages are sent, each person only after its claim; a
    second run finds nothing to do."""
    result = SendResult()
    started = time.perf_counter()
    moved = SmsCampaign.objects.filter(
        pk=campaign_id,
        status__in=[SmsCampaign.Status.QUEUED, SmsCampaign.Status.SENDING, SmsCampaign.Status.FAILED],
    ).update(status=SmsCampaign.Status.SENDING, error="")
    if moved != 1:
        log.warning("sms campaign %s is not queued: nothing sent", campaign_id)
        return result
    campaign = SmsCampaign.objects.get(pk=campaign_id)
    gateway = gateway or gateway_from_settings()
    limiter = RateLimiter(settings.WUHAI_SMS_RATE_PER_SECOND, clock=clock, sleep=sleep)
    total = SmsMessage.objects.filter(campaign_id=campaign_id).count()
    done = (
        total - SmsMessage.objects.filter(campaign_id=campaign_id, status=SmsMessage.Status.PENDING).count()
    )
    try:
        while True:
            ids = list(
                SmsMessage.objects.filter(campaign_id=campaign_id, status=SmsMessage.Status.PENDING)
                .order_by("id")
                .values_list("id", flat=True)[:SEND_BATCH]
            )
            if not ids:
                break
            _send_batch(campaign, ids[0], ids[-1], gateway, limiter, sleep, result)
            done += len(ids)  # every message of the batch has left `pending` (sent, failed or skipped)
            SmsCampaign.objects.filter(pk=campaign_id).update(progress={"done": done, "total": total})
    except Exception as exc:
        with site_language():
            error = _("发送中断：%(error)s") % {"error": type(exc).__name__}
        try:
            SmsCampaign.objects.filter(pk=campaign_id).update(status=SmsCampaign.Status.FAILED, error=error)
        except DatabaseError:  # the database itself went away: the task's retry resumes the campaign
            log.warning("sms campaign %s: could not record the failure", campaign_id)
        raise
    SmsCampaign.objects.filter(pk=campaign_id).update(
        status=SmsCampaign.Status.FINISHED,
        finished_at=timezone.now(),
        progress={"done": total, "total": total},
    )
    result.seconds = time.perf_counter() - started
    return result


def _send_batch(campaign, lo, hi, gateway, limiter, sleep, result: SendResult) -> None:
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        _mark_skipped(cursor, campaign_id=campaign.pk, lo=lo, hi=hi)  # opted out since preparing
        claimed = _claim(cursor, campaign_id=campaign.pk, lo=lo, hi=hi, now=now)
        pending = list(
            SmsMessage.objects.filter(
                campaign_id=campaign.pk, status=SmsMessage.Status.PENDING, id__gte=lo, id__lte=hi
            )
            .only("id", "task_id", "id_number", "phone", "text")
            .order_by("id")
        )
        recent = [msg.pk for msg in pending if msg.id_number not in claimed]
        if recent:
            SmsMessage.objects.filter(pk__in=recent).update(
                status=SmsMessage.Status.SKIPPED, skip_reason=SmsMessage.SkipReason.RECENT
            )
            result.skipped += len(recent)
    # The claims are committed: from here on no other sender takes these persons.
    to_send = [msg for msg in pending if msg.id_number in claimed]
    done = 0
    try:
        with gateway:
            for msg in to_send:
                result.send_times.append(limiter.wait())
                done += 1
                _send_one(gateway, msg, sleep=sleep)
    except Exception as exc:  # a fault outside the gateway's errors (disk full, a bug): stop here
        if done:
            msg = to_send[done - 1]
            msg.status, msg.error = SmsMessage.Status.FAILED, type(exc).__name__
        raise
    finally:
        # What was handed to the gateway is recorded whatever happened next; the persons
        # not reached yet get their claim back and stay pending, for the resumed job.
        _record_batch(campaign, to_send[:done], now, result)
        _release(campaign, to_send[done:], now)
    result.batches += 1


def _release(campaign: SmsCampaign, messages: list[SmsMessage], claimed_at: dt.datetime) -> None:
    """Give back the 7-day claims of persons this campaign did not reach."""
    if messages:
        SmsPersonLedger.objects.filter(
            id_number__in=[msg.id_number for msg in messages],
            campaign_id=campaign.pk,
            last_sent_at=claimed_at,
        ).update(last_sent_at=LONG_AGO)


def _record_batch(
    campaign: SmsCampaign, handled: list[SmsMessage], now: dt.datetime, result: SendResult
) -> None:
    sent = [msg for msg in handled if msg.status == SmsMessage.Status.SENT]
    failed = [msg for msg in handled if msg.status != SmsMessage.Status.SENT]
    for msg in failed:
        msg.status = SmsMessage.Status.FAILED
    with transaction.atomic():
        _write_results(handled)
        TaskEvent.objects.bulk_create(
            [
                TaskEvent(
                    task_id=msg.task_id,
                    kind=TaskEvent.Kind.SMS_SENT,
                    actor_id=campaign.sent_by_id,
                    data={
                        "campaign": campaign.pk,
                        "sms": msg.pk,
                        "phone": mask_phone(msg.phone),
                        "message": msg.text,
                        "segments": segments(msg.text),
                    },
                )
                for msg in sent
            ]
        )
        _release(campaign, failed, now)  # nothing reached them: their 7 days start at the next real send
    result.sent += len(sent)
    result.failed += len(failed)


def _write_results(messages: list[SmsMessage]) -> None:
    """Each message's outcome, in one UPDATE … FROM (VALUES …) on PostgreSQL — Django's
    bulk_update builds a CASE per field and row and cost 3 s per 1,000 rows here."""
    if not messages:
        return
    if not is_pg():  # the embedded demo database: small campaigns
        SmsMessage.objects.bulk_update(messages, ["status", "attempts", "provider_id", "error", "sent_at"])
        return
    params: dict = {}
    rows = []
    for i, msg in enumerate(messages):
        params.update(
            {
                f"i{i}": msg.pk,
                f"s{i}": msg.status,
                f"a{i}": msg.attempts,
                f"p{i}": msg.provider_id,
                f"e{i}": msg.error,
                f"t{i}": msg.sent_at,
            }
        )
        rows.append(f"(%(i{i})s, %(s{i})s, %(a{i})s, %(p{i})s, %(e{i})s, %(t{i})s::timestamptz)")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {t(SmsMessage)} AS m
                SET status = v.status, attempts = v.attempts, provider_id = v.provider_id,
                    error = v.error, sent_at = v.sent_at
                FROM (VALUES {", ".join(rows)}) AS v (id, status, attempts, provider_id, error, sent_at)
                WHERE m.id = v.id""",
            params,
        )


# --- Receipts, replies and the opt-out list -------------------------------------------------


def is_opt_out_reply(text: str) -> bool:
    words = (text or "").strip().upper()
    return words in OPT_OUT_WORDS or "退订" in words


def normalize_mobile(raw: str) -> str:
    """A mainland mobile number (+86 / spaces / dashes dropped); SmsError if it is not one."""
    phone = re.sub(r"[\s-]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not MOBILE.fullmatch(phone):
        raise SmsError(_("请输入11位手机号"))
    return phone


def opt_out_add(
    *, phone: str, actor: User | None, source: str = SmsOptOut.Source.MANUAL, note: str = ""
) -> bool:
    """Put a phone on the opt-out list; False when it is there already."""
    phone = normalize_mobile(phone)
    _entry, created = SmsOptOut.objects.get_or_create(
        phone=phone, defaults={"source": source, "created_by": actor, "note": note.strip()[:200]}
    )
    return created


@dataclass
class ReceiptSummary:
    delivered: int = 0
    failed: int = 0
    unknown: int = 0
    opted_out: int = 0


@transaction.atomic
def receipts_apply(*, receipts: list[dict], replies: list[dict]) -> ReceiptSummary:
    """Delivery receipts (provider id → delivered / failed) and replies (退订 → opt-out)."""
    summary = ReceiptSummary()
    now = timezone.now()
    for receipt in receipts:
        qs = SmsMessage.objects.filter(
            provider_id=receipt["message_id"],
            status__in=[SmsMessage.Status.SENT, SmsMessage.Status.DELIVERED],
        )
        if receipt["status"] == "delivered":
            n = qs.update(status=SmsMessage.Status.DELIVERED, delivered_at=receipt.get("at") or now)
            summary.delivered += n
        else:
            n = qs.update(status=SmsMessage.Status.FAILED, error=(receipt.get("error") or "")[:300])
            summary.failed += n
        summary.unknown += 0 if n else 1
    for reply in replies:
        if is_opt_out_reply(reply["text"]):
            try:
                summary.opted_out += opt_out_add(
                    phone=reply["phone"], actor=None, source=SmsOptOut.Source.REPLY
                )
            except SmsError:
                summary.unknown += 1
    return summary
