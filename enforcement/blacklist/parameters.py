"""The blacklist's periods (README → configuration), read from settings with defaults:

- BLACKLIST_STATEMENT_WORKING_DAYS (5): the employer's period to state its case after the
  prior notice, in working days (the working-day calendar city managers maintain);
- BLACKLIST_LISTING_YEARS (3): how long an entry stays listed, from the decision date;
- BLACKLIST_REPAIR_AFTER_YEARS (1): credit repair may remove an entry no sooner than this
  long after it was listed.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings

DEFAULTS = {
    "BLACKLIST_STATEMENT_WORKING_DAYS": 5,
    "BLACKLIST_LISTING_YEARS": 3,
    "BLACKLIST_REPAIR_AFTER_YEARS": 1,
}


def _get(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


def statement_working_days() -> int:
    return _get("BLACKLIST_STATEMENT_WORKING_DAYS")


def listing_years() -> int:
    return _get("BLACKLIST_LISTING_YEARS")


def repair_after_years() -> int:
    return _get("BLACKLIST_REPAIR_AFTER_YEARS")


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year (a
    period counted in years ends on the corresponding day, or the month's last day when
    that month has no such day)."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def statement_deadline(start: dt.date) -> dt.date:
    """The last day of the period to state its case: `statement_working_days()` working
    days after the notice's day, counted on the calendar city managers maintain."""
    from enforcement.workdays import selectors as workdays

    return workdays.working_days_add(start, statement_working_days())


def expiry_of(listed_on: dt.date) -> dt.date:
    """The day an entry leaves the list: `listing_years()` after the decision date."""
    return add_years(listed_on, listing_years())


def repair_earliest(listed_on: dt.date) -> dt.date:
    """The first day credit repair may remove an entry."""
    return add_years(listed_on, repair_after_years())
