"""Fixtures of the blacklist tests: cases whose order passed unrectified (made with the
ORM: the case pages are another branch's), and entries in each state of the lifecycle,
reached through the services themselves."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from enforcement.blacklist import services
from enforcement.blacklist.vocabulary import Measure
from enforcement.models import BlacklistEntry, EnforcementCase
from tests.factories import make_uscc, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fast_password_hasher(fast_password_hasher):
    """Several roles per test: the real hasher would dominate."""


@pytest.fixture(autouse=True)
def _stub_pdf(request, monkeypatch):
    """The prior notice's PDF is tested once for real (a test asking for `real_pdf`);
    elsewhere a stub."""
    if "real_pdf" not in request.fixturenames:
        from enforcement.blacklist import documents

        monkeypatch.setattr(documents, "render_pdf", lambda entry: b"%PDF-1.4\n% stub\n")


@pytest.fixture
def real_pdf():
    """Ask for it to render the prior notice with WeasyPrint."""


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=SHANGHAI)


@pytest.fixture
def travel(_frozen_clock):
    """travel(date) — the clock moves to noon of that day in Wuhai."""

    def go(day: dt.date) -> None:
        _frozen_clock.move_to(noon(day))

    return go


def make_case(opened_by, **overrides) -> EnforcementCase:
    fields = {
        "case_type": EnforcementCase.CaseType.UNENROLLED,
        "status": EnforcementCase.Status.UNRECTIFIED,
        "employer_uscc": make_uscc(),
        "employer_name": "乌海市黄河煤业有限公司",
        "district_id": "150302",
        "street_id": "150302001",
        "opened_by": opened_by,
        "order_deadline": timezone.localdate() - dt.timedelta(days=1),
        "arrears_amount": 0,
    }
    fields.update(overrides)
    return EnforcementCase.objects.create(**fields)


class Lifecycle:
    """Entries in each state, through the services (so the timeline is real)."""

    def __init__(self, inspector, manager):
        self.inspector, self.manager = inspector, manager

    def proposed(self, **case_fields) -> BlacklistEntry:
        case = make_case(self.inspector, **case_fields)
        return services.blacklist_propose(case=case, actor=self.inspector, legal_representative="赵强")

    def notified(self, **case_fields) -> BlacklistEntry:
        return services.blacklist_notify(entry=self.proposed(**case_fields), actor=self.inspector)

    def under_review(self, **case_fields) -> BlacklistEntry:
        return services.blacklist_record_statement(
            entry=self.notified(**case_fields), actor=self.inspector, statement="单位称资金困难，请求暂缓"
        )

    def listed(self, **case_fields) -> BlacklistEntry:
        return services.blacklist_approve(
            entry=self.under_review(**case_fields),
            actor=self.manager,
            decision="经审核，事实清楚，决定列入",
            measures=Measure.values,
        )


@pytest.fixture
def inspector(db):
    return make_user("inspector")


@pytest.fixture
def manager(db):
    return make_user("city_manager")


@pytest.fixture
def life(inspector, manager):
    return Lifecycle(inspector, manager)
