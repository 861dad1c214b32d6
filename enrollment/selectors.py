"""Reads over rosters and snapshots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from enrollment.filters import EmployerFilterSet, PersonFilterSet, RosterBatchFilterSet
from enrollment.models import (
    KIND_DEPARTMENT,
    ROW_MODELS,
    Employer,
    Enrollment,
    Person,
    RosterBatch,
    RosterIssue,
    RosterKind,
)
from wuhai_coverage.core import access
from wuhai_coverage.core.filters import filtered
from wuhai_coverage.core.models import Department, Street
from wuhai_coverage.core.roles import PUSH_ROSTERS, VIEW_ROSTERS


def batch_current_get(*, kind: str, as_of: dt.date) -> RosterBatch | None:
    """The kind's current snapshot as of `as_of`: its loaded batch with the greatest
    snapshot_date ≤ as_of; ties go to the one received last (rosters.md)."""
    return (
        RosterBatch.objects.filter(
            kind=kind, status=RosterBatch.Status.LOADED, snapshot_date__lte=as_of, rows_purged_at__isnull=True
        )
        .order_by("-snapshot_date", "-received_at", "-id")
        .first()
    )


def batches_current_get(*, as_of: dt.date) -> dict[str, RosterBatch]:
    """Every kind that has a current snapshot as of `as_of`."""
    found = {}
    for kind in ROW_MODELS:
        batch = batch_current_get(kind=kind, as_of=as_of)
        if batch is not None:
            found[kind] = batch
    return found


def snapshot_rows_list(*, kind: str, as_of: dt.date) -> QuerySet:
    """The rows of the kind's current snapshot (empty when it has none)."""
    model = ROW_MODELS[kind]
    batch = batch_current_get(kind=kind, as_of=as_of)
    if batch is None:
        return model._default_manager.none()
    return model._default_manager.filter(batch_id=batch.pk)


# --- Roster batches as the API and the pages see them ---------------------------------


def batch_visible_q(user) -> Q:
    """Staff with view_rosters see every batch; a partner sees its department's."""
    if access.has(user, VIEW_ROSTERS):
        return Q()
    if access.has(user, PUSH_ROSTERS) and user.department:
        return Q(department=user.department)
    return Q(pk__in=[])


def batch_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """The batches the user may see, newest first, filtered by kind and department
    (filters.RosterBatchFilterSet; FilterError for a bad value)."""
    qs = RosterBatch.objects.filter(batch_visible_q(user)).select_related("pushed_by")
    return filtered(RosterBatchFilterSet(filters or {}, queryset=qs.order_by("-received_at", "-id")))


def batch_get_for_user(*, user, pk) -> RosterBatch:
    """The batch, or 404 when it does not exist for this user."""
    try:
        return RosterBatch.objects.select_related("pushed_by").get(batch_visible_q(user), pk=pk)
    except (RosterBatch.DoesNotExist, ValueError, TypeError):
        raise Http404("not found") from None


def batch_issues_list(*, batch: RosterBatch, severity: str | None = None) -> QuerySet:
    qs = RosterIssue.objects.filter(batch=batch)
    if severity:
        qs = qs.filter(severity=severity)
    return qs.order_by("row", "id")


def months_late(*, snapshot_date: dt.date | None, today: dt.date) -> int | None:
    """How many months of a kind's snapshots are missing as of `today` (0: on time; None:
    never delivered). Rosters are expected monthly — the delivery calendar and the
    department assessment count the months with a loaded snapshot — and a month's snapshot
    may come until that month is over: as of any day of December, a current snapshot dated
    in November (or December) is on time, one dated 31 October is one month late."""
    if snapshot_date is None:
        return None
    return max(0, (today.year * 12 + today.month) - (snapshot_date.year * 12 + snapshot_date.month) - 1)


def deliveries_list(*, user, today: dt.date | None = None) -> list[dict]:
    """Per department, per kind: the latest batch, the current snapshot and whether the
    kind is late (months_late; `late` is true when never delivered too)."""
    today = today or timezone.localdate()
    visible = RosterBatch.objects.filter(batch_visible_q(user))
    latest: dict[str, RosterBatch] = {}
    for kind in KIND_DEPARTMENT:
        batch = visible.filter(kind=kind).select_related("pushed_by").order_by("-received_at", "-id").first()
        if batch is not None:
            latest[kind] = batch
    current = batches_current_get(as_of=today)
    by_department: dict[str, list[dict]] = {}
    for kind, department in KIND_DEPARTMENT.items():
        snapshot = current.get(kind)
        behind = months_late(snapshot_date=snapshot.snapshot_date if snapshot else None, today=today)
        by_department.setdefault(department, []).append(
            {
                "kind": kind,
                "label": RosterKind(kind).label,
                "latest": latest.get(kind),
                "current": snapshot,
                "months_late": behind,
                "late": behind is None or behind > 0,
            }
        )
    return [
        {"department": d, "label": Department(d).label, "kinds": kinds} for d, kinds in by_department.items()
    ]


def delivery_calendar_get(*, user, months: int = 12, today: dt.date | None = None) -> dict:
    """Per department: months (newest last) × its kinds, the loaded snapshots in each month."""
    today = today or timezone.localdate()
    first = dt.date(today.year, today.month, 1)
    month_starts = []
    y, m = first.year, first.month
    for _ in range(months):
        month_starts.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    month_starts.reverse()
    cells: dict[tuple[str, int], int] = {}
    loaded = RosterBatch.objects.filter(
        batch_visible_q(user), status=RosterBatch.Status.LOADED, snapshot_date__gte=month_starts[0]
    ).values_list("kind", "snapshot_date")
    for kind, snapshot in loaded:
        key = (kind, snapshot.year * 100 + snapshot.month)
        cells[key] = cells.get(key, 0) + 1
    out = []
    for department in Department.values:
        kinds = [k for k, d in KIND_DEPARTMENT.items() if d == department]
        if not kinds:
            continue
        rows = [
            {
                "kind": k,
                "label": RosterKind(k).label,
                "months": [cells.get((k, s.year * 100 + s.month), 0) for s in month_starts],
            }
            for k in kinds
        ]
        out.append({"department": department, "label": Department(department).label, "rows": rows})
    return {"months": month_starts, "departments": out}


