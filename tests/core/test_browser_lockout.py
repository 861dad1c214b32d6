"""The lockout as a person meets it, in Debian's Chromium (Playwright): wrong passwords
until the lock, then the right one, and the portal's own page says why and how long.
The screenshot goes to var/screenshots/ (look at it: Chinese must render as glyphs)."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "steppe-kettle-2026"
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def _try(page, base, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "li-ming")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_the_lockout_message_in_the_browser(page, live_server, db):
    make_user("district_caseworker", district="150302", username="li-ming", password=PASSWORD)
    base = live_server.url
    _try(page, base, "not-it-1")
    expect(page.locator("p.error")).to_contain_text("用户名或密码错误")
    for i in range(2, settings.AXES_FAILURE_LIMIT + 1):
        _try(page, base, f"not-it-{i}")
    _try(page, base, PASSWORD)  # the right password, too late
    message = page.locator("p.lockout")
    expect(message).to_be_visible()
    expect(message).to_contain_text("登录失败次数过多")
    expect(message).to_contain_text("30 分钟")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    assert page.locator("header.topbar").is_visible()  # the portal's page, styled, not a bare text
    # The portal's stylesheet may still be arriving when the text is already in the DOM:
    # to_have_css retries until the computed colour is the portal's red (or times out).
    expect(message).to_have_css("color", "rgb(179, 38, 30)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "login-lockout.png"), full_page=True)
    page.goto(f"{base}/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))  # not signed in
