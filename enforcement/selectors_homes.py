"""Reads of the role homes (/dashboard/): the inspector's cases with the blacklist work
waiting on them, and the managers' city overview per district and per street. Each home
is a handful of set-based queries whatever the number of tasks (tests hold them to a
query budget)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from enforcement.blacklist import selectors as blacklist_selectors
from enforcement.cases import selectors as case_selectors
from enforcement.models import BlacklistEntry, EnforcementCase, Task
from enforcement.selectors import ACTIVE_STATUSES, task_scope
from wuhai_coverage.core import access
from wuhai_coverage.core.models import District, Street, User

# How many rows each list of a home shows; the list's own page has the rest.
HOME_LIST_ROWS = 8
# A statement period "ending" on the inspector's home: its deadline within this many days.
STATEMENT_ENDING_DAYS = 7


# --- The inspector ------------------------------------------------------------------------


def inspector_home_get(*, user: User) -> dict[str, Any]:
    """The inspector's cases (mine, unassigned, order deadline running, ready to propose)
    and the blacklist entries that need a step from them or are waiting on a manager."""
    today = timezone.localdate()
    cases = case_selectors.case_scope(user=user).select_related("district", "inspector")
    Status = EnforcementCase.Status
    mine = cases.filter(inspector=user).exclude(status=Status.CLOSED).order_by("order_deadline", "-opened_at")
    unassigned = (
        cases.filter(inspector__isnull=True).exclude(status=Status.CLOSED).order_by("opened_at", "id")
    )
    awaiting = cases.filter(status=Status.ORDER_ISSUED, order_deadline__gte=today).order_by(
        "order_deadline", "id"
    )
    ready = blacklist_selectors.cases_ready_to_propose(user=user)
    entries = BlacklistEntry.objects.select_related("case")
    BStatus = BlacklistEntry.Status
    # Prior notice not sent yet: the proposer's next step.
    to_notify = entries.filter(status=BStatus.PROPOSED).order_by("proposed_at", "id")
    # The employer's period to state its case: ending soon, or over (then: submit for review).
    statements = entries.filter(
        status=BStatus.NOTIFIED, statement_deadline__lte=today + dt.timedelta(days=STATEMENT_ENDING_DAYS)
    ).order_by("statement_deadline", "id")
    awaiting_review = entries.filter(status=BStatus.UNDER_REVIEW).order_by("updated_at", "id")
    return {
        "counts": case_selectors.case_counts_get(user=user),
        "mine": list(mine[:HOME_LIST_ROWS]),
        "unassigned": list(unassigned[:HOME_LIST_ROWS]),
        "awaiting": list(awaiting[:HOME_LIST_ROWS]),
        "ready": list(ready[:HOME_LIST_ROWS]),
        "to_notify": list(to_notify[:HOME_LIST_ROWS]),
        "statements": list(statements[:HOME_LIST_ROWS]),
        "awaiting_review": list(awaiting_review[:HOME_LIST_ROWS]),
        "blacklist_counts": blacklist_selectors.tab_counts(user=user),
        "today": today,
    }


# --- The managers' city overview ----------------------------------------------------------


@dataclass
class AreaRow:
    """One district or street of the overview."""

    code: str
    name: str
    district_code: str = ""
    district_name: str = ""
    by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    closed_month: int = 0
    rectified: int = 0  # closed this month by enrolling (rectified)
    resolved_by_data: int = 0  # closed this month because a later roster shows it enrolled
    dismissed: int = 0

    @property
    def open_total(self) -> int:
        return sum(self.by_status.values())

    @property
    def enrolled_month(self) -> int:
        return self.rectified + self.resolved_by_data

    @property
    def enrolled_share(self) -> int | None:
        """Closed this month by enrolment, in whole per cent of those closed (None: none closed)."""
        return round(100 * self.enrolled_month / self.closed_month) if self.closed_month else None

    @property
    def status_cells(self) -> list[tuple[str, int]]:
        return [(s, self.by_status.get(s, 0)) for s in ACTIVE_STATUSES]

    def add(self, other: AreaRow) -> None:
        for s, n in other.by_status.items():
            self.by_status[s] = self.by_status.get(s, 0) + n
        self.overdue += other.overdue
        self.closed_month += other.closed_month
        self.rectified += other.rectified
        self.resolved_by_data += other.resolved_by_data
        self.dismissed += other.dismissed


NO_STREET = ""


def city_overview_get(*, user: User, today: dt.date | None = None) -> dict[str, Any]:
    """Per district and per street of the user's jurisdiction: open tasks by status,
    overdue, closed this month and how (enrolled or dismissed). One grouped pass over the
    open tasks and this month's closed ones; every street is listed, with zeros."""
    today = today or timezone.localdate()
    month_start = dt.datetime.combine(
        today.replace(day=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    R = Task.Resolution
    closed_month = Q(status=Task.Status.CLOSED, closed_at__gte=month_start)
    open_q = ~Q(status=Task.Status.CLOSED)
    grouped = (
        task_scope(user=user)
        .filter(open_q | closed_month)
        .values("district_id", "street_id", "status")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=open_q & Q(due_date__lt=today)),
            rectified=Count("id", filter=closed_month & Q(resolution=R.RECTIFIED)),
            resolved_by_data=Count("id", filter=closed_month & Q(resolution=R.RESOLVED_BY_DATA)),
            dismissed=Count("id", filter=closed_month & Q(resolution=R.DISMISSED)),
        )
        .order_by()
    )
    districts = {d.code: AreaRow(code=d.code, name=d.name) for d in District.objects.order_by("code")}
    streets = {
        s.code: AreaRow(code=s.code, name=s.name, district_code=s.district_id)
        for s in Street.objects.order_by("district_id", "code")
    }
    no_street: dict[str, AreaRow] = {}
    for g in grouped:
        row = AreaRow(code="", name="")
        if g["status"] == Task.Status.CLOSED:
            row.closed_month = g["n"]
        else:
            row.by_status[g["status"]] = g["n"]
        row.overdue, row.rectified = g["overdue"], g["rectified"]
        row.resolved_by_data, row.dismissed = g["resolved_by_data"], g["dismissed"]
        district_code = g["district_id"] or ""
        if district_code not in districts:
            districts[district_code] = AreaRow(code=district_code, name="")
        districts[district_code].add(row)
        street = streets.get(g["street_id"] or "")
        if street is None:
            street = no_street.setdefault(
                district_code, AreaRow(code=NO_STREET, name="", district_code=district_code)
            )
        street.add(row)
    # A district caseworker's overview would hold only their district: keep what is in reach.
    j = access.jurisdiction_of(user)
    if not j.city:
        districts = {c: d for c, d in districts.items() if c == j.district_code}
        streets = {c: s for c, s in streets.items() if s.district_code == j.district_code}
    district_rows = [d for d in districts.values() if d.code or d.open_total or d.closed_month]
    street_rows: list[AreaRow] = []
    for d in district_rows:
        street_rows.extend(s for s in streets.values() if s.district_code == d.code)
        if d.code in no_street:
            street_rows.append(no_street[d.code])
    total = AreaRow(code="", name="")
    for d in district_rows:
        total.add(d)
    names = {d.code: d.name for d in district_rows}
    for s in street_rows:
        s.district_name = names.get(s.district_code, "")
    return {
        "districts": district_rows,
        "streets": street_rows,
        "total": total,
        "statuses": [(s, Task.Status(s).label) for s in ACTIVE_STATUSES],
        "month_start": month_start.date(),
        "today": today,
    }
