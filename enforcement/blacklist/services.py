"""Writes of the credit blacklist (社会保险领域严重失信人名单), one guarded transition each:

    proposed ──notify──▶ notified ──statement / period lapsed──▶ under_review
    under_review ──approve──▶ published ──expiry / credit repair──▶ removed
    under_review ──reject──▶ rejected

Every service is keyword-only and atomic: it locks the entry's row, checks the status and
the dates, writes the entry and a BlacklistEvent (who, when, what, why). A step the entry's
state or dates forbid raises BlacklistConflict (the API answers 409 with the message, a
page shows it); bad input raises BlacklistError (400). A change of the published list
(listed, removed) leaves one BlacklistDelivery per partner department."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.blacklist import parameters
from enforcement.blacklist.models import BlacklistDelivery, BlacklistNoticeSequence
from enforcement.blacklist.vocabulary import (
    LEGAL_BASIS,
    VIOLATION_OF_CASE_TYPE,
    EventKind,
    Measure,
    Violation,
)
from enforcement.models import BlacklistEntry, BlacklistEvent, EnforcementCase
from enforcement.services import TaskConflict, TaskError
from wuhai_coverage.core import labels
from wuhai_coverage.core.models import Department, User
from wuhai_coverage.core.text import site_language

Status = BlacklistEntry.Status
LIVE = (Status.PROPOSED, Status.NOTIFIED, Status.UNDER_REVIEW, Status.PUBLISHED)
MAX_TEXT = 4000


class BlacklistError(TaskError):
    """The request is not acceptable as given (a missing decision, no measure): 400."""


class BlacklistConflict(BlacklistError, TaskConflict):
    """The entry's status or dates forbid the step, however well formed the request: 409."""


