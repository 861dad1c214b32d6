"""The calendar of the worked examples: 国庆节、中秋节 2025 (国办发明电〔2024〕12号) —
holidays 1–8 October, make-up workdays Sunday 28 September and Saturday 11 October."""

import datetime as dt

import pytest

from enforcement.models import WorkCalendarDay

D = dt.date.fromisoformat


@pytest.fixture
def golden_week_2025(db):
    rows = [
        WorkCalendarDay(date=D("2025-10-01") + dt.timedelta(days=i), kind="holiday", name="国庆节、中秋节")
        for i in range(8)
    ]
    rows += [
        WorkCalendarDay(date=D("2025-09-28"), kind="workday", name="国庆节调休"),
        WorkCalendarDay(date=D("2025-10-11"), kind="workday", name="国庆节调休"),
    ]
    WorkCalendarDay.objects.bulk_create(rows)
