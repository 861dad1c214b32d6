"""A street worker's visits on a phone (390 px), in Debian's Chromium (Playwright): sign in
→ the street's list (the whole street: nothing is assigned) → a card's call button (the
number through the logged reveal, as a tel: link) → the visit form → one tap on the
outcome → the next task → … → "all done". And the same pages at 1366 px.

Screenshots go to var/screenshots/ (look at them: Chinese must render as glyphs)."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from enforcement.models import Task, TaskEvent
from tests.factories import OpenTaskFactory, PersonTaskFactory, load_snapshot, make_id_number, make_user
from wuhai_coverage.core.models import AccessLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "street-pass-2026"
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
PHONE = "13904731234"
STREET = "150302001"


@pytest.fixture
def world(db):
    worker = make_user("street_staff", street=STREET, username="fhl-li", password=PASSWORD)
    worker.display_name = "凤凰岭街道李敏"
    worker.save()
    today = timezone.localdate()
    idn = make_id_number(dt.date(1979, 3, 14), seq=21)
    person = PersonTaskFactory(
        subject_key=idn,
        subject_name="王建国",
        priority="high",
        due_date=today - dt.timedelta(days=2),
        evidence={"age": 47, "sex": "M", "sources": ["household_registry"]},
    )
    load_snapshot(
        "household_registry",
        [
            dict(
                id_number=idn,
                name="王建国",
                district_code="150302",
                street_code=STREET,
                community="和平社区居委会",
                phone=PHONE,
                birth_date=dt.date(1979, 3, 14),
                sex="M",
            )
        ],
    )
    load_snapshot("insurance_persons", [])
    coal = OpenTaskFactory(
        subject_name="乌海市红星煤业有限公司", priority="high", due_date=today + dt.timedelta(days=9)
    )
    trade = OpenTaskFactory(subject_name="乌海市海北商贸有限公司", due_date=today + dt.timedelta(days=3))
    load_snapshot(
        "market_entities",
        [
            dict(
                uscc=t.subject_key,
                name=t.subject_name,
                entity_type="enterprise",
                status="active",
                established_on=dt.date(2019, 6, 1),
                district_code="150302",
                street_code=STREET,
                address=address,
                phone=phone,
            )
            for t, address, phone in (
                (coal, "乌海市海勃湾区黄河东街88号", "13847301111"),
                (trade, "乌海市海勃湾区人民路12号", None),
            )
        ],
    )
    OpenTaskFactory(subject_name="乌海市海北街道别家企业", street_id="150302002")  # another street
    return {"worker": worker, "order": [person, coal, trade]}


def _phone(browser):
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="zh-CN",
    )


def _login(page, base):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "fhl-li")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def test_a_street_worker_visits_the_street_on_a_phone(browser, live_server, world):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    person, coal, trade = world["order"]
    context = _phone(browser)
    page = context.new_page()
    try:
        _login(page, live_server.url)
        # Lands on the street's list: nothing assigned, so the whole street, and it says so.
        expect(page).to_have_url(re.compile(r"/tasks/street/$"))
        expect(page.locator("h1")).to_contain_text("凤凰岭街道")
        expect(page.locator(".note")).to_have_text("暂无分派给您的任务，显示本街道全部 3 项")
        expect(page.locator(".street-tabs a.on")).to_contain_text("本街道全部")
        cards = page.locator("li.tcard")
        expect(cards).to_have_count(3)
        # By priority then due date; the other street's task is not there.
        expect(cards.nth(0)).to_contain_text("王建国")
        expect(cards.nth(1)).to_contain_text("红星煤业")
        expect(cards.nth(2)).to_contain_text("海北商贸")
        expect(page.locator("ul.cards")).not_to_contain_text("别家企业")
        expect(cards.nth(0)).to_contain_text("和平社区居委会")
        expect(cards.nth(0)).to_contain_text("逾期")
        expect(cards.nth(1)).to_contain_text("黄河东街88号")
        expect(cards.nth(0)).to_contain_text("139****1234")
        expect(page.locator("body")).not_to_contain_text(PHONE)

        # The header is one row (the compact menu in view), far from a quarter of the screen.
        header = page.locator("header.topbar").bounding_box()
        assert header is not None and header["height"] < 844 / 6, header
        expect(page.locator("nav.mainnav a")).to_have_count(3)
        expect(page.locator("header .userbox")).to_be_hidden()
        page.tap("label.topbar-btn")
        expect(page.locator("header .userbox")).to_be_visible()
        page.tap("label.topbar-btn")
        expect(page.locator("header .userbox")).to_be_hidden()
        _fits(page, 390)
        page.screenshot(path=str(SCREENSHOTS / "street-list-390.png"), full_page=True)

        # Call: the number leaves the server only through the logged reveal, as a tel: link.
        assert not AccessLog.objects.exists()
        cards.nth(0).locator("button.call").tap()
        call = cards.nth(0).locator("a.call-now")
        expect(call).to_have_attribute("href", f"tel:{PHONE}")
        entry = AccessLog.objects.get()
        assert (
            entry.actor == world["worker"]
            and entry.field == "phone"
            and entry.subject_key == person.subject_key
        )

        # Open the first card, record the visit in one tap: the next task opens.
        cards.nth(0).locator("a.tcard-main").tap()
        expect(page.locator("h1")).to_have_text("王建国")
        expect(page.locator(".m-facts")).to_contain_text("和平社区居委会")
        _fits(page, 390)
        page.screenshot(path=str(SCREENSHOTS / "street-visit-390.png"), full_page=True)
        page.tap("button.big:has-text('同意办理参保')")
        expect(page).to_have_url(re.compile(rf"/tasks/{coal.pk}/visit/\?mine=0$"))
        expect(page.locator(".messages")).to_contain_text("走访已记录")
        expect(page.locator("h1")).to_have_text("乌海市红星煤业有限公司")
        expect(page.locator(".m-facts")).to_contain_text("黄河东街88号")

        page.check("input[name=channel][value=phone]")
        page.fill("textarea[name=note]", "法人在外地，下周回乌海后到社保中心办理")
        page.tap("button.big:has-text('未联系上')")
        expect(page).to_have_url(re.compile(rf"/tasks/{trade.pk}/visit/\?mine=0$"))
        expect(page.locator(".messages")).to_contain_text("走访已记录")
        page.tap("button.big:has-text('已停业/注销')")

        # None left: back to the list, which says so.
        expect(page).to_have_url(re.compile(r"/tasks/street/\?mine=0$"))
        expect(page.locator(".messages")).to_contain_text("本街道任务已全部处理")
        expect(page.locator("li.tcard .badge.st-contacted")).to_have_count(3)
        page.screenshot(path=str(SCREENSHOTS / "street-list-done-390.png"), full_page=True)
    finally:
        context.close()
    events = TaskEvent.objects.filter(kind="contacted", actor=world["worker"]).order_by("id")
    assert [(e.task_id, e.data["channel"], e.data["outcome"]) for e in events] == [
        (person.pk, "visit", "will_enroll"),
        (coal.pk, "phone", "not_reached"),
        (trade.pk, "visit", "closed_business"),
    ]
    assert set(Task.objects.filter(street_id=STREET).values_list("status", flat=True)) == {"contacted"}


def test_the_street_pages_at_1366(browser, live_server, world):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, live_server.url)
        expect(page).to_have_url(re.compile(r"/tasks/street/$"))
        expect(page.locator("label.topbar-btn")).to_be_hidden()
        expect(page.locator("header .userbox")).to_be_visible()
        _fits(page, 1366)
        page.screenshot(path=str(SCREENSHOTS / "street-list-1366.png"), full_page=True)
        page.locator("li.tcard a.tcard-main").first.click()
        expect(page.locator("h1")).to_have_text("王建国")
        _fits(page, 1366)
        page.screenshot(path=str(SCREENSHOTS / "street-visit-1366.png"), full_page=True)
    finally:
        context.close()


def test_other_roles_menu_folds_on_a_phone_and_stays_open_on_a_desk(browser, live_server, db):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    make_user("district_caseworker", district="150302", username="hbw-cw", password=PASSWORD)
    for width, folded in ((390, True), (1366, False)):
        context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
        page = context.new_page()
        try:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", "hbw-cw")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(re.compile(r"/dashboard/$"))
            queue = page.locator("nav.mainnav a[href='/tasks/']")
            if folded:
                expect(queue).to_be_hidden()
                header = page.locator("header.topbar").bounding_box()
                assert header is not None and header["height"] < 844 / 8, header
                page.click("label.topbar-btn")
            expect(queue).to_be_visible()
            page.screenshot(path=str(SCREENSHOTS / f"caseworker-menu-{width}.png"))
        finally:
            context.close()


def test_a_busy_street_pages_through_its_tasks_on_a_phone(browser, live_server, world):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    OpenTaskFactory.create_batch(42)  # 45 in the street: 3 pages of 20
    context = _phone(browser)
    page = context.new_page()
    try:
        _login(page, live_server.url)
        expect(page.locator(".note")).to_have_text("暂无分派给您的任务，显示本街道全部 45 项")
        expect(page.locator(".listcount")).to_contain_text("第 1 / 3 页")
        expect(page.locator("li.tcard")).to_have_count(20)
        page.locator("nav.pager a:has-text('下一页')").tap()
        expect(page).to_have_url(re.compile(r"mine=0&page=2$"))
        expect(page.locator(".listcount")).to_contain_text("第 2 / 3 页")
        expect(page.locator("nav.pager a")).to_have_count(2)
        _fits(page, 390)
        page.screenshot(path=str(SCREENSHOTS / "street-list-page2-390.png"), full_page=False)
        page.locator("nav.pager a:has-text('下一页')").tap()
        expect(page.locator("li.tcard")).to_have_count(5)
    finally:
        context.close()
