"""The nightly deadline job: registered with beat under its *_task name, idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from enforcement.cases.tasks import case_deadlines_task
from enforcement.models import CaseEvent
from tests.enforcement.cases import factories as f

pytestmark = pytest.mark.django_db


def test_the_job_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["case-deadlines"]
    assert entry["task"] == "enforcement.cases.tasks.case_deadlines_task" == case_deadlines_task.name


def test_the_job_moves_a_case_the_morning_after_its_deadline_and_once(inspector, fast_pdf, _frozen_clock):
    case = f.order_issued(inspector)
    assert case_deadlines_task.apply().get() == []
    day_after = dt.datetime.combine(case.order_deadline + dt.timedelta(days=1), dt.time(1, 30))
    with time_machine.travel(day_after.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        assert case_deadlines_task.apply().get() == [case.pk]
        assert case_deadlines_task.apply().get() == []
    case.refresh_from_db()
    assert case.status == "unrectified"
    assert CaseEvent.objects.filter(case=case, kind="unrectified").count() == 1
