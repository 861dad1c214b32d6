"""Benchmark of the assessment at Wuhai size: the ranking (six indicators × every district,
plus last year's baseline) cold from the live row queries and from the nightly
materialisation (IndicatorRun / IndicatorRow / IndicatorCount), the materialisation itself,
a weight change re-scored from the counts, and the drill-down's first / middle / last page
from the materialised rows (an index range) against the live row query with OFFSET.
Prints figures; asserts nothing.

Baseline, measured in the same process on the same data: a bare COUNT(*) over every
snapshot table the indicators read (and the tasks) — the floor any live indicator query
must at least pay.

    BENCH_DATABASE_URL=postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_assessment_bench \
      .venv/bin/python bench/bench_assessment.py            # the Wuhai world of bench/comparison.py
      .venv/bin/python bench/bench_assessment.py --world demo --scale 10   # the demo rosters

`--world wuhai` (default) generates bench/comparison.py's world (1.33 M snapshot rows) and
runs one comparison for its tasks (≈ 130 k); `--reuse` keeps a world generated before.
Use a scratch database (its name must contain "bench"): it is emptied and refilled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuhai_coverage.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
os.environ.setdefault("DATABASE_URL", "postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_assessment_bench")


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def world_demo(scale: float, tasks: int) -> dt.date:
    """The demo rosters (enrollment.demo) and `tasks` synthetic tasks; D is today."""
    from django.utils import timezone

    from enforcement.models import Task, TaskEvent
    from enrollment.demo import load_demo_rosters
    from enrollment.loading import analyze
    from wuhai_coverage.core.demo import ensure_demo_users

    ensure_demo_users()  # creates the missing ones; existing users are left as they are
    t = time.perf_counter()
    print(load_demo_rosters(seed=23, scale=scale).splitlines()[0], f"({time.perf_counter() - t:.1f} s)")
    if not Task.objects.filter(subject_key__startswith="BENCH").exists():
        now = timezone.now()
        Task.objects.bulk_create(
            [
                Task(
                    kind="enroll_employer",
                    subject_type="employer",
                    subject_key=f"BENCH{i:012d}",
                    district_id=("150302", "150303", "150304")[i % 3],
                    opened_at=now - dt.timedelta(days=i % 300),
                    status="closed" if i % 2 else "open",
                    resolution="rectified" if i % 2 else "",
                    closed_at=now if i % 2 else None,
                )
                for i in range(tasks)
            ],
            batch_size=5000,
        )
    # The tasks made here stand for a comparison's writes, after which the product ANALYZEs them.
    analyze(Task, TaskEvent)
    return timezone.localdate()


def world_wuhai(seed: int, reuse: bool) -> dt.date:
    """bench/comparison.py's Wuhai world at D = comparison.D, and one comparison run (the
    product's, which ANALYZEs what it reads and writes) for the tasks."""
    import comparison

    from enforcement.comparison.engine import run_comparison
    from enforcement.models import Task

    if reuse and Task.objects.exists():
        print("reusing the world generated before")
        return comparison.D
    t = time.perf_counter()
    counts = comparison.generate(1, seed)
    print(f"generated the Wuhai world in {time.perf_counter() - t:.1f} s:", counts)
    t = time.perf_counter()
    run_comparison(as_of=comparison.D, trigger="bench")
    print(f"comparison run (for the tasks): {time.perf_counter() - t:.1f} s")
    return comparison.D


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", choices=["wuhai", "demo"], default="wuhai")
    ap.add_argument("--scale", type=float, default=1.0, help="demo: 1.0 ≈ 1,500 employers, 6,000 persons")
    ap.add_argument("--tasks", type=int, default=20000, help="demo: inspection tasks opened this year")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reuse", action="store_true", help="wuhai: keep the world generated before")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from benchdb import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from assessment import parameters, selectors, services
    from assessment.models import IndicatorCount, IndicatorRow, IndicatorRun
    from enforcement.models import Task
    from enrollment.models import ROW_MODELS

    day = world_demo(args.scale, args.tasks) if args.world == "demo" else world_wuhai(args.seed, args.reuse)
    with connection.cursor() as cur:  # a bench database only: start with no materialisation
        tables = [m._meta.db_table for m in (IndicatorRun, IndicatorRow, IndicatorCount)]
        cur.execute("TRUNCATE " + ", ".join(tables))
    period = selectors.period_get(day.year, as_of=day, today=day)
    batches = selectors.snapshot_batches_get(period.as_of)
    rows = {k: ROW_MODELS[k]._default_manager.filter(batch_id=b.pk).count() for k, b in batches.items()}
    print(
        f"{connection.vendor}; D {period.as_of}; snapshot rows: {sum(rows.values()):,} "
        f"(persons {rows.get('insurance_persons', 0):,}); tasks {Task.objects.count():,}"
    )

    def baseline():
        with connection.cursor() as cur:
            for kind, b in batches.items():
                cur.execute(
                    f"SELECT COUNT(*) FROM {ROW_MODELS[kind]._meta.db_table} WHERE batch_id = %s", [b.pk]
                )
            cur.execute(f"SELECT COUNT(*) FROM {Task._meta.db_table}")

    base = timed(baseline, args.repeat)

    def line(label: str, seconds: float) -> None:
        print(f"{label:52s}: {seconds * 1000:9.1f} ms  ({seconds / base:6.1f}× baseline)")

    params = selectors.parameters_current_get()
    heavier = dict(params, **{parameters.weight_name(parameters.EMPLOYER_COVERAGE): Decimal("40")})
    code, district, size = parameters.INTERRUPTION_RATE, "150302", selectors.ROWS_PAGE_SIZE

    # 1. Live: nothing materialised, an empty cache (the ranking of a day before the nightly job).
    cache.clear()
    live = timed(lambda: selectors.ranking_list(period, params), 1)
    _q, total, _rows = selectors.indicator_rows_list(code, period, district_code=district, limit=1)
    pages = {"first": 1, "middle": max(1, (total // size) // 2), "last": max(1, -(-total // size))}
    offset_pages = {
        name: timed(
            lambda n=n: selectors.indicator_rows_list(
                code, period, district_code=district, limit=size, offset=(n - 1) * size
            ),
            1,
        )
        for name, n in pages.items()
    }
    # Tasks and postings stay live: what a re-score pays for them on every view.
    cache.clear()
    live_only = timed(
        lambda: [
            selectors.indicator_counts_get(c, period, batches)
            for c in (parameters.TASK_CLOSURE_RATE, parameters.PUBLICITY_COVERAGE)
        ],
        args.repeat,
    )

    # 2. The nightly materialisation (this year, and last year for the interruption baseline).
    t = time.perf_counter()
    runs = services.indicators_materialise(period=period)
    runs += services.indicators_materialise(period=period.last_year)
    materialise = time.perf_counter() - t

    # 3. Materialised: the cold ranking (empty cache), a weight change, the drill-down's pages.
    cache.clear()
    cold = timed(lambda: selectors.ranking_list(period, params), 1)
    rescore = timed(lambda: selectors.ranking_list(period, heavier), args.repeat)
    keyset_pages = {
        name: timed(
            lambda n=n: selectors.indicator_rows_page_get(
                code, period, district_code=district, subset="all", page_no=n
            ),
            args.repeat,
        )
        for name, n in pages.items()
    }
    cache.clear()
    snap = timed(lambda: services.snapshot_take(as_of=period.as_of), 1)

    line("baseline COUNT(*) over the snapshots read + tasks", base)
    line("ranking, cold, live row queries", live)
    line("materialisation (4 indicators, this + last year)", materialise)
    for run in runs:
        print(f"    {run.indicator:26s} {run.as_of}  {run.rows:>9,} rows  {run.seconds:6.2f} s")
    line("ranking, cold, from the materialised counts", cold)
    print(f"    → {live / cold:.1f}× faster than live")
    line("weight change re-scored (counts + arithmetic)", rescore)
    line("    of which tasks + postings counted live", live_only)
    fixed = rescore - live_only
    print(
        f"    region (43×) estimate: {fixed * 1000:.0f} ms from the counts (not growing with the rows) "
        f"+ 43 × {live_only * 1000:.0f} ms for the live task and posting counts = {fixed + 43 * live_only:.2f} s"
    )
    print(f"drill-down {code} {district} (all, {total:,} rows, {size} a page):")
    for name, n in pages.items():
        print(
            f"    page {name:6s} {n:>6}: materialised {keyset_pages[name] * 1000:8.1f} ms, "
            f"live OFFSET {offset_pages[name] * 1000:8.1f} ms  ({offset_pages[name] / keyset_pages[name]:.0f}×)"
        )
    line("monthly snapshot (from the materialised counts)", snap)
    print(f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[1]}")
    print(
        f"SUMMARY live_cold_s={live:.2f} materialise_s={materialise:.2f} cold_s={cold:.3f} "
        f"rescore_s={rescore:.3f} page_first_ms={keyset_pages['first'] * 1000:.1f} "
        f"page_last_ms={keyset_pages['last'] * 1000:.1f} offset_last_ms={offset_pages['last'] * 1000:.1f} "
        f"baseline_ms={base * 1000:.1f}"
    )


if __name__ == "__main__":
    main()
