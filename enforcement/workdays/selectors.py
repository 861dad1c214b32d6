"""Reads of the working-day calendar and the working-day arithmetic deadlines use.

A day is a working day when the calendar says 调休上班 (workday), or when it is a
Monday–Friday the calendar does not mark a holiday. Each function reads the calendar
once (one query for the rows in its range) and does the rest in memory.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from enforcement.models import WorkCalendarDay

Kind = WorkCalendarDay.Kind
ONE_DAY = dt.timedelta(days=1)
# The window working_days_add reads at first: 7/5 calendar days a working day, plus room for
# a year's public holidays (≈ 13 weekdays, the longest run 8 days). Reaching its end — a
# calendar with more holidays than any State Council notice gives — only costs one more query.
SLACK_DAYS = 40


def _overrides(first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """The calendar's rows from first to last inclusive: date → kind."""
    return dict(WorkCalendarDay.objects.filter(date__range=(first, last)).values_list("date", "kind"))


def _working(day: dt.date, overrides: dict[dt.date, str]) -> bool:
    kind = overrides.get(day)
    if kind is None:
        return day.weekday() < 5
    return kind == Kind.WORKDAY


def is_working_day(d: dt.date) -> bool:
    return _working(d, _overrides(d, d))


def working_days_add(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (start itself not counted); n = 0 gives start."""
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    day, left = start, n
    while left:
        last = day + dt.timedelta(days=left * 7 // 5 + SLACK_DAYS)
        overrides = _overrides(day + ONE_DAY, last)
        while left and day < last:
            day += ONE_DAY
            left -= _working(day, overrides)
    return day


def _weekdays_between(a: dt.date, b: dt.date) -> int:
    """Monday–Friday days after a up to and including b (a ≤ b), by arithmetic."""
    days = (b - a).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for i in range(1, rest + 1):
        count += (a + dt.timedelta(days=i)).weekday() < 5
    return count


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days after a up to and including b; 0 when b == a; negative (the same count
    with the dates swapped) when b is before a."""
    if b < a:
        return -working_days_between(b, a)
    count = _weekdays_between(a, b)
    for day, kind in _overrides(a + ONE_DAY, b).items():
        count += (kind == Kind.WORKDAY) - (day.weekday() < 5)
    return count


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    working: bool
    kind: str  # "holiday", "workday" or "" (the Monday–Friday rule)
    name: str

    @property
    def weekend(self) -> bool:
        return self.date.weekday() >= 5


@dataclass(frozen=True)
class CalendarMonth:
    year: int
    month: int
    days: tuple[CalendarDay, ...]

    @property
    def weeks(self) -> list[list[CalendarDay | None]]:
        """Monday-first rows for a month grid, padded with None."""
        lead = self.days[0].date.weekday()
        cells: list[CalendarDay | None] = [None] * lead + list(self.days)
        cells += [None] * (-len(cells) % 7)
        return [cells[i : i + 7] for i in range(0, len(cells), 7)]

    @property
    def working_days(self) -> int:
        return sum(d.working for d in self.days)


def calendar_month(year: int, month: int) -> CalendarMonth:
    """Every day of the month with whether it is a working day and why."""
    if not 1 <= month <= 12 or not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError(f"no month {year}-{month}")
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    rows = {
        r.date: r
        for r in WorkCalendarDay.objects.filter(date__range=(first, last)).only("date", "kind", "name")
    }
    days = []
    day = first
    while day <= last:
        row = rows.get(day)
        days.append(
            CalendarDay(
                date=day,
                working=row.kind == Kind.WORKDAY if row else day.weekday() < 5,
                kind=row.kind if row else "",
                name=row.name if row else "",
            )
        )
        day += ONE_DAY
    return CalendarMonth(year=year, month=month, days=tuple(days))


def calendar_year(year: int) -> list[WorkCalendarDay]:
    """The calendar's rows of one year, for the managers' list."""
    return list(WorkCalendarDay.objects.filter(date__year=year).select_related("updated_by").order_by("date"))
