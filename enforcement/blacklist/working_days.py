"""Working days for the statement period. The calendar of public holidays and make-up
workdays city managers maintain lives in enforcement.workdays (its own branch); until it
is merged, Monday to Friday count as working days."""

from __future__ import annotations

import datetime as dt


def working_days_add(start: dt.date, n: int) -> dt.date:
    try:
        from enforcement.workdays.selectors import working_days_add as calendar_add
    except ImportError:
        day, left = start, n
        while left > 0:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day
    return calendar_add(start, n)