def _clean_text(value: str | None, *, what: str, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise BlacklistError(_("请填写%(what)s") % {"what": what})
    if len(text) > MAX_TEXT:
        raise BlacklistError(_("%(what)s不能超过%(limit)d字") % {"what": what, "limit": MAX_TEXT})
    return text


def _status_conflict(status: str | None) -> BlacklistConflict:
    label = Status(status).label if status else "—"
    return BlacklistConflict(_("名单条目当前状态为「%(status)s」，不能执行此操作") % {"status": label})


def _lock(entry: BlacklistEntry, *, allowed: Iterable[str]) -> BlacklistEntry:
    """The entry's row, locked and fresh, if its status is one of `allowed`."""
    locked = BlacklistEntry.objects.select_for_update().filter(pk=entry.pk).first()
    if locked is None or locked.status not in list(allowed):
        raise _status_conflict(locked.status if locked else None)
    return locked


def _save(entry: BlacklistEntry, *fields: str) -> None:
    entry.updated_at = timezone.now()
    entry.save(update_fields=[*fields, "updated_at"])


def _event(entry: BlacklistEntry, kind: str, actor: User | None, **data: Any) -> BlacklistEvent:
    return BlacklistEvent.objects.create(entry=entry, kind=kind, actor=actor, data=data)


def _notify_partners(entry: BlacklistEntry, change: str) -> None:
    """One delivery per partner department: each applies (or lifts) its own measures."""
    BlacklistDelivery.objects.bulk_create(
        [BlacklistDelivery(entry=entry, department=dept, change=change) for dept in Department.values]
    )


def grounds_of(case: EnforcementCase) -> str:
    """The grounds of a proposal, taken from the case (Chinese: a record of the bureau)."""
    violation = VIOLATION_OF_CASE_TYPE[case.case_type]
    lines = [
        f"{case.employer_name}（统一社会信用代码：{case.employer_uscc}）经劳动保障监察立案（案件编号 {case.pk}），"
        f"存在{violation.label}的违法行为。",
    ]
    if case.order_deadline:
        lines.append(f"经责令限期改正，期限至{case.order_deadline:%Y年%-m月%-d日}，逾期仍未改正。")
    if violation == Violation.ARREARS and case.arrears_amount:
        lines.append(f"欠缴社会保险费{labels.money(case.arrears_amount, symbol=False)}元。")
    return "".join(lines)


def proposable(case: EnforcementCase, *, today: dt.date | None = None) -> str | None:
    """None when an inspector may propose the case's employer; else why not (translated)."""
    today = today or timezone.localdate()
    if case.status != EnforcementCase.Status.UNRECTIFIED:
        return _("只有限期改正期满仍未整改的案件才能提出列入（案件当前状态为「%(status)s」）") % {
            "status": EnforcementCase.Status(case.status).label
        }
    if case.case_type not in VIOLATION_OF_CASE_TYPE:
        return _("该类案件（%(type)s）不属于可列入失信名单的情形") % {"type": case.get_case_type_display()}
    if case.order_deadline is None or case.order_deadline >= today:
        return _("限期改正期限尚未届满")
    if BlacklistEntry.objects.filter(employer_uscc=case.employer_uscc, status__in=LIVE).exists():
        return _("该单位已有在办或已公布的失信名单条目")
    return None


@transaction.atomic
def blacklist_propose(
    *, case: EnforcementCase, actor: User, reason: str = "", legal_representative: str = ""
) -> BlacklistEntry:
    """An inspector proposes listing the employer of a case whose order's deadline passed
    unrectified; the grounds come from the case unless the inspector words them."""
    reason = _clean_text(reason, what=_("列入事由"))
    legal_representative = _clean_text(legal_representative, what=_("法定代表人"))[:80]
    case = EnforcementCase.objects.select_for_update().get(pk=case.pk)
    why_not = proposable(case)
    if why_not:
        raise BlacklistConflict(why_not)
    violation = VIOLATION_OF_CASE_TYPE[case.case_type]
    try:
        with transaction.atomic():  # another inspector proposing the same employer just now
            entry = BlacklistEntry.objects.create(
                case=case,
                employer_uscc=case.employer_uscc,
                employer_name=case.employer_name,
                legal_representative=legal_representative,
                reason=reason or grounds_of(case),
                violation=violation,
                legal_basis=LEGAL_BASIS[violation],
                proposed_by=actor,
            )
    except IntegrityError:
        raise BlacklistConflict(_("该单位已有在办或已公布的失信名单条目")) from None
    _event(entry, EventKind.PROPOSED, actor, case=case.pk, violation=violation, reason=entry.reason)
    return entry


def _next_notice_number(year: int) -> str:
    """乌人社失告〔YYYY〕NNNN号 from the year's own counter, under a row lock."""
    BlacklistNoticeSequence.objects.get_or_create(year=year)
    seq = BlacklistNoticeSequence.objects.select_for_update().get(year=year)
    BlacklistNoticeSequence.objects.filter(year=year).update(last=F("last") + 1)
    return f"乌人社失告〔{year}〕{seq.last + 1:04d}号"


@transaction.atomic
def blacklist_notify(*, entry: BlacklistEntry, actor: User) -> BlacklistEntry:
    """The prior notice (失信告知书, A4 PDF, numbered in its own yearly series): the employer
    may state its case until `statement_deadline` (working days, parameters.py)."""
    from enforcement.blacklist import documents

    entry = _lock(entry, allowed=[Status.PROPOSED])
    today = timezone.localdate()
    entry.status = Status.NOTIFIED
    entry.notice_number = _next_notice_number(today.year)
    entry.notified_at = timezone.now()
    entry.statement_deadline = parameters.statement_deadline(today)
    _save(entry, "status", "notice_number", "notified_at", "statement_deadline")
    entry.notice_pdf.save(
        f"blacklist-notice-{entry.pk}.pdf", ContentFile(documents.render_pdf(entry)), save=False
    )
    entry.save(update_fields=["notice_pdf"])
    _event(
        entry,
        EventKind.NOTIFIED,
        actor,
        number=entry.notice_number,
        statement_deadline=entry.statement_deadline.isoformat(),
        working_days=parameters.statement_working_days(),
    )
    return entry


@transaction.atomic
def blacklist_record_statement(*, entry: BlacklistEntry, actor: User, statement: str) -> BlacklistEntry:
    """The employer's statement, received within the period (its last day included): the
    entry goes to review."""
    statement = _clean_text(statement, what=_("陈述申辩内容"), required=True)
    entry = _lock(entry, allowed=[Status.NOTIFIED])
    assert entry.statement_deadline is not None
    if timezone.localdate() > entry.statement_deadline:
        raise BlacklistConflict(
            _("陈述申辩期限已于 %(date)s 届满，不能再记录陈述申辩") % {"date": entry.statement_deadline}
        )
    entry.status, entry.statement, entry.statement_at = Status.UNDER_REVIEW, statement, timezone.now()
    _save(entry, "status", "statement", "statement_at")
    _event(entry, EventKind.STATEMENT, actor, statement=statement)
    return entry


@transaction.atomic
def blacklist_close_statement_period(*, entry: BlacklistEntry, actor: User | None = None) -> BlacklistEntry:
    """The period passed without a statement (from the day after its last day): to review.
    Done by the nightly job (actor None) or by an inspector or manager."""
    entry = _lock(entry, allowed=[Status.NOTIFIED])
    assert entry.statement_deadline is not None
    if timezone.localdate() <= entry.statement_deadline:
        raise BlacklistConflict(_("陈述申辩期限至 %(date)s，尚未届满") % {"date": entry.statement_deadline})
    entry.status = Status.UNDER_REVIEW
    _save(entry, "status")
    _event(entry, EventKind.PERIOD_LAPSED, actor, statement_deadline=entry.statement_deadline.isoformat())
    return entry


def _clean_measures(measures: Iterable[str] | None) -> list[str]:
    chosen = set(measures or [])
    unknown = chosen - set(Measure.values)
    if unknown:
        raise BlacklistError(_("未知的惩戒措施：%(codes)s") % {"codes": ", ".join(sorted(unknown))[:100]})
    if not chosen:
        raise BlacklistError(_("请至少选择一项联合惩戒措施"))
    return [code for code in Measure.values if code in chosen]


@transaction.atomic
def blacklist_approve(
    *, entry: BlacklistEntry, actor: User, decision: str, measures: Iterable[str]
) -> BlacklistEntry:
    """A city manager approves with a written decision: listed (published) from today for
    `listing_years()` with the measures that apply; every partner department is told."""
    decision = _clean_text(decision, what=_("审核决定"), required=True)
    chosen = _clean_measures(measures)
    entry = _lock(entry, allowed=[Status.UNDER_REVIEW])
    today = timezone.localdate()
    entry.status, entry.decision, entry.measures = Status.PUBLISHED, decision, chosen
    entry.reviewed_by, entry.reviewed_at = actor, timezone.now()
    entry.published_at, entry.listed_on, entry.expires_on = timezone.now(), today, parameters.expiry_of(today)
    _save(
        entry,
        "status",
        "decision",
        "measures",
        "reviewed_by",
        "reviewed_at",
        "published_at",
        "listed_on",
        "expires_on",
    )
    _event(
        entry,
        EventKind.APPROVED,
        actor,
        decision=decision,
        measures=chosen,
        listed_on=today.isoformat(),
        expires_on=entry.expires_on.isoformat(),
    )
    _notify_partners(entry, BlacklistDelivery.Change.LISTED)
    return entry


@transaction.atomic
def blacklist_reject(*, entry: BlacklistEntry, actor: User, decision: str) -> BlacklistEntry:
    """A city manager decides not to list (the written reasons kept)."""
    decision = _clean_text(decision, what=_("不予列入理由"), required=True)
    entry = _lock(entry, allowed=[Status.UNDER_REVIEW])
    entry.status, entry.decision = Status.REJECTED, decision
    entry.reviewed_by, entry.reviewed_at = actor, timezone.now()
    _save(entry, "status", "decision", "reviewed_by", "reviewed_at")
    _event(entry, EventKind.REJECTED, actor, decision=decision)
    return entry


def _repair_not_yet(entry: BlacklistEntry) -> BlacklistConflict | None:
    assert entry.listed_on is not None
    earliest = parameters.repair_earliest(entry.listed_on)
    if timezone.localdate() < earliest:
        return BlacklistConflict(
            _("列入满%(years)d年后（%(date)s 起）方可信用修复")
            % {"years": parameters.repair_after_years(), "date": earliest}
        )
    return None


@transaction.atomic
def blacklist_apply_repair(
    *, entry: BlacklistEntry, actor: User, application: str, rectified: bool, paid: bool
) -> BlacklistEntry:
    """The employer's application for credit repair (信用修复), recorded by an inspector:
    it must have rectified and paid, and may apply no sooner than the repair period after
    listing."""
    application = _clean_text(application, what=_("申请内容"), required=True)
    if not (rectified and paid):
        raise BlacklistError(_("信用修复须已整改违法行为并补缴欠费"))
    entry = _lock(entry, allowed=[Status.PUBLISHED])
    if entry.repair_applied_at is not None:
        raise BlacklistConflict(_("已有待审核的信用修复申请"))
    if conflict := _repair_not_yet(entry):
        raise conflict
    entry.repair_application, entry.repair_applied_at = application, timezone.now()
    entry.repair_rectified, entry.repair_paid = True, True
    _save(entry, "repair_application", "repair_applied_at", "repair_rectified", "repair_paid")
    _event(entry, EventKind.REPAIR_APPLIED, actor, application=application, rectified=True, paid=True)
    return entry


def _remove(entry: BlacklistEntry, *, reason: str) -> None:
    entry.status, entry.removed_at, entry.removal_reason = Status.REMOVED, timezone.now(), reason
    _save(entry, "status", "removed_at", "removal_reason")
    _notify_partners(entry, BlacklistDelivery.Change.REMOVED)


@transaction.atomic
def blacklist_approve_repair(*, entry: BlacklistEntry, actor: User, decision: str) -> BlacklistEntry:
    """A city manager approves the credit repair: the entry is removed early."""
    decision = _clean_text(decision, what=_("审核决定"), required=True)
    entry = _lock(entry, allowed=[Status.PUBLISHED])
    if entry.repair_applied_at is None:
        raise BlacklistConflict(_("没有待审核的信用修复申请"))
    if conflict := _repair_not_yet(entry):
        raise conflict
    with site_language():
        _remove(entry, reason=_("信用修复：%(decision)s") % {"decision": decision})
    _event(entry, EventKind.REPAIR_APPROVED, actor, decision=decision)
    return entry


@transaction.atomic
def blacklist_reject_repair(*, entry: BlacklistEntry, actor: User, decision: str) -> BlacklistEntry:
    """A city manager refuses the credit repair: the entry stays listed, the application is
    closed (its text stays on the timeline) and the employer may apply again."""
    decision = _clean_text(decision, what=_("不予修复理由"), required=True)
    entry = _lock(entry, allowed=[Status.PUBLISHED])
    if entry.repair_applied_at is None:
        raise BlacklistConflict(_("没有待审核的信用修复申请"))
    entry.repair_application, entry.repair_applied_at = "", None
    entry.repair_rectified = entry.repair_paid = False
    _save(entry, "repair_application", "repair_applied_at", "repair_rectified", "repair_paid")
    _event(entry, EventKind.REPAIR_REJECTED, actor, decision=decision)
    return entry


@transaction.atomic
def _expire_one(pk: int, today: dt.date) -> bool:
    entry = BlacklistEntry.objects.select_for_update().filter(pk=pk, status=Status.PUBLISHED).first()
    if entry is None or entry.expires_on is None or entry.expires_on > today:
        return False
    with site_language():
        _remove(entry, reason=_("期满移出"))
    _event(entry, EventKind.EXPIRED, None, expires_on=entry.expires_on.isoformat())
    return True


@transaction.atomic
def _lapse_one(pk: int, today: dt.date) -> bool:
    entry = BlacklistEntry.objects.select_for_update().filter(pk=pk, status=Status.NOTIFIED).first()
    if entry is None or entry.statement_deadline is None or entry.statement_deadline >= today:
        return False
    blacklist_close_statement_period(entry=entry, actor=None)
    return True


def blacklist_nightly() -> dict[str, int]:
    """The nightly job: entries whose listing period has run out are removed (on their
    expiry day), and notified entries whose statement period has passed go to review.
    Safe to repeat; each entry is its own transaction. The list is a few hundred entries
    at most, so one entry at a time is cheap and keeps every event and delivery."""
    today = timezone.localdate()
    expired = BlacklistEntry.objects.filter(status=Status.PUBLISHED, expires_on__lte=today)
    lapsed = BlacklistEntry.objects.filter(status=Status.NOTIFIED, statement_deadline__lt=today)
    return {
        "expired": sum(_expire_one(pk, today) for pk in expired.values_list("pk", flat=True)),
        "lapsed": sum(_lapse_one(pk, today) for pk in lapsed.values_list("pk", flat=True)),
    }


@transaction.atomic
def delivery_acknowledge(*, delivery: BlacklistDelivery, actor: User) -> BlacklistDelivery:
    """A partner confirms it applied (or lifted) its measures for this change."""
    moved = BlacklistDelivery.objects.filter(pk=delivery.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=actor
    )
    if moved != 1:
        raise BlacklistConflict(_("该推送已确认"))
    return BlacklistDelivery.objects.get(pk=delivery.pk)
