import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessment.models import IndicatorSnapshot
from assessment.tasks import indicator_snapshot_monthly_task, ranking_warm_up_task


def test_the_monthly_task_snapshots_the_last_day_of_the_previous_month(db, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 3, 1))
    assert indicator_snapshot_monthly_task.apply().get() == 18
    assert set(IndicatorSnapshot.objects.values_list("as_of", "year").distinct()) == {
        (dt.date(2026, 2, 28), 2026)
    }


def test_on_the_first_of_january_the_snapshot_closes_last_year(db, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 1, 1))
    indicator_snapshot_monthly_task.apply()
    assert set(IndicatorSnapshot.objects.values_list("as_of", "year").distinct()) == {
        (dt.date(2025, 12, 31), 2025)
    }


def test_the_beat_schedule_points_to_the_task(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-indicator-snapshots"]
    assert (
        entry["task"]
        == indicator_snapshot_monthly_task.name
        == "assessment.tasks.indicator_snapshot_monthly_task"
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_the_snapshot(celery_worker):
    result = indicator_snapshot_monthly_task.apply_async(kwargs={"as_of": "2025-12-31"})
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and IndicatorSnapshot.objects.count() < 18:
        time.sleep(0.2)
    assert IndicatorSnapshot.objects.filter(as_of=dt.date(2025, 12, 31)).count() == 18
    assert result.id


def test_the_command_takes_one_day_or_backfills_a_year(db):
    call_command("assessment_snapshot", "--as-of", "2025-06-30")
    assert IndicatorSnapshot.objects.filter(as_of=dt.date(2025, 6, 30)).count() == 18
    call_command("assessment_snapshot", "--year", "2025")
    assert IndicatorSnapshot.objects.filter(year=2025).values("as_of").distinct().count() == 12
    with pytest.raises(CommandError):
        call_command("assessment_snapshot", "--as-of", "2025-13-01")
    with pytest.raises(CommandError):
        call_command("assessment_snapshot", "--year", "abc")


def test_the_beat_schedule_warms_the_ranking_after_the_nightly_comparison(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["ranking-warm-up"]
    assert entry["task"] == ranking_warm_up_task.name == "assessment.tasks.ranking_warm_up_task"
    comparison = settings.CELERY_BEAT_SCHEDULE["nightly-comparison"]["schedule"]
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})
    assert (comparison.hour, comparison.minute) == ({2}, {0})


def test_given_a_cold_cache_when_the_warm_up_has_run_then_the_next_ranking_view_reads_no_snapshot_rows(
    scenario, client, city_manager, monkeypatch, django_assert_max_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from enrollment.models import ROW_MODELS

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2025, 12, 31))
    row_tables = [m._meta.db_table for m in ROW_MODELS.values()]

    def reads_rows(queries) -> bool:
        return any(t in q["sql"] for q in queries for t in row_tables)

    client.force_login(city_manager)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get("/assessment/").status_code == 200
    assert reads_rows(cold.captured_queries)

    cache.clear()
    assert ranking_warm_up_task.apply().get() == 3
    # 4 snapshot indicators + last year's interruption baseline come from the cache
    with django_assert_max_num_queries(len(cold.captured_queries) - 5) as warm:
        response = client.get("/assessment/")
    assert response.status_code == 200
    assert not reads_rows(warm.captured_queries)
    assert response.content.count("海勃湾区".encode()) >= 1
