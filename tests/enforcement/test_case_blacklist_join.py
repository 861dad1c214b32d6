"""Where the case file meets the blacklist: the case page links to the proposal when the
case may be proposed and shows its entries' states; the blacklist's ready-to-propose list
is the cases' unrectified cases of the types that may be listed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from enforcement.blacklist import selectors as bl_selectors
from enforcement.blacklist import services as bl_services
from enforcement.blacklist.vocabulary import VIOLATION_OF_CASE_TYPE
from enforcement.cases import services as case_services
from enforcement.models import EnforcementCase
from tests.enforcement.blacklist.conftest import noon
from tests.enforcement.cases import factories as f

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def ready(inspector, _frozen_clock):
    """ready() → a case the nightly job found unrectified, the clock the day after its
    deadline (as when the inspector reads the list in the morning)."""

    def make(case=None) -> EnforcementCase:
        case = f.unrectified(inspector, case)
        _frozen_clock.move_to(noon(case.order_deadline + dt.timedelta(days=1)))
        return case

    return make


@pytest.fixture(autouse=True)
def _stub_pdfs(fast_pdf, monkeypatch):
    from enforcement.blacklist import documents

    monkeypatch.setattr(documents, "render_pdf", lambda entry: b"%PDF-1.4\n% stub\n")


def test_an_unrectified_case_links_an_inspector_to_the_proposal(inspector, ready):
    case = ready()
    page = _client(inspector).get(f"/cases/{case.pk}/")
    assert page.status_code == 200 and page.context["may_propose"] is True
    assert f"/blacklist/manage/?tab=proposed&amp;case={case.pk}#propose" in page.content.decode()


def test_a_case_before_its_deadline_offers_no_proposal(inspector):
    case = f.order_issued(inspector)
    page = _client(inspector).get(f"/cases/{case.pk}/")
    assert page.context["may_propose"] is False
    assert "case=" not in page.content.decode()


def test_a_caseworker_sees_the_entry_but_may_not_propose(inspector, ready, caseworker):
    case = ready()
    page = _client(caseworker).get(f"/cases/{case.pk}/")
    assert page.status_code == 200 and page.context["may_propose"] is False


def test_once_proposed_the_case_shows_the_entrys_status_and_no_second_proposal(inspector, ready):
    case = ready()
    entry = bl_services.blacklist_propose(case=case, actor=inspector, legal_representative="赵强")
    page = _client(inspector).get(f"/cases/{case.pk}/")
    assert page.context["may_propose"] is False
    assert list(page.context["blacklist_entries"]) == [entry]
    html = page.content.decode()
    assert f"/blacklist/manage/{entry.pk}/" in html and "拟列入" in html


def test_the_manage_page_preselects_the_case_of_the_link(inspector, ready):
    first = ready()
    second = ready()
    page = _client(inspector).get(f"/blacklist/manage/?tab=proposed&case={second.pk}")
    assert page.status_code == 200
    assert page.context["propose_form"]["case"].value() == second.pk
    assert {c.pk for c in page.context["propose_form"].fields["case"].queryset} == {first.pk, second.pk}


@pytest.mark.parametrize("raw", ["abc", "999999", "-1", "1" * 20, ""])
def test_a_bad_or_foreign_case_parameter_preselects_nothing(inspector, ready, raw):
    ready()
    page = _client(inspector).get(f"/blacklist/manage/?tab=proposed&case={raw}")
    assert page.status_code == 200 and page.context["propose_form"]["case"].value() is None


def test_the_ready_list_is_the_unrectified_cases_of_listable_types(inspector, ready):
    listable = ready()
    opened = case_services.case_open(actor=inspector, uscc=f.registry_employer().uscc, case_type="other")
    other = ready(f.with_finding(inspector, f.with_violation(inspector, opened)))
    f.order_issued(inspector)  # deadline not yet passed
    ready = bl_selectors.cases_ready_to_propose(user=inspector)
    assert list(ready) == [listable]
    assert other.status == EnforcementCase.Status.UNRECTIFIED


def test_every_case_type_but_other_may_be_listed():
    assert set(VIOLATION_OF_CASE_TYPE) == set(EnforcementCase.CaseType.values) - {"other"}


def test_the_propose_link_is_a_proposal_through_the_page(inspector, ready):
    case = ready()
    response = _client(inspector).post(
        "/blacklist/manage/propose/", {"case": case.pk, "legal_representative": "赵强", "reason": ""}
    )
    entry = case.blacklist_entries.get()
    assert response.status_code == 302 and response["Location"] == f"/blacklist/manage/{entry.pk}/"
    assert entry.status == "proposed" and entry.violation == "unenrolled"


def test_the_cases_ready_view_agrees_with_the_blacklists_list(inspector, ready):
    listable = ready()
    proposed = ready()
    bl_services.blacklist_propose(case=proposed, actor=inspector, legal_representative="赵强")
    opened = case_services.case_open(actor=inspector, uscc=f.registry_employer().uscc, case_type="other")
    ready(f.with_finding(inspector, f.with_violation(inspector, opened)))
    page = _client(inspector).get("/cases/?view=ready")
    assert [c.pk for c in page.context["cases"]] == [listable.pk]
    assert {key: n for key, _label, n in page.context["tiles"]}["ready"] == 1
    assert [c.pk for c in bl_selectors.cases_ready_to_propose(user=inspector)] == [listable.pk]
