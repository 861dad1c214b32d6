"""Reads for the caseworker's portal: the task queue, one task, the dashboard counts and
the subject's rows from every current roster (the comparison made visible).

Every read goes through the access helper: `task_list` and `task_get_for_user` scope to
the user's jurisdiction, so a task outside it simply does not exist (404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.models import ComparisonRun, Task, TaskEvent, TaskKind
from enrollment.models import ROW_MODELS, RosterKind
from enrollment.selectors import batch_current_get
from wuhai_coverage.core import access
from wuhai_coverage.core.models import Role, User
from wuhai_coverage.core.roles import VIEW_TASKS
from wuhai_coverage.core.validators import fast_id_number, looks_like_key

# Statuses of a task that is still being worked (everything but closed).
ACTIVE_STATUSES = tuple(s for s in Task.Status.values if s != Task.Status.CLOSED)

# Queue sort keys a user may choose → the ORDER BY they stand for. Every one ends in
# "-id" so that pages are stable under ties.
SORTS: dict[str, tuple[str, ...]] = {
    "-opened_at": ("-opened_at", "-id"),
    "opened_at": ("opened_at", "id"),
    "due_date": ("due_date", "-id"),
    "-due_date": ("-due_date", "-id"),
    "priority": ("priority", "-opened_at", "-id"),  # "high" < "normal" alphabetically: high first
    "subject_name": ("subject_name", "-id"),
    "kind": ("kind", "-opened_at", "-id"),
    "status": ("status", "-opened_at", "-id"),
}
DEFAULT_SORT = "-opened_at"

# A text query that looks like a key is matched against the subject key; anything else
# against the name. A prefix search over ID numbers would let anyone who knows a region
# code and a birth date enumerate persons, so a key search needs the whole key: an ID
# number (18 or 15 digits) matches the person's key exactly; any other key-like text
# (at least 10 characters) matches USCCs and project codes by prefix, never a person.


class FilterError(ValueError):
    """A filter value that is not one of the allowed values; the message says which."""


@dataclass
class TaskFilters:
    kind: str = ""
    status: str = ""  # "" = every status that is not closed; "all" = every status
    district: str = ""
    street: str = ""
    subject: str = ""  # exact subject key
    priority: str = ""
    overdue: bool | None = None
    q: str = ""  # text on name / uscc / ID number
    assignee: str = ""  # "me", "none" or a user id
    person: int | None = None  # a registry person's pk: their tasks, without their key in the URL
    sort: str = DEFAULT_SORT
    extra: dict = field(default_factory=dict)

    _TRUE = ("1", "true", "yes", "on")
    _FALSE = ("0", "false", "no", "off")

    @classmethod
    def from_params(cls, params) -> TaskFilters:
        """Parse query parameters; an unknown value raises FilterError (→ 400 / form error)."""

        def get(name: str) -> str:
            return (params.get(name) or "").strip()

        f = cls(
            kind=get("kind"),
            status=get("status"),
            district=get("district"),
            street=get("street"),
            subject=get("subject"),
            priority=get("priority"),
            q=get("q"),
            assignee=get("assignee"),
            sort=get("sort") or DEFAULT_SORT,
        )
        if f.kind and f.kind not in TaskKind.values:
            raise FilterError(f"kind: 未知的任务类型 / unknown kind {f.kind!r}")
        if f.status and f.status != "all" and f.status not in Task.Status.values:
            raise FilterError(f"status: 未知的状态 / unknown status {f.status!r}")
        if f.priority and f.priority not in Task.Priority.values:
            raise FilterError(f"priority: 未知的优先级 / unknown priority {f.priority!r}")
        if f.district and not (f.district.isdigit() and len(f.district) == 6):
            raise FilterError(
                f"district: 区划代码为6位数字 / a district code has 6 digits, got {f.district!r}"
            )
        if f.street and not (f.street.isdigit() and len(f.street) == 9):
            raise FilterError(f"street: 街道代码为9位数字 / a street code has 9 digits, got {f.street!r}")
        if f.sort not in SORTS:
            raise FilterError(f"sort: 不支持的排序 / unknown sort {f.sort!r}")
        if f.assignee and f.assignee not in ("me", "none") and not f.assignee.isdigit():
            raise FilterError(f"assignee: me, none 或用户编号 / me, none or a user id, got {f.assignee!r}")
        overdue = get("overdue").lower()
        if overdue:
            if overdue in cls._TRUE:
                f.overdue = True
            elif overdue in cls._FALSE:
                f.overdue = False
            else:
                raise FilterError(f"overdue: true 或 false / true or false, got {overdue!r}")
        if len(f.q) > 100:
            raise FilterError("q: 查询文字过长 / the search text is longer than 100 characters")
        person = get("person")
        if person:
            if not person.isdigit() or len(person) > 18:
                raise FilterError(f"person: 人员编号应为整数 / a person id is a whole number, got {person!r}")
            f.person = int(person)
        return f


def task_scope(*, user: User) -> QuerySet:
    """Every task in the user's jurisdiction (nothing for a role without view_tasks)."""
    if not access.has(user, VIEW_TASKS):
        return Task.objects.none()
    return access.scope(Task.objects.all(), user)


