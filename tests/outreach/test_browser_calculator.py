"""A resident estimates their pension on a phone (390 × 844) in Debian's Chromium, under
the CSP, without logging in: fills the form, reads the result and every step; then the
same page at 1366 px. Screenshots go to var/screenshots/ (look at them: Chinese must
render as glyphs)."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    # A failed load is recorded with its URL by the response hook below (the console's own
    # message names none; Chromium's /favicon.ico request is not the page's).
    page.on(
        "console",
        lambda m: errors.append(m.text)
        if m.type == "error" and "Failed to load resource" not in m.text
        else None,
    )
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 404 else None)
    page.errors = errors
    yield page
    context.close()


def _fits(page) -> bool:
    """Nothing wider than the viewport: no sideways scrolling on the phone."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_estimates_an_enterprise_pension_on_a_phone(phone, live_server):
    page = phone
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/calculator/")
    expect(page.get_by_role("heading", name="养老金测算")).to_be_visible()
    expect(page.get_by_text("待核实").first).to_be_visible()  # the 计发基数 is a third party's figure
    assert _fits(page)
    page.screenshot(path=str(SCREENSHOTS / "calculator-phone-form.png"), full_page=True)

    page.fill("input[name=birth]", "1964-12")
    page.get_by_label("男职工（原退休年龄 60 岁）").check()
    page.fill("input[name=years]", "35")
    page.fill("input[name=indexes]", "0.8")
    page.fill("input[name=balance]", "139000")
    page.get_by_role("button", name="开始测算").click()

    expect(page.locator(".calc-total b")).to_have_text("3,553.08 元")
    steps = page.locator("li.calc-step")
    expect(steps).to_have_count(9)
    basic = page.locator('li[data-step="basic_pension"]')
    expect(basic.locator("h4")).to_contain_text("基础养老金")
    expect(basic).to_contain_text("（计发基数 + 本人指数化月平均缴费工资）÷ 2 × 缴费年限 × 1%")
    expect(basic.locator(".calc-step-result")).to_have_text("= 2,553.08 元")
    expect(page.locator('li[data-step="retirement"] .calc-step-result')).to_contain_text("2024 年 12 月 退休")
    expect(page.locator('li[data-step="payout_months"] .calc-step-result')).to_have_text("= 139")
    assert _fits(page)
    assert page.errors == []
    page.screenshot(path=str(SCREENSHOTS / "calculator-phone-result.png"), full_page=True)


def test_a_bad_entry_is_said_next_to_its_field_on_a_phone(phone, live_server):
    page = phone
    page.goto(f"{live_server.url}/calculator/?scheme=residents")
    page.fill("input[name=birth]", "1966-05")
    page.select_option("select[name=tier]", "300")
    page.fill("input[name=years]", "50")
    page.get_by_role("button", name="开始测算").click()
    expect(page.locator("#err-years")).to_contain_text("不能超过 16 周岁至退休（领取）年龄之间的 44.00 年")
    page.fill("input[name=years]", "15")
    page.get_by_role("button", name="开始测算").click()
    expect(page.locator(".calc-total b")).to_have_text("198.61 元")  # 163 + (300 + 30) × 15 ÷ 139
    expect(page.locator('li[data-step="account_pension"]')).to_contain_text("个人账户储存额 ÷ 139")
    assert _fits(page)
    page.screenshot(path=str(SCREENSHOTS / "calculator-phone-residents.png"), full_page=True)


def test_the_page_at_1366(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(
        f"{live_server.url}/calculator/?scheme=enterprise&birth=1980-06&category=female_50&years=20"
        "&indexes=0.5,1,3.2,2&balance=50000&monthly_base=6000"
    )
    expect(page.locator('li[data-step="average_index"]')).to_contain_text("2 个年份的指数超出 0.6～3")
    assert _fits(page)
    page.screenshot(path=str(SCREENSHOTS / "calculator-1366.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1366, "height": 900}], ids=["390", "1366"])
def test_a_city_manager_edits_a_parameter(browser, live_server, viewport):
    from tests.factories import make_user

    make_user("city_manager", username="calc-mgr", password="calc-pass-2026")
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "calc-mgr")
    page.fill("input[name=password]", "calc-pass-2026")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/calculator/parameters/?name=calc_base&from_year=2026")
    expect(page.locator("select[name=name]")).to_have_value("calc_base")
    page.fill("input[name=value]", "8250")
    page.check("input[name=unverified]")
    page.fill("input[name=reason]", "预估 2026 年计发基数")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.get_by_role("cell", name="预估 2026 年计发基数")).to_be_visible()
    assert _fits(page)
    page.screenshot(path=str(SCREENSHOTS / f"calculator-parameters-{viewport['width']}.png"), full_page=True)
    context.close()
