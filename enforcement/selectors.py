"""Reads for the caseworker's portal: the task queue, one task, the dashboard counts and
the subject's rows from every current roster (the comparison made visible).

Every read goes through the access helper: `task_list` and `task_get_for_user` scope to
the user's jurisdiction, so a task outside it simply does not exist (404)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.filters import TaskFilterSet
from enforcement.models import ComparisonRun, Notice, Task, TaskEvent, TaskKind
from enrollment.models import ROW_MODELS, RosterKind
from enrollment.selectors import batch_current_get
from wuhai_coverage.core import access
from wuhai_coverage.core.filters import FilterError
from wuhai_coverage.core.models import Role, User
from wuhai_coverage.core.roles import VIEW_TASKS
from wuhai_coverage.core.validators import fast_id_number, looks_like_key

# Statuses of a task that is still being worked (everything but closed).
ACTIVE_STATUSES = tuple(s for s in Task.Status.values if s != Task.Status.CLOSED)

# The queue's page: 50 rows, read as values() (no model instances), with the columns of
# QUEUE_FIELDS.
PAGE_SIZE = 50
# The queue counts matches only up to this many (a COUNT over 200k rows on every page
# view is the slowest part of the page); beyond it the page says "5000+".
COUNT_CAP = 5_000
QUEUE_FIELDS = (
    "id",
    "kind",
    "status",
    "priority",
    "resolution",
    "subject_type",
    "subject_key",
    "subject_name",
    "street_id",
    "street__name",
    "assignee__username",
    "opened_at",
    "due_date",
)


def task_scope(*, user: User) -> QuerySet[Task]:
    """Every task in the user's jurisdiction (nothing for a role without view_tasks)."""
    if not access.has(user, VIEW_TASKS):
        return Task.objects.none()
    return access.scope(Task.objects.all(), user)


def _task_filterset(
    *, user: User, filters: Mapping[str, Any] | None, closed_by_default: bool
) -> TaskFilterSet:
    filterset = TaskFilterSet(
        filters or {}, task_scope(user=user), user=user, closed_by_default=closed_by_default
    )
    if not filterset.is_valid():
        raise FilterError(filterset.errors)
    return filterset


def task_list(
    *, user: User, filters: Mapping[str, Any] | None = None, closed_by_default: bool = True
) -> QuerySet[Task]:
    """Tasks in the user's jurisdiction matching `filters` (query parameters, see
    TaskFilterSet), sorted; FilterError on a value that is not allowed. Without a status,
    closed tasks are left out unless `closed_by_default` is False (the API)."""
    filterset = _task_filterset(user=user, filters=filters, closed_by_default=closed_by_default)
    return filterset.qs.select_related("street", "assignee")


@dataclass(frozen=True)
class TaskPage:
    """One page of the queue: its rows (dicts of QUEUE_FIELDS), whether a next page
    exists, and the number of matches counted up to COUNT_CAP."""

    rows: list[dict[str, Any]]
    number: int
    has_next: bool
    count: int
    count_capped: bool
    first_index: int
    last_index: int
    filters: dict[str, Any]


def task_page_get(*, user: User, filters: Mapping[str, Any] | None, page: int) -> TaskPage:
    """Page `page` (from 1) of the queue; FilterError on a filter value that is not allowed."""
    filterset = _task_filterset(user=user, filters=filters, closed_by_default=True)
    qs = filterset.qs
    number = max(1, page)
    offset = (number - 1) * PAGE_SIZE
    rows = list(qs.values(*QUEUE_FIELDS)[offset : offset + PAGE_SIZE + 1])
    capped_count = qs.order_by()[: COUNT_CAP + 1].count()
    return TaskPage(
        rows=rows[:PAGE_SIZE],
        number=number,
        has_next=len(rows) > PAGE_SIZE,
        count=min(capped_count, COUNT_CAP),
        count_capped=capped_count > COUNT_CAP,
        first_index=offset + 1 if rows else 0,
        last_index=offset + len(rows[:PAGE_SIZE]),
        filters=filterset.values,
    )


