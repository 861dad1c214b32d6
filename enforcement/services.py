"""Writes on inspection tasks: assign, record a contact, issue a notice, mark rectified,
dismiss, escalate to an enforcement case, and the logged reveal of personal data.

Every service is keyword-only and atomic; it moves a task with a conditional UPDATE (so
that two caseworkers, or a caseworker and the nightly run, never both win) and writes a
TaskEvent with the actor for every change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from enforcement.kinds import KINDS
from enforcement.models import (
    EnforcementCase,
    Notice,
    NoticeSequence,
    Task,
    TaskEvent,
)
from wuhai_coverage.core.models import AccessLog, Role, User
from wuhai_coverage.core.services import access_log_reveal

Status = Task.Status


class TaskError(Exception):
    """The action is not possible on this task now; the message says why (translated)."""


class TaskConflict(TaskError):
    """The task's status or subject (or the assignee's street) forbids the action, however
    well formed the request: the API answers 409, not 400."""


# Statuses from which each action may start.
ASSIGNABLE = (Status.OPEN, Status.ASSIGNED, Status.CONTACTED, Status.NOTICE_ISSUED)
CONTACTABLE = (Status.OPEN, Status.ASSIGNED, Status.CONTACTED, Status.NOTICE_ISSUED)
NOTICEABLE = (Status.OPEN, Status.ASSIGNED, Status.CONTACTED, Status.NOTICE_ISSUED)
RECTIFIABLE = (Status.OPEN, Status.ASSIGNED, Status.CONTACTED, Status.NOTICE_ISSUED, Status.ESCALATED)
DISMISSABLE = (Status.OPEN, Status.ASSIGNED, Status.CONTACTED, Status.NOTICE_ISSUED)
ESCALATABLE = (Status.OPEN, Status.ASSIGNED, Status.CONTACTED, Status.NOTICE_ISSUED)

CONTACT_CHANNELS = {
    "phone": gettext_lazy("电话"),
    "visit": gettext_lazy("上门走访"),
    "sms": gettext_lazy("短信"),
}
CONTACT_OUTCOMES = {
    "reached": gettext_lazy("已联系上"),
    "not_reached": gettext_lazy("未联系上"),
    "will_enroll": gettext_lazy("同意办理参保"),
    "refused": gettext_lazy("拒绝参保"),
    "already_enrolled": gettext_lazy("称已在外地/其他渠道参保"),
    "moved_away": gettext_lazy("已迁出/查无此人"),
    "closed_business": gettext_lazy("已停业/注销"),
    "other": gettext_lazy("其他"),
}
MAX_TEXT = 2000

# Why a task is dismissed: a preset reason (its code is stored on the event, its label is
# shown in the timeline) plus a note, which "other" requires. `subjects` limits a reason to
# the subject types it can be about (empty: any).
DISMISS_OTHER = "other"
DISMISS_REASONS: dict[str, tuple[StrOrPromise, tuple[str, ...]]] = {
    "insured_elsewhere": (gettext_lazy("已在外地参保"), ()),
    "deregistered": (gettext_lazy("单位已注销/吊销"), (Task.SubjectType.EMPLOYER, Task.SubjectType.PROJECT)),
    "deceased_or_moved": (gettext_lazy("人员已死亡/迁出"), (Task.SubjectType.PERSON,)),
    "duplicate": (gettext_lazy("重复任务"), ()),
    "out_of_scope": (gettext_lazy("不属于参保范围"), ()),
    DISMISS_OTHER: (gettext_lazy("其他"), ()),
}


def dismiss_reasons_for(subject_type: str) -> list[tuple[str, StrOrPromise]]:
    """(code, label) of the preset dismissal reasons that fit a subject type, in order."""
    return [
        (code, label)
        for code, (label, subjects) in DISMISS_REASONS.items()
        if not subjects or subject_type in subjects
    ]


def dismiss_reason_label(code: str) -> str:
    """The label of a stored reason code (an unknown code is shown as it is)."""
    entry = DISMISS_REASONS.get(code)
    return str(entry[0]) if entry else code


def _move(task: Task, *, allowed: Iterable[str], **changes) -> Task:
    """UPDATE the task only if it is still in one of the allowed statuses."""
    moved = Task.objects.filter(pk=task.pk, status__in=list(allowed)).update(**changes)
    if moved != 1:
        current = Task.objects.filter(pk=task.pk).values_list("status", flat=True).first()
        label = Status(current).label if current else "—"
        raise TaskConflict(_("任务当前状态为「%(status)s」，不能执行此操作") % {"status": label})
    return Task.objects.select_related("district", "street", "assignee").get(pk=task.pk)


def _lock(task: Task, *, allowed: Iterable[str]) -> str:
    """Lock the task's row and return its status, if it is one of the allowed ones."""
    current = Task.objects.select_for_update().filter(pk=task.pk).values_list("status", flat=True).first()
    if current not in list(allowed):
        label = Status(current).label if current else "—"
        raise TaskConflict(_("任务当前状态为「%(status)s」，不能执行此操作") % {"status": label})
    return current


