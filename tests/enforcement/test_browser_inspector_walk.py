"""The inspector's whole path across the case file and the blacklist, in Debian's Chromium
(Playwright), every step through the pages: an escalated task → the case → violation and
finding → the order PDF → the deadline passes (the nightly job under a later clock) → the
inspector proposes listing from the case → prior notice → the statement period lapses →
the city manager approves → the entry on the public /blacklist/ → a year later credit
repair, approved → gone from the public page.

The PDFs are stubs here (fast_pdf): their rendering is tested with the case and the
blacklist. Screenshots go to var/screenshots/ (1366 px and 390 px)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from enforcement import services as task_services
from enforcement.cases.tasks import case_deadlines_task
from enforcement.models import BlacklistEntry, EnforcementCase
from tests.enforcement.blacklist.conftest import SHANGHAI, noon
from tests.factories import OpenTaskFactory, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "walk-pass-2026"
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
EMPLOYER = "乌海市红星煤业有限公司"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": DESKTOP}


@pytest.fixture(autouse=True)
def _stub_pdfs(fast_pdf, fast_password_hasher, monkeypatch):
    from enforcement.blacklist import documents

    monkeypatch.setattr(documents, "render_pdf", lambda entry: b"%PDF-1.4\n% stub\n")


@pytest.fixture
def world(db):
    cw = make_user("district_caseworker", district="150302", username="walk-cw", password=PASSWORD)
    make_user("inspector", username="walk-insp", password=PASSWORD)
    make_user("city_manager", username="walk-mgr", password=PASSWORD)
    task = OpenTaskFactory(
        subject_name=EMPLOYER,
        evidence={"sources": ["market", "tax"], "H": 12, "W": "54000.00", "employees_reported": 3},
    )
    case = task_services.task_escalate(task=task, actor=cw, note="多次告知仍未参保")
    return {"task": task, "case": case}


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def _public_text(browser, base: str, *, shot: str) -> str:
    """The public list's text as a phone shows it (nothing wider than the screen)."""
    phone = browser.new_page(viewport=PHONE, locale="zh-CN")
    try:
        phone.goto(f"{base}/blacklist/")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
        return phone.locator("main").inner_text()
    finally:
        phone.close()


