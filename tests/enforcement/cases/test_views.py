"""The case pages: who sees what, the actions through the pages, refusals as messages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from enforcement import services as task_services
from enforcement.models import EnforcementCase
from tests.enforcement.cases import factories as f
from tests.factories import OpenTaskFactory, make_user

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_list_counts_each_view_and_an_inspector_lands_on_his_cases(inspector, fast_pdf):
    mine = f.open_case(inspector)
    f.unrectified(make_user("inspector"))
    response = _client(inspector).get("/cases/")
    assert response.status_code == 200
    assert list(response.context["cases"]) == [mine]
    tiles = {key: n for key, _label, n in response.context["tiles"]}
    assert (tiles["mine"], tiles["ready"], tiles["all"]) == (1, 1, 2)
    ready = _client(inspector).get("/cases/?view=ready")
    assert [c.status for c in ready.context["cases"]] == ["unrectified"]


def test_a_bad_filter_is_a_400_with_the_message(inspector):
    response = _client(inspector).get("/cases/?status=nope")
    assert response.status_code == 400 and "nope" in response.context["error"]


def test_a_district_caseworker_sees_his_districts_cases_read_only(inspector, caseworker, other_caseworker):
    case = f.open_case(inspector, district="150302")
    other = f.open_case(inspector, district="150304")
    response = _client(caseworker).get("/cases/?view=all")
    assert list(response.context["cases"]) == [case]
    page = _client(caseworker).get(f"/cases/{case.pk}/")
    assert page.status_code == 200 and not page.context["can"]["manage"]
    assert _client(caseworker).get(f"/cases/{other.pk}/").status_code == 404
    refused = _client(caseworker).post(
        f"/cases/{case.pk}/violations/", {"kind": "arrears", "description": "x"}
    )
    assert refused.status_code == 403 and not case.violations.exists()


def test_street_staff_and_partners_have_no_cases(inspector, street_staff, partner_market):
    case = f.open_case(inspector)
    assert _client(street_staff).get("/cases/").status_code == 403
    assert _client(street_staff).get(f"/cases/{case.pk}/").status_code == 403
    assert _client(partner_market).get("/cases/").status_code == 403


def test_opening_a_case_on_the_page(inspector):
    employer = f.registry_employer(name="乌海市乌达煤业有限公司")
    response = _client(inspector).post(
        "/cases/new/", {"uscc": employer.uscc, "case_type": "unenrolled", "note": "联合检查发现"}
    )
    case = EnforcementCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    page = _client(inspector).get(response["Location"])
    assert "乌海市乌达煤业有限公司" in page.content.decode() and page.context["sources"]


def test_a_bad_uscc_on_the_page_is_a_400_with_the_message(inspector):
    response = _client(inspector).post("/cases/new/", {"uscc": "9" * 18, "case_type": "unenrolled"})
    assert response.status_code == 400 and "校验位" in response.content.decode()
    assert not EnforcementCase.objects.exists()


def test_the_case_page_walk(inspector, fast_pdf):
    c = _client(inspector)
    case = f.open_case(inspector)
    url = f"/cases/{case.pk}/"
    assert (
        c.post(f"{url}violations/", {"kind": "not_enrolled", "description": "12人未参保"}).status_code == 302
    )
    finding = {
        "source": "joint",
        "period": "2026-05",
        "verified_headcount": "12",
        "verified_monthly_base": "48000",
    }
    assert c.post(f"{url}findings/", finding).status_code == 302
    upload = SimpleUploadedFile("工资表.pdf", b"%PDF-1.4 evidence")
    assert c.post(f"{url}attachments/", {"file": upload, "description": "工资表"}).status_code == 302
    assert c.post(f"{url}order/", {"working_days": "10"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "order_issued"
    document = case.documents.get()
    attachment = case.attachments.get()
    assert c.get(f"/cases/documents/{document.pk}.pdf").status_code == 200
    download = c.get(f"/cases/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    assert c.post(f"{url}rectified/", {"what_changed": "已参保"}).status_code == 302
    assert c.post(f"{url}outcome/", {"outcome": "rectified"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome_kind) == ("closed", "rectified")
    page = c.get(url).content.decode()
    assert "下达限期改正指令" in page and "结案" in page


def test_an_illegal_step_on_the_page_is_a_message_not_an_error(inspector):
    case = f.open_case(inspector)
    response = _client(inspector).post(f"/cases/{case.pk}/order/", {"working_days": "10"}, follow=True)
    assert response.status_code == 200
    assert any("尚未认定违法行为" in str(m) for m in response.context["messages"])


def test_a_form_error_rerenders_the_case_page_with_400(inspector):
    case = f.open_case(inspector)
    response = _client(inspector).post(f"/cases/{case.pk}/order/", {"working_days": "61"})
    assert response.status_code == 400 and response.context["open_form"] == "OrderForm"


def test_downloads_outside_the_jurisdiction_are_404(inspector, other_caseworker, fast_pdf):
    case = f.order_issued(inspector)
    document = case.documents.get()
    assert _client(other_caseworker).get(f"/cases/documents/{document.pk}.pdf").status_code == 404


def test_the_task_page_links_its_case_for_those_who_see_cases(caseworker, inspector):
    task = OpenTaskFactory()
    case = task_services.task_escalate(task=task, actor=caseworker)
    assert f'href="/cases/{case.pk}/"' in _client(inspector).get(f"/tasks/{task.pk}/").content.decode()
    street = make_user("street_staff", street="150302001")
    assert f'href="/cases/{case.pk}/"' not in _client(street).get(f"/tasks/{task.pk}/").content.decode()


def test_an_inspector_takes_an_escalated_case(caseworker, inspector):
    case = task_services.task_escalate(task=OpenTaskFactory(), actor=caseworker)
    assert _client(inspector).post(f"/cases/{case.pk}/take/").status_code == 302
    case.refresh_from_db()
    assert case.inspector == inspector