# --- The registry (Employer, Person, Enrollment) as staff pages see it ------------------


def employer_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """The employers of the user's jurisdiction, filtered (filters.EmployerFilterSet;
    FilterError for a bad value)."""
    qs = access.scope(Employer.objects.all(), user).select_related("district", "street").order_by("uscc")
    return filtered(EmployerFilterSet(filters or {}, queryset=qs))


def employer_get_for_user(*, user, uscc: str) -> Employer:
    employer = access.get_for_user(Employer.objects.select_related("district", "street"), user, uscc=uscc)
    assert isinstance(employer, Employer)  # get_for_user returns the queryset's model
    return employer


def _person_enrolled() -> Exists:
    """A person counts as enrolled with any insurance row that is not terminated."""
    return Exists(
        Enrollment.objects.filter(person=OuterRef("pk")).exclude(status=Enrollment.Status.TERMINATED)
    )


def person_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """The persons of the user's jurisdiction with `is_enrolled`, filtered
    (filters.PersonFilterSet; FilterError for a bad value)."""
    qs = (
        access.scope(Person.objects.all(), user)
        .annotate(is_enrolled=_person_enrolled())
        .select_related("district", "street")
        .order_by("id_number")
    )
    return filtered(PersonFilterSet(filters or {}, queryset=qs))


def person_get_for_user(*, user, pk) -> Person:
    person = access.get_for_user(Person.objects.select_related("district", "street"), user, pk=pk)
    assert isinstance(person, Person)  # get_for_user returns the queryset's model
    return person


def person_enrollments_list(*, person: Person) -> QuerySet:
    return Enrollment.objects.filter(person=person).order_by("insurance_type")


def streets_for(*, user) -> QuerySet:
    """The streets a user may filter by: those of their jurisdiction."""
    return (
        access.scope(
            Street.objects.select_related("district"), user, district_field="district", street_field=""
        ).order_by("code")
        if not access.jurisdiction_of(user).street_code
        else Street.objects.filter(code=access.jurisdiction_of(user).street_code).select_related("district")
    )


# --- A partner's home: its own kinds, its recent batches and what went wrong with them -----

PARTNER_RECENT_BATCHES = 10
PARTNER_ISSUE_GROUPS = 5  # the most frequent problems shown per batch; the batch page has all


def partner_home_get(*, user, today: dt.date | None = None) -> dict:
    """What a partner department needs on landing: per kind it pushes, the last delivery
    and the last loaded snapshot with whether this month's (and last month's) snapshot is
    in — each kind is expected monthly (the departments' assessment counts the months
    with a loaded snapshot); its recent batches, each with its most frequent problems.
    A fixed handful of queries whatever the number of batches."""
    from django.db.models import Count, Min

    today = today or timezone.localdate()
    kinds = [k for k, d in KIND_DEPARTMENT.items() if d == user.department]
    visible = RosterBatch.objects.filter(batch_visible_q(user), kind__in=kinds)
    month = dt.date(today.year, today.month, 1)
    previous = dt.date(month.year - (month.month == 1), 12 if month.month == 1 else month.month - 1, 1)
    latest: dict[str, RosterBatch] = {}
    loaded: dict[str, RosterBatch] = {}
    months_loaded: dict[str, set[dt.date]] = {k: set() for k in kinds}
    # The last batch of each kind and its last loaded one: two queries a kind (a department
    # pushes one to three kinds).
    loaded_qs = visible.filter(status=RosterBatch.Status.LOADED)
    for kind in kinds:
        batch = visible.filter(kind=kind).order_by("-received_at", "-id").first()
        if batch is not None:
            latest[kind] = batch
        batch = loaded_qs.filter(kind=kind).order_by("-snapshot_date", "-received_at", "-id").first()
        if batch is not None:
            loaded[kind] = batch
    for kind, snapshot in loaded_qs.filter(snapshot_date__gte=previous).values_list("kind", "snapshot_date"):
        months_loaded[kind].add(dt.date(snapshot.year, snapshot.month, 1))
    rows = [
        {
            "kind": k,
            "label": RosterKind(k).label,
            "latest": latest.get(k),
            "loaded": loaded.get(k),
            "this_month": month in months_loaded[k],
            "last_month": previous in months_loaded[k],
        }
        for k in kinds
    ]
    recent = list(
        visible.select_related("pushed_by").order_by("-received_at", "-id")[:PARTNER_RECENT_BATCHES]
    )
    problems: dict[int, list[dict]] = {b.pk: [] for b in recent}
    grouped = (
        RosterIssue.objects.filter(batch_id__in=list(problems), severity=RosterIssue.Severity.ERROR)
        .values("batch_id", "code", "column")
        .annotate(n=Count("id"), message=Min("message"), first_row=Min("row"))
        .order_by("batch_id", "-n", "code")
    )
    for g in grouped:
        if len(problems[g["batch_id"]]) < PARTNER_ISSUE_GROUPS:
            problems[g["batch_id"]].append(g)
    for batch in recent:
        vars(batch)["problems"] = problems[batch.pk]
    return {
        "kinds": rows,
        "recent": recent,
        "month": month,
        "previous": previous,
        "due": [r for r in rows if not r["this_month"]],
        "late": [r for r in rows if not r["last_month"]],
    }
