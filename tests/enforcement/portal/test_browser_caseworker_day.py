"""A district caseworker's day on the task page, in Debian's Chromium (Playwright): sign
in, open the queue, open a task, read why it exists, assign it (its street has no street
worker: the district fallback), record a contact, issue a notice (the button disables
itself while the PDF is made), and dismiss another task with a preset reason after
confirming. Then the task page at 390 px and 1366 px.

Screenshots go to var/screenshots/ (look at them: Chinese must render as glyphs)."""

import datetime as dt
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from enforcement.models import Notice, Task, TaskEvent
from tests.factories import OpenTaskFactory, load_snapshot, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "day-pass-2026"
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
# static/js/busy.js (issue 13's "slow buttons disable themselves") disables the submit
# buttons of a form with data-busy; it is written on a sibling branch of this one.
BUSY_JS = settings.BASE_DIR / "static" / "js" / "busy.js"


@pytest.fixture
def browser_context_args(browser_context_args):
    """The bureau's browsers ask for Chinese first."""
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture
def world(db):
    cw = make_user("district_caseworker", district="150302", username="hbw-day", password=PASSWORD)
    cw.display_name = "海勃湾区经办人员"
    cw.save()
    colleague = make_user("district_caseworker", district="150302", username="hbw-zhao")
    colleague.display_name = "赵磊"
    colleague.save()
    # 新华街道 (150302003) has no street worker account.
    employer = OpenTaskFactory(
        subject_name="乌海市新华商贸有限公司",
        street_id="150302003",
        priority="high",
        evidence={"sources": ["market", "tax"], "H": 12, "W": "54000.00", "payroll_period": 202610},
    )
    row = dict(uscc=employer.subject_key, name="乌海市新华商贸有限公司", district_code="150302")
    load_snapshot(
        "market_entities",
        [
            dict(
                row,
                entity_type="enterprise",
                status="active",
                established_on=dt.date(2019, 6, 1),
                street_code="150302003",
                industry_code="F5211",
                employees_reported=3,
                legal_representative="钱进",
                phone="13847302222",
            )
        ],
    )
    load_snapshot("tax_payroll", [dict(row, period=202610, payroll_headcount=12, payroll_total=54000)])
    load_snapshot("insurance_employers", [])
    duplicate = OpenTaskFactory(subject_name="乌海市重复登记建材有限公司", street_id="150302003")
    return {"cw": cw, "colleague": colleague, "employer": employer, "duplicate": duplicate}


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_a_caseworkers_day_on_the_task_page(page, live_server, world):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base, employer = live_server.url, world["employer"]
    _login(page, base, "hbw-day")

    # The queue, then the task.
    page.goto(f"{base}/tasks/")
    page.get_by_role("link", name="乌海市新华商贸有限公司").click()
    expect(page.locator("h1")).to_contain_text("乌海市新华商贸有限公司")

    # Why the task exists, what to do next, where it is.
    expect(page.locator(".why-sentence")).to_have_text(
        "市场主体登记名册显示该单位存续且有 12 名个税代扣人员，但参保单位名册中没有它。"
    )
    expect(page.locator(".next-step")).to_contain_text("下一步：分派给街道工作人员核实")
    expect(page.locator("ol.status-path [aria-current=step]")).to_have_text("待处理")
    expect(page.locator("button.primary")).to_have_count(1)

    # Assign: the street has no street worker — the district takes it (a named colleague).
    expect(page.locator("#primary-action")).to_contain_text("该街道暂无工作人员账号")
    page.check(f"#primary-action input[name=to][value='{world['colleague'].pk}']")
    page.click("#primary-action button.primary")
    expect(page.locator(".messages")).to_contain_text("已交由区级经办人员办理")
    expect(page.locator("ol.status-path [aria-current=step]")).to_have_text("已分派")
    expect(page.locator(".facts")).to_contain_text("区级办理")
    assert Task.objects.get(pk=employer.pk).assignee == world["colleague"]

    # Record the contact: now the primary action.
    expect(page.locator("#primary-action h2")).to_have_text("记录联系")
    page.check("#primary-action input[name=channel][value=phone]")
    page.select_option("#primary-action select[name=outcome]", "refused")
    page.fill("#primary-action textarea[name=note]", "法人称本月内办理，暂不配合")
    page.click("#primary-action button.primary")
    expect(page.locator(".messages")).to_contain_text("已记录联系情况")
    expect(page.locator("ol.status-path [aria-current=step]")).to_have_text("已联系")
    expect(page.locator("ol.timeline")).to_contain_text("拒绝参保")

    # Issue the notice: the form says what it is doing while the PDF is made.
    form = page.locator("#primary-action form")
    expect(form).to_have_attribute("data-busy", "正在生成告知书…")
    button = form.locator("button.primary")
    if BUSY_JS.exists():
        # What the form looked like as it was sent (after busy.js's submit handler, before
        # the page is replaced), kept in sessionStorage by a listener the test adds.
        page.evaluate(
            """() => window.addEventListener("submit", (e) => {
                 // busy.js disables on the next tick (after the submission read the button):
                 // look a moment later, while the server is still making the PDF.
                 const f = e.target, b = f.querySelector("button[type=submit]");
                 setTimeout(() => sessionStorage.setItem("busy", JSON.stringify({
                   disabled: b.disabled, shown: f.closest("body").innerText.includes(f.dataset.busy)})), 50);
               })"""
        )
        button.click()
        expect(page.locator(".messages")).to_contain_text("告知书已生成")
        assert page.evaluate("JSON.parse(sessionStorage.getItem('busy'))") == {
            "disabled": True,
            "shown": True,
        }
    else:
        button.click()
    expect(page.locator(".messages")).to_contain_text("告知书已生成")
    notice = Notice.objects.get(task=employer)
    expect(page.locator("#actions")).to_contain_text(notice.number)
    expect(page.locator("ol.status-path [aria-current=step]")).to_have_text("已发告知书")
    page.screenshot(path=str(SCREENSHOTS / "taskpage-1366.png"), full_page=True)

    # The same page on a phone: nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The rosters side by side become label/value pairs; the phone stays masked.
    expect(page.locator("table.compare")).to_be_hidden()
    stack = page.locator(".compare-stack")
    expect(stack).to_be_visible()
    expect(stack).to_contain_text("名册中无此对象")
    expect(stack).to_contain_text("138****2222")
    expect(stack).not_to_contain_text("13847302222")
    page.screenshot(path=str(SCREENSHOTS / "taskpage-390.png"), full_page=True)

    # Dismiss another task with a preset reason (still on the phone): not before confirming.
    page.goto(f"{base}/tasks/{world['duplicate'].pk}/")
    page.click("details.destructive summary:has-text('不予处理')")
    dismiss = page.locator("form[action$='/dismiss/']")
    dismiss.get_by_label("重复任务").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    dismiss.screenshot(path=str(SCREENSHOTS / "taskpage-dismiss-390.png"))
    dismiss.locator("button.danger").click()  # the confirmation box is required: nothing is sent
    expect(page).to_have_url(re.compile(rf"/tasks/{world['duplicate'].pk}/$"))
    assert Task.objects.get(pk=world["duplicate"].pk).status == "open"
    dismiss.get_by_label("我确认不予处理此任务").check()
    dismiss.locator("button.danger").click()
    expect(page.locator(".messages")).to_contain_text("已作不予处理")
    expect(page.locator("ol.status-path [aria-current=step]")).to_have_text("不予处理")
    expect(page.locator("ol.timeline")).to_contain_text("理由：重复任务")
    event = TaskEvent.objects.get(task=world["duplicate"], kind="dismissed")
    assert event.actor == world["cw"] and event.data == {"reason_code": "duplicate"}