def person_pk_get_by_key(*, user: User, text: str) -> int | None:
    """The registry pk of the person (in the user's jurisdiction) whose whole ID number is
    `text`; None when `text` is not an ID number or no such person is in the registry."""
    id_number = fast_id_number(text) if text and looks_like_key(text) else None
    if id_number is None:
        return None
    from enrollment.models import Person

    return access.scope(Person.objects.filter(id_number=id_number), user).values_list("pk", flat=True).first()


def task_get_for_user(*, user: User, pk: int) -> Task:
    """One task in the user's jurisdiction, else 404 (never 403)."""
    scoped = task_scope(user=user).select_related("district", "street", "assignee")
    return cast(Task, access.get_for_user(scoped, user, pk=pk))  # get_for_user is typed for any model


def notice_get_for_user(*, user: User, pk: int) -> Notice:
    """A notice of a task in the user's jurisdiction, else 404."""
    notice = Notice.objects.select_related("task").filter(pk=pk, task__isnull=False).first()
    if notice is None or notice.task_id is None:
        raise Http404("no such notice")
    task_get_for_user(user=user, pk=notice.task_id)  # 404 outside the jurisdiction
    return notice


def task_events_list(*, task: Task) -> QuerySet[TaskEvent]:
    return TaskEvent.objects.filter(task=task).select_related("actor").order_by("at", "id")


def street_staff_list(*, street_code: str | None) -> QuerySet[User]:
    """The street staff a task of this street may be assigned to."""
    if not street_code:
        return User.objects.none()
    return User.objects.filter(role=Role.STREET_STAFF, street_id=street_code, is_active=True).order_by(
        "username"
    )


def staff_assignable_list(*, user: User) -> QuerySet[User]:
    """Street staff inside the user's jurisdiction (for the bulk-assign picker)."""
    qs = User.objects.filter(role=Role.STREET_STAFF, is_active=True).select_related("street")
    return access.scope(qs, user).order_by("street_id", "username")


def dashboard_counts_get(*, user: User) -> dict[str, Any]:
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
    display: list[Any] = field(default_factory=list)  # the values as shown (masked where personal)
    cells: list[tuple[str, Any]] = field(default_factory=list)  # (css class, printed value) per source
    # "app.Model.field" each value came from (None: no such field), for the label registry.
    fields: list[str | None] = field(default_factory=list)

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
    (_("身份证号"), {str(k): "id_number" for k in PERSON_SOURCES}, "id_number", False),
    (_("姓名"), {str(k): "name" for k in PERSON_SOURCES}, "", True),
    # Only the year: the masked ID number above hides exactly the birth date (privacy.py).
    (_("出生年份"), {str(k): "birth_date" for k in PERSON_SOURCES}, "birth_date", True),
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
    (_("项目编码"), {str(k): "project_code" for k in PROJECT_SOURCES}, "", False),
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
    rows = list(ROW_MODELS[kind]._default_manager.filter(batch_id=batch.pk, **{key_field: key}).values())
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


def subject_sources_get(*, task: Task, as_of: dt.date | None = None) -> tuple[list[Source], list[Aspect]]:
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
            Source(kind=kind, label=str(RosterKind(kind).label), batch=batch, row=row, extra_rows=extra)
        )
    aspects = []
    for label, fields, personal, compare in _ASPECTS[task.subject_type]:
        values, origins = [], []
        for src in sources:
            field_name = fields.get(src.kind)
            values.append(None if (field_name is None or src.row is None) else src.row.get(field_name))
            model = ROW_MODELS[src.kind]
            origins.append(f"{model._meta.app_label}.{model.__name__}.{field_name}" if field_name else None)
        present = [_norm(v) for v in values if v not in (None, "")]
        mismatch = compare and len(set(map(str, present))) > 1
        aspects.append(
            Aspect(label=str(label), values=values, mismatch=mismatch, personal=personal, fields=origins)
        )
    return sources, aspects


def subject_personal_value_get(*, task: Task, field_name: str, as_of: dt.date | None = None) -> str:
    """The unmasked ID number or phone of a task's subject ('' when there is none)."""
    if field_name == "id_number":
        return task.subject_key if task.subject_type == Task.SubjectType.PERSON else ""
    if field_name != "phone":
        return ""
    sources, _aspects = subject_sources_get(task=task, as_of=as_of)
    for src in sources:
        if src.row and src.row.get("phone"):
            return src.row["phone"]
    return ""


