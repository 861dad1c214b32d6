"""Writes on the working-day calendar. Each is atomic and leaves a `WorkCalendarChange`
with the actor and the time, so a deleted or overwritten day can still be traced.

Rules (decided here, tested in tests/enforcement/workdays/test_services.py):
- a make-up workday (调休上班) must fall on a Saturday or Sunday — a Monday–Friday is a
  working day already, and marking one would hide a mistake in the notice's reading;
- a holiday may fall on any day, weekends included: the State Council's notices give a
  holiday as a period (国庆节 10月1日至8日) that covers a weekend, and the calendar keeps
  the period's name on each of its days; on a weekend it changes no deadline;
- a name is required (节日名称, or the holiday a make-up day belongs to), ≤ 40 characters;
- setting a day to what it already is writes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from enforcement.models import WorkCalendarChange, WorkCalendarDay
from wuhai_coverage.core.models import User

Kind = WorkCalendarDay.Kind
NAME_MAX = 40
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the calendar's range; outside it a date is a typo


class CalendarError(Exception):
    """The calendar change is not possible; the message says why (translated)."""


def _check_year(day: dt.date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CalendarError(
            _("日期须在 %(first)s 年至 %(last)s 年之间") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )


@transaction.atomic
def calendar_day_set(*, actor: User | None, day: dt.date, kind: str, name: str) -> WorkCalendarDay:
    """Mark `day` a holiday or a make-up workday (replacing what it was)."""
    _check_year(day)
    if kind not in Kind.values:
        raise CalendarError(_("类型须为节假日或调休上班日"))
    name = (name or "").strip()
    if not name:
        raise CalendarError(_("请填写名称（如 国庆节）"))
    if len(name) > NAME_MAX:
        raise CalendarError(_("名称不能超过 %(max)s 个字") % {"max": NAME_MAX})
    if kind == Kind.WORKDAY and day.weekday() < 5:
        raise CalendarError(_("调休上班日须为星期六或星期日：%(day)s 本来就是工作日") % {"day": day})
    current = WorkCalendarDay.objects.select_for_update().filter(date=day).first()
    if current is not None and (current.kind, current.name) == (kind, name):
        return current
    WorkCalendarChange.objects.create(
        date=day,
        action=WorkCalendarChange.Action.SET,
        old_kind=current.kind if current else "",
        old_name=current.name if current else "",
        new_kind=kind,
        new_name=name,
        actor=actor,
    )
    if current is None:
        return WorkCalendarDay.objects.create(
            date=day, kind=kind, name=name, created_by=actor, updated_by=actor
        )
    current.kind, current.name, current.updated_by = kind, name, actor
    current.save(update_fields=["kind", "name", "updated_by", "updated_at"])
    return current


@transaction.atomic
def calendar_day_delete(*, actor: User | None, day: dt.date) -> None:
    """Return `day` to the Monday–Friday rule."""
    current = WorkCalendarDay.objects.select_for_update().filter(date=day).first()
    if current is None:
        raise CalendarError(_("%(day)s 不在工作日历中") % {"day": day})
    WorkCalendarChange.objects.create(
        date=day,
        action=WorkCalendarChange.Action.DELETE,
        old_kind=current.kind,
        old_name=current.name,
        actor=actor,
    )
    current.delete()
