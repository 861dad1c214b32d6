"""Loading the holiday fixture: every day through the service (history rows), all or
nothing, idempotent, unverified periods named; the command's messages for bad input."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from enforcement.models import WorkCalendarChange, WorkCalendarDay
from enforcement.workdays.loader import holidays_load, load_demo_holidays
from enforcement.workdays.selectors import working_days_add, working_days_between
from enforcement.workdays.services import CalendarError

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "holidays_cn.json"


def _load(path=FIXTURE, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command("load_holidays", str(path), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_fixture_loads_2025_and_2026():
    out, err = _load()
    assert WorkCalendarDay.objects.filter(date__year=2025, kind="holiday").count() == 1 + 8 + 3 + 5 + 3 + 8
    assert WorkCalendarDay.objects.filter(date__year=2025, kind="workday").count() == 5
    assert WorkCalendarDay.objects.filter(date__year=2026, kind="workday").count() == 6
    assert WorkCalendarDay.objects.get(date=D("2026-02-14")).name == "春节调休"
    assert WorkCalendarChange.objects.count() == WorkCalendarDay.objects.count()
    assert "2026 元旦" in err  # the one period the fixture marks unverified
    assert str(WorkCalendarDay.objects.count()) in out


def test_the_fixture_gives_the_worked_examples():
    _load()
    assert working_days_add(D("2025-09-26"), 5) == D("2025-10-10")
    assert working_days_add(D("2025-10-01"), 1) == D("2025-10-09")
    # 春节 2026: Fri 13 Feb, make-up Sat 14 Feb, holiday 15–23, back Tue 24.
    assert working_days_add(D("2026-02-13"), 2) == D("2026-02-24")


def test_the_2025_calendar_has_the_official_count_of_working_days():
    # 2025: 261 weekdays, 18 of them holidays (元旦 1, 春节 6, 清明 1, 劳动节 3, 端午 1, 国庆 6),
    # 5 make-up weekend days: 248 working days, the figure published for 2025.
    _load()
    weekday_holidays = sum(
        1 for d in WorkCalendarDay.objects.filter(date__year=2025, kind="holiday") if d.date.weekday() < 5
    )
    assert weekday_holidays == 18
    assert working_days_between(D("2024-12-31"), D("2025-12-31")) == 261 - 18 + 5 == 248


def test_loading_twice_changes_nothing_the_second_time():
    _load()
    changes = WorkCalendarChange.objects.count()
    out, _err = _load()
    assert WorkCalendarChange.objects.count() == changes
    assert "新设 0 天" in out


def test_a_bad_entry_loads_nothing(tmp_path):
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data["periods"].append(
        {"year": 2026, "name": "错", "holiday": ["2026-03-02", "2026-03-02"], "workdays": ["2026-03-03"]}
    )
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="星期六或星期日"):
        _load(path)
    assert not WorkCalendarDay.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "periods"),
        ({"periods": ["x"]}, "第 1 项"),
        ({"periods": [{"name": "a", "holiday": ["2026-01-01"]}]}, "holiday"),
        ({"periods": [{"name": "a", "holiday": ["2026-13-01", "2026-01-02"]}]}, "YYYY-MM-DD"),
        ({"periods": [{"name": "a", "holiday": ["2026-01-05", "2026-01-01"]}]}, "不成立"),
        ({"periods": [{"name": "a", "holiday": ["2026-01-01", "2026-03-01"]}]}, "不成立"),
        ({"periods": [{"name": "", "holiday": ["2026-01-01", "2026-01-01"]}]}, "名称"),
    ],
)
def test_malformed_data_is_refused_with_a_message(data, message):
    with pytest.raises(CalendarError, match=message):
        holidays_load(data=data)
    assert not WorkCalendarDay.objects.exists()


def test_the_command_names_a_missing_or_broken_file(tmp_path):
    with pytest.raises(CommandError, match="无法读取"):
        _load(tmp_path / "none.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON"):
        _load(broken)


def test_the_command_records_the_actor(city_manager):
    _load(FIXTURE, "--actor", city_manager.username)
    assert set(WorkCalendarChange.objects.values_list("actor", flat=True)) == {city_manager.pk}
    with pytest.raises(CommandError, match="没有用户"):
        _load(FIXTURE, "--actor", "nobody-here")


def test_the_demo_loader_loads_the_fixture():
    assert "天" in load_demo_holidays()
    assert WorkCalendarDay.objects.filter(date=D("2025-10-01")).exists()
