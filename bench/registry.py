"""Benchmark of the registry refresh (enrollment.registry) on PostgreSQL at Wuhai scale.

    DATABASE_URL=postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_registry_bench \
        .venv/bin/python bench/registry.py [--scale 1] [--seed 7] [--reuse]

Generates the snapshots with bench/comparison.py's generator (COPY; scale 1: 60,000 market
entities, 50,000 payroll rows, 45,000 HRSS employers, 560,000 household persons, 600,000
insurance person rows, registries of 15,000), then, in one process:

1. first refresh into an empty registry (seconds per step),
2. an immediate second refresh over the same snapshots (must write nothing),
3. a refresh after new snapshots of household and insurance_persons in which 2 % of the
   persons changed community, 1 % left and 1 % of the pension rows changed status,
4. the baselines over the same sources: a plain `SELECT count(*)` of each source SELECT,
   and `CREATE TABLE … AS` the same SELECTs (an INSERT … SELECT into an empty table,
   no index, no conflict handling) — with the ratio of each refresh to them.

The database given is EMPTIED first (the script refuses a name without "bench").
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from benchdb import print_server  # noqa: E402 — bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_registry_bench")

from bench.comparison import D, generate, setup_django  # noqa: E402  (sets the Django environment)


def _fmt_steps(seconds: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in seconds.items())


def timed_refresh(label: str):
    from enrollment.registry import registry_refresh

    t0 = time.monotonic()
    s = registry_refresh(as_of=D)
    wall = time.monotonic() - t0
    print(f"\n== {label}: {wall:.2f} s wall")
    print(f"   steps (s): {_fmt_steps(s.seconds)}")
    print(f"   written {s.written}; deleted {s.deleted}; totals {s.totals}")
    return wall, s


def baselines() -> dict[str, float]:
    """count(*) of each source SELECT, and CREATE TABLE AS of each (into empty tables)."""
    from django.db import connection, transaction

    from enrollment.registry import (
        _current_batch_ids,
        employer_source_sql,
        enrollment_source_sql,
        person_source_sql,
    )

    b = _current_batch_ids(D)
    sources = {
        "employers": employer_source_sql(b),
        "persons": person_source_sql(b, D),
        "enrollments": enrollment_source_sql(b),
    }
    out: dict[str, float] = {}
    with connection.cursor() as c:
        for name, (sql, params) in sources.items():
            t0 = time.monotonic()
            c.execute(f"SELECT count(*) FROM ({sql}) s", params)
            out[f"count_{name}_rows"] = c.fetchone()[0]
            out[f"count_{name}"] = round(time.monotonic() - t0, 3)
        for name, (sql, params) in sources.items():
            with transaction.atomic():
                t0 = time.monotonic()
                c.execute(f"CREATE TABLE bench_registry_{name} AS {sql}", params)
                out[f"insert_{name}"] = round(time.monotonic() - t0, 3)
                c.execute(f"DROP TABLE bench_registry_{name}")
    out["count_total"] = round(sum(out[f"count_{n}"] for n in sources), 3)
    out["insert_total"] = round(sum(out[f"insert_{n}"] for n in sources), 3)
    return out


def change_snapshots(seed: int) -> dict[str, int]:
    """New household and insurance_persons batches (snapshot D, received later): 2 % of the
    persons with another community, 1 % gone, 1 % of the pension rows with a new status."""
    from django.db import connection

    from enrollment.loading import analyze
    from enrollment.models import HouseholdRow, InsurancePersonRow, RosterBatch
    from enrollment.selectors import batch_current_get

    out = {}
    with connection.cursor() as c:
        for kind, model, change in (
            (
                "household_registry",
                HouseholdRow,
                "CASE WHEN abs(hashtext(id_number)) %% 50 = 0 THEN '新社区' ELSE community END AS community",
            ),
            (
                "insurance_persons",
                InsurancePersonRow,
                "CASE WHEN insurance_type = 'pension' AND abs(hashtext(id_number)) %% 100 = 1 AND status = 'active' "
                "THEN 'interrupted' ELSE status END AS status",
            ),
        ):
            old = batch_current_get(kind=kind, as_of=D)
            if old is None:
                raise SystemExit(f"no {kind} snapshot to change: run without --reuse first")
            new = RosterBatch.objects.create(
                kind=kind,
                department=old.department,
                status="loaded",
                snapshot_date=D,
                sha256=f"bench-changed-{kind}-{seed}",
            )
            table = model._meta.db_table
            cols = [f.column for f in model._meta.concrete_fields if f.column and f.column != "batch_id"]
            changed_col = change.rsplit(" AS ", 1)[1]
            select = ", ".join(change if col == changed_col else col for col in cols)
            t0 = time.monotonic()
            c.execute(
                f"INSERT INTO {table} (batch_id, {', '.join(cols)}) SELECT %s, {select} FROM {table} "
                f"WHERE batch_id = %s AND abs(hashtext(id_number)) %% 100 <> 2",
                [new.pk, old.pk],
            )
            out[kind] = c.rowcount
            analyze(model)  # what roster_process runs after it loads a batch
            out[f"{kind}_copy_s"] = round(time.monotonic() - t0, 2)
    return out


def page_reads() -> dict[str, tuple[float, int, int]]:
    """The registry pages' reads (count + first page of 50) at this scale, per role."""
    from django.core.paginator import Paginator

    from enrollment import selectors
    from wuhai_coverage.core.models import District, Street, User

    users = {
        "city": User.objects.update_or_create(username="bench-manager", defaults={"role": "city_manager"})[0],
        "district": User.objects.update_or_create(
            username="bench-caseworker",
            defaults={"role": "district_caseworker", "district": District.objects.get(code="150302")},
        )[0],
        "street": User.objects.update_or_create(
            username="bench-street",
            defaults={
                "role": "street_staff",
                "street": Street.objects.get(code="150302001"),
                "district": District.objects.get(code="150302"),
            },
        )[0],
    }
    cases = [
        ("persons city", selectors.person_list, "city", {}),
        ("persons district not enrolled", selectors.person_list, "district", {"enrolled": "0"}),
        ("persons street", selectors.person_list, "street", {}),
        ("persons name search", selectors.person_list, "city", {"q": "居民12"}),
        ("persons id prefix", selectors.person_list, "city", {"q": "1503000012"}),
        ("employers city", selectors.employer_list, "city", {}),
        ("employers district enrolled", selectors.employer_list, "district", {"enrolled": "1"}),
        ("employers name search", selectors.employer_list, "city", {"q": "企业123"}),
    ]
    out = {}
    for label, fn, who, query in cases:
        t0 = time.monotonic()
        page = Paginator(fn(user=users[who], filters=query), 50).get_page(1)
        rows = len(list(page.object_list))
        out[label] = (round(time.monotonic() - t0, 3), page.paginator.count, rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=1, help="1 = Wuhai")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the generated snapshots (empties the registry)"
    )
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from enrollment.models import Employer, Enrollment, Person, RosterBatch

    print_server(args.scale)
    with connection.cursor() as c:
        c.execute(f"TRUNCATE {Enrollment._meta.db_table}, {Person._meta.db_table}, {Employer._meta.db_table}")
        if args.reuse:
            RosterBatch.objects.filter(sha256__startswith="bench-changed-").delete()
    counts = {"reused": 1} if args.reuse else generate(args.scale, args.seed)
    print("rows:", ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in counts.items()))

    first, _ = timed_refresh("first refresh (empty registry)")
    second, s2 = timed_refresh("second refresh (same snapshots)")
    base = baselines()
    changed = change_snapshots(args.seed)
    print(f"\n   new snapshots: {changed}")
    third, s3 = timed_refresh("refresh after changed household + insurance_persons snapshots")
    fourth, _ = timed_refresh("second refresh after the change (same snapshots)")
    print("\n== registry page reads (count + first page of 50): seconds, matches, rows")
    for label, (secs, count, rows) in page_reads().items():
        print(f"   {label:32s} {secs:6.3f} s  {count:>8,}  {rows}")
    print("\n== baselines over the same sources (same process)")
    for k, v in base.items():
        print(f"   {k:28s} {v}")
    print(
        f"\nSUMMARY scale={args.scale} first_s={first:.2f} rerun_s={second:.2f} changed_s={third:.2f} "
        f"changed_rerun_s={fourth:.2f} baseline_count_s={base['count_total']:.2f} "
        f"baseline_insert_s={base['insert_total']:.2f} "
        f"ratio_first_to_insert={first / max(base['insert_total'], 1e-9):.2f} "
        f"ratio_rerun_to_count={second / max(base['count_total'], 1e-9):.2f} "
        f"ratio_changed_to_insert={third / max(base['insert_total'], 1e-9):.2f} "
        f"rerun_written={sum(s2.written.values())} rerun_deleted={sum(s2.deleted.values())} "
        f"changed_written={s3.written} changed_deleted={s3.deleted}"
    )


if __name__ == "__main__":
    main()