def task_list(*, user: User, filters: TaskFilters | None = None) -> QuerySet:
    """The queue: tasks in the user's jurisdiction matching the filters, sorted."""
    f = filters or TaskFilters()
    qs = task_scope(user=user)
    if f.status == "all":
        pass
    elif f.status:
        qs = qs.filter(status=f.status)
    else:
        qs = qs.exclude(status=Task.Status.CLOSED)  # matches the partial indexes' predicate
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.district:
        qs = qs.filter(district_id=f.district)
    if f.street:
        qs = qs.filter(street_id=f.street)
    if f.subject:
        qs = qs.filter(subject_key=f.subject)
    if f.priority:
        qs = qs.filter(priority=f.priority)
    if f.overdue is not None:
        overdue_q = Q(due_date__lt=timezone.localdate()) & ~Q(status=Task.Status.CLOSED)
        qs = qs.filter(overdue_q) if f.overdue else qs.exclude(overdue_q)
    if f.assignee == "me":
        qs = qs.filter(assignee=user)
    elif f.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif f.assignee:
        qs = qs.filter(assignee_id=int(f.assignee))
    if f.person is not None:
        from enrollment.models import Person

        key = access.scope(Person.objects.filter(pk=f.person), user).values("id_number")[:1]
        qs = qs.filter(subject_type=Task.SubjectType.PERSON, subject_key=Subquery(key))
    if f.q:
        qs = qs.filter(_text_q(f.q))
    return qs.select_related("street", "assignee").order_by(*SORTS[f.sort])


def _text_q(text: str) -> Q:
    """The queue's free-text search (see looks_like_key): a whole ID number matches a person's
    key exactly; other key-like text is a prefix of a USCC or project code; else the name."""
    if looks_like_key(text):
        id_number = fast_id_number(text)
        if id_number is not None:
            return Q(subject_type=Task.SubjectType.PERSON, subject_key=id_number) | Q(
                subject_key=text.upper()
            ) & ~Q(subject_type=Task.SubjectType.PERSON)
        return Q(subject_key__startswith=text.upper()) & ~Q(subject_type=Task.SubjectType.PERSON)
    return Q(subject_name__icontains=text)


def person_pk_of_key(*, user: User, text: str) -> int | None:
    """The registry pk of the person (in the user's jurisdiction) whose whole ID number is
    `text`; None when `text` is not an ID number or no such person is in the registry."""
    id_number = fast_id_number(text) if text and looks_like_key(text) else None
    if id_number is None:
        return None
    from enrollment.models import Person

    return access.scope(Person.objects.filter(id_number=id_number), user).values_list("pk", flat=True).first()


def task_get_for_user(*, user: User, pk) -> Task:
    """One task in the user's jurisdiction, else 404 (never 403)."""
    return access.get_for_user(
        task_scope(user=user).select_related("district", "street", "assignee"), user, pk=pk
    )


def task_timeline(*, task: Task) -> QuerySet:
    return TaskEvent.objects.filter(task=task).select_related("actor").order_by("at", "id")


