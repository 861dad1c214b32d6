"""An inspector's path in Debian's Chromium (Playwright): an escalated task → the case →
violation and findings → the order PDF → the deadline passes (the nightly job run with a
later clock) → the case shows unrectified and is on the "ready to propose" list.

Screenshots go to var/screenshots/ (1366 px and 390 px; look at them: Chinese must
render as glyphs)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from playwright.sync_api import expect

from enforcement import services as task_services
from enforcement.cases.tasks import case_deadlines_task
from enforcement.models import CaseEvent, EnforcementCase
from tests.factories import OpenTaskFactory, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "case-pass-2026"
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def world(db):
    cw = make_user("district_caseworker", district="150302", username="hbw-cw", password=PASSWORD)
    inspector = make_user("inspector", username="jc-zhang", password=PASSWORD)
    task = OpenTaskFactory(
        subject_name="乌海市红星煤业有限公司",
        evidence={"sources": ["market", "tax"], "H": 12, "W": "54000.00", "employees_reported": 3},
    )
    case = task_services.task_escalate(task=task, actor=cw, note="多次告知仍未参保")
    return {"inspector": inspector, "task": task, "case": case}


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_an_inspector_takes_an_escalated_task_to_an_unrectified_case(page, live_server, world):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    case = world["case"]
    _login(page, base, "jc-zhang")

    # The escalated task's case waits on the unassigned list; the inspector takes it.
    page.click("nav.mainnav >> text=执法案件")
    page.click(".tiles >> text=待认领")
    page.click(f"a[href='/cases/{case.pk}/']")
    expect(page.locator("h1")).to_contain_text("红星煤业")
    page.click("button:has-text('由我承办')")
    expect(page.locator(".messages")).to_contain_text("已由您承办")

    # Violation, finding.
    page.click("summary:has-text('认定违法行为')")
    page.select_option("select[name=kind]", "not_enrolled")
    page.fill("textarea[name=description]", "个税扣缴12人，均未参加社会保险")
    page.click("button:has-text('认定')")
    expect(page.locator(".messages")).to_contain_text("已认定违法行为")
    page.click("summary:has-text('记录稽核结果')")
    page.select_option("select[name=source]", "joint")
    page.fill("input[name=period]", "2026-05")
    page.fill("input[name=verified_headcount]", "12")
    page.fill("input[name=verified_monthly_base]", "54000")
    page.fill("input[name=declared_headcount]", "0")
    page.click("#actions button:has-text('保存') >> nth=0")
    expect(page.locator(".messages")).to_contain_text("已记录稽核结果")
    expect(page.locator("table.list").first).to_contain_text("联合检查")

    # The order: a real PDF, downloaded through the access-checked view.
    page.click("summary:has-text('下达限期改正指令')")
    page.fill("input[name=working_days]", "10")
    page.click("button:has-text('生成限期改正指令书')")
    expect(page.locator(".messages")).to_contain_text("限期改正指令书已生成")
    link = page.locator("a:has-text('乌人社监令')")
    expect(link).to_be_visible()
    pdf = page.request.get(base + link.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    case.refresh_from_db()
    assert case.status == "order_issued" and case.order_deadline == dt.date(2026, 6, 29)
    page.screenshot(path=str(SCREENSHOTS / "case-page-1366.png"), full_page=True)

    # The deadline passes: the nightly job at 01:30 the day after.
    later = dt.datetime.combine(case.order_deadline + dt.timedelta(days=1), dt.time(1, 30), tzinfo=SHANGHAI)
    with time_machine.travel(later, tick=False):
        assert case_deadlines_task.apply().get() == [case.pk]
    page.reload()
    expect(page.locator(".facts")).to_contain_text("逾期未整改")
    expect(page.locator(".timeline")).to_contain_text("逾期未整改")
    page.goto(f"{base}/cases/?view=ready")
    expect(page.locator("table.list")).to_contain_text("乌海市红星煤业有限公司")
    page.screenshot(path=str(SCREENSHOTS / "case-list-1366.png"), full_page=True)
    assert EnforcementCase.objects.get(pk=case.pk).status == "unrectified"
    assert CaseEvent.objects.filter(case=case, kind="unrectified", actor=None).count() == 1


def test_the_case_page_fits_a_phone(browser, live_server, world):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, live_server.url, "jc-zhang")
        page.goto(f"{live_server.url}/cases/{world['case'].pk}/")
        expect(page.locator("h1")).to_contain_text("红星煤业")
        page.screenshot(path=str(SCREENSHOTS / "case-page-390.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing to scroll sideways
        page.goto(f"{live_server.url}/cases/?view=all")
        page.screenshot(path=str(SCREENSHOTS / "case-list-390.png"), full_page=True)
        expect(page.locator("table.list")).to_contain_text("红星煤业")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
