"""Slow forms (static/js/busy.js) in a real browser: a form with data-busy lets ONE
submission through however fast it is clicked twice, and its button shows the busy text
with a spinner; an export link with data-busy drops a second click. What is counted is
what the browser would send, so the server's own guards (one comparison at a time) play
no part."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "busy-pass-2026"


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


# What the browser would send: a listener on window (after busy.js, which listens on the
# document) records for each submission whether it was let through, then stops the
# navigation itself, so that the page stays to be clicked again and read.
RECORD = """() => {
  window.__sent = [];
  window.addEventListener("submit", (e) => { window.__sent.push(!e.defaultPrevented); e.preventDefault(); });
}"""
BUTTON = "document.querySelector(\"form[action$='/comparison-runs/start/'] button\")"


@pytest.fixture
def runs_page(page, live_server):
    def _open(username):
        make_user("city_manager", username=username, password=PASSWORD)
        _login(page, live_server.url, username)
        page.goto(f"{live_server.url}/comparison-runs/")
        page.evaluate(RECORD)

    return _open


def _sent(page):
    return [s for s in page.evaluate("window.__sent") if s]


def test_a_double_click_on_a_busy_form_submits_once(page, runs_page):
    runs_page("busy-manager")
    page.evaluate(f"() => {{ const b = {BUTTON}; b.click(); b.click(); }}")  # a double click
    page.wait_for_timeout(300)
    page.evaluate(f"() => {BUTTON}.click()")  # and again, impatient, while the server works
    page.evaluate(f"() => {BUTTON}.form.requestSubmit()")  # or Enter in a field
    assert page.evaluate("window.__sent") == [True, False, False]  # the second click was dropped
    assert len(_sent(page)) == 1  # (the third, on a disabled button, submitted nothing)


def test_without_data_busy_the_same_clicks_would_submit_every_time(page, runs_page):
    """The control (so the test above can fail): with data-busy removed, every click submits."""
    runs_page("busy-manager2")
    page.evaluate(f"() => {BUTTON}.form.removeAttribute('data-busy')")
    page.evaluate(f"() => {{ const b = {BUTTON}; b.click(); b.click(); }}")
    page.wait_for_timeout(300)
    page.evaluate(f"() => {BUTTON}.click()")
    assert len(_sent(page)) == 3


def test_the_busy_button_is_disabled_and_shows_the_text_with_a_spinner(page, runs_page):
    runs_page("busy-manager3")
    page.evaluate(f"() => {BUTTON}.click()")
    page.wait_for_timeout(300)
    state = page.evaluate(
        f"() => {{ const b = {BUTTON}; return [b.disabled, b.textContent.trim(), "
        "b.querySelectorAll('.spinner').length, b.getAttribute('aria-busy')]; }"
    )
    assert state == [True, "正在启动比对…", 1, "true"]


def test_a_busy_export_link_drops_a_second_click(page, live_server):
    base = live_server.url
    make_user("district_caseworker", district="150302", username="busy-cw", password=PASSWORD)
    _login(page, base, "busy-cw")
    page.goto(f"{base}/tasks/")
    seen: list[str] = []

    def handle(route):
        seen.append(route.request.url)
        route.fulfill(
            status=200,
            content_type="application/octet-stream",
            body=b"x",
            headers={"Content-Disposition": 'attachment; filename="t.xlsx"'},
        )

    page.route("**/tasks/export.xlsx*", handle)
    link = page.locator("a[data-busy]")
    with page.expect_download():
        link.dblclick()
    page.wait_for_timeout(300)
    assert len(seen) == 1
    expect(link).to_have_attribute("aria-busy", "true")