def street_staff_for(*, street_code: str | None) -> QuerySet:
    """The street staff a task of this street may be assigned to."""
    if not street_code:
        return User.objects.none()
    return User.objects.filter(role=Role.STREET_STAFF, street_id=street_code, is_active=True).order_by(
        "username"
    )


def assignable_staff(*, user: User) -> QuerySet:
    """Street staff inside the user's jurisdiction (for the bulk-assign picker)."""
    qs = User.objects.filter(role=Role.STREET_STAFF, is_active=True).select_related("street")
    return access.scope(qs, user).order_by("street_id", "username")


def dashboard(*, user: User) -> dict[str, Any]:
    """The numbers of a user's landing page: open tasks by kind and status, overdue,
    mine, the last comparison run and what changed since yesterday."""
    today = timezone.localdate()
    active = task_scope(user=user).exclude(status=Task.Status.CLOSED)
    by_kind_status: dict[str, dict[str, int]] = {}
    for row in active.values("kind", "status").annotate(n=Count("id")).order_by():
        by_kind_status.setdefault(row["kind"], {})[row["status"]] = row["n"]
    kinds = [
        {
            "kind": k,
            "label": label,
            "by_status": by_kind_status.get(k, {}),
            "cells": [(s, by_kind_status.get(k, {}).get(s, 0)) for s in ACTIVE_STATUSES],
            "total": sum(by_kind_status.get(k, {}).values()),
        }
        for k, label in TaskKind.choices
    ]
    status_totals = {
        s: sum(by_kind_status.get(k, {}).get(s, 0) for k in by_kind_status) for s in ACTIVE_STATUSES
    }
    since = timezone.now() - dt.timedelta(days=1)
    changes = {
        row["kind"]: row["n"]
        for row in TaskEvent.objects.filter(task__in=task_scope(user=user), at__gte=since)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    }
    # One pass over the open tasks for the four tiles (four COUNTs would be four passes).
    tiles = active.aggregate(
        overdue=Count("id", filter=Q(due_date__lt=today)),
        high=Count("id", filter=Q(priority=Task.Priority.HIGH)),
        mine=Count("id", filter=Q(assignee=user)),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
    )
    return {
        "kinds": kinds,
        "status_totals": status_totals,
        "open_total": sum(status_totals.values()),
        **tiles,
        "last_run": ComparisonRun.objects.order_by("-started_at", "-id").first(),
        "changes": changes,
        "changes_total": sum(changes.values()),
        "recent": TaskEvent.objects.filter(task__in=task_scope(user=user))
        .select_related("task", "actor")
        .order_by("-at", "-id")[:10],
    }


# --- The subject's rows from every current roster, side by side ----------------------


@dataclass
class Source:
    kind: str
    label: str
    batch: Any = None  # the current RosterBatch, or None when the kind has no snapshot
    row: dict | None = None  # the subject's row (None: not on the roster)
    extra_rows: list[dict] = field(default_factory=list)


@dataclass
class Aspect:
    label: str
    values: list[Any]  # one per source, None where the source has no such field
    mismatch: bool = False
    personal: str = ""  # "id_number" / "phone": masked unless revealed; "birth_date": the year only

    @property
    def revealable(self) -> bool:
        """An ID number or a phone has a (logged) reveal button; a birth date never shows in full."""
        return self.personal in ("id_number", "phone")


