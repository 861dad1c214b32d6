"""The public pages on a phone (390 × 844, Debian's Chromium): the front page and the
disclosure table, searched; and the staff's events calendar, a month grid at 1366 px that
becomes a list at 390 px. Screenshots go to var/screenshots/ (look at them: Chinese must
render as glyphs)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from enrollment.models import Employer
from outreach.models import OutreachEvent
from tests.factories import load_snapshot, make_uscc, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
PASSWORD = "steppe-kettle-2026"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


def _employers(n: int = 12) -> list[dict]:
    rows = []
    for i in range(n):
        uscc = make_uscc()
        name = f"乌海市第{i + 1:02d}建材有限公司" if i else "乌海市黄河煤业有限公司"
        Employer.objects.create(uscc=uscc, name=name, district_id="150302")
        rows.append(
            {
                "uscc": uscc,
                "name": name,
                "district_code": "150302",
                "insured_pension": 100 + i,
                "insured_injury": 90 + i,
                "insured_unemployment": 80 + i,
                "declared_base_total": "500000.00",
            }
        )
    load_snapshot("insurance_employers", rows)
    return rows


def test_the_front_page_and_the_disclosure_table_on_a_phone(page, live_server):
    rows = _employers()
    base = live_server.url
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/")
    for name in ("养老金测算", "用人单位参保信息公开", "社会保险领域严重失信人名单", "工作人员登录"):
        expect(page.get_by_role("link", name=re.compile(name))).to_be_visible()
    _no_sideways_scroll(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "front-390.png"), full_page=True)

    page.get_by_role("link", name=re.compile("用人单位参保信息公开")).click()
    expect(page).to_have_url(re.compile(r"/disclosure/$"))
    expect(page.locator("table.disclosure tbody tr")).to_have_count(len(rows))
    # On a phone each row is a card: the header row is hidden, each cell says what it is.
    expect(page.locator("table.disclosure thead")).to_be_hidden()
    _no_sideways_scroll(page)
    page.fill("input[name=q]", "黄河")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("table.disclosure tbody tr")).to_have_count(1)
    expect(page.locator("table.disclosure tbody")).to_contain_text("乌海市黄河煤业有限公司")
    expect(page.locator("table.disclosure tbody")).to_contain_text("100")
    _no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "disclosure-390.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    assert (
        download.value.suggested_filename == f"disclosure-{rows[0]['uscc']}-{timezone.localdate().year}.pdf"
    )
    page.set_viewport_size(DESK)
    page.goto(f"{base}/disclosure/")
    expect(page.locator("table.disclosure thead")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "disclosure-1366.png"), full_page=True)
    page.goto(f"{base}/")
    page.screenshot(path=str(SCREENSHOTS / "front-1366.png"), full_page=True)


def test_the_events_calendar_is_a_grid_on_a_desk_and_a_list_on_a_phone(page, live_server):
    user = make_user("district_caseworker", district="150302", username="events-cw", password=PASSWORD)
    today = timezone.localdate()
    OutreachEvent.objects.create(
        kind="community_talk",
        title="社保知识进社区",
        place="凤凰岭街道和平社区",
        held_on=today.replace(day=10),
        district_id="150302",
        reach=45,
        recorded_by=user,
    )
    base = live_server.url
    page.set_viewport_size(DESK)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "events-cw")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.goto(f"{base}/outreach/events/")
    expect(page.locator("table.monthgrid")).to_be_visible()
    expect(page.locator("ol.daylist")).to_be_hidden()
    expect(page.locator("table.monthgrid a.event")).to_have_text("社保知识进社区")
    page.screenshot(path=str(SCREENSHOTS / "events-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("table.monthgrid")).to_be_hidden()
    expect(page.locator("ol.daylist")).to_be_visible()
    expect(page.locator("ol.daylist")).to_contain_text("社保知识进社区")
    _no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "events-390.png"), full_page=True)


def test_the_staff_forms_and_pages_fit_a_phone_and_a_desk(page, live_server):
    user = make_user("district_caseworker", district="150302", username="forms-cw", password=PASSWORD)
    event = OutreachEvent.objects.create(
        kind="enterprise_lecture",
        title="企业参保大讲堂",
        place="海勃湾区政务服务中心",
        held_on=timezone.localdate(),
        district_id="150302",
        reach=120,
        recorded_by=user,
    )
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "forms-cw")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    pages = {
        "event-form": "/outreach/events/new/",
        "event-detail": f"/outreach/events/{event.pk}/",
        "disclosure-documents": "/outreach/disclosure/",
        "disclosure-upload": "/outreach/disclosure/new/",
    }
    for name, path in pages.items():
        for size in (DESK, PHONE):
            page.set_viewport_size(size)
            page.goto(f"{base}{path}")
            expect(page.locator("h1")).to_be_visible()
            if size is PHONE:
                _no_sideways_scroll(page)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{size['width']}.png"), full_page=True)
