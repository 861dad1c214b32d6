"""Reads of events: those a user may see, one event, and a month laid out as a calendar.

Who sees what: city-wide staff every event; a district's caseworkers and street staff
their district's events and the city-wide ones (district null) — a street has no events
of its own, publicity reaches the district."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from outreach.events import seasons
from outreach.models import OutreachEvent, OutreachEventPhoto
from wuhai_coverage.core import access
from wuhai_coverage.core.models import District, User


def _visible_q(user: User) -> Q | None:
    j = access.jurisdiction_of(user)
    if j.nothing:
        return Q(pk__in=[])
    if j.city:
        return None
    return Q(district_id=j.district_code) | Q(district__isnull=True)


def event_list(*, user: User) -> QuerySet[OutreachEvent]:
    events = OutreachEvent.objects.select_related("district", "recorded_by").annotate(
        n_photos=Count("photos")
    )
    q = _visible_q(user)
    return events if q is None else events.filter(q)


def event_get_for_user(*, user: User, pk: int) -> OutreachEvent:
    try:
        return event_list(user=user).get(pk=pk)
    except (OutreachEvent.DoesNotExist, ValueError, TypeError):
        raise Http404("not found") from None


def photo_get_for_user(*, user: User, pk: int) -> OutreachEventPhoto:
    try:
        photo = OutreachEventPhoto.objects.select_related("event").get(pk=pk)
    except (OutreachEventPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404("not found") from None
    event_get_for_user(user=user, pk=photo.event_id)  # 404 outside the jurisdiction
    return photo


def districts_for(user: User) -> QuerySet[District]:
    """The districts a user may record events in, and pick on the calendar."""
    j = access.jurisdiction_of(user)
    if j.city:
        return District.objects.order_by("code")
    if j.nothing or not j.district_code:
        return District.objects.none()
    return District.objects.filter(code=j.district_code)


@dataclass
class Day:
    date: dt.date
    in_month: bool
    events: list[OutreachEvent] = field(default_factory=list)
    campaigns: list[seasons.Campaign] = field(default_factory=list)

    @property
    def starts(self) -> list[seasons.Campaign]:
        """The campaigns that begin on this day (the phone list names them once)."""
        return [c for c in self.campaigns if c.start == self.date]

    @property
    def labelled(self) -> list[seasons.Campaign]:
        """The campaigns the grid names on this day: where one begins, and on each Monday
        so that every week row says what its shaded days are (not a tag on every day)."""
        return self.campaigns if self.date.weekday() == 0 else self.starts


@dataclass
class Month:
    first: dt.date
    last: dt.date
    weeks: list[list[Day]]
    days: list[Day]  # the month's own days, for the phone list
    campaigns: list[seasons.Campaign]
    n_events: int
    reach: int

    @property
    def previous(self) -> dt.date:
        return (self.first - dt.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> dt.date:
        return self.last + dt.timedelta(days=1)


def month_get(*, user: User, first: dt.date, district: District | None) -> Month:
    """The month of `first` as weeks Monday to Sunday (days of the neighbouring months
    fill the first and last week), each day with the events held on it and the campaigns
    running. One query for the events of the whole grid."""
    weeks_dates = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    grid_start, grid_end = weeks_dates[0][0], weeks_dates[-1][-1]
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    events = event_list(user=user).filter(held_on__gte=grid_start, held_on__lte=grid_end)
    if district is not None:
        events = events.filter(Q(district=district) | Q(district__isnull=True))
    by_day: dict[dt.date, list[OutreachEvent]] = defaultdict(list)
    for event in events.order_by("held_on", "id"):
        by_day[event.held_on].append(event)
    campaigns = seasons.campaigns_between(grid_start, grid_end)
    weeks = [
        [
            Day(d, d.month == first.month, by_day.get(d, []), [c for c in campaigns if c.covers(d)])
            for d in week
        ]
        for week in weeks_dates
    ]
    days = [day for week in weeks for day in week if day.in_month]
    in_month = [e for day in days for e in day.events]
    return Month(
        first=first,
        last=last,
        weeks=weeks,
        days=days,
        campaigns=[c for c in campaigns if c.start <= last and c.end >= first],
        n_events=len(in_month),
        reach=sum(e.reach for e in in_month),
    )
