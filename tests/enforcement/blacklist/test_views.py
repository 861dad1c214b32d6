"""The blacklist's pages: the managers' tabs and counts, the entry page's timeline and
forms, each step through the page, and the public list (nothing after removal, search,
pages, CSV and XLSX)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from enforcement.blacklist import services
from enforcement.models import BlacklistEntry
from tests.enforcement.blacklist.conftest import make_case
from tests.factories import make_user

pytestmark = pytest.mark.django_db
Status = BlacklistEntry.Status


def client_of(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# --- the managers' pages -----------------------------------------------------------------


def test_tabs_count_each_state(life, manager, travel):
    life.proposed()
    life.notified()
    life.under_review()
    listed = life.listed()
    services.blacklist_reject(entry=life.under_review(), actor=manager, decision="不列入")
    travel(listed.expires_on - dt.timedelta(days=30))
    page = client_of(manager).get("/blacklist/manage/?tab=expiring")
    assert page.status_code == 200
    assert page.context["counts"] == {
        "proposed": 1,
        "awaiting_statement": 1,
        "awaiting_review": 1,
        "listed": 1,
        "expiring": 1,
        "removed": 0,
        "rejected": 1,
    }
    assert [e.pk for e in page.context["page"]] == [listed.pk]


def test_expiring_tab_ends_30_days_ahead(life, manager, travel):
    listed = life.listed()
    travel(listed.expires_on - dt.timedelta(days=31))
    assert client_of(manager).get("/blacklist/manage/").context["counts"]["expiring"] == 0


def test_an_unknown_tab_is_a_400(manager):
    assert client_of(manager).get("/blacklist/manage/?tab=nope").status_code == 400


def test_search_on_the_manage_page(life, manager):
    one = life.proposed(employer_name="乌海市海南区甲公司")
    life.proposed(employer_name="乌海市乌达区乙公司")
    page = client_of(manager).get("/blacklist/manage/", {"tab": "proposed", "q": "甲公司"})
    assert [e.pk for e in page.context["page"]] == [one.pk]


@pytest.mark.parametrize(
    "role, kwargs, code",
    [
        ("city_manager", {}, 200),
        ("inspector", {}, 200),
        ("district_caseworker", {"district": "150302"}, 200),  # its district's, read-only
        ("street_staff", {"street": "150302001"}, 403),
        ("partner", {"department": "market"}, 403),
    ],
)
def test_who_sees_the_managers_pages(life, role, kwargs, code):
    entry = life.notified()
    client = client_of(make_user(role, **kwargs))
    assert client.get("/blacklist/manage/").status_code == code
    assert client.get(f"/blacklist/manage/{entry.pk}/").status_code == code
    assert client.get(f"/blacklist/manage/{entry.pk}/notice.pdf").status_code == code


def test_a_caseworker_reads_his_districts_entries_only_and_takes_no_step(life):
    """As with cases (view_cases): a district's staff read their district's entries."""
    entry = life.notified()  # a case of 海勃湾区 (150302)
    own = client_of(make_user("district_caseworker", district="150302"))
    page = own.get(f"/blacklist/manage/{entry.pk}/")
    assert page.status_code == 200 and not page.context["any_step"]
    assert own.post(f"/blacklist/manage/{entry.pk}/statement/", {"statement": "申辩"}).status_code == 403
    other = client_of(make_user("district_caseworker", district="150304"))
    assert other.get("/blacklist/manage/?tab=awaiting_statement").context["page"].paginator.count == 0
    assert other.get(f"/blacklist/manage/{entry.pk}/").status_code == 404
    assert other.get(f"/blacklist/manage/{entry.pk}/notice.pdf").status_code == 404


def test_the_inspector_proposes_from_the_ready_list(inspector):
    case = make_case(inspector, employer_name="乌海市红星煤业有限公司")
    make_case(inspector, status="open", employer_name="乌海市尚在整改公司")
    client = client_of(inspector)
    page = client.get("/blacklist/manage/?tab=proposed")
    assert "乌海市红星煤业有限公司" in page.content.decode() and "尚在整改" not in page.content.decode()
    response = client.post("/blacklist/manage/propose/", {"case": case.pk, "legal_representative": "赵强"})
    entry = BlacklistEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/blacklist/manage/{entry.pk}/"
    assert entry.legal_representative == "赵强" and entry.proposed_by == inspector


def test_proposing_a_case_not_ready_is_a_message(inspector):
    case = make_case(inspector, status="open")
    response = client_of(inspector).post(
        "/blacklist/manage/propose/", {"case": case.pk, "legal_representative": "赵强"}, follow=True
    )
    assert not BlacklistEntry.objects.exists()
    assert 'class="msg-error"' in response.content.decode()


def test_the_entry_page_shows_the_timeline_and_the_viewers_steps(life, inspector, manager):
    entry = life.under_review()
    as_manager = client_of(manager).get(f"/blacklist/manage/{entry.pk}/").content.decode()
    assert "提出列入" in as_manager and "送达失信告知书" in as_manager and "陈述申辩" in as_manager
    assert f"/blacklist/manage/{entry.pk}/approve/" in as_manager
    assert "单位称资金困难" in as_manager
    as_inspector = client_of(inspector).get(f"/blacklist/manage/{entry.pk}/").content.decode()
    assert f"/blacklist/manage/{entry.pk}/approve/" not in as_inspector


def test_every_step_through_the_pages(inspector, manager, travel):
    case = make_case(inspector)
    insp, mgr = client_of(inspector), client_of(manager)
    insp.post("/blacklist/manage/propose/", {"case": case.pk, "legal_representative": "赵强"})
    entry = BlacklistEntry.objects.get()
    url = f"/blacklist/manage/{entry.pk}"
    assert insp.post(f"{url}/notify/").status_code == 302
    entry.refresh_from_db()
    assert entry.status == Status.NOTIFIED
    pdf = insp.get(f"{url}/notice.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    travel(entry.statement_deadline + dt.timedelta(days=1))
    insp, mgr = client_of(inspector), client_of(manager)  # sessions end after 30 idle minutes
    assert insp.post(f"{url}/lapse/").status_code == 302
    assert (
        mgr.post(f"{url}/approve/", {"decision": "列入", "measures": ["bidding", "land_supply"]}).status_code
        == 302
    )
    entry.refresh_from_db()
    assert entry.status == Status.PUBLISHED and entry.measures == ["land_supply", "bidding"]
    travel(entry.listed_on.replace(year=entry.listed_on.year + 1))
    insp, mgr = client_of(inspector), client_of(manager)
    insp.post(f"{url}/repair/", {"application": "已补缴", "rectified": "on", "paid": "on"})
    assert mgr.post(f"{url}/repair-approve/", {"decision": "同意"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == Status.REMOVED


def test_a_refused_step_is_a_message_on_the_page(life, manager):
    entry = life.proposed()
    response = client_of(manager).post(
        f"/blacklist/manage/{entry.pk}/approve/", {"decision": "列入", "measures": ["bidding"]}, follow=True
    )
    assert "不能执行此操作" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == Status.PROPOSED


def test_a_bad_form_is_a_400_with_the_form(life, manager):
    entry = life.under_review()
    response = client_of(manager).post(
        f"/blacklist/manage/{entry.pk}/approve/", {"decision": "", "measures": []}
    )
    assert response.status_code == 400
    assert response.context["open_form"] == "approve"


def test_a_step_the_role_may_not_take_is_403_and_an_unknown_step_404(life, inspector):
    entry = life.under_review()
    client = client_of(inspector)
    assert client.post(f"/blacklist/manage/{entry.pk}/approve/", {"decision": "x"}).status_code == 403
    assert client.post(f"/blacklist/manage/{entry.pk}/explode/").status_code == 404
    entry.refresh_from_db()
    assert entry.status == Status.UNDER_REVIEW


# --- the public list ---------------------------------------------------------------------


def test_public_page_shows_only_the_public_columns_of_listed_entries(life, client):
    listed = life.listed(employer_name="乌海市公示煤业有限公司")
    pending = life.under_review(employer_name="乌海市审核中公司")
    html = client.get("/blacklist/").content.decode()
    assert listed.employer_name in html and listed.employer_uscc in html and "赵强" in html
    assert "限制参与招标投标" in html and listed.expires_on.isoformat() in html
    assert pending.employer_name not in html
    assert "单位称资金困难" not in html and "经审核，事实清楚" not in html  # statement, decision: not public


def test_nothing_after_removal(life, manager, inspector, client, travel):
    entry = life.listed(employer_name="乌海市已修复公司")
    assert entry.employer_name in client.get("/blacklist/").content.decode()
    travel(entry.listed_on.replace(year=entry.listed_on.year + 1))
    services.blacklist_apply_repair(entry=entry, actor=inspector, application="x", rectified=True, paid=True)
    services.blacklist_approve_repair(entry=entry, actor=manager, decision="同意")
    for url in ("/blacklist/", "/blacklist/export.csv"):
        body = client.get(url).content.decode("utf-8-sig")
        assert entry.employer_name not in body and entry.employer_uscc not in body
    assert client.get("/blacklist/", {"q": entry.employer_uscc}).context["rows"] == []


def test_public_search_by_name_or_whole_uscc(life, client):
    one = life.listed(employer_name="乌海市甲煤业有限公司")
    two = life.listed(employer_name="乌海市乙建材有限公司")
    by_name = client.get("/blacklist/", {"q": "甲煤业"}).context["rows"]
    assert [entry.pk for entry, _ in by_name] == [one.pk]
    by_uscc = client.get("/blacklist/", {"q": two.employer_uscc.lower()}).context["rows"]
    assert [entry.pk for entry, _ in by_uscc] == [two.pk]
    assert client.get("/blacklist/", {"q": two.employer_uscc[:8]}).context["rows"] == []


def test_public_page_is_paginated(life, client):
    for n in range(21):
        life.listed(employer_name=f"乌海市分页测试{n:02d}公司")
    first, second = client.get("/blacklist/"), client.get("/blacklist/?page=2")
    assert len(first.context["rows"]) == 20 and len(second.context["rows"]) == 1
    assert client.get("/blacklist/?page=abc").status_code == 200  # first page


def test_public_page_needs_no_login_and_partners_may_read_it(life):
    life.listed()
    assert Client().get("/blacklist/").status_code == 200
    assert client_of(make_user("partner", department="tax")).get("/blacklist/").status_code == 200


def test_csv_and_xlsx_export_are_formula_safe(life, client):
    entry = life.listed(employer_name='=HYPERLINK("http://evil")公司')
    rows = list(csv.reader(io.StringIO(client.get("/blacklist/export.csv").content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["单位名称", "统一社会信用代码"]
    assert rows[1][0].startswith("'=") and rows[1][1] == entry.employer_uscc
    response = client.get("/blacklist/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0].startswith("'=") and values[1][5] == timezone.localdate().isoformat()
    assert len(values) == 2 and len(values[0]) == 8