# --- Street work (phone) -------------------------------------------------------------
# The street worker's list: the tasks still being worked in the user's jurisdiction (a
# street for street staff), "assigned to me" or the whole street, by priority (high
# first) then due date (none last). A street holds hundreds of open tasks, not 100k: the
# counts are exact.

STREET_PAGE_SIZE = 20
# Statuses still waiting for someone to go there: the "next task" after a visit is one of
# these (a contacted task has had its visit).
STREET_TODO_STATUSES = (Task.Status.OPEN, Task.Status.ASSIGNED)
STREET_FIELDS = (
    "id",
    "kind",
    "status",
    "priority",
    "subject_type",
    "subject_key",
    "subject_name",
    "street__name",
    "assignee_id",
    "due_date",
)


def _street_order() -> tuple[Any, ...]:
    return ("priority", F("due_date").asc(nulls_last=True), "id")  # "high" < "normal": high first


@dataclass(frozen=True)
class StreetPage:
    """One page of the street list, with the counts of both tabs."""

    rows: list[dict[str, Any]]
    mine: bool  # the tab shown: assigned to me, or the whole jurisdiction
    defaulted: bool  # no tab was asked for and nothing is assigned: the whole street is shown
    count_mine: int
    count_all: int
    number: int
    pages: int

    @property
    def count(self) -> int:
        return self.count_mine if self.mine else self.count_all


def street_scope(*, user: User, filters: Mapping[str, Any]) -> QuerySet[Task]:
    """The open tasks of the user's jurisdiction matching the text search (`q`, `person`);
    FilterError on a bad value."""
    allowed = {k: filters[k] for k in ("q", "person") if filters.get(k)}
    return _task_filterset(user=user, filters=allowed, closed_by_default=True).qs


