"""Benchmark of the assessment: the ranking (six indicators × every district, one grouped
statement each, plus last year's baseline), a drill-down page and a monthly snapshot, on
the generated Wuhai dataset at a given scale. Prints figures; asserts nothing.

Baseline, measured in the same process on the same data: a bare COUNT(*) over every
snapshot table the indicators read — the floor any indicator query must at least pay.

    DATABASE_URL=postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_assessment_bench \
      .venv/bin/python bench/bench_assessment.py --scale 10

Use a scratch database: it is migrated and the generated rosters are loaded into it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuhai_coverage.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 ≈ 1,500 employers, 6,000 persons")
    ap.add_argument("--tasks", type=int, default=20000, help="inspection tasks opened this year")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from assessment import selectors, services
    from enforcement.models import Task
    from enrollment.demo import load_demo_rosters
    from enrollment.models import ROW_MODELS
    from wuhai_coverage.core.demo import ensure_demo_users

    ensure_demo_users()  # creates the missing ones; existing users are left as they are
    t = time.perf_counter()
    print(load_demo_rosters(seed=23, scale=args.scale).splitlines()[0], f"({time.perf_counter() - t:.1f} s)")
    today = timezone.localdate()
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
                for i in range(args.tasks)
            ],
            batch_size=5000,
        )
    period = selectors.period_get(today.year)
    batches = selectors.snapshot_batches_get(period.as_of)
    # The rosters were loaded through the product (which ANALYZEs after each load); the tasks
    # made here stand for a comparison's writes, after which the product ANALYZEs them too.
    from enforcement.models import TaskEvent
    from enrollment.loading import analyze

    analyze(Task, TaskEvent)
    rows = {k: ROW_MODELS[k]._default_manager.filter(batch_id=b.pk).count() for k, b in batches.items()}
    print(
        f"{connection.vendor}; snapshot rows: {sum(rows.values()):,} "
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
    from django.core.cache import cache

    cache.clear()
    cold = timed(lambda: selectors.ranking_list(period), 1)
    rank = timed(lambda: selectors.ranking_list(period), args.repeat)
    drill = timed(
        lambda: selectors.indicator_rows_list(
            "interruption_rate", period, district_code="150302", subset="gap", limit=50, offset=0
        ),
        args.repeat,
    )
    # The 02:30 warm-up (assessment.tasks.ranking_warm_up_task) runs in the Celery worker, another
    # process: the shared cache (file cache, or Redis with CACHE_URL) carries its counts over to
    # the web process that serves the day's first view (a per-process LocMem cache did not).
    cache.clear()
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from assessment.tasks import ranking_warm_up_task; ranking_warm_up_task.apply().get()",
        ],
        check=True,
        cwd=Path(__file__).resolve().parents[1],
        env=os.environ,
    )
    warm_up = time.perf_counter() - t
    after_warm_up = timed(lambda: selectors.ranking_list(period), 1)
    cache.clear()
    snap = timed(lambda: services.snapshot_take(as_of=period.as_of), 1)
    print(f"baseline COUNT(*) over the snapshots read : {base * 1000:8.1f} ms")
    print(
        f"ranking, cold (6 indicators × 3 districts) : {cold * 1000:8.1f} ms  ({cold / base:.1f}× baseline)"
    )
    print(
        f"ranking, snapshot counts cached            : {rank * 1000:8.1f} ms  ({rank / base:.1f}× baseline)"
    )
    print(f"warm-up task in another process (+ start-up): {warm_up * 1000:8.1f} ms")
    print(
        f"ranking, first view after the warm-up      : {after_warm_up * 1000:8.1f} ms  "
        f"({after_warm_up / base:.1f}× baseline; cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[1]})"
    )
    print(
        f"drill-down page (interruption, 50 rows)    : {drill * 1000:8.1f} ms  ({drill / base:.1f}× baseline)"
    )
    print(
        f"monthly snapshot                           : {snap * 1000:8.1f} ms  ({snap / base:.1f}× baseline)"
    )


if __name__ == "__main__":
    main()
