"""The nightly materialisation of the snapshot indicators (IndicatorRun, IndicatorRow,
IndicatorCount): the same counts and rows as the live row queries, never a stale one,
a weight change scored from counts alone, and the drill-down paged by index ranges."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import parameters, selectors, services
from assessment.models import IndicatorCount, IndicatorRow, IndicatorRun
from enrollment.models import ROW_MODELS
from tests.assessment import factories
from tests.assessment.conftest import A, B, C

Y2025 = selectors.Period(2025, dt.date(2025, 12, 31))
SNAPSHOT_CODES = sorted(selectors.SNAPSHOT_INDICATORS)
ROW_TABLES = [m._meta.db_table for m in ROW_MODELS.values()]


def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


def _materialise_all() -> None:
    services.indicators_materialise(period=Y2025)
    services.indicators_materialise(period=Y2025.last_year)
    _clear_cache()


def _touched(queries, tables) -> list[str]:
    return [q["sql"] for q in queries if any(t in q["sql"] for t in tables)]


def _all_pages(code: str, district: str, subset: str) -> list[selectors.RowsPage]:
    pages, page_no = [], 1
    while True:
        found = selectors.indicator_rows_page_get(
            code, Y2025, district_code=district, subset=subset, page_no=page_no
        )
        pages.append(found)
        if found.page is None or not found.page.has_next():
            return pages
        page_no += 1


def test_given_the_scenario_when_materialised_then_every_indicator_and_district_counts_as_live(scenario):
    live = selectors.district_counts_get(Y2025)
    _materialise_all()
    assert set(IndicatorRun.objects.filter(year=2025).values_list("indicator", flat=True)) == set(
        SNAPSHOT_CODES
    )
    with CaptureQueriesContext(connection) as ctx:
        materialised = selectors.district_counts_get(Y2025)
    assert not _touched(ctx.captured_queries, ROW_TABLES)  # the counts came from IndicatorCount
    assert materialised == live
    assert set(materialised) == {A, B, C}
    assert {code for by_ind in materialised.values() for code in by_ind} == set(parameters.BY_CODE)


def test_a_rerun_over_the_same_inputs_writes_nothing(scenario):
    services.indicators_materialise(period=Y2025)
    runs = dict(IndicatorRun.objects.values_list("indicator", "pk"))
    rows = IndicatorRow.objects.count()
    assert [r.pk for r in services.indicators_materialise(period=Y2025)] == [runs[c] for c in SNAPSHOT_CODES]
    assert IndicatorRow.objects.count() == rows


def test_given_a_new_snapshot_when_the_ranking_is_read_then_the_old_materialisation_is_not_used(scenario):
    _materialise_all()
    old = IndicatorRun.objects.get(indicator="interruption_rate", year=2025)
    # A newer household registry and pension snapshot: one A person under 60, interrupted.
    snap = dt.date(2025, 12, 15)
    hh, ip = (
        factories.loaded_batch("household_registry", snap),
        factories.loaded_batch("insurance_persons", snap),
    )
    pid = factories.person_id(dt.date(1981, 1, 1), A)
    factories.household(hh, pid, A)
    factories.pension(ip, pid, status="interrupted", last_paid=202401)
    _clear_cache()

    digest = selectors.inputs_digest(Y2025, selectors.snapshot_batches_get(Y2025.as_of))
    assert digest != old.digest
    assert selectors.indicator_run_get("interruption_rate", Y2025, digest) is None
    live = selectors.district_counts_get(Y2025)
    assert (live[A]["interruption_rate"].numerator, live[A]["interruption_rate"].denominator) == (1, 1)
    _found_query, total, rows = selectors.indicator_rows_list("interruption_rate", Y2025, district_code=A)
    assert (total, [r["key"] for r in rows]) == (1, [pid])  # the rows page is live too

    services.indicators_materialise(period=Y2025)  # the next night (or the queued task)
    _clear_cache()
    assert not IndicatorRun.objects.filter(pk=old.pk).exists()  # superseded: purged
    assert not IndicatorRow.objects.filter(run_id=old.pk).exists()
    assert not IndicatorCount.objects.filter(run_id=old.pk).exists()
    assert IndicatorRun.objects.filter(year=2025).count() == len(SNAPSHOT_CODES)
    assert IndicatorRun.objects.filter(year=2024).count() == 1  # last year's stays: its period is fixed
    assert selectors.district_counts_get(Y2025) == live


def test_given_materialised_counts_when_a_weight_changes_then_the_ranking_is_rescored_from_counts_only(
    scenario, django_assert_max_num_queries
):
    params = selectors.parameters_current_get()
    changed = dict(params, **{parameters.weight_name("employer_coverage"): Decimal("40")})
    live = [(r.code, r.score, r.rank) for r in selectors.ranking_list(Y2025, changed)]
    _materialise_all()
    selectors.ranking_list(Y2025, params)
    # Small reads only: the snapshot set (a query per kind) for this year and last year, the
    # thresholds, a run and its counts per snapshot indicator; tasks and postings are counted live.
    with django_assert_max_num_queries(45) as ctx:
        rescored = selectors.ranking_list(Y2025, changed)
    assert not _touched(ctx.captured_queries, [*ROW_TABLES, IndicatorRow._meta.db_table])
    assert [(r.code, r.score, r.rank) for r in rescored] == live
    assert live != [(r.code, r.score, r.rank) for r in selectors.ranking_list(Y2025, params)]


@pytest.mark.parametrize("code", SNAPSHOT_CODES)
def test_given_a_page_of_two_rows_then_every_page_of_every_subset_is_the_live_one(
    scenario, monkeypatch, code
):
    """Boundaries: A's interruption rows are 4 (two full pages), its gap 3 (a short last
    page), C has none (no page at all); a page past the end is empty in both."""
    monkeypatch.setattr(selectors, "ROWS_PAGE_SIZE", 2)
    cases = [(d, s) for d in (A, B, C) for s in selectors.ROW_SUBSETS]
    live = {case: _all_pages(code, *case) for case in cases}
    live_past = selectors.indicator_rows_list(code, Y2025, district_code=A, limit=2, offset=10)
    _materialise_all()
    with CaptureQueriesContext(connection) as ctx:
        materialised = {case: _all_pages(code, *case) for case in cases}
        past = selectors.indicator_rows_list(code, Y2025, district_code=A, limit=2, offset=10)
    assert not _touched(ctx.captured_queries, ROW_TABLES)
    for case in cases:
        got = [(p.total, p.rows, p.page and p.page.number) for p in materialised[case]]
        assert got == [(p.total, p.rows, p.page and p.page.number) for p in live[case]], case
    assert past[1:] == live_past[1:]
    assert past[2] == []


def test_the_page_boundaries_of_the_interruption_rows(scenario, monkeypatch):
    monkeypatch.setattr(selectors, "ROWS_PAGE_SIZE", 2)
    _materialise_all()
    pages = _all_pages("interruption_rate", A, "all")
    assert [(p.total, len(p.rows)) for p in pages] == [(4, 2), (4, 2)]  # an exact multiple
    assert pages[0].page and not pages[0].page.has_previous() and pages[-1].page
    assert not pages[-1].page.has_next()
    gap = _all_pages("interruption_rate", A, "gap")
    assert [(p.total, len(p.rows)) for p in gap] == [(3, 2), (3, 1)]  # a short last page
    keys = [r["key"] for p in pages for r in p.rows]
    assert keys == sorted(keys) and len(set(keys)) == 4
    empty = _all_pages("interruption_rate", C, "all")
    assert [(p.total, p.rows, p.page) for p in empty] == [(0, [], None)]


def test_a_materialised_drill_down_page_masks_the_id_numbers(scenario, client, city_manager):
    _materialise_all()
    client.force_login(city_manager)
    keys = IndicatorRow.objects.filter(
        run__indicator="interruption_rate", run__year=2025, district_code=A
    ).values_list("key", flat=True)
    response = client.get(f"/assessment/districts/{A}/interruption_rate/?year=2025")
    assert response.status_code == 200
    body = response.content.decode()
    assert keys and not [k for k in keys if k in body]
    assert all(k[:6] + "********" + k[-4:] in body for k in keys)


def test_given_no_materialisation_when_counted_then_it_is_queued_once(scenario, settings, monkeypatch):
    from assessment import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued: list[dict] = []
    monkeypatch.setattr(tasks.indicator_materialise_task, "delay", lambda **kw: queued.append(kw))
    selectors.district_counts_get(Y2025)
    selectors.district_counts_get(Y2025)  # the second view finds it queued already
    assert sorted((q["code"], q["as_of"]) for q in queued) == sorted(
        [(c, "2025-12-31") for c in SNAPSHOT_CODES] + [("interruption_rate", "2024-12-31")]
    )
    for q in queued:
        tasks.indicator_materialise_task.apply(kwargs=q)
    queued.clear()
    selectors.district_counts_get(Y2025)
    assert queued == []


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_materialises_what_a_page_queued(scenario, celery_worker, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    live = selectors.district_counts_get(Y2025)  # no materialisation yet: counted live, queued
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and IndicatorRun.objects.filter(year=2025).count() < len(
        SNAPSHOT_CODES
    ):
        time.sleep(0.2)
    assert IndicatorRun.objects.filter(year=2025).count() == len(SNAPSHOT_CODES)
    _clear_cache()
    assert selectors.district_counts_get(Y2025) == live


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_nightly_warm_up_which_materialises_this_year_and_last(
    scenario, celery_worker, monkeypatch
):
    from django.utils import timezone

    from assessment.tasks import ranking_warm_up_task

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2025, 12, 31))
    ranking_warm_up_task.apply_async()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and IndicatorRun.objects.count() < len(SNAPSHOT_CODES) + 1:
        time.sleep(0.2)
    assert sorted(IndicatorRun.objects.values_list("indicator", "as_of")) == sorted(
        [(c, dt.date(2025, 12, 31)) for c in SNAPSHOT_CODES] + [("interruption_rate", dt.date(2024, 12, 31))]
    )
    assert IndicatorCount.objects.filter(run__indicator="interruption_rate", run__year=2025).exists()
