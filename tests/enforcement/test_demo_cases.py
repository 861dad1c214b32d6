"""The demo's cases and blacklist entry: made through the services, in the states an
inspector needs to see, with dates that agree, and loaded once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from enforcement.blacklist import selectors as bl_selectors
from enforcement.demo import load_demo_cases
from enforcement.models import BlacklistEntry, EnforcementCase
from tests.enforcement.cases import factories as f
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(fast_pdf, monkeypatch):
    from enforcement.blacklist import documents

    monkeypatch.setattr(documents, "render_pdf", lambda entry: b"%PDF-1.4\n% stub\n")
    inspector = make_user("inspector", username="inspector")
    make_user("city_manager", username="manager")
    for name in (
        "乌海市甲煤业有限公司",
        "乌海市乙化工有限公司",
        "乌海市丙建材有限公司",
        "乌海市丁物流有限公司",
    ):
        f.registry_employer(name=name)
    return inspector


def test_the_demo_gives_an_inspector_cases_in_each_state_and_a_published_entry(demo_world):
    message = load_demo_cases()
    assert "4" in message
    cases = {c.status: c for c in EnforcementCase.objects.all()}
    assert sorted(EnforcementCase.objects.values_list("status", flat=True)) == [
        "open",
        "order_issued",
        "unrectified",
        "unrectified",
    ]
    today = timezone.localdate()
    running = cases["order_issued"]
    assert running.order_deadline > today and running.arrears_periods.count() == 2
    assert running.payments.count() == 1 and running.documents.filter(kind="order").count() == 1
    entry = BlacklistEntry.objects.get()
    assert entry.status == "published" and entry.listed_on < today < entry.expires_on
    assert entry.case.order_deadline < entry.listed_on
    kinds = list(entry.events.values_list("kind", flat=True))
    assert kinds == ["proposed", "notified", "statement", "approved"]
    ready = bl_selectors.cases_ready_to_propose(user=demo_world)
    assert [c.pk for c in ready] == [
        c.pk for c in EnforcementCase.objects.filter(status="unrectified").exclude(pk=entry.case_id)
    ]
    assert all(e.at <= timezone.now() for c in EnforcementCase.objects.all() for e in c.events.all())


def test_a_second_load_changes_nothing(demo_world):
    load_demo_cases()
    before = (EnforcementCase.objects.count(), BlacklistEntry.objects.count())
    assert load_demo_cases() == "演示案件已存在"
    assert (EnforcementCase.objects.count(), BlacklistEntry.objects.count()) == before


def test_without_the_demo_inspector_it_makes_nothing(fast_pdf):
    make_user("city_manager", username="manager")
    for _ in range(4):
        f.registry_employer()
    assert "未生成演示案件" in load_demo_cases()
    assert not EnforcementCase.objects.exists()


def test_the_loader_runs_after_the_registry_and_the_holidays():
    loaders = settings.DEMO_DATA_LOADERS
    at = loaders.index("enforcement.demo.load_demo_cases")
    assert at > loaders.index("enrollment.registry.load_demo_registry")
    assert at > loaders.index("enforcement.workdays.loader.load_demo_holidays")
