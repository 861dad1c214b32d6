"""Each role's landing page in Debian's Chromium (Playwright), and the partner's delivery
check end to end: a partner signs in → sees its deliveries and a rejected batch with its
reason → opens the batch page. Screenshots of every home, the front page and the error
pages at 1366 px and 390 px go to var/screenshots/ (look at them: Chinese must render as
glyphs, nothing wider than a phone)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from enrollment.models import RosterBatch, RosterIssue
from tests.enforcement.blacklist.conftest import make_case
from tests.factories import OpenTaskFactory, OverdueTaskFactory, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "homes-pass-2026"
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
REASON = "缺少必填列：统一社会信用代码（uscc）"


@pytest.fixture
def browser_context_args(browser_context_args):
    # An English-language browser: the portal must still answer in Chinese.
    return {**browser_context_args, "locale": "en-US", "viewport": DESKTOP}


@pytest.fixture(autouse=True)
def _fast(fast_password_hasher):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def _batch(status: str, **fields) -> RosterBatch:
    return RosterBatch.objects.create(
        kind="market_entities",
        department="market",
        snapshot_date=fields.pop("snapshot_date", timezone.localdate()),
        sha256=f"{RosterBatch.objects.count():064d}",
        status=status,
        **fields,
    )


@pytest.fixture
def world(db):
    users = {
        "partner": make_user("partner", department="market", username="home-market", password=PASSWORD),
        "manager": make_user("city_manager", username="home-mgr", password=PASSWORD),
        "inspector": make_user("inspector", username="home-insp", password=PASSWORD),
        "caseworker": make_user(
            "district_caseworker", district="150302", username="home-cw", password=PASSWORD
        ),
        "street": make_user("street_staff", street="150302001", username="home-street", password=PASSWORD),
    }
    loaded = _batch(
        "loaded",
        snapshot_date=timezone.localdate() - dt.timedelta(days=35),
        rows_total=120,
        rows_loaded=117,
        rows_rejected=3,
    )
    RosterIssue.objects.bulk_create(
        [
            RosterIssue(
                batch=loaded,
                row=r,
                column="uscc",
                code="bad_uscc",
                message="统一社会信用代码校验位错误",
                severity="error",
            )
            for r in (4, 18, 77)
        ]
    )
    rejected = _batch("rejected", message=REASON)
    OpenTaskFactory.create_batch(4)
    inspector = users["inspector"]
    make_case(inspector, status="auditing", inspector=inspector, employer_name="乌海市红星煤业有限公司")
    make_case(inspector, employer_name="乌海市逾期未改建材有限公司")  # unrectified: ready to propose
    make_case(inspector, status="open", employer_name="乌海市待认领商贸有限公司")
    OverdueTaskFactory.create_batch(2, district_id="150304", street_id="150304002")
    return {"users": users, "loaded": loaded, "rejected": rejected}


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _shots(browser, base: str, page, name: str) -> None:
    """The page as it is now at 1366 px, and the same URL at 390 px with the same session;
    at 390 px nothing may be wider than the screen (wide tables scroll inside their box)."""
    page.screenshot(path=str(SCREENSHOTS / f"home-{name}-1366.png"), full_page=True)
    phone = page.context.new_page()
    try:
        phone.set_viewport_size(PHONE)
        phone.goto(page.url)
        expect(phone.locator("h1")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        phone.screenshot(path=str(SCREENSHOTS / f"home-{name}-390.png"), full_page=True)
    finally:
        phone.close()


def test_a_partner_checks_its_deliveries_and_opens_the_rejected_batch(page, browser, live_server, world):
    base = live_server.url
    _login(page, base, "home-market")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("h1")).to_have_text("市场监管局 · 名册报送")
    recent = page.locator(".batch-item")
    rejected = recent.filter(has_text=f"#{world['rejected'].pk}")
    expect(rejected).to_contain_text("整体退回")
    expect(rejected).to_contain_text(REASON)
    loaded = recent.filter(has_text=f"#{world['loaded'].pk}")
    expect(loaded).to_contain_text("统一社会信用代码校验位错误")
    expect(loaded).to_contain_text("首见第 4 行")
    expect(page.locator("#tokens")).to_be_visible()
    expect(page.locator("pre.code")).to_contain_text("Authorization: Token")
    _shots(browser, base, page, "partner")
    rejected.locator(f"a[href='/rosters/{world['rejected'].pk}/']").first.click()
    expect(page).to_have_url(re.compile(rf"/rosters/{world['rejected'].pk}/$"))
    expect(page.locator("main")).to_contain_text(REASON)
    page.screenshot(path=str(SCREENSHOTS / "home-partner-batch-1366.png"), full_page=True)
    page.locator("main a[href='/']").first.click()  # back to its home, not a staff page
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    # A new key, shown once.
    page.click("text=签发新令牌")
    expect(page.locator("code.token-key")).to_be_visible()
    assert len(page.locator("code.token-key").inner_text()) >= 32


@pytest.mark.parametrize(
    "username, url, heading",
    [
        ("home-mgr", r"/dashboard/$", "全市概况"),
        ("home-insp", r"/dashboard/$", "我的执法工作"),
        ("home-cw", r"/dashboard/$", "工作台"),
        ("home-street", r"/tasks/street/", None),
    ],
)
def test_each_role_lands_on_its_own_page(page, browser, live_server, world, username, url, heading):
    base = live_server.url
    _login(page, base, username)
    expect(page).to_have_url(re.compile(url))
    if heading:
        expect(page.locator("h1")).to_have_text(heading)
    assert page.locator("html").get_attribute("lang") == "zh-hans"  # an English browser, Chinese pages
    expect(page.locator("main")).not_to_contain_text("您的角色不处理核查任务")
    if username == "home-insp":
        expect(page.locator("main")).to_contain_text("乌海市红星煤业有限公司")
        expect(page.locator("main")).to_contain_text("乌海市逾期未改建材有限公司")
    if username == "home-mgr":
        expect(page.locator("svg.chart")).to_have_count(2)
        expect(page.locator("main")).to_contain_text("凤凰岭街道")
    _shots(browser, base, page, username.removeprefix("home-"))


def test_front_and_error_pages_look_right(page, browser, live_server, world):
    base = live_server.url
    page.goto(f"{base}/")
    expect(page.locator("a.tile")).to_have_count(4)
    _shots(browser, base, page, "front")
    page.goto(f"{base}/no-such-page/")
    expect(page.locator("h1")).to_have_text("页面不存在")
    _shots(browser, base, page, "404")
    _login(page, base, "home-cw")
    page.goto(f"{base}/accounts/tokens/")
    expect(page.locator("h1")).to_have_text("无权访问")
    expect(page.locator(".error-code")).to_have_css("color", "rgb(179, 38, 30)")  # styled
    _shots(browser, base, page, "403")
