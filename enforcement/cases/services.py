"""Writes on enforcement cases: open (directly, or from an escalated task), take over,
record violations and audit findings, attach evidence, issue the rectification order and
the prior notice of penalty, mark rectified, move overdue orders to unrectified (nightly),
and close with an outcome.

Every service is keyword-only and atomic, moves the case with a conditional UPDATE (two
inspectors, or an inspector and the nightly job, never both win) and writes a CaseEvent
with the actor and what changed: nothing on a case is edited in place without one. A
service refused by the case's status raises CaseConflict (409 in the API, a message on
the pages); bad input raises CaseError (400)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.cases import documents
from enforcement.cases.models import (
    CaseArrearsPeriod,
    CaseAttachment,
    CaseDocument,
    CaseDocumentKind,
    CaseEventKind,
    CaseFinding,
    CaseFine,
    CaseOutcome,
    CasePayment,
    CaseViolation,
    FindingSource,
    ViolationKind,
)
from enforcement.models import CaseEvent, EnforcementCase, Task
from enforcement.services import MAX_TEXT, TaskConflict, TaskError
from wuhai_coverage.core.models import Role, User
from wuhai_coverage.core.text import in_site_language
from wuhai_coverage.core.validators import InvalidIdentifier, normalize_uscc

Status = EnforcementCase.Status


class CaseError(TaskError):
    """The input cannot be taken; the message says why (translated)."""


class CaseConflict(CaseError, TaskConflict):
    """The case's status forbids the action, however well formed the request (409)."""


# Statuses from which each action may start.
WORKABLE = (Status.OPEN, Status.AUDITING, Status.ORDER_ISSUED, Status.RECTIFIED, Status.UNRECTIFIED)
ORDERABLE = (Status.OPEN, Status.AUDITING)
WITHDRAWABLE = (Status.OPEN, Status.AUDITING)
RECTIFIABLE = (Status.ORDER_ISSUED, Status.UNRECTIFIED)
PENALTY_NOTICEABLE = (Status.UNRECTIFIED,)
# The outcomes a case may be closed with, from which statuses.
CLOSABLE: dict[str, tuple[str, ...]] = {
    CaseOutcome.NO_VIOLATION: (Status.OPEN, Status.AUDITING),
    CaseOutcome.RECTIFIED: (Status.RECTIFIED,),
    CaseOutcome.PAID: (Status.RECTIFIED, Status.UNRECTIFIED),
    CaseOutcome.COURT: (Status.UNRECTIFIED,),
}

# An order's period to put things right, in working days (the calendar of h-workdays).
ORDER_DEFAULT_WORKING_DAYS = 15
ORDER_MAX_WORKING_DAYS = 60
# The statement period of a prior notice of penalty (行政处罚法: three working days).
PENALTY_STATEMENT_WORKING_DAYS = 3
# The largest fine a prior notice may propose (yuan): far above 3× any arrears seen here,
# low enough to catch a misplaced digit.
PENALTY_MAX_FINE = Decimal("100000000")


# --- Helpers -----------------------------------------------------------------------------


def working_days_add(start: dt.date, n: int) -> dt.date:
    """`n` working days after `start`, by the city's calendar of holidays and make-up days."""
    from enforcement.workdays.selectors import working_days_add as add

    return add(start, n)


def _label(status: str | None) -> str:
    return str(Status(status).label) if status in Status.values else "—"


def _conflict(current: str | None) -> CaseConflict:
    return CaseConflict(_("案件当前状态为「%(status)s」，不能执行此操作") % {"status": _label(current)})


def _lock(case: EnforcementCase, *, allowed: Iterable[str]) -> EnforcementCase:
    """Lock the case's row; CaseConflict unless its status is one of `allowed`."""
    locked = EnforcementCase.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None or locked.status not in list(allowed):
        raise _conflict(locked.status if locked else None)
    return locked


