"""The SMS pages in a real browser (Debian's Chromium) on a desktop (1366 px) and a phone
(390 px): a caseworker writes a campaign, sees the preview and sends it; no CSP violation,
nothing wider than the screen. Screenshots go to var/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from outreach.models import SmsCampaign
from tests.factories import make_user
from tests.outreach.sms_helpers import person_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "sms-pass-2026"
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def _no_overflow(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"{page.url}: {width}px wide"


@pytest.mark.real_clock(reason="Chromium keeps the machine's clock; nothing here depends on the date")
@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_a_caseworker_sends_a_campaign_in_the_browser(page, live_server, width, height, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.WUHAI_SMS_BACKOFF_MS = 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_viewport_size({"width": width, "height": height})
    make_user("district_caseworker", district="150302", username=f"sms-cw-{width}", password=PASSWORD)
    for _ in range(4):
        person_task()
    person_task(phone=None)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", f"sms-cw-{width}")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    page.goto(f"{live_server.url}/outreach/sms/new/")
    page.check("input[name=kinds][value=enroll_person]")
    _no_overflow(page)
    page.screenshot(path=str(SHOTS / f"sms-new-{width}.png"), full_page=True)
    page.click("button.primary")
    expect(page.locator(".sms-sample")).to_have_count(3)
    _no_overflow(page)
    page.screenshot(path=str(SHOTS / f"sms-preview-{width}.png"), full_page=True)
    page.click("form[action$='/send/'] button")  # 发送 4 条短信 (the browser may ask for English)
    expect(page.locator("#sms-progress .badge")).to_have_class(re.compile("sms-finished"), timeout=15000)
    _no_overflow(page)
    page.screenshot(path=str(SHOTS / f"sms-sent-{width}.png"), full_page=True)
    assert SmsCampaign.objects.get().status == "finished"
    page.goto(f"{live_server.url}/outreach/sms/opt-outs/")
    _no_overflow(page)
    page.screenshot(path=str(SHOTS / f"sms-opt-outs-{width}.png"), full_page=True)
    assert violations == []