# (label, {roster kind: field}) — the values compared across the sources of a subject type.
EMPLOYER_SOURCES = (
    RosterKind.MARKET_ENTITIES,
    RosterKind.TAX_PAYROLL,
    RosterKind.INSURANCE_EMPLOYERS,
    RosterKind.DUST_HAZARD,
)
EMPLOYER_ASPECTS = (
    (
        _("单位名称"),
        {
            "market_entities": "name",
            "tax_payroll": "name",
            "insurance_employers": "name",
            "dust_hazard": "name",
        },
        "",
        True,
    ),
    (
        _("所属区"),
        {
            "market_entities": "district_code",
            "tax_payroll": "district_code",
            "insurance_employers": "district_code",
        },
        "",
        True,
    ),
    (_("所属街道"), {"market_entities": "street_code"}, "", False),
    (_("登记状态"), {"market_entities": "status"}, "", False),
    (_("主体类型"), {"market_entities": "entity_type"}, "", False),
    (_("成立日期"), {"market_entities": "established_on"}, "", False),
    (_("行业代码"), {"market_entities": "industry_code", "dust_hazard": "industry_code"}, "", True),
    (
        _("人数（申报/扣缴/养老参保/接害）"),
        {
            "market_entities": "employees_reported",
            "tax_payroll": "payroll_headcount",
            "insurance_employers": "insured_pension",
            "dust_hazard": "exposed_workers",
        },
        "",
        True,
    ),
    (_("工伤参保人数"), {"insurance_employers": "insured_injury"}, "", False),
    (_("失业参保人数"), {"insurance_employers": "insured_unemployment"}, "", False),
    (
        _("月工资总额 / 申报基数合计"),
        {"tax_payroll": "payroll_total", "insurance_employers": "declared_base_total"},
        "",
        True,
    ),
    (
        _("扣缴所属期 / 最近缴费期"),
        {"tax_payroll": "period", "insurance_employers": "last_paid_period"},
        "",
        False,
    ),
    (_("欠费金额"), {"insurance_employers": "arrears_amount"}, "", False),
    (_("粉尘危害因素"), {"dust_hazard": "hazard_factor"}, "", False),
    (_("法定代表人"), {"market_entities": "legal_representative"}, "", False),
    (_("地址"), {"market_entities": "address"}, "", False),
    (_("联系电话"), {"market_entities": "phone"}, "phone", False),
)
PERSON_SOURCES = (
    RosterKind.HOUSEHOLD_REGISTRY,
    RosterKind.CIVIL_AFFAIRS,
    RosterKind.POVERTY_REGISTRY,
    RosterKind.DISABILITY_REGISTRY,
    RosterKind.INSURANCE_PERSONS,
)
PERSON_ASPECTS = (
    (_("身份证号"), {k: "id_number" for k in PERSON_SOURCES}, "id_number", False),
    (_("姓名"), {k: "name" for k in PERSON_SOURCES}, "", True),
    # Only the year: the masked ID number above hides exactly the birth date (privacy.py).
    (_("出生年份"), {k: "birth_date" for k in PERSON_SOURCES}, "birth_date", True),
    (
        _("所属区"),
        {
            "household_registry": "district_code",
            "civil_affairs": "district_code",
            "poverty_registry": "district_code",
            "disability_registry": "district_code",
        },
        "",
        True,
    ),
    (
        _("所属街道"),
        {
            "household_registry": "street_code",
            "civil_affairs": "street_code",
            "poverty_registry": "street_code",
            "disability_registry": "street_code",
        },
        "",
        True,
    ),
    (_("社区"), {"household_registry": "community"}, "", False),
    (
        _("救助类别 / 状态 / 残疾等级"),
        {
            "civil_affairs": "category",
            "poverty_registry": "status",
            "disability_registry": "disability_level",
        },
        "",
        False,
    ),
    (_("有效期"), {"civil_affairs": "valid_period"}, "", False),
    (_("养老参保类型"), {"insurance_persons": "scheme"}, "", False),
    (_("养老参保状态"), {"insurance_persons": "status"}, "", False),
    (_("最近缴费期"), {"insurance_persons": "last_paid_period"}, "", False),
    (_("政府代缴"), {"insurance_persons": "subsidized"}, "", False),
    (_("联系电话"), {"household_registry": "phone", "insurance_persons": "phone"}, "phone", True),
)
PROJECT_SOURCES = (RosterKind.CONSTRUCTION_PROJECTS, RosterKind.INSURANCE_PROJECTS)
PROJECT_ASPECTS = (
    (_("项目编码"), {k: "project_code" for k in PROJECT_SOURCES}, "", False),
    (_("项目名称"), {"construction_projects": "project_name"}, "", False),
    (_("建设单位"), {"construction_projects": "builder_name"}, "", False),
    (_("建设单位信用代码"), {"construction_projects": "builder_uscc"}, "", False),
    (_("所属区"), {"construction_projects": "district_code"}, "", False),
    (
        _("开工日期 / 参保日期"),
        {"construction_projects": "start_date", "insurance_projects": "enrolled_on"},
        "",
        False,
    ),
    (_("合同金额"), {"construction_projects": "contract_amount"}, "", False),
    (_("计划用工人数"), {"construction_projects": "planned_workers"}, "", False),
)