def _update(case: EnforcementCase, **changes: Any) -> EnforcementCase:
    EnforcementCase.objects.filter(pk=case.pk).update(updated_at=timezone.now(), **changes)
    return EnforcementCase.objects.select_related("district", "street", "inspector", "task").get(pk=case.pk)


def _event(case: EnforcementCase, what: str, actor: User | None, /, **data: Any) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=what, actor=actor, data=data)


def _text(value: str | None, *, what: str, required: bool = False, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise CaseError(_("请填写%(what)s") % {"what": what})
    if len(text) > limit:
        raise CaseError(_("%(what)s不能超过%(limit)d字") % {"what": what, "limit": limit})
    return text


def _check_inspector(user: User) -> None:
    if user.role != Role.INSPECTOR or not user.is_active:
        raise CaseError(_("承办人应为在职的劳动保障监察员（%(user)s 不是）") % {"user": user})


# --- Opening -----------------------------------------------------------------------------


@transaction.atomic
def case_open(*, actor: User, uscc: str, case_type: str, note: str = "", name: str = "") -> EnforcementCase:
    """An inspector opens a case for an employer: the USCC must be valid; the name and the
    district come from the registry (a name is required only for an employer the registry
    does not hold). One case at a time per employer: a second is a conflict."""
    from enrollment.models import Employer

    try:
        uscc = normalize_uscc(uscc)
    except InvalidIdentifier as exc:
        raise CaseError(str(exc)) from None
    if case_type not in EnforcementCase.CaseType.values:
        raise CaseError(_("案件类型无效：%(value)s") % {"value": str(case_type)[:40]})
    note = _text(note, what=_("立案说明"))
    employer = Employer.objects.filter(uscc=uscc).first()
    name = employer.name if employer else _text(name, what=_("单位名称"), required=True, limit=200)
    if not employer and not name:
        raise CaseError(_("登记信息中没有该单位，请填写单位名称"))
    existing = (
        EnforcementCase.objects.select_for_update()
        .filter(employer_uscc=uscc)
        .exclude(status=Status.CLOSED)
        .values_list("pk", flat=True)
        .first()
    )
    if existing:
        raise CaseConflict(_("该单位已有在办案件（案件 %(pk)d）") % {"pk": existing})
    case = EnforcementCase.objects.create(
        case_type=case_type,
        employer_uscc=uscc,
        employer_name=name[:200],
        district_id=employer.district_id if employer else None,
        street_id=employer.street_id if employer else None,
        opened_by=actor,
        inspector=actor if actor.role == Role.INSPECTOR else None,
        arrears_amount=employer.arrears_amount if employer else Decimal(0),
        updated_at=timezone.now(),
    )
    _event(
        case,
        CaseEventKind.OPENED,
        actor,
        uscc=uscc,
        name=case.employer_name,
        note=note,
        registry=bool(employer),
    )
    return case


def case_open_from_task(
    *, task: Task, actor: User, uscc: str, name: str, case_type: str, arrears: Decimal, note: str
) -> EnforcementCase:
    """The case an escalation opens (called inside enforcement.services.task_escalate's
    transaction): linked to the task, with the comparison's evidence as its first record."""
    case = EnforcementCase.objects.create(
        task=task,
        case_type=case_type,
        employer_uscc=uscc[:18],
        employer_name=name[:200],
        district_id=task.district_id,
        street_id=task.street_id,
        opened_by=actor,
        arrears_amount=arrears,
        findings={"from_task": task.pk, "kind": task.kind, "evidence": task.evidence},
        updated_at=timezone.now(),
    )
    _event(case, CaseEventKind.OPENED, actor, from_task=task.pk, note=note)
    return case


@transaction.atomic
def case_assign(*, case: EnforcementCase, actor: User, inspector: User) -> EnforcementCase:
    """Give the case to an inspector (an inspector takes a case by assigning it to himself)."""
    _check_inspector(inspector)
    locked = _lock(case, allowed=WORKABLE)
    if locked.inspector_id == inspector.pk:
        raise CaseConflict(_("案件已由 %(user)s 承办") % {"user": inspector})
    case = _update(case, inspector=inspector)
    _event(
        case,
        CaseEventKind.INSPECTOR,
        actor,
        inspector=inspector.pk,
        name=str(inspector),
        previous=locked.inspector_id,
    )
    return case


# --- The case file -----------------------------------------------------------------------


@transaction.atomic
def case_record_violation(
    *,
    case: EnforcementCase,
    actor: User,
    kind: str,
    description: str,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
) -> CaseViolation:
    if kind not in ViolationKind.values:
        raise CaseError(_("违法行为类型无效：%(value)s") % {"value": str(kind)[:40]})
    description = _text(description, what=_("情况说明"), required=True)
    if period_from and period_to and period_from > period_to:
        raise CaseError(_("起始时间不能晚于截止时间"))
    if period_from and period_from > timezone.localdate():
        raise CaseError(_("起始时间不能晚于今天"))
    _lock(case, allowed=WORKABLE)
    if CaseViolation.objects.filter(case=case, kind=kind, withdrawn_at__isnull=True).exists():
        raise CaseConflict(_("该违法行为已认定，如需修改请先撤销"))
    violation = CaseViolation.objects.create(
        case=case,
        kind=kind,
        description=description,
        period_from=period_from,
        period_to=period_to,
        recorded_by=actor,
    )
    _update(case)
    _event(
        case,
        CaseEventKind.VIOLATION,
        actor,
        violation=violation.pk,
        kind=kind,
        description=description,
        period_from=period_from.isoformat() if period_from else None,
        period_to=period_to.isoformat() if period_to else None,
    )
    return violation


@transaction.atomic
def case_withdraw_violation(
    *, case: EnforcementCase, actor: User, violation: CaseViolation, reason: str
) -> CaseViolation:
    """Withdraw a violation before the order cites it (the row stays, marked withdrawn)."""
    reason = _text(reason, what=_("撤销理由"), required=True)
    _lock(case, allowed=WITHDRAWABLE)
    moved = CaseViolation.objects.filter(pk=violation.pk, case=case, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_reason=reason
    )
    if moved != 1:
        raise CaseConflict(_("该违法行为已撤销"))
    _update(case)
    _event(
        case,
        CaseEventKind.VIOLATION_WITHDRAWN,
        actor,
        violation=violation.pk,
        kind=violation.kind,
        reason=reason,
    )
    return CaseViolation.objects.get(pk=violation.pk)


@transaction.atomic
def case_record_finding(
    *,
    case: EnforcementCase,
    actor: User,
    source: str,
    period: dt.date,
    verified_headcount: int,
    verified_monthly_base: Decimal,
    declared_headcount: int | None = None,
    declared_monthly_base: Decimal | None = None,
    note: str = "",
) -> CaseFinding:
    """An audit finding for one month; an open case becomes auditing."""
    if source not in FindingSource.values:
        raise CaseError(_("来源无效：%(value)s") % {"value": str(source)[:40]})
    period = period.replace(day=1)
    if period > timezone.localdate():
        raise CaseError(_("所属期不能晚于本月"))
    if verified_headcount < 0 or (declared_headcount is not None and declared_headcount < 0):
        raise CaseError(_("人数不能为负数"))
    for value in (verified_monthly_base, declared_monthly_base):
        if value is not None and (value < 0 or value.as_tuple().exponent < -2):  # type: ignore[operator]
            raise CaseError(_("金额应为不小于0、最多两位小数的数"))
    note = _text(note, what=_("说明"))
    locked = _lock(case, allowed=WORKABLE)
    finding = CaseFinding.objects.create(
        case=case,
        source=source,
        period=period,
        verified_headcount=verified_headcount,
        verified_monthly_base=verified_monthly_base,
        declared_headcount=declared_headcount,
        declared_monthly_base=declared_monthly_base,
        note=note,
        recorded_by=actor,
    )
    _update(case, status=Status.AUDITING if locked.status == Status.OPEN else locked.status)
    _event(
        case,
        CaseEventKind.FINDING,
        actor,
        finding=finding.pk,
        source=source,
        period=period.isoformat(),
        verified_headcount=verified_headcount,
        verified_monthly_base=str(verified_monthly_base),
        declared_headcount=declared_headcount,
        declared_monthly_base=None if declared_monthly_base is None else str(declared_monthly_base),
    )
    return finding


# Attachments: the types an inspector's evidence comes in, known by their first bytes.
ATTACHMENT_TYPES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


def attachment_max_bytes() -> int:
    return int(settings.CASE_ATTACHMENT_MAX_BYTES)


def sniff_type(head: bytes, content: bytes) -> str | None:
    """The attachment's type from its bytes (the name and the browser's word are not
    believed); an XLSX must be a zip holding a workbook."""
    for content_type, magics in ATTACHMENT_TYPES.items():
        if any(head.startswith(m) for m in magics):
            if content_type.endswith(".sheet"):
                try:
                    with zipfile.ZipFile(io.BytesIO(content)) as z:
                        names = set(z.namelist())
                except (zipfile.BadZipFile, ValueError):
                    return None
                if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                    return None
            return content_type
    return None


@transaction.atomic
def case_add_attachment(
    *,
    case: EnforcementCase,
    actor: User,
    upload: UploadedFile,
    description: str = "",
    finding: CaseFinding | None = None,
) -> CaseAttachment:
    limit = attachment_max_bytes()
    size = upload.size or 0
    if size == 0:
        raise CaseError(_("文件为空"))
    if size > limit:
        raise CaseError(_("文件过大：%(size)d 字节，上限 %(limit)d 字节") % {"size": size, "limit": limit})
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise CaseError(_("文件过大：上限 %(limit)d 字节") % {"limit": limit})
    content_type = sniff_type(content[:16], content)
    if content_type is None:
        raise CaseError(_("只接受 PDF、JPEG、PNG 或 XLSX 文件（按文件内容判断）"))
    description = _text(description, what=_("说明"), limit=200)
    if finding is not None and finding.case_id != case.pk:
        raise CaseError(_("稽核结果不属于本案"))
    _lock(case, allowed=WORKABLE)
    original = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
    attachment = CaseAttachment(
        case=case,
        finding=finding,
        original_name=original,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        description=description,
        uploaded_by=actor,
    )
    attachment.file.save(f"case-{case.pk}{EXTENSIONS[content_type]}", ContentFile(content), save=False)
    attachment.save()
    _update(case)
    _event(
        case,
        CaseEventKind.ATTACHMENT,
        actor,
        attachment=attachment.pk,
        name=original,
        content_type=content_type,
        size=len(content),
        sha256=attachment.sha256,
    )
    return attachment


@transaction.atomic
def case_add_note(*, case: EnforcementCase, actor: User, note: str) -> CaseEvent:
    note = _text(note, what=_("备注"), required=True)
    _lock(case, allowed=(*WORKABLE, Status.CLOSED))
    return _event(case, CaseEventKind.NOTE, actor, note=note)


# --- Documents and decisions -------------------------------------------------------------


def _statement_or_none(case: EnforcementCase):
    """The arrears statement for a document, when the case has one (else None)."""
    if not case.arrears_periods.exists():
        return None
    return arrears_statement_get(case=case)


@in_site_language
def _issue_document(
    *,
    case: EnforcementCase,
    actor: User,
    kind: str,
    decision: str,
    deadline: dt.date | None,
    issuing_office: str,
) -> CaseDocument:
    kinds = [v.kind for v in documents.live_violations(case)]
    document = CaseDocument.objects.create(
        case=case,
        kind=kind,
        number=documents.next_number(kind=kind, year=timezone.localdate().year),
        addressee=documents.addressee_of(case),
        facts=documents.facts_of(case, statement=_statement_or_none(case)),
        legal_basis=documents.legal_basis_of(kinds),
        decision=decision,
        deadline=deadline,
        issuing_office=issuing_office or documents.issuing_office_of(case),
        issued_by=actor,
    )
    document.pdf.save(f"case-{case.pk}-{kind}.pdf", ContentFile(documents.render_pdf(document)), save=True)
    _event(
        case,
        CaseEventKind.DOCUMENT,
        actor,
        document=document.pk,
        kind=kind,
        number=document.number,
        deadline=deadline.isoformat() if deadline else None,
    )
    return document


@transaction.atomic
def case_issue_order(
    *,
    case: EnforcementCase,
    actor: User,
    working_days: int = ORDER_DEFAULT_WORKING_DAYS,
    issuing_office: str = "",
) -> CaseDocument:
    """The 限期改正指令书: needs at least one violation; its deadline is `working_days`
    working days from today; the case becomes order_issued."""
    if not 1 <= working_days <= ORDER_MAX_WORKING_DAYS:
        raise CaseError(_("改正期限应为 1 至 %(limit)d 个工作日") % {"limit": ORDER_MAX_WORKING_DAYS})
    issuing_office = _text(issuing_office, what=_("发文机关"), limit=120)
    _lock(case, allowed=ORDERABLE)
    kinds = [v.kind for v in documents.live_violations(case)]
    if not kinds:
        raise CaseConflict(_("尚未认定违法行为，不能下达限期改正指令"))
    deadline = working_days_add(timezone.localdate(), working_days)
    document = _issue_document(
        case=case,
        actor=actor,
        kind=CaseDocumentKind.ORDER,
        decision=documents.order_decision(kinds),
        deadline=deadline,
        issuing_office=issuing_office,
    )
    _update(case, status=Status.ORDER_ISSUED, order_deadline=deadline, order_issued_at=timezone.now())
    _event(
        case,
        CaseEventKind.ORDER_ISSUED,
        actor,
        document=document.pk,
        number=document.number,
        deadline=deadline.isoformat(),
        working_days=working_days,
    )
    return document


@transaction.atomic
def case_issue_penalty_notice(
    *, case: EnforcementCase, actor: User, proposed_fine: Decimal | None = None, issuing_office: str = ""
) -> CaseDocument:
    """The 行政处罚事先告知书, once an order's deadline has passed unrectified."""
    if proposed_fine is not None and not (Decimal(0) < proposed_fine <= PENALTY_MAX_FINE):
        raise CaseError(_("拟罚款金额应大于0且不超过 %(limit)s 元") % {"limit": PENALTY_MAX_FINE})
    issuing_office = _text(issuing_office, what=_("发文机关"), limit=120)
    _lock(case, allowed=PENALTY_NOTICEABLE)
    kinds = [v.kind for v in documents.live_violations(case)]
    return _issue_document(
        case=case,
        actor=actor,
        kind=CaseDocumentKind.PENALTY_NOTICE,
        decision=documents.penalty_decision(kinds, proposed_fine),
        deadline=working_days_add(timezone.localdate(), PENALTY_STATEMENT_WORKING_DAYS),
        issuing_office=issuing_office,
    )


@transaction.atomic
def case_mark_rectified(*, case: EnforcementCase, actor: User, what_changed: str) -> EnforcementCase:
    """The employer put it right (in time, or late after the deadline passed)."""
    what_changed = _text(what_changed, what=_("整改情况"), required=True)
    locked = _lock(case, allowed=RECTIFIABLE)
    case = _update(case, status=Status.RECTIFIED)
    _event(
        case,
        CaseEventKind.RECTIFIED,
        actor,
        what_changed=what_changed,
        late=locked.status == Status.UNRECTIFIED,
    )
    return case


def case_overdue_orders_mark(*, today: dt.date | None = None) -> list[int]:
    """The nightly job: every case whose order deadline passed with the case still
    order_issued becomes unrectified (the inspectors' "ready to propose" list), with an
    event. Idempotent: a case already moved is not moved again."""
    today = today or timezone.localdate()
    moved: list[int] = []
    due = EnforcementCase.objects.filter(status=Status.ORDER_ISSUED, order_deadline__lt=today)
    for pk in due.values_list("pk", flat=True).order_by("pk"):
        with transaction.atomic():
            n = EnforcementCase.objects.filter(
                pk=pk, status=Status.ORDER_ISSUED, order_deadline__lt=today
            ).update(status=Status.UNRECTIFIED, updated_at=timezone.now())
            if n == 1:
                deadline = EnforcementCase.objects.values_list("order_deadline", flat=True).get(pk=pk)
                CaseEvent.objects.create(
                    case_id=pk,
                    kind=CaseEventKind.UNRECTIFIED,
                    actor=None,
                    data={"deadline": deadline.isoformat() if deadline else None, "as_of": today.isoformat()},
                )
                moved.append(pk)
    return moved


@transaction.atomic
def case_close(*, case: EnforcementCase, actor: User, outcome: str, note: str = "") -> EnforcementCase:
    """Close with an outcome. No violation: only before an order, with no violation held.
    Rectified: after rectification. Paid: after rectification or when unrectified.
    申请法院强制执行: when unrectified. An escalated task of a rectified or paid case is
    closed as rectified too."""
    if outcome not in CLOSABLE:
        raise CaseError(_("结案方式无效：%(value)s") % {"value": str(outcome)[:40]})
    note = _text(note, what=_("结案说明"), required=outcome in (CaseOutcome.NO_VIOLATION, CaseOutcome.COURT))
    locked = _lock(case, allowed=CLOSABLE[outcome])
    if outcome == CaseOutcome.NO_VIOLATION and documents.live_violations(locked):
        raise CaseConflict(_("本案已认定违法行为，不能以「无违法行为」结案（请先撤销）"))
    label = str(CaseOutcome(outcome).label)
    case = _update(
        case, status=Status.CLOSED, outcome_kind=outcome, outcome=note or label, closed_at=timezone.now()
    )
    _event(case, CaseEventKind.CLOSED, actor, outcome=outcome, note=note, previous=locked.status)
    if outcome in (CaseOutcome.RECTIFIED, CaseOutcome.PAID) and case.task_id:
        _close_escalated_task(case, actor, label)
    return case


def _close_escalated_task(case: EnforcementCase, actor: User, label: str) -> None:
    from enforcement import services as task_services

    task = Task.objects.filter(pk=case.task_id or 0, status=Task.Status.ESCALATED).first()
    if task is not None:
        task_services.task_mark_rectified(
            task=task,
            actor=actor,
            what_changed=_("执法案件 %(pk)d 结案：%(outcome)s") % {"pk": case.pk, "outcome": label},
        )


# --- The arrears statement ----------------------------------------------------------------
# The arithmetic is enforcement/arrears.py's (h-workdays); these services keep its inputs
# (periods owed, payments) and the chosen fine on the case, each with an event.


def _period_text(period: str) -> str:
    from enforcement import arrears

    try:
        year, month = arrears.parse_period(period.strip())
    except arrears.ArrearsError as exc:
        raise CaseError(str(exc)) from None
    if dt.date(year, month, 1) > timezone.localdate():
        raise CaseError(_("费款所属期不能晚于本月"))
    return f"{year}{month:02d}"


@transaction.atomic
def case_arrears_period_set(
    *, case: EnforcementCase, actor: User, period: str, owed: Decimal | None = None
) -> CaseArrearsPeriod:
    """A period of the statement. Without `owed`, it comes from the case's latest finding
    for that month: (verified − declared monthly base) × the contribution rates."""
    from enforcement import arrears

    period = _period_text(period)
    finding = None
    if owed is None:
        first = dt.date(int(period[:4]), int(period[4:]), 1)
        finding = CaseFinding.objects.filter(case=case, period=first).order_by("-recorded_at", "-id").first()
        if finding is None:
            raise CaseError(_("该期间没有稽核结果，请录入应缴金额"))
        gap = finding.verified_monthly_base - (finding.declared_monthly_base or Decimal(0))
        owed = arrears.yuan(
            arrears.contributions_owed(arrears.fen(max(gap, Decimal(0))), arrears.contribution_rates())
        )
        source = _("稽核核定基数差额 %(gap)s 元 × 费率") % {"gap": f"{gap:.2f}"}
    else:
        if owed < 0 or owed.as_tuple().exponent < -2:  # type: ignore[operator]
            raise CaseError(_("金额应为不小于0、最多两位小数的数"))
        source = _("录入")
    _lock(case, allowed=WORKABLE)
    if CaseArrearsPeriod.objects.filter(case=case, period=period).exists():
        raise CaseConflict(_("费款所属期 %(period)s 已在欠费计算中") % {"period": period})
    row = CaseArrearsPeriod.objects.create(
        case=case, period=period, owed=owed, source=source, finding=finding, recorded_by=actor
    )
    _update(case)
    _event(case, CaseEventKind.ARREARS_PERIOD, actor, period=period, owed=str(owed), note=source)
    return row


@transaction.atomic
def case_payment_record(
    *, case: EnforcementCase, actor: User, paid_on: dt.date, amount: Decimal, reference: str = ""
) -> CasePayment:
    if amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise CaseError(_("缴费金额应大于0，最多两位小数"))
    if paid_on > timezone.localdate():
        raise CaseError(_("缴费日期不能晚于今天"))
    reference = _text(reference, what=_("凭证号"), limit=60)
    _lock(case, allowed=WORKABLE)
    payment = CasePayment.objects.create(
        case=case, paid_on=paid_on, amount=amount, reference=reference, recorded_by=actor
    )
    _update(case)
    _event(
        case,
        CaseEventKind.PAYMENT,
        actor,
        paid_on=paid_on.isoformat(),
        amount=str(amount),
        reference=reference,
    )
    return payment


def arrears_statement_get(*, case: EnforcementCase, as_of: dt.date | None = None):
    """The case's statement as of `as_of` (today): enforcement.arrears on its rows."""
    from enforcement import arrears

    periods = [
        arrears.PeriodDue(period=p.period, owed=arrears.fen(p.owed), source=p.source)
        for p in case.arrears_periods.order_by("period")
    ]
    payments = [
        arrears.Payment(paid_on=p.paid_on, amount=arrears.fen(p.amount), reference=p.reference)
        for p in case.payments.order_by("paid_on", "id")
    ]
    try:
        return arrears.arrears_statement(periods, payments, as_of=as_of or timezone.localdate())
    except arrears.ArrearsError as exc:
        raise CaseError(str(exc)) from None


@transaction.atomic
def case_fine_record(*, case: EnforcementCase, actor: User, amount: Decimal, reason: str) -> CaseFine:
    """The chosen fine: within 1–3× the unpaid amount of today's statement."""
    from enforcement import arrears

    reason = _text(reason, what=_("裁量理由"), required=True)
    _lock(case, allowed=WORKABLE)
    statement = arrears_statement_get(case=case)
    if statement.total_unpaid == 0:
        raise CaseConflict(_("欠费计算中没有欠缴数额，不能确定罚款"))
    try:
        statement.check_fine(arrears.fen(amount))
    except arrears.ArrearsError as exc:
        raise CaseError(str(exc)) from None
    fine = CaseFine.objects.create(
        case=case,
        amount=amount,
        unpaid=arrears.yuan(statement.total_unpaid),
        as_of=statement.as_of,
        reason=reason,
        recorded_by=actor,
    )
    _update(case)
    _event(case, CaseEventKind.FINE, actor, amount=str(amount), unpaid=str(fine.unpaid), reason=reason)
    return fine
