"""Reads over rosters and snapshots."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

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
from wuhai_coverage.core.models import Department, District, Street
from wuhai_coverage.core.roles import PUSH_ROSTERS, VIEW_ROSTERS
from wuhai_coverage.core.validators import fast_id_number, looks_like_key


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
        return model.objects.none()
    return model.objects.filter(batch_id=batch.pk)


# --- Roster batches as the API and the pages see them ---------------------------------


def batch_visible_q(user) -> Q:
    """Staff with view_rosters see every batch; a partner sees its department's."""
    if access.has(user, VIEW_ROSTERS):
        return Q()
    if access.has(user, PUSH_ROSTERS) and user.department:
        return Q(department=user.department)
    return Q(pk__in=[])


def batch_list(*, user, kind: str | None = None, department: str | None = None) -> QuerySet:
    qs = RosterBatch.objects.filter(batch_visible_q(user)).select_related("pushed_by")
    if kind:
        qs = qs.filter(kind=kind)
    if department:
        qs = qs.filter(department=department)
    return qs.order_by("-received_at", "-id")


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


def deliveries_list(*, user) -> list[dict]:
    """Per department, per kind: the latest batch and the current snapshot."""
    today = timezone.localdate()
    visible = RosterBatch.objects.filter(batch_visible_q(user))
    latest: dict[str, RosterBatch] = {}
    for kind in KIND_DEPARTMENT:
        batch = visible.filter(kind=kind).select_related("pushed_by").order_by("-received_at", "-id").first()
        if batch is not None:
            latest[kind] = batch
    current = batches_current_get(as_of=today)
    by_department: dict[str, list[dict]] = {}
    for kind, department in KIND_DEPARTMENT.items():
        by_department.setdefault(department, []).append(
            {
                "kind": kind,
                "label": RosterKind(kind).label,
                "latest": latest.get(kind),
                "current": current.get(kind),
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

# Text that looks like a key is matched against the key; anything else as part of the name
# (like the task queue's `q`). A USCC may be searched by its start; an ID number only whole
# (a prefix search would enumerate persons by region and birth date).
SEARCH_MAX = 100


class FilterError(ValueError):
    """A filter value the page answers with 400 and this message."""


@dataclass(frozen=True)
class RegistryFilters:
    q: str = ""
    district: str = ""
    street: str = ""
    enrolled: bool | None = None

    @classmethod
    def from_query(cls, data) -> RegistryFilters:
        q = (data.get("q") or "").strip()
        if len(q) > SEARCH_MAX:
            raise FilterError(
                f"查询文字过长（最多 {SEARCH_MAX} 字）/ the search text is longer than {SEARCH_MAX} characters"
            )
        district = (data.get("district") or "").strip()
        if district and not District.objects.filter(code=district).exists():
            raise FilterError(f"未知的区划代码 {district!r} / unknown district")
        street = (data.get("street") or "").strip()
        if street and not Street.objects.filter(code=street).exists():
            raise FilterError(f"未知的街道代码 {street!r} / unknown street")
        enrolled_raw = (data.get("enrolled") or "").strip()
        if enrolled_raw not in ("", "1", "0"):
            raise FilterError("enrolled: 只能是 1（已参保）或 0（未参保）/ must be 1 or 0")
        return cls(
            q=q,
            district=district,
            street=street,
            enrolled=None if enrolled_raw == "" else enrolled_raw == "1",
        )

    def search_q(self, *, key_field: str, whole_key: bool = False) -> Q | None:
        if not self.q:
            return None
        if looks_like_key(self.q):
            if whole_key:
                id_number = fast_id_number(self.q)
                if id_number is None:
                    raise FilterError(
                        "身份证号须完整输入（18位或15位），不支持按开头查询 / "
                        "an ID number is searched by the whole number, not by its start"
                    )
                return Q(**{key_field: id_number})
            return Q(**{f"{key_field}__startswith": self.q.upper()})
        return Q(name__icontains=self.q)


def _registry_filter(
    qs: QuerySet, f: RegistryFilters, *, key_field: str, whole_key: bool = False
) -> QuerySet:
    text = f.search_q(key_field=key_field, whole_key=whole_key)
    if text is not None:
        qs = qs.filter(text)
    if f.district:
        qs = qs.filter(district_id=f.district)
    if f.street:
        qs = qs.filter(street_id=f.street)
    return qs


def employer_list(*, user, filters: RegistryFilters) -> QuerySet:
    qs = _registry_filter(access.scope(Employer.objects.all(), user), filters, key_field="uscc")
    if filters.enrolled is not None:
        qs = qs.filter(enrolled=filters.enrolled)
    return qs.select_related("district", "street").order_by("uscc")


def employer_get_for_user(*, user, uscc: str) -> Employer:
    return access.get_for_user(Employer.objects.select_related("district", "street"), user, uscc=uscc)


def _person_enrolled() -> Exists:
    """A person counts as enrolled with any insurance row that is not terminated."""
    return Exists(
        Enrollment.objects.filter(person=OuterRef("pk")).exclude(status=Enrollment.Status.TERMINATED)
    )


def person_list(*, user, filters: RegistryFilters) -> QuerySet:
    qs = _registry_filter(
        access.scope(Person.objects.all(), user), filters, key_field="id_number", whole_key=True
    )
    qs = qs.annotate(is_enrolled=_person_enrolled())
    if filters.enrolled is not None:
        qs = qs.filter(is_enrolled=filters.enrolled)
    return qs.select_related("district", "street").order_by("id_number")


def person_get_for_user(*, user, pk) -> Person:
    return access.get_for_user(Person.objects.select_related("district", "street"), user, pk=pk)


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
