"""Working-day arithmetic: weekends, a holiday period with make-up weekend days, the
boundaries (n = 0, negative n, a == b, b before a, year ends), one query per call."""

import datetime as dt

import pytest

from enforcement.models import WorkCalendarDay
from enforcement.workdays.selectors import (
    calendar_month,
    is_working_day,
    working_days_add,
    working_days_between,
)

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def test_five_working_days_across_golden_week_count_the_make_up_sunday(golden_week_2025):
    # Fri 26 Sep → Sun 28 (make-up, 1), Mon 29 (2), Tue 30 (3), 1–8 Oct holiday,
    # Thu 9 (4), Fri 10 (5).
    assert working_days_add(D("2025-09-26"), 5) == D("2025-10-10")


def test_one_working_day_from_a_holiday_is_the_first_day_back(golden_week_2025):
    assert working_days_add(D("2025-10-01"), 1) == D("2025-10-09")


def test_the_make_up_saturday_counts(golden_week_2025):
    # Fri 10 Oct (1), Sat 11 make-up (2), Mon 13 (3).
    assert working_days_add(D("2025-10-09"), 2) == D("2025-10-11")
    assert working_days_add(D("2025-10-09"), 3) == D("2025-10-13")


def test_is_working_day_follows_the_calendar_then_the_weekday(golden_week_2025):
    assert is_working_day(D("2025-09-28"))  # Sunday, make-up
    assert is_working_day(D("2025-10-11"))  # Saturday, make-up
    assert not is_working_day(D("2025-10-01"))  # Wednesday, holiday
    assert not is_working_day(D("2025-10-04"))  # Saturday inside the holiday
    assert not is_working_day(D("2025-10-12"))  # plain Sunday
    assert is_working_day(D("2025-10-09"))  # plain Thursday


def test_weekends_are_skipped_without_a_calendar():
    assert working_days_add(D("2026-01-09"), 1) == D("2026-01-12")  # Fri → Mon
    assert working_days_add(D("2026-01-10"), 1) == D("2026-01-12")  # Sat → Mon
    assert working_days_add(D("2026-01-05"), 5) == D("2026-01-12")  # Mon + a week
    assert working_days_add(D("2026-01-05"), 4) == D("2026-01-09")


def test_zero_days_is_the_start_even_on_a_holiday(golden_week_2025):
    assert working_days_add(D("2025-10-03"), 0) == D("2025-10-03")


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        working_days_add(D("2026-01-05"), -1)


def test_add_crosses_a_year_end():
    WorkCalendarDay.objects.create(date=D("2026-01-01"), kind="holiday", name="元旦")
    assert working_days_add(D("2025-12-31"), 1) == D("2026-01-02")


def test_a_long_span_reads_past_its_first_window():
    # 60 weekdays in a row made holidays: more than SLACK_DAYS of them.
    start = D("2027-03-01")
    WorkCalendarDay.objects.bulk_create(
        WorkCalendarDay(date=start + dt.timedelta(days=i), kind="holiday", name="测试")
        for i in range(1, 120)
        if (start + dt.timedelta(days=i)).weekday() < 5
    )
    got = working_days_add(start, 3)
    # The run of holidays ends on Monday 28 June: Tue 29 (1), Wed 30 (2), Thu 1 July (3).
    assert got == D("2027-07-01")
    assert working_days_between(start, got) == 3


def test_between_counts_after_a_up_to_and_including_b(golden_week_2025):
    assert working_days_between(D("2025-09-26"), D("2025-10-10")) == 5
    assert working_days_between(D("2025-09-26"), D("2025-09-28")) == 1  # Sat no, Sun make-up yes
    assert working_days_between(D("2025-09-30"), D("2025-10-08")) == 0
    assert working_days_between(D("2025-09-30"), D("2025-10-09")) == 1


def test_between_is_zero_for_the_same_day_and_negative_backwards(golden_week_2025):
    assert working_days_between(D("2025-10-10"), D("2025-10-10")) == 0
    assert working_days_between(D("2025-10-10"), D("2025-09-26")) == -5


def test_between_plain_weeks():
    assert working_days_between(D("2026-01-04"), D("2026-01-11")) == 5  # Sun → Sun
    assert working_days_between(D("2026-01-09"), D("2026-01-12")) == 1  # Fri → Mon
    # 2026 has 261 weekdays; after Mon 5 Jan leaves out Thu 1, Fri 2 and Mon 5 Jan.
    assert working_days_between(D("2026-01-05"), D("2026-12-31")) == 258


def test_add_and_between_agree_over_a_range(golden_week_2025):
    start = D("2025-09-20")
    for n in range(0, 30):
        assert working_days_between(start, working_days_add(start, n)) == n


@pytest.mark.parametrize(
    "call",
    [
        lambda: is_working_day(D("2025-10-01")),
        lambda: working_days_add(D("2025-09-26"), 5),
        lambda: working_days_add(D("2025-01-01"), 240),
        lambda: working_days_between(D("2025-01-01"), D("2025-12-31")),
        lambda: calendar_month(2025, 10),
    ],
)
def test_each_call_reads_the_calendar_once(golden_week_2025, django_assert_num_queries, call):
    with django_assert_num_queries(1):
        call()


def test_calendar_month_marks_each_day(golden_week_2025):
    month = calendar_month(2025, 10)
    assert len(month.days) == 31
    by_day = {d.date.day: d for d in month.days}
    assert (by_day[1].kind, by_day[1].name, by_day[1].working) == ("holiday", "国庆节、中秋节", False)
    assert (by_day[11].kind, by_day[11].working) == ("workday", True)
    assert (by_day[9].kind, by_day[9].working) == ("", True)
    assert by_day[12].working is False and by_day[12].weekend
    # October 2025: 23 weekdays, 6 of them holidays (1–3, 6–8), one make-up Saturday.
    assert month.working_days == 23 - 6 + 1


def test_calendar_month_weeks_start_on_monday():
    weeks = calendar_month(2026, 2).weeks  # 1 Feb 2026 is a Sunday
    assert weeks[0][:6] == [None] * 6 and weeks[0][6].date == D("2026-02-01")
    assert all(len(w) == 7 for w in weeks)
    assert weeks[-1][5].date == D("2026-02-28") and weeks[-1][6] is None


def test_calendar_month_leap_february():
    assert len(calendar_month(2024, 2).days) == 29
    assert len(calendar_month(2025, 2).days) == 28


@pytest.mark.parametrize("year, month", [(2026, 0), (2026, 13), (0, 1)])
def test_calendar_month_refuses_a_month_that_does_not_exist(year, month):
    with pytest.raises(ValueError):
        calendar_month(year, month)
