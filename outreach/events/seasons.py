"""The seasonal campaigns suggested on the events calendar — the times people move
(policy 四(三): holidays, graduation, migrant workers' return).

Assumptions (the bureau may correct them here, in one place):
- Spring Festival (春节) dates come from the table below (the lunar calendar is not
  computed); outside 2025–2028 no Spring Festival or migrant-return campaign is suggested.
- 春节返乡宣传: from 14 days before to 6 days after the Spring Festival, when workers are
  home and families gather.
- 农民工返岗宣传: from the 7th day after the Spring Festival (the first working day) for
  six weeks, the usual return-to-work season.
- 高校毕业生参保宣传: 1 June – 31 July, graduation and first jobs.
- 社会保险宣传月: July, because the Social Insurance Law took effect on 1 July 2011 and
  many places hold their publicity month then. No national date is fixed in the policy:
  marked as an assumption on the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from outreach.models import OutreachEvent

SPRING_FESTIVAL: dict[int, dt.date] = {
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
}
BEFORE_SPRING_FESTIVAL = dt.timedelta(days=14)
AFTER_SPRING_FESTIVAL = dt.timedelta(days=6)
RETURN_STARTS_AFTER = dt.timedelta(days=7)
RETURN_LASTS = dt.timedelta(weeks=6)

Kind = OutreachEvent.Kind


@dataclass(frozen=True)
class Campaign:
    code: str
    label: StrOrPromise
    start: dt.date
    end: dt.date  # inclusive
    kinds: tuple[str, ...]  # the event kinds that suit it
    assumption: bool = False  # a date the bureau should confirm

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def kind_labels(self) -> list[StrOrPromise]:
        return [Kind(k).label for k in self.kinds]


def campaigns_of_year(year: int) -> list[Campaign]:
    found = []
    spring = SPRING_FESTIVAL.get(year)
    if spring is not None:
        found.append(
            Campaign(
                "spring_festival",
                _("春节返乡人员参保宣传"),
                spring - BEFORE_SPRING_FESTIVAL,
                spring + AFTER_SPRING_FESTIVAL,
                (Kind.COMMUNITY_TALK, Kind.LIVESTREAM),
            )
        )
        found.append(
            Campaign(
                "migrant_return",
                _("农民工返岗参保宣传"),
                spring + RETURN_STARTS_AFTER,
                spring + RETURN_STARTS_AFTER + RETURN_LASTS - dt.timedelta(days=1),
                (Kind.ENTERPRISE_LECTURE, Kind.COMMUNITY_TALK),
            )
        )
    found.append(
        Campaign(
            "graduation",
            _("高校毕业生参保宣传"),
            dt.date(year, 6, 1),
            dt.date(year, 7, 31),
            (Kind.LIVESTREAM, Kind.MEDIA_QA),
        )
    )
    found.append(
        Campaign(
            "publicity_month",
            _("社会保险宣传月"),
            dt.date(year, 7, 1),
            dt.date(year, 7, 31),
            (Kind.PUBLICITY_MONTH, Kind.MEDIA_QA),
            assumption=True,
        )
    )
    return found


def campaigns_between(start: dt.date, end: dt.date) -> list[Campaign]:
    """The campaigns that overlap [start, end], by start date."""
    found = [
        c
        for year in range(start.year - 1, end.year + 1)
        for c in campaigns_of_year(year)
        if c.start <= end and c.end >= start
    ]
    return sorted(found, key=lambda c: (c.start, c.code))


def has_spring_festival(year: int) -> bool:
    return year in SPRING_FESTIVAL