def street_page_get(*, user: User, filters: Mapping[str, Any], mine: bool | None, page: int) -> StreetPage:
    """Page `page` of the street list. `mine=None` shows the tasks assigned to the user
    when there are any, else the whole street."""
    scoped = street_scope(user=user, filters=filters)
    counts = scoped.order_by().aggregate(all=Count("id"), mine=Count("id", filter=Q(assignee=user)))
    defaulted = mine is None and counts["mine"] == 0
    shown_mine = bool(counts["mine"]) if mine is None else mine
    total = counts["mine"] if shown_mine else counts["all"]
    pages = max(1, -(-total // STREET_PAGE_SIZE))
    number = min(max(1, page), pages)
    qs = scoped.filter(assignee=user) if shown_mine else scoped
    offset = (number - 1) * STREET_PAGE_SIZE
    rows = list(qs.order_by(*_street_order()).values(*STREET_FIELDS)[offset : offset + STREET_PAGE_SIZE])
    return StreetPage(
        rows=rows,
        mine=shown_mine,
        defaulted=defaulted,
        count_mine=counts["mine"],
        count_all=counts["all"],
        number=number,
        pages=pages,
    )


def street_next_task_get(*, user: User, filters: Mapping[str, Any], mine: bool, after: Task) -> int | None:
    """The pk of the task to visit after `after` in the street list's order (same tab and
    search): the next one still waiting for a visit, wrapping round to the top; None when
    every task of the list has had its visit."""
    todo = (
        street_scope(user=user, filters=filters).filter(status__in=STREET_TODO_STATUSES).exclude(pk=after.pk)
    )
    if mine:
        todo = todo.filter(assignee=user)
    if after.due_date is None:
        same_priority_after = Q(due_date__isnull=True, id__gt=after.pk)
    else:
        same_priority_after = (
            Q(due_date__gt=after.due_date)
            | Q(due_date=after.due_date, id__gt=after.pk)
            | Q(due_date__isnull=True)
        )
    later = Q(priority__gt=after.priority) | Q(priority=after.priority) & same_priority_after
    ordered = todo.order_by(*_street_order()).values_list("id", flat=True)
    return ordered.filter(later).first() or ordered.first()


@dataclass(frozen=True)
class StreetCardFacts:
    """Where to go and whom to call, from the subject's rows in the current snapshots:
    the same rows (and the same phone) the task page and its logged reveal read."""

    address: str = ""
    community: str = ""
    phone_masked: str = ""


def _street_person_facts(keys: set[str], today: dt.date) -> dict[str, dict[str, str]]:
    """{id number: community, phone} from the current household roster, the phone from
    the HRSS person roster's pension row where the household row has none (the order of
    subject_personal_value_get, so the call button reveals the number the card masks)."""
    from enrollment.models import HouseholdRow, InsurancePersonRow
    from wuhai_coverage.core.models import Community

    batches = _current_batches_cached(tuple(str(k) for k in PERSON_SOURCES), today)
    persons: dict[str, dict[str, str]] = {}
    household = batches.get(RosterKind.HOUSEHOLD_REGISTRY)
    if household is not None:
        for hh in HouseholdRow.objects.filter(batch_id=household.pk, id_number__in=keys).values(
            "id_number", "community", "phone"
        ):
            persons[hh["id_number"]] = {"community": hh["community"] or "", "phone": hh["phone"] or ""}
    lacking = {k for k in keys if not persons.get(k, {}).get("phone")}
    hrss_batch = batches.get(RosterKind.INSURANCE_PERSONS)
    if lacking and hrss_batch is not None:
        first: dict[str, tuple[bool, str, str]] = {}  # the row the task page shows first
        for ip in InsurancePersonRow.objects.filter(batch_id=hrss_batch.pk, id_number__in=lacking).values(
            "id_number", "insurance_type", "phone"
        ):
            rank = (ip["insurance_type"] != "pension", ip["insurance_type"], ip["phone"] or "")
            if ip["id_number"] not in first or rank < first[ip["id_number"]]:
                first[ip["id_number"]] = rank
        for key, (_pension, _type, phone) in first.items():
            if phone:
                persons.setdefault(key, {"community": ""})["phone"] = phone
    codes = {p["community"] for p in persons.values() if p["community"].isdigit()}
    if codes:  # a partner may send the community's 12-digit code instead of its name
        names = dict(Community.objects.filter(code__in=codes).values_list("code", "name"))
        for p in persons.values():
            p["community"] = names.get(p["community"], p["community"])
    return persons


def _street_employer_facts(keys: set[str], today: dt.date) -> dict[str, dict[str, str]]:
    """{uscc: address, phone} from the current market roster."""
    from enrollment.models import MarketEntityRow

    batches = _current_batches_cached(tuple(str(k) for k in EMPLOYER_SOURCES), today)
    market = batches.get(RosterKind.MARKET_ENTITIES)
    if market is None:
        return {}
    return {
        me["uscc"]: {"address": me["address"] or "", "phone": me["phone"] or ""}
        for me in MarketEntityRow.objects.filter(batch_id=market.pk, uscc__in=keys).values(
            "uscc", "address", "phone"
        )
    }


def street_card_facts_get(*, rows: list[dict[str, Any]]) -> dict[int, StreetCardFacts]:
    """{task id: facts} for a page of street rows (STREET_FIELDS): one query per roster
    kind read (household, HRSS persons, market), whatever the page's length."""
    from wuhai_coverage.core.privacy import mask_phone

    today = timezone.localdate()
    keys: dict[str, set[str]] = {}
    for task in rows:
        keys.setdefault(task["subject_type"], set()).add(task["subject_key"])
    found: dict[str, dict[str, dict[str, str]]] = {
        Task.SubjectType.PERSON: _street_person_facts(keys[Task.SubjectType.PERSON], today)
        if keys.get(Task.SubjectType.PERSON)
        else {},
        Task.SubjectType.EMPLOYER: _street_employer_facts(keys[Task.SubjectType.EMPLOYER], today)
        if keys.get(Task.SubjectType.EMPLOYER)
        else {},
    }
    facts = {}
    for task in rows:
        fact = found.get(task["subject_type"], {}).get(task["subject_key"], {})
        facts[task["id"]] = StreetCardFacts(
            address=fact.get("address", ""),
            community=fact.get("community", ""),
            phone_masked=mask_phone(fact["phone"]) if fact.get("phone") else "",
        )
    return facts