def _clean_text(value: str | None, *, what: str, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise TaskError(_("请填写%(what)s") % {"what": what})
    if len(text) > MAX_TEXT:
        raise TaskError(_("%(what)s不能超过%(limit)d字") % {"what": what, "limit": MAX_TEXT})
    return text


def _check_assignee(task: Task, assignee: User) -> None:
    if assignee.role != Role.STREET_STAFF or not assignee.is_active:
        raise TaskConflict(_("只能分派给街道/社区工作人员（%(user)s 不是）") % {"user": assignee})
    if not task.street_id:
        raise TaskConflict(_("任务尚未归属街道，不能分派给街道人员"))
    if assignee.street_id != task.street_id:
        raise TaskConflict(_("%(user)s 不属于任务所在街道") % {"user": assignee})


@transaction.atomic
def task_assign(*, task: Task, actor: User, assignee: User) -> Task:
    """Assign a task to a street worker of its street; an open task becomes assigned
    (a task already contacted or noticed keeps its status)."""
    _check_assignee(task, assignee)
    current = _lock(task, allowed=ASSIGNABLE)
    before = Task.objects.filter(pk=task.pk).values_list("assignee_id", flat=True).get()
    Task.objects.filter(pk=task.pk).update(
        assignee=assignee, status=Status.ASSIGNED if current == Status.OPEN else current
    )
    TaskEvent.objects.create(
        task=task,
        kind=TaskEvent.Kind.ASSIGNED,
        actor=actor,
        data={"assignee": assignee.pk, "assignee_name": str(assignee), "previous": before},
    )
    return Task.objects.select_related("district", "street", "assignee").get(pk=task.pk)


def district_colleagues_list(*, task: Task):
    """Who may take a task whose street has no street worker: the active caseworkers of
    its district (a task without a district: the city's managers)."""
    if task.district_id:
        qs = User.objects.filter(role=Role.DISTRICT_CASEWORKER, district_id=task.district_id)
    else:
        qs = User.objects.filter(role=Role.CITY_MANAGER)
    return qs.filter(is_active=True).order_by("username")


def street_has_staff(*, task: Task) -> bool:
    return (
        bool(task.street_id)
        and User.objects.filter(role=Role.STREET_STAFF, street_id=task.street_id, is_active=True).exists()
    )


@transaction.atomic
def task_assign_in_district(*, task: Task, actor: User, colleague: User | None = None) -> Task:
    """The fallback when the task's street has no street worker account (or the task has
    no street): the task is taken on by the district — by its caseworkers as a team
    (no assignee; it stays in the district's queue, marked as held by the district) or
    by a named colleague of the district. An open task becomes assigned."""
    if street_has_staff(task=task):
        raise TaskConflict(_("该街道有工作人员账号，请分派给街道工作人员"))
    if colleague is not None and not district_colleagues_list(task=task).filter(pk=colleague.pk).exists():
        raise TaskConflict(_("%(user)s 不是本区的经办人员") % {"user": colleague})
    current = _lock(task, allowed=ASSIGNABLE)
    before = Task.objects.filter(pk=task.pk).values_list("assignee_id", flat=True).get()
    Task.objects.filter(pk=task.pk).update(
        assignee=colleague, status=Status.ASSIGNED if current == Status.OPEN else current
    )
    data: dict[str, object] = {"district_queue": True, "previous": before}
    if colleague is not None:
        data.update(assignee=colleague.pk, assignee_name=str(colleague))
    TaskEvent.objects.create(task=task, kind=TaskEvent.Kind.ASSIGNED, actor=actor, data=data)
    return Task.objects.select_related("district", "street", "assignee").get(pk=task.pk)


# Bulk assignment is one UPDATE and one INSERT per call; 1000 ids keep the IN list and
# the event batch small enough for one round trip.
BULK_ASSIGN_MAX = 1000


@transaction.atomic
def task_bulk_assign(*, tasks, actor: User, assignee: User) -> dict[str, int]:
    """Assign many tasks (a queryset already scoped to the actor's jurisdiction) to one
    street worker. Only tasks of the worker's street that can still be assigned move;
    the rest are counted as skipped."""
    if assignee.role != Role.STREET_STAFF or not assignee.is_active:
        raise TaskError(_("只能分派给街道/社区工作人员（%(user)s 不是）") % {"user": assignee})
    ids = list(tasks.values_list("pk", flat=True)[: BULK_ASSIGN_MAX + 1])
    if len(ids) > BULK_ASSIGN_MAX:
        raise TaskError(_("一次最多分派%(limit)d条") % {"limit": BULK_ASSIGN_MAX})
    movable = list(
        Task.objects.select_for_update()
        .filter(pk__in=ids, street_id=assignee.street_id, status__in=ASSIGNABLE)
        .exclude(assignee=assignee)
        .values_list("pk", "assignee_id")
    )
    moved_ids = [pk for pk, _ in movable]
    if moved_ids:
        Task.objects.filter(pk__in=moved_ids).update(assignee=assignee)
        Task.objects.filter(pk__in=moved_ids, status=Status.OPEN).update(status=Status.ASSIGNED)
        TaskEvent.objects.bulk_create(
            [
                TaskEvent(
                    task_id=pk,
                    kind=TaskEvent.Kind.ASSIGNED,
                    actor=actor,
                    data={
                        "assignee": assignee.pk,
                        "assignee_name": str(assignee),
                        "previous": prev,
                        "bulk": True,
                    },
                )
                for pk, prev in movable
            ]
        )
    return {"assigned": len(moved_ids), "skipped": len(ids) - len(moved_ids)}


@transaction.atomic
def task_record_contact(*, task: Task, actor: User, channel: str, outcome: str, note: str = "") -> Task:
    """A phone call, a visit or an SMS with its outcome; the task becomes contacted
    (a task with a notice already issued stays so)."""
    if channel not in CONTACT_CHANNELS:
        raise TaskError(_("联系方式应为 %(choices)s") % {"choices": ", ".join(CONTACT_CHANNELS)})
    if outcome not in CONTACT_OUTCOMES:
        raise TaskError(_("联系结果无效：%(value)s") % {"value": outcome[:40]})
    note = _clean_text(note, what=_("备注"))
    current = _lock(task, allowed=CONTACTABLE)
    # A notice already issued is the further step: the task keeps that status.
    if current != Status.NOTICE_ISSUED:
        Task.objects.filter(pk=task.pk).update(status=Status.CONTACTED)
    TaskEvent.objects.create(
        task=task,
        kind=TaskEvent.Kind.CONTACTED,
        actor=actor,
        data={"channel": channel, "outcome": outcome, "note": note},
    )
    return Task.objects.select_related("district", "street", "assignee").get(pk=task.pk)


@transaction.atomic
def task_add_note(*, task: Task, actor: User, note: str) -> TaskEvent:
    note = _clean_text(note, what=_("备注"), required=True)
    if not Task.objects.filter(pk=task.pk).exists():
        raise TaskError(_("任务不存在"))
    return TaskEvent.objects.create(task=task, kind=TaskEvent.Kind.NOTE, actor=actor, data={"note": note})


def _next_notice_number(year: int) -> str:
    """乌人社告〔YYYY〕NNNN号 from the year's counter, under a row lock."""
    NoticeSequence.objects.get_or_create(year=year)
    seq = NoticeSequence.objects.select_for_update().get(year=year)
    NoticeSequence.objects.filter(year=year).update(last=F("last") + 1)
    return f"乌人社告〔{year}〕{seq.last + 1:04d}号"


@transaction.atomic
def notice_issue(
    *,
    task: Task,
    actor: User,
    deadline: dt.date,
    kind: str = "",
    issuing_office: str = "",
    addressee: str = "",
    seen: int | None = None,
) -> Notice:
    """Issue a notice (A4 PDF, kept on the Notice and the task): its number comes from the
    year's sequence, its facts from the task's evidence, its deadline becomes the task's
    due date, and the task becomes notice_issued.

    `seen` is how many notices the task had when the caseworker's form was drawn: when
    the task has more by now (the same form submitted twice, a second tab), the newest
    notice is returned and none is added. The task's row is locked first, so that two
    submits at once are taken one after the other."""
    from enforcement import notices

    today = timezone.localdate()
    if deadline <= today:
        raise TaskError(_("整改期限应晚于今天"))
    if deadline > today + dt.timedelta(days=366):
        raise TaskError(_("整改期限不能超过一年"))
    kind = kind or notices.default_notice_kind(task.kind)
    if kind not in Notice.Kind.values:
        raise TaskError(_("文书类型无效：%(value)s") % {"value": kind[:40]})
    _lock(task, allowed=NOTICEABLE)
    if seen is not None:
        latest = Notice.objects.filter(task_id=task.pk).order_by("-issued_at", "-pk").first()
        if latest is not None and Notice.objects.filter(task_id=task.pk).count() > seen:
            return latest
    task = _move(task, allowed=NOTICEABLE, status=Status.NOTICE_ISSUED, due_date=deadline)
    notice = Notice.objects.create(
        task=task,
        kind=kind,
        number=_next_notice_number(today.year),
        addressee=_clean_text(addressee, what=_("送达对象")) or notices.addressee_of(task),
        facts=notices.facts_of(task),
        legal_basis=notices.legal_basis_of(task.kind),
        deadline=deadline,
        issuing_office=_clean_text(issuing_office, what=_("发文机关")) or notices.issuing_office_of(task),
        issued_by=actor,
    )
    pdf = notices.render_pdf(notice)
    notice.pdf.save(f"notice-{notice.pk}.pdf", ContentFile(pdf), save=True)
    TaskEvent.objects.create(
        task=task,
        kind=TaskEvent.Kind.NOTICE_ISSUED,
        actor=actor,
        data={"notice": notice.pk, "number": notice.number, "kind": kind, "deadline": deadline.isoformat()},
    )
    return notice


@transaction.atomic
def task_mark_rectified(*, task: Task, actor: User, what_changed: str) -> Task:
    """The subject put it right (enrolled, declared, paid): closed as rectified."""
    what_changed = _clean_text(what_changed, what=_("整改情况"), required=True)
    task = _move(
        task,
        allowed=RECTIFIABLE,
        status=Status.CLOSED,
        resolution=Task.Resolution.RECTIFIED,
        closed_at=timezone.now(),
    )
    TaskEvent.objects.create(
        task=task, kind=TaskEvent.Kind.RECTIFIED, actor=actor, data={"what_changed": what_changed}
    )
    return task


@transaction.atomic
def task_dismiss(*, task: Task, actor: User, reason: str = "", reason_code: str = "", note: str = "") -> Task:
    """Closed as dismissed; the comparison does not reopen it for the snooze period.

    The reason is a preset `reason_code` (DISMISS_REASONS) with an optional `note` — which
    "other" requires — or, as API clients have always sent it, a free-text `reason`."""
    data: dict[str, str]
    if reason_code:
        if reason_code not in dict(dismiss_reasons_for(task.subject_type)):
            raise TaskError(_("不予处理理由无效：%(value)s") % {"value": reason_code[:40]})
        note = _clean_text(note or reason, what=_("说明"), required=reason_code == DISMISS_OTHER)
        data = {"reason_code": reason_code, "note": note} if note else {"reason_code": reason_code}
    else:
        data = {"reason": _clean_text(reason, what=_("不予处理理由"), required=True)}
    task = _move(
        task,
        allowed=DISMISSABLE,
        status=Status.CLOSED,
        resolution=Task.Resolution.DISMISSED,
        closed_at=timezone.now(),
    )
    TaskEvent.objects.create(task=task, kind=TaskEvent.Kind.DISMISSED, actor=actor, data=data)
    return task


@transaction.atomic
def task_escalate(*, task: Task, actor: User, note: str = "") -> EnforcementCase:
    """Hand an employer's (or a project builder's) task to labour inspection: an
    enforcement case is opened and the task becomes escalated."""
    note = _clean_text(note, what=_("移交说明"))
    if task.subject_type == Task.SubjectType.PERSON:
        raise TaskConflict(_("个人任务不能移交劳动保障监察"))
    if task.subject_type == Task.SubjectType.PROJECT:
        uscc = str(task.evidence.get("builder_uscc") or "")
        name = str(task.evidence.get("builder_name") or task.evidence.get("builder") or task.subject_name)
        if not uscc:
            raise TaskConflict(_("比对依据中没有建设单位信用代码"))
    else:
        uscc, name = task.subject_key, task.subject_name or task.subject_key
    task = _move(task, allowed=ESCALATABLE, status=Status.ESCALATED)
    # The case file's services (enforcement/cases/) open it, linked to the task.
    from enforcement.cases.services import case_open_from_task

    case = case_open_from_task(
        task=task,
        actor=actor,
        uscc=uscc,
        name=name,
        case_type=KINDS[task.kind].case_type or EnforcementCase.CaseType.OTHER,
        arrears=_decimal_or_zero(task.evidence.get("arrears_amount")),
        note=note,
    )
    TaskEvent.objects.create(
        task=task, kind=TaskEvent.Kind.ESCALATED, actor=actor, data={"case": case.pk, "note": note}
    )
    return case


def _decimal_or_zero(value):
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


@transaction.atomic
def personal_reveal(
    *, task: Task, actor: User, field_name: str, ip: str | None = None, context: str = ""
) -> str:
    """The unmasked ID number or phone of a task's subject; every reveal is logged."""
    from enforcement.selectors import subject_personal_value_get

    if field_name not in AccessLog.Field.values:
        raise TaskError(_("不能查看该字段：%(value)s") % {"value": field_name[:40]})
    value = subject_personal_value_get(task=task, field_name=field_name)
    access_log_reveal(
        actor=actor,
        field=field_name,
        subject_key=task.subject_key,
        context=context or f"task {task.pk}",
        ip=ip,
    )
    return value
