"""A city manager lists an employer and later removes it by credit repair, in Debian's
Chromium; the public list is read on a 390 px phone. Screenshots in var/screenshots/."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from enforcement.blacklist import services
from enforcement.models import BlacklistEntry
from tests.enforcement.blacklist.conftest import Lifecycle, noon
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "blacklist-pass-2026"
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_listed_on_a_phone_then_removed_by_credit_repair(browser, page, live_server, _frozen_clock):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    inspector = make_user("inspector", username="bl-insp", password=PASSWORD)
    manager = make_user("city_manager", username="bl-mgr", password=PASSWORD)
    entry = Lifecycle(inspector, manager).under_review(employer_name="乌海市红星煤业有限公司")

    # The manager finds the entry awaiting review and approves it with a written decision.
    page.set_viewport_size(DESKTOP)
    _login(page, base, "bl-mgr")
    page.click("nav.mainnav >> text=失信名单")
    expect(page.locator("h1")).to_contain_text("失信名单管理")
    page.screenshot(path=str(SCREENSHOTS / "blacklist-manage-1366.png"), full_page=True)
    page.click("table >> text=乌海市红星煤业有限公司")
    expect(page.locator("ol.timeline")).to_contain_text("陈述申辩")
    page.click("summary:has-text('审核通过并公布')")
    page.fill("#approve-decision", "经审核，该单位逾期未参保，事实清楚，决定列入。")
    page.click("button:has-text('通过并公布')")
    expect(page.locator(".messages")).to_contain_text("已审核通过并公布")
    expect(page.locator("ol.timeline")).to_contain_text("审核通过并公布")
    page.screenshot(path=str(SCREENSHOTS / "blacklist-entry-1366.png"), full_page=True)
    assert BlacklistEntry.objects.get(pk=entry.pk).status == "published"

    # Anyone, on a phone: the entry is on the public list, nothing wider than the screen.
    phone = browser.new_page(viewport=PHONE, locale="zh-CN")
    phone.goto(f"{base}/blacklist/")
    card = phone.locator(".bl-entry")
    expect(card).to_contain_text("乌海市红星煤业有限公司")
    expect(card).to_contain_text("限制参与招标投标")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(SCREENSHOTS / "blacklist-public-390.png"), full_page=True)

    # A year on, the employer applies for credit repair; the manager approves it.
    listed_on = BlacklistEntry.objects.get(pk=entry.pk).listed_on
    _frozen_clock.move_to(noon(listed_on.replace(year=listed_on.year + 1)))
    services.blacklist_apply_repair(
        entry=entry, actor=inspector, application="已补办参保登记并补缴全部欠费", rectified=True, paid=True
    )
    _login(page, base, "bl-mgr")  # the earlier session ended a year ago
    page.goto(f"{base}/blacklist/manage/{entry.pk}/")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SCREENSHOTS / "blacklist-entry-390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.click("summary:has-text('信用修复审核通过')")
    page.fill("details[open] textarea[name=decision]", "已整改并补缴，列入满一年，同意信用修复。")
    page.click("button:has-text('通过并移出名单')")
    expect(page.locator(".messages")).to_contain_text("已移出名单")

    # Gone from the public list.
    phone.reload()
    expect(phone.locator("main")).not_to_contain_text("乌海市红星煤业有限公司")
    expect(phone.locator("main")).to_contain_text("目前名单为空")
    phone.screenshot(path=str(SCREENSHOTS / "blacklist-public-empty-390.png"), full_page=True)
    phone.set_viewport_size(DESKTOP)
    phone.screenshot(path=str(SCREENSHOTS / "blacklist-public-1366.png"), full_page=True)
