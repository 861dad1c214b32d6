"""A caseworker's day in Debian's Chromium (Playwright); the street worker's visits are in
test_browser_street_visits.py.

Screenshots go to var/screenshots/ (look at them: Chinese must render as glyphs)."""

import datetime as dt
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from enforcement.models import Task, TaskEvent
from tests.factories import OpenTaskFactory, PersonTaskFactory, load_snapshot, make_id_number, make_user
from wuhai_coverage.core.models import AccessLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "day-pass-2026"
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"


@pytest.fixture
def browser_context_args(browser_context_args):
    """The bureau's browsers ask for Chinese first."""
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture
def world(db):
    cw = make_user("district_caseworker", district="150302", username="hbw-cw", password=PASSWORD)
    cw.display_name = "海勃湾区经办人员"
    cw.save()
    worker = make_user("street_staff", street="150302001", username="fhl-li", password=PASSWORD)
    worker.display_name = "凤凰岭街道李敏"
    worker.save()
    idn = make_id_number(dt.date(1979, 3, 14), seq=21)
    person = PersonTaskFactory(
        subject_key=idn,
        subject_name="王建国",
        kind="enroll_person",
        evidence={"age": 47, "sex": "M", "sources": ["household_registry"]},
    )
    load_snapshot(
        "household_registry",
        [
            dict(
                id_number=idn,
                name="王建国",
                district_code="150302",
                street_code="150302001",
                community="凤凰岭社区",
                phone="13904731234",
                birth_date=dt.date(1979, 3, 14),
                sex="M",
            )
        ],
    )
    load_snapshot("insurance_persons", [])
    employer = OpenTaskFactory(
        subject_name="乌海市红星煤业有限公司",
        priority="high",
        evidence={"sources": ["market", "tax"], "H": 12, "W": "54000.00", "employees_reported": 3},
    )
    load_snapshot(
        "market_entities",
        [
            dict(
                uscc=employer.subject_key,
                name="乌海市红星煤业有限公司",
                entity_type="enterprise",
                status="active",
                established_on=dt.date(2019, 6, 1),
                district_code="150302",
                street_code="150302001",
                industry_code="B0610",
                employees_reported=3,
                legal_representative="赵强",
                phone="13847301111",
            )
        ],
    )
    load_snapshot(
        "tax_payroll",
        [
            dict(
                uscc=employer.subject_key,
                name="乌海市红星煤业有限公司",
                period=202610,
                payroll_headcount=12,
                payroll_total=54000,
                district_code="150302",
            )
        ],
    )
    load_snapshot("insurance_employers", [])
    gone = OpenTaskFactory(subject_name="乌海市已迁出商贸有限公司")
    other = OpenTaskFactory(subject_name="乌海市海北建材有限公司")
    return {"cw": cw, "worker": worker, "person": person, "employer": employer, "gone": gone, "other": other}


def _login(page, base, username, landing=r"/dashboard/$"):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(landing))


def test_a_caseworkers_day(page, live_server, world):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    _login(page, base, "hbw-cw")
    expect(page.locator("h1")).to_contain_text("工作台")

    # Filter the queue to the people who are not insured, open the task.
    page.click("nav.mainnav >> text=任务队列")
    page.select_option("select[name=kind]", "enroll_person")
    page.click("form#filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"kind=enroll_person"))
    expect(page.locator("table.queue")).to_contain_text("王建国")
    expect(page.locator("table.queue")).not_to_contain_text("红星煤业")
    page.click("table.queue >> text=王建国")
    expect(page.locator("h1")).to_contain_text("王建国")

    # The ID is masked; reveal it (logged).
    idn = world["person"].subject_key
    expect(page.locator(".facts")).not_to_contain_text(idn)
    page.locator(".facts .reveal").click()
    expect(page.locator(".facts .revealed")).to_have_text(idn)
    assert AccessLog.objects.filter(actor=world["cw"], field="id_number", subject_key=idn).count() == 1

    # Record a call.
    page.click("summary:has-text('记录联系')")
    page.check("input[name=channel][value=phone]")
    page.select_option("select[name=outcome]", "will_enroll")
    page.fill("#actions textarea[name=note]", "本人同意下周到社区办理城乡居民养老保险")
    page.click("button:has-text('保存联系记录')")
    expect(page.locator(".messages")).to_contain_text("已记录联系情况")
    expect(page.locator("ol.timeline")).to_contain_text("同意办理参保")
    assert Task.objects.get(pk=world["person"].pk).status == "contacted"

    # Search the queue by the whole ID number: the form posts, and no address holds the key.
    page.goto(f"{base}/tasks/")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.fill("form#filters input[name=q]", idn)
    page.click("form#filters button[type=submit]")
    expect(page.locator("h1")).to_contain_text("任务队列")
    assert requested and not [u for u in requested + [page.url] if idn.upper() in u.upper()]

    # Issue a notice to the employer: the side-by-side shows why.
    page.goto(f"{base}/tasks/{world['employer'].pk}/")
    expect(page.locator("table.compare")).to_contain_text("名册中无此对象")
    expect(page.locator("table.compare tr.mismatch").first).to_be_visible()
    page.click("summary:has-text('发出告知书')")
    page.click("button:has-text('生成告知书')")
    expect(page.locator(".messages")).to_contain_text("告知书已生成")
    notice = world["employer"].notices.get()
    expect(page.locator("#actions")).to_contain_text(notice.number)
    pdf = page.request.get(f"{base}/notices/{notice.pk}.pdf")
    assert pdf.ok and pdf.body()[:5] == b"%PDF-"
    page.screenshot(path=str(SCREENSHOTS / "caseworker-task-page.png"), full_page=True)

    # Dismiss one, with its reason.
    page.goto(f"{base}/tasks/{world['gone'].pk}/")
    page.click("summary:has-text('不予处理')")
    page.check("form[action$='/dismiss/'] input[name=reason_code][value=other]")
    page.fill("form[action$='/dismiss/'] textarea[name=note]", "经核实企业已于2026年9月迁往鄂尔多斯市")
    page.get_by_label("我确认不予处理此任务").check()
    page.click("button:has-text('确认不予处理')")
    expect(page.locator(".messages")).to_contain_text("已作不予处理")
    assert Task.objects.get(pk=world["gone"].pk).resolution == "dismissed"

    # Assign one to street staff of its street.
    page.goto(f"{base}/tasks/{world['other'].pk}/")
    # An open task: assigning is the page's primary action.
    page.select_option("#primary-action select[name=assignee]", str(world["worker"].pk))
    page.click("#primary-action button.primary")
    expect(page.locator(".messages")).to_contain_text("已分派")
    assert Task.objects.get(pk=world["other"].pk).assignee == world["worker"]
    assert TaskEvent.objects.filter(actor=world["cw"]).count() == 4  # contacted, notice, dismissed, assigned

    page.goto(f"{base}/tasks/")
    page.screenshot(path=str(SCREENSHOTS / "caseworker-queue.png"), full_page=True)
