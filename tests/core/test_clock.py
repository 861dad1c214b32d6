"""The suite's clock (tests/conftest.py): every test starts at one fixed instant, so no
test gives another answer when it runs across midnight in Wuhai."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from tests.clock import suite_instant
from tests.factories import NoticeIssuedTaskFactory, OverdueTaskFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_the_suite_clock_is_frozen_at_the_suite_instant():
    # Given the autouse clock; when a test reads the time; then it is the suite's instant …
    started = suite_instant()
    assert time_machine.escape_hatch.is_travelling()
    assert abs((timezone.now() - started).total_seconds()) < 60
    assert timezone.localdate() == started.astimezone(SHANGHAI).date()
    # … and it ticks, so that code measuring a duration still sees one.
    before = timezone.now()
    time.sleep(0.01)
    assert timezone.now() > before


@pytest.mark.real_clock(reason="the opt-out itself is under test")
def test_a_real_clock_test_runs_on_the_machines_clock():
    # Given the marker; then nothing travels: the time is the machine's own
    assert not time_machine.escape_hatch.is_travelling()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "instant",
    [
        dt.datetime(2026, 6, 15, 23, 59, tzinfo=SHANGHAI),  # 15:59 UTC, the same UTC date
        dt.datetime(2026, 6, 16, 0, 1, tzinfo=SHANGHAI),  # 16:01 UTC of the day before
    ],
    ids=["23:59", "00:01"],
)
def test_the_overdue_count_is_the_same_either_side_of_midnight(instant, city_manager, client_for):
    # Given a notice due in 15 days and one whose deadline passed yesterday, made "today"
    with time_machine.travel(instant, tick=False):
        NoticeIssuedTaskFactory()
        OverdueTaskFactory()
        # When the tasks API counts the overdue ones on the same (Wuhai) day
        body = client_for(city_manager).get("/api/v1/tasks/?overdue=true").json()
    # Then it is the one past its deadline, whichever side of midnight the test ran
    assert body["count"] == 1
    assert body["results"][0]["due_date"] == str(instant.date() - dt.timedelta(days=1))
