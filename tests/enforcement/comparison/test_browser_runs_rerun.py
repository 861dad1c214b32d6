"""The runs page in Debian's Chromium (Playwright): a city manager forces a full run, then a
normal run skips every rule as unchanged and the detail says so with the batches each rule
would have read. Screenshots at 1366 and 390 px go to var/screenshots/."""

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from enforcement.models import ComparisonRun
from tests.enforcement.comparison.comparison_world import World, years_before
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "runs-pass-2026"
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def test_a_manager_forces_a_run_and_sees_the_unchanged_rules(page, live_server):
    make_user("city_manager", username="city-mgr", password=PASSWORD)
    today = timezone.localdate()
    w = World(today)
    w.market()
    w.insured(ip=10, ii=8)
    w.household(birth=years_before(today, 30))
    w.project()
    w.run()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "city-mgr")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/comparison-runs/")
    page.click("button[name=force]")
    expect(page.locator("h1")).to_contain_text("#")
    forced = ComparisonRun.objects.order_by("-id").first()
    assert forced.forced and set(forced.rule_runs.values_list("status", flat=True)) == {"executed"}
    page.goto(f"{base}/comparison-runs/")
    page.click("button.primary")
    expect(page.locator("#run-body")).to_contain_text("未变化，跳过")
    expect(page.locator("#run-body")).to_contain_text(f"#{w.batches['construction_projects'].pk}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"runs-detail-unchanged-{width}.png"), full_page=True)
        page.goto(f"{base}/comparison-runs/")
        expect(page.locator("table")).to_contain_text("条规则未变化，跳过")
        page.screenshot(path=str(SCREENSHOTS / f"runs-list-{width}.png"), full_page=True)
        page.go_back()