def test_an_inspector_takes_an_employer_from_a_task_to_the_blacklist_and_back_off(
    browser, page, live_server, world, _frozen_clock
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base, case = live_server.url, world["case"]

    # The escalated task links to its case; the inspector takes it.
    _login(page, base, "walk-insp")
    page.goto(f"{base}/tasks/{world['task'].pk}/")
    page.click(f"a[href='/cases/{case.pk}/']")
    expect(page.locator("h1")).to_contain_text("红星煤业")
    expect(page.locator("#blacklist + ul")).to_contain_text("暂无")
    page.click("button:has-text('由我承办')")
    expect(page.locator(".messages")).to_contain_text("已由您承办")

    # Violation, finding, order.
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
    page.click("#actions button:has-text('保存') >> nth=0")
    expect(page.locator(".messages")).to_contain_text("已记录稽核结果")
    page.click("summary:has-text('下达限期改正指令')")
    page.fill("input[name=working_days]", "10")
    page.click("button:has-text('生成限期改正指令书')")
    expect(page.locator(".messages")).to_contain_text("限期改正指令书已生成")
    link = page.locator("a:has-text('乌人社监令')")
    pdf = page.request.get(base + link.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    # Before the deadline, no proposal is offered.
    expect(page.locator("a:has-text('提出列入失信名单')")).to_have_count(0)
    deadline = EnforcementCase.objects.get(pk=case.pk).order_deadline
    assert deadline == dt.date(2026, 6, 29)

    # The deadline passes: the nightly job at 01:30 the day after; the inspector comes in
    # that morning (a new session: the old one has long been idle).
    night = dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(1, 30), tzinfo=SHANGHAI)
    _frozen_clock.move_to(night)
    assert case_deadlines_task.apply().get() == [case.pk]
    _frozen_clock.move_to(noon(deadline + dt.timedelta(days=1)))
    _login(page, base, "walk-insp")
    page.goto(f"{base}/cases/{case.pk}/")
    expect(page.locator(".facts")).to_contain_text("逾期未整改")

    # The inspector proposes listing, from the case.
    page.click("a:has-text('提出列入失信名单')")
    expect(page.locator("h1")).to_contain_text("失信名单管理")
    expect(page.locator("#propose select[name=case] option:checked")).to_contain_text(EMPLOYER)
    page.fill("#propose-rep", "赵强")
    page.click("button:has-text('提出列入')")
    expect(page.locator(".messages")).to_contain_text("已提出列入")
    entry = BlacklistEntry.objects.get(case=case)
    expect(page).to_have_url(re.compile(rf"/blacklist/manage/{entry.pk}/$"))

    # The prior notice; the case page shows the entry's state.
    page.click("button:has-text('送达失信告知书')")
    expect(page.locator(".messages")).to_contain_text("失信告知书已生成")
    entry.refresh_from_db()
    assert entry.status == "notified" and entry.notice_pdf
    page.goto(f"{base}/cases/{case.pk}/")
    expect(page.locator("#blacklist + ul")).to_contain_text("已告知")
    expect(page.locator("a:has-text('提出列入失信名单')")).to_have_count(0)

    # The statement period lapses without a statement.
    _frozen_clock.move_to(noon(entry.statement_deadline + dt.timedelta(days=1)))
    _login(page, base, "walk-insp")
    page.goto(f"{base}/blacklist/manage/{entry.pk}/")
    page.click("button:has-text('期满未陈述申辩，转入审核')")
    expect(page.locator(".messages")).to_contain_text("陈述申辩期满，转入审核")

    # The city manager approves.
    _login(page, base, "walk-mgr")
    page.goto(f"{base}/blacklist/manage/?tab=awaiting_review")
    page.click(f"table >> text={EMPLOYER}")
    page.click("summary:has-text('审核通过并公布')")
    page.fill("#approve-decision", "经审核，该单位逾期未参保，事实清楚，决定列入。")
    page.click("button:has-text('通过并公布')")
    expect(page.locator(".messages")).to_contain_text("已审核通过并公布")
    entry.refresh_from_db()
    assert entry.status == "published" and entry.listed_on == timezone.localdate()
    page.screenshot(path=str(SCREENSHOTS / "walk-entry-1366.png"), full_page=True)

    # Anyone sees it on the public page; the case page shows it listed.
    public = _public_text(browser, base, shot="walk-public-390.png")
    assert EMPLOYER in public and "限制参与招标投标" in public
    page.goto(f"{base}/cases/{case.pk}/")
    expect(page.locator("#blacklist + ul")).to_contain_text("已公布")
    page.screenshot(path=str(SCREENSHOTS / "walk-case-1366.png"), full_page=True)

    # A year later: the inspector records the credit-repair application, the manager approves.
    listed_on = entry.listed_on
    _frozen_clock.move_to(noon(listed_on.replace(year=listed_on.year + 1)))
    _login(page, base, "walk-insp")
    page.goto(f"{base}/blacklist/manage/{entry.pk}/")
    page.click("summary:has-text('登记信用修复申请')")
    page.fill("details[open] textarea[name=application]", "已补办参保登记并补缴全部欠费")
    page.check("details[open] input[name=rectified]")
    page.check("details[open] input[name=paid]")
    page.click("button:has-text('登记申请')")
    expect(page.locator(".messages")).to_contain_text("已登记信用修复申请")
    _login(page, base, "walk-mgr")
    page.goto(f"{base}/blacklist/manage/{entry.pk}/")
    page.click("summary:has-text('信用修复审核通过')")
    page.fill("details[open] textarea[name=decision]", "已整改并补缴，列入满一年，同意信用修复。")
    page.click("button:has-text('通过并移出名单')")
    expect(page.locator(".messages")).to_contain_text("已移出名单")
    expect(page.locator("ol.timeline")).to_contain_text("信用修复通过并移出")

    # Gone from the public page; the case keeps the record.
    public = _public_text(browser, base, shot="walk-public-empty-390.png")
    assert EMPLOYER not in public and "目前名单为空" in public
    page.goto(f"{base}/cases/{case.pk}/")
    expect(page.locator("#blacklist + ul")).to_contain_text("已移出")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SCREENSHOTS / "walk-case-390.png"), full_page=True)
    assert BlacklistEntry.objects.get(pk=entry.pk).status == "removed"
