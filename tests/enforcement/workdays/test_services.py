"""Calendar writes: the make-up weekend rule, holidays on weekends, names, the history
row for every change (who, when, before → after), and nothing written for a no-op."""

import datetime as dt

import pytest

from enforcement.models import WorkCalendarChange, WorkCalendarDay
from enforcement.workdays.selectors import is_working_day, working_days_add
from enforcement.workdays.services import CalendarError, calendar_day_delete, calendar_day_set

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def test_set_a_holiday_records_who_and_the_history(city_manager):
    day = calendar_day_set(actor=city_manager, day=D("2026-10-01"), kind="holiday", name=" 国庆节 ")
    assert (day.kind, day.name, day.created_by, day.updated_by) == (
        "holiday",
        "国庆节",
        city_manager,
        city_manager,
    )
    change = WorkCalendarChange.objects.get()
    assert (change.action, change.old_kind, change.new_kind, change.new_name, change.actor) == (
        "set",
        "",
        "holiday",
        "国庆节",
        city_manager,
    )
    assert change.at is not None
    assert not is_working_day(D("2026-10-01"))


@pytest.mark.parametrize("day", ["2026-02-14", "2026-02-15"])  # Saturday, Sunday
def test_a_make_up_workday_on_a_weekend_is_accepted(city_manager, day):
    calendar_day_set(actor=city_manager, day=D(day), kind="workday", name="春节调休")
    assert is_working_day(D(day))


@pytest.mark.parametrize("day", ["2026-02-13", "2026-02-16"])  # Friday, Monday
def test_a_make_up_workday_on_a_weekday_is_refused(city_manager, day):
    with pytest.raises(CalendarError, match="星期六或星期日"):
        calendar_day_set(actor=city_manager, day=D(day), kind="workday", name="春节调休")
    assert not WorkCalendarDay.objects.exists() and not WorkCalendarChange.objects.exists()


def test_a_holiday_on_a_weekend_is_kept_and_changes_no_deadline(city_manager):
    before = working_days_add(D("2026-04-03"), 1)
    calendar_day_set(actor=city_manager, day=D("2026-04-04"), kind="holiday", name="清明节")  # Saturday
    assert WorkCalendarDay.objects.filter(date=D("2026-04-04")).exists()
    assert working_days_add(D("2026-04-03"), 1) == before == D("2026-04-06")


@pytest.mark.parametrize("name", ["", "   ", "节" * 41])
def test_a_name_is_required_and_bounded(city_manager, name):
    with pytest.raises(CalendarError):
        calendar_day_set(actor=city_manager, day=D("2026-10-01"), kind="holiday", name=name)


def test_forty_characters_are_enough(city_manager):
    assert calendar_day_set(actor=city_manager, day=D("2026-10-01"), kind="holiday", name="节" * 40)


def test_an_unknown_kind_is_refused(city_manager):
    with pytest.raises(CalendarError):
        calendar_day_set(actor=city_manager, day=D("2026-10-01"), kind="festival", name="国庆节")


@pytest.mark.parametrize(
    "day, ok", [("1999-12-31", False), ("2000-01-03", True), ("2100-12-31", True), ("2101-01-03", False)]
)
def test_the_calendar_spans_2000_to_2100(city_manager, day, ok):
    if ok:
        calendar_day_set(actor=city_manager, day=D(day), kind="holiday", name="测试")
    else:
        with pytest.raises(CalendarError):
            calendar_day_set(actor=city_manager, day=D(day), kind="holiday", name="测试")


def test_setting_again_replaces_and_keeps_the_old_value_in_the_history(city_manager, inspector):
    calendar_day_set(actor=city_manager, day=D("2026-10-10"), kind="holiday", name="国庆节")
    calendar_day_set(actor=inspector, day=D("2026-10-10"), kind="workday", name="国庆节调休")
    day = WorkCalendarDay.objects.get()
    assert (day.kind, day.created_by, day.updated_by) == ("workday", city_manager, inspector)
    last = WorkCalendarChange.objects.first()
    assert (last.old_kind, last.old_name, last.new_kind, last.actor) == (
        "holiday",
        "国庆节",
        "workday",
        inspector,
    )


def test_setting_the_same_value_writes_nothing(city_manager):
    calendar_day_set(actor=city_manager, day=D("2026-10-01"), kind="holiday", name="国庆节")
    calendar_day_set(actor=city_manager, day=D("2026-10-01"), kind="holiday", name="国庆节")
    assert WorkCalendarChange.objects.count() == 1


def test_delete_returns_the_day_to_the_weekday_rule_and_is_audited(city_manager):
    calendar_day_set(actor=city_manager, day=D("2026-10-01"), kind="holiday", name="国庆节")
    calendar_day_delete(actor=city_manager, day=D("2026-10-01"))
    assert not WorkCalendarDay.objects.exists()
    assert is_working_day(D("2026-10-01"))
    change = WorkCalendarChange.objects.first()
    assert (change.action, change.old_kind, change.old_name, change.new_kind, change.actor) == (
        "delete",
        "holiday",
        "国庆节",
        "",
        city_manager,
    )


def test_deleting_a_day_not_in_the_calendar_says_so(city_manager):
    with pytest.raises(CalendarError, match="不在工作日历中"):
        calendar_day_delete(actor=city_manager, day=D("2026-10-01"))
    assert not WorkCalendarChange.objects.exists()
