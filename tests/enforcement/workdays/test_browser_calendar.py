"""A city manager keeps the working-day calendar in Debian's Chromium: adds a make-up
Saturday, is refused a make-up Friday, deletes a day; at 1366 px and on a 390 px phone.

Screenshots go to var/screenshots/ (look at them: Chinese must render as glyphs)."""

import datetime as dt
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from enforcement.models import WorkCalendarDay
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "calendar-pass-2026"
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture
def manager(db):
    user = make_user("city_manager", username="calendar-mgr", password=PASSWORD)
    WorkCalendarDay.objects.bulk_create(
        [
            WorkCalendarDay(date=dt.date(2026, 10, 1) + dt.timedelta(days=i), kind="holiday", name="国庆节")
            for i in range(7)
        ]
        + [WorkCalendarDay(date=dt.date(2026, 9, 20), kind="workday", name="国庆节调休")]
    )
    return user


def test_a_manager_keeps_the_calendar(page, live_server, manager):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "calendar-mgr")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    page.goto(f"{live_server.url}/enforcement/calendar/?year=2026")
    expect(page.locator("h1")).to_contain_text("工作日历 2026")
    expect(page.locator("table.workcal-month")).to_have_count(12)
    expect(page.locator("td.workcal-holiday")).to_have_count(7)

    page.fill("input[name=day]", "2026-10-10")
    page.select_option("select[name=kind]", "workday")
    page.fill("input[name=name]", "国庆节调休")
    page.click("form.workcal-form button")
    expect(page.locator("ul.messages")).to_contain_text("已保存 2026-10-10")
    expect(page.locator("td.workcal-workday")).to_have_count(2)

    page.fill("input[name=day]", "2026-10-09")
    page.select_option("select[name=kind]", "workday")
    page.fill("input[name=name]", "国庆节调休")
    page.click("form.workcal-form button")
    expect(page.locator("form.workcal-form .error")).to_contain_text("星期六或星期日")
    page.screenshot(path=str(SCREENSHOTS / "work-calendar-1366.png"), full_page=True)

    page.get_by_role("button", name="删除 2026-10-07").click()
    expect(page.locator("ul.messages")).to_contain_text("已删除 2026-10-07")
    expect(page.locator("td.workcal-holiday")).to_have_count(6)
    assert not WorkCalendarDay.objects.filter(date=dt.date(2026, 10, 7)).exists()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/enforcement/calendar/?year=2026")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways at 390 px ({width} px)"
    page.screenshot(path=str(SCREENSHOTS / "work-calendar-390.png"), full_page=True)