_SUBJECT_FIELD = {"employer": "uscc", "person": "id_number", "project": "project_code"}
_SOURCES = {"employer": EMPLOYER_SOURCES, "person": PERSON_SOURCES, "project": PROJECT_SOURCES}
_ASPECTS = {"employer": EMPLOYER_ASPECTS, "person": PERSON_ASPECTS, "project": PROJECT_ASPECTS}


# Which batch is a kind's current snapshot changes when a roster is loaded (a few times a
# day at most); the task page asks for the 4–5 kinds of its subject type on every view, so
# the answer is cached briefly, the kinds of one subject type under one key (one cache
# read per page). A snapshot loaded a minute ago may show a minute late.
CURRENT_BATCH_CACHE_SECONDS = 60


def _current_batches_cached(kinds: tuple[str, ...], as_of: dt.date) -> dict[str, Any]:
    """{kind: its current batch or None} for `kinds`, as of `as_of`."""
    key = f"portal:current-batches:{','.join(kinds)}:{as_of.isoformat()}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    batches = {kind: batch_current_get(kind=kind, as_of=as_of) for kind in kinds}
    cache.set(key, batches, CURRENT_BATCH_CACHE_SECONDS)
    return batches


def _row_of(kind: str, batch, key_field: str, key: str) -> tuple[dict | None, list[dict]]:
    if batch is None:
        return None, []
    rows = list(ROW_MODELS[kind].objects.filter(batch_id=batch.pk, **{key_field: key}).values())
    if kind == RosterKind.TAX_PAYROLL:
        rows.sort(key=lambda r: r["period"], reverse=True)  # the latest period is the payroll
    elif kind == RosterKind.INSURANCE_PERSONS:
        # The pension row is the one the person rules read; the others follow it.
        rows.sort(key=lambda r: (r["insurance_type"] != "pension", r["insurance_type"]))
    elif kind == RosterKind.CIVIL_AFFAIRS:
        rows.sort(key=lambda r: r["valid_from"], reverse=True)
        for r in rows:
            r["valid_period"] = f"{r['valid_from']} — {r['valid_to'] or ''}"
    return (rows[0] if rows else None), rows[1:]


def _norm(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def subject_sources(*, task: Task, as_of: dt.date | None = None) -> tuple[list[Source], list[Aspect]]:
    """The subject's row in the current snapshot of every roster of its type, and the
    compared values (aspects) with a mismatch flag where the sources disagree or a
    source that has a snapshot does not list the subject at all."""
    as_of = as_of or timezone.localdate()
    key_field = _SUBJECT_FIELD[task.subject_type]
    sources = []
    kinds = _SOURCES[task.subject_type]
    current = _current_batches_cached(tuple(str(k) for k in kinds), as_of)
    for kind in kinds:
        batch = current[kind]
        row, extra = _row_of(kind, batch, key_field, task.subject_key)
        sources.append(
            Source(kind=kind, label=RosterKind(kind).label, batch=batch, row=row, extra_rows=extra)
        )
    aspects = []
    for label, fields, personal, compare in _ASPECTS[task.subject_type]:
        values = []
        for src in sources:
            f = fields.get(src.kind)
            values.append(None if (f is None or src.row is None) else src.row.get(f))
        present = [_norm(v) for v in values if v not in (None, "")]
        mismatch = compare and len(set(map(str, present))) > 1
        aspects.append(Aspect(label=str(label), values=values, mismatch=mismatch, personal=personal))
    return sources, aspects


def subject_personal_value(*, task: Task, field_name: str, as_of: dt.date | None = None) -> str:
    """The unmasked ID number or phone of a task's subject ('' when there is none)."""
    if field_name == "id_number":
        return task.subject_key if task.subject_type == Task.SubjectType.PERSON else ""
    if field_name != "phone":
        return ""
    sources, _aspects = subject_sources(task=task, as_of=as_of)
    for src in sources:
        if src.row and src.row.get("phone"):
            return src.row["phone"]
    return ""
