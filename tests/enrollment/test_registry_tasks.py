"""The registry refresh as a Celery task (beat entry, eager call, a real worker on Redis)
and as a demo loader."""

from __future__ import annotations

import time

import pytest
from celery.schedules import crontab
from django.conf import settings

from enrollment.models import Employer, Enrollment, Person
from enrollment.tasks import registry_refresh_task
from tests.enrollment.registry_rows import AS_OF, household, idn, ins_person, market, snapshots, uscc


def test_beat_refreshes_the_registry_nightly_after_the_comparison():
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-registry-refresh"]
    assert entry["task"] == "enrollment.tasks.registry_refresh_task" == registry_refresh_task.name
    assert entry["schedule"] == crontab(hour=2, minute=45)
    comparison = settings.CELERY_BEAT_SCHEDULE["nightly-comparison"]["schedule"]
    assert (min(comparison.hour), min(comparison.minute)) < (2, 45)
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"

    from wuhai_coverage.celery import app

    app.loader.import_default_modules()
    assert registry_refresh_task.name in app.tasks


@pytest.mark.django_db
def test_the_task_refreshes_as_of_the_date_given_and_returns_the_summary():
    u, i = uscc(), idn()
    snapshots(
        market_entities=[market(u)], household_registry=[household(i)], insurance_persons=[ins_person(i)]
    )
    summary = registry_refresh_task.delay(as_of=AS_OF.isoformat()).get()
    assert summary["as_of"] == AS_OF.isoformat()
    assert summary["totals"] == {"employers": 1, "persons": 1, "enrollments": 1}
    assert summary["batches"]["market_entities"] is not None and summary["batches"]["tax_payroll"] is None


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_refreshes_the_registry(celery_worker):
    i = idn()
    # today's snapshots (the task's default as_of is today in Asia/Shanghai)
    from django.utils import timezone

    snapshots(timezone.localdate(), household_registry=[household(i)], insurance_persons=[ins_person(i)])
    registry_refresh_task.delay()
    for _ in range(200):
        if Enrollment.objects.exists():
            break
        time.sleep(0.1)
    assert list(Person.objects.values_list("id_number", flat=True)) == [i]
    assert Enrollment.objects.count() == 1


@pytest.mark.django_db
def test_demo_loader_fills_the_registry_from_the_demo_rosters():
    from enrollment.demo import load_demo_rosters
    from enrollment.registry import load_demo_registry

    load_demo_rosters(scale=0.05)
    message = load_demo_registry(scale=0.05)
    assert Employer.objects.exists() and Person.objects.exists() and Enrollment.objects.exists()
    assert f"用人单位 {Employer.objects.count()}，人员 {Person.objects.count()}" in message
    assert not Person.objects.filter(
        district__isnull=True
    ).exists()  # every demo person is in the household roster
    assert "enrollment.registry.load_demo_registry" in settings.DEMO_DATA_LOADERS
