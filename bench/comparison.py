"""Benchmark of the nightly comparison on PostgreSQL at Wuhai scale (and 10×).

    DATABASE_URL=postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_comparison_bench \
        .venv/bin/python bench/comparison.py [--scale 1] [--seed 7]

Generates the snapshots with COPY (scale 1: 60,000 market entities, 50,000 payroll rows,
45,000 enrolled employers, 560,000 household persons, 600,000 insurance person rows,
registries of 15,000) — no ANALYZE: a comparison started seconds after the pushes finds
them so, and its own first step (`_statistics`) ANALYZEs the tables whose statistics do not
know the current batches — then runs the comparison (time per rule, total),
an immediate second run over the same snapshots, and — in the same process — a baseline:
the three core anti-joins (unenrolled employers, headcount gap, unenrolled persons) as raw
SQL, with the ratio of the comparison to it. The database given is EMPTIED first: never
point it at real data (the script refuses a name without "bench").

`--without-statistics` turns the product's ANALYZE off (after a load and at the start of a
run), to show what it is worth on a server with autovacuum off.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path

from benchdb import ensure_database, print_server  # noqa: E402 — bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuhai_coverage.settings")
os.environ.setdefault("DATABASE_URL", "postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_comparison_bench")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("WUHAI_VAR_DIR", str(ROOT / "var" / "bench"))

D = dt.date(2025, 6, 15)
# Base row counts at scale 1 (issue 4).
MARKET, PAYROLL, ENROLLED, HOUSEHOLD, PERSON_ROWS, REGISTRY = 60_000, 50_000, 45_000, 560_000, 600_000, 15_000
DUST, PROJECTS = 1_500, 1_500
COPY_CHUNK = 200_000  # rows per COPY buffer: ~30 MB of text, keeps memory flat at 10×

DISTRICT_STREETS: dict[str, list[str | None]] = {
    "150302": ["150302001", "150302002", "150302003", "150302004", "150302007", "150302008", "150302101"],
    "150303": ["150303001", "150303002", "150303003", "150303004", "150303005", None],
    "150304": ["150304002", "150304003", "150304004", None],
}
DISTRICTS = list(DISTRICT_STREETS)


def setup_django() -> None:
    import django
    from django.core.management import call_command

    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    call_command("migrate", verbosity=0)


# --- generation ---------------------------------------------------------------------------------


def uscc(i: int) -> str:
    return f"91150{i:012d}X"  # 18 chars; check digits are irrelevant to the comparison


def person(i: int, rng: random.Random) -> tuple[str, dt.date, str]:
    birth = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(0, 29200))  # 1935 … 2014
    sex_digit = rng.randrange(10)
    return f"15030{i:07d}{birth:%m%d}{sex_digit}X"[:18], birth, "M" if sex_digit % 2 else "F"


def route(rng: random.Random) -> tuple[str, str | None]:
    d = rng.choice(DISTRICTS)
    return d, rng.choice(DISTRICT_STREETS[d])


def first_of_each(rows: Iterable[tuple], *, key: Callable[[tuple], Hashable]) -> Iterator[tuple]:
    """The rows whose key has not been seen before (a roster states each key once)."""
    seen: set[Hashable] = set()
    for row in rows:
        k = key(row)
        if k not in seen:
            seen.add(k)
            yield row


def period_back(months: int) -> int:
    m = D.year * 12 + D.month - 1 - months
    return (m // 12) * 100 + m % 12 + 1


def copy_rows(cursor, table: str, columns: list[str], rows) -> int:
    n = 0
    buf = io.StringIO()

    def flush():
        buf.seek(0)
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT text)", buf)
        buf.seek(0)
        buf.truncate()

    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row))
        buf.write("\n")
        n += 1
        if n % COPY_CHUNK == 0:
            flush()
    flush()
    return n


def generate(scale: int, seed: int) -> dict[str, float]:
    from django.db import connection

    from enforcement.models import ComparisonRun, Task, TaskEvent
    from enrollment.models import KIND_DEPARTMENT, ROW_MODELS, RosterBatch, RosterKind

    rng = random.Random(seed)
    with connection.cursor() as c:
        tables = [m._meta.db_table for m in ROW_MODELS.values()] + [
            TaskEvent._meta.db_table,
            Task._meta.db_table,
            ComparisonRun._meta.db_table,
            RosterBatch._meta.db_table,
        ]
        c.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")  # a bench database only (see ensure_database)
    batches = {
        kind: RosterBatch.objects.create(
            kind=kind,
            department=KIND_DEPARTMENT[kind],
            status="loaded",
            snapshot_date=D,
            sha256=f"bench-{kind}-{seed}-{scale}",
        )
        for kind in RosterKind.values
    }
    b = {k: v.pk for k, v in batches.items()}
    n_market, n_payroll, n_enrolled = MARKET * scale, PAYROLL * scale, ENROLLED * scale
    n_household, n_person_rows, n_registry = HOUSEHOLD * scale, PERSON_ROWS * scale, REGISTRY * scale
    organs = n_payroll // 25  # payroll employers that are not market entities
    market_in_tax = n_payroll - organs  # market entities with a payroll row
    enrolled_market = n_enrolled - organs  # enrolled market entities (the rest: organs)
    counts: dict[str, float] = {}
    t0 = time.monotonic()

    def market_rows():
        for i in range(n_market):
            d, s = route(rng)
            et = rng.choices(["enterprise", "individual", "coop", "branch"], [62, 30, 3, 5])[0]
            st = rng.choices(["active", "suspended", "deregistered", "revoked"], [90, 3, 5, 2])[0]
            est = D - dt.timedelta(days=rng.randrange(5, 7000))
            ind = rng.choice(
                ["B0610", "B0810", "C3011", "C3110", "F5191", "H6210", "G5430", "E4710", "B0711"]
            )
            emp = rng.choice([None, 0, 1, 3, 10, 40])
            yield (
                b["market_entities"],
                uscc(i),
                f"乌海市企业{i}有限公司",
                et,
                st,
                est,
                d,
                s,
                ind,
                None,
                None,
                None,
                emp,
            )

    # One payroll headcount H and wage per employer, shared by tax and HRSS rows so that the
    # mismatch rates are plausible (most enrolled employers insure everyone, a few do not).
    heads = [rng.choice([0, 1, 2, 3, 5, 8, 12, 20, 35, 60, 150]) for _ in range(n_market + organs)]
    wages = [rng.randrange(3000, 16000) for _ in range(n_market + organs)]

    def tax_rows():
        for i in list(range(market_in_tax)) + [n_market + j for j in range(organs)]:
            name = f"纳税人{i}" if i < n_market else f"事业单位{i - n_market}"
            yield (
                b["tax_payroll"],
                uscc(i),
                name,
                period_back(1),
                heads[i],
                heads[i] * wages[i],
                rng.choice(DISTRICTS),
            )

    def insured_rows():
        for i in list(range(enrolled_market)) + [n_market + j for j in range(organs)]:
            ip = max(0, heads[i] - rng.choice([0] * 17 + [1, 3, 10]))
            ii = max(0, ip - rng.choice([0] * 19 + [1]))
            iu = max(0, ip - rng.choice([0] * 19 + [2]))
            base = ip * wages[i] * rng.choice([100] * 9 + [70]) // 100
            arrears = rng.choice([0] * 39 + [rng.randrange(100, 90000)])
            yield (
                b["insurance_employers"],
                uscc(i),
                f"参保单位{i}",
                rng.choice(DISTRICTS + [None]),
                ip,
                ii,
                iu,
                base,
                arrears,
                period_back(rng.choice([1, 1, 1, 2, 6])),
            )

    def dust_rows():
        for _ in range(DUST * scale):
            i = rng.randrange(n_market)
            yield (b["dust_hazard"], uscc(i), f"粉尘单位{i}", "矽尘", rng.randrange(0, 80), "B0610")

    # persons: the first `pensioned` household persons have a pension row; some outsiders too
    pension_rows = n_person_rows * 88 // 100
    injury_rows = n_person_rows - pension_rows
    outsiders = pension_rows // 20
    pensioned = pension_rows - outsiders
    people = [person(i, rng) for i in range(n_household + outsiders)]

    def household_rows():
        for i in range(n_household):
            pid, birth, sex = people[i]
            d, s = route(rng)
            yield (
                b["household_registry"],
                pid,
                f"居民{i}",
                d,
                s or DISTRICT_STREETS[d][0],
                "某社区",
                None,
                birth,
                sex,
            )

    def person_rows():
        for i in list(range(pensioned)) + list(range(n_household, n_household + outsiders)):
            pid, birth, sex = people[i]
            st = rng.choices(["active", "interrupted", "retired", "terminated"], [87, 4, 8, 1])[0]
            back = rng.choices([1, 2, 3, 4, 7, 14], [86, 5, 4, 2, 2, 1])[0]
            lp = period_back(back) if st in ("active", "interrupted") else None
            scheme = rng.choices(["employee", "flexible", "resident"], [60, 15, 25])[0]
            yield (
                b["insurance_persons"],
                pid,
                "参保人",
                "pension",
                scheme,
                st,
                None,
                lp,
                None,
                rng.random() < 0.05,
                None,
                birth,
                sex,
            )
        for i in range(injury_rows):
            pid, birth, sex = people[i]
            yield (
                b["insurance_persons"],
                pid,
                "参保人",
                "injury",
                "employee",
                "active",
                None,
                period_back(1),
                None,
                False,
                None,
                birth,
                sex,
            )

    def registry_rows(kind: str):
        for k in rng.sample(range(n_household), n_registry):
            pid, birth, sex = people[k]
            d, s = route(rng)
            if kind == "civil_affairs":
                vf = D - dt.timedelta(days=rng.randrange(-30, 2000))
                vt = rng.choice(
                    [None, None, D - dt.timedelta(days=rng.randrange(1, 400)), D + dt.timedelta(days=300)]
                )
                yield (b[kind], pid, f"救助{k}", rng.choice(["dibao", "tekun"]), vf, vt, d, s, birth, sex)
            elif kind == "poverty_registry":
                yield (b[kind], pid, f"脱贫{k}", rng.choice(["active", "exited", "exited"]), d, s, birth, sex)
            else:
                yield (b[kind], pid, f"残疾{k}", rng.randrange(1, 5), d, s, birth, sex)

    def project_rows():
        for k in range(PROJECTS * scale):
            yield (
                b["construction_projects"],
                f"PRJ-{k}",
                f"工程{k}",
                uscc(k),
                f"建筑公司{k}",
                rng.choice(DISTRICTS),
                D - dt.timedelta(days=rng.randrange(-60, 900)),
                rng.randrange(100000, 90000000),
                rng.randrange(5, 400),
            )

    def insured_project_rows():
        for k in range(0, PROJECTS * scale, 3):
            yield (b["insurance_projects"], f"PRJ-{k}", D - dt.timedelta(days=10))

    from enrollment import models as em

    plan = [
        (
            "market_entities",
            em.MarketEntityRow,
            [
                "batch_id",
                "uscc",
                "name",
                "entity_type",
                "status",
                "established_on",
                "district_code",
                "street_code",
                "industry_code",
                "legal_representative",
                "address",
                "phone",
                "employees_reported",
            ],
            market_rows(),
        ),
        (
            "tax_payroll",
            em.TaxPayrollRow,
            ["batch_id", "uscc", "name", "period", "payroll_headcount", "payroll_total", "district_code"],
            tax_rows(),
        ),
        (
            "insurance_employers",
            em.InsuranceEmployerRow,
            [
                "batch_id",
                "uscc",
                "name",
                "district_code",
                "insured_pension",
                "insured_injury",
                "insured_unemployment",
                "declared_base_total",
                "arrears_amount",
                "last_paid_period",
            ],
            insured_rows(),
        ),
        (
            "dust_hazard",
            em.DustHazardRow,
            ["batch_id", "uscc", "name", "hazard_factor", "exposed_workers", "industry_code"],
            dust_rows(),
        ),
        (
            "household_registry",
            em.HouseholdRow,
            [
                "batch_id",
                "id_number",
                "name",
                "district_code",
                "street_code",
                "community",
                "phone",
                "birth_date",
                "sex",
            ],
            household_rows(),
        ),
        (
            "insurance_persons",
            em.InsurancePersonRow,
            [
                "batch_id",
                "id_number",
                "name",
                "insurance_type",
                "scheme",
                "status",
                "employer_uscc",
                "last_paid_period",
                "contribution_base",
                "subsidized",
                "phone",
                "birth_date",
                "sex",
            ],
            person_rows(),
        ),
        (
            "civil_affairs",
            em.CivilAffairsRow,
            [
                "batch_id",
                "id_number",
                "name",
                "category",
                "valid_from",
                "valid_to",
                "district_code",
                "street_code",
                "birth_date",
                "sex",
            ],
            registry_rows("civil_affairs"),
        ),
        (
            "poverty_registry",
            em.PovertyRow,
            ["batch_id", "id_number", "name", "status", "district_code", "street_code", "birth_date", "sex"],
            registry_rows("poverty_registry"),
        ),
        (
            "disability_registry",
            em.DisabilityRow,
            [
                "batch_id",
                "id_number",
                "name",
                "disability_level",
                "district_code",
                "street_code",
                "birth_date",
                "sex",
            ],
            registry_rows("disability_registry"),
        ),
        (
            "construction_projects",
            em.ConstructionProjectRow,
            [
                "batch_id",
                "project_code",
                "project_name",
                "builder_uscc",
                "builder_name",
                "district_code",
                "start_date",
                "contract_amount",
                "planned_workers",
            ],
            project_rows(),
        ),
        (
            "insurance_projects",
            em.InsuranceProjectRow,
            ["batch_id", "project_code", "enrolled_on"],
            insured_project_rows(),
        ),
    ]
    raw = connection.connection if connection.connection else None
    connection.ensure_connection()
    raw = connection.connection
    for kind, model, cols, rows in plan:
        with raw.cursor() as c:
            if kind == "dust_hazard":  # a uscc once per file
                rows = first_of_each(rows, key=lambda r: r[1])
            if kind in ("civil_affairs",):
                rows = first_of_each(rows, key=lambda r: (r[1], r[3], r[4]))
            counts[kind] = copy_rows(c, model._meta.db_table, cols, rows)
        raw.commit()
        RosterBatch.objects.filter(pk=b[kind]).update(rows_total=counts[kind], rows_loaded=counts[kind])
    # No ANALYZE here: the product takes its own statistics (enrollment.loading.analyze after
    # a load, analyze_unknown_batches at the start of a run), and the bench must not hide it.
    counts["_generate_and_copy_s"] = round(time.monotonic() - t0, 1)
    return counts


# --- measuring ----------------------------------------------------------------------------------


def baseline() -> dict[str, float]:
    """The three core anti-joins as raw SQL over the same snapshots."""
    from django.db import connection

    from enforcement.comparison.facts import current_snapshots
    from enrollment.models import (
        HouseholdRow,
        InsuranceEmployerRow,
        InsurancePersonRow,
        MarketEntityRow,
        TaxPayrollRow,
    )
    from wuhai_coverage.core.sql import t as table

    T_HOUSEHOLD, T_INS_EMPLOYERS, T_INS_PERSONS, T_MARKET, T_TAX = (
        table(HouseholdRow),
        table(InsuranceEmployerRow),
        table(InsurancePersonRow),
        table(MarketEntityRow),
        table(TaxPayrollRow),
    )

    s = current_snapshots(D)
    m, t, ie, hh, ip = (
        s.id("market_entities"),
        s.id("tax_payroll"),
        s.id("insurance_employers"),
        s.id("household_registry"),
        s.id("insurance_persons"),
    )
    params: dict[str, int | dt.date] = {
        "market": m,
        "tax": t,
        "ins_employers": ie,
        "household": hh,
        "ins_persons": ip,
        "established_by": D - dt.timedelta(days=30),
    }
    queries = {
        "unenrolled_employers": f"""SELECT COUNT(*) FROM {T_MARKET} m
            WHERE m.batch_id = %(market)s AND m.status = 'active'
            AND m.established_on <= %(established_by)s AND NOT EXISTS (SELECT 1 FROM {T_INS_EMPLOYERS} ie
            WHERE ie.batch_id = %(ins_employers)s AND ie.uscc = m.uscc)""",
        "headcount_gap": f"""SELECT COUNT(*) FROM {T_TAX} t JOIN {T_INS_EMPLOYERS} ie
            ON ie.batch_id = %(ins_employers)s AND ie.uscc = t.uscc WHERE t.batch_id = %(tax)s
            AND t.payroll_headcount - ie.insured_pension >= 2""",
        "unenrolled_persons": f"""SELECT COUNT(*) FROM {T_HOUSEHOLD} h
            WHERE h.batch_id = %(household)s AND NOT EXISTS (
            SELECT 1 FROM {T_INS_PERSONS} ip WHERE ip.batch_id = %(ins_persons)s AND ip.id_number = h.id_number
            AND ip.insurance_type = 'pension')""",
    }
    out = {}
    with connection.cursor() as c:
        for name, sql in queries.items():
            t0 = time.monotonic()
            c.execute(sql, params)
            n = c.fetchone()[0]
            out[name] = round(time.monotonic() - t0, 3)
            out[name + "_rows"] = n
    out["total"] = round(sum(v for k, v in out.items() if not k.endswith("_rows")), 3)
    return out


def timed_run(label: str):
    from enforcement.comparison.engine import run_comparison
    from enforcement.models import ComparisonRun

    t0 = time.monotonic()
    summary = run_comparison(as_of=D, trigger="bench")
    wall = time.monotonic() - t0
    run = ComparisonRun.objects.get(pk=summary.run_id)
    print(f"\n== {label}: {wall:.2f} s wall (run.duration_s {summary.duration_s})")
    print(f"   {'rule':24s} {'seconds':>8s} {'opened':>8s} {'closed':>8s} {'open':>8s}")
    for k, v in run.rule_seconds.items():
        print(
            f"   {k:24s} {v:8.3f} {summary.opened.get(k, ''):>8} {summary.closed.get(k, ''):>8} "
            f"{summary.open.get(k, ''):>8}"
        )
    print(
        f"   totals: opened {sum(summary.opened.values())}, closed {sum(summary.closed.values())}, "
        f"open {sum(summary.open.values())}, skipped {summary.skipped}"
    )
    return wall, summary


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=1, help="1 = Wuhai; 10 = ten times")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the generated snapshots; drop only tasks and runs"
    )
    parser.add_argument(
        "--without-statistics",
        action="store_true",
        help="turn the product's own ANALYZE off (to measure what it saves)",
    )
    args = parser.parse_args()
    setup_django()
    if args.without_statistics:
        from enforcement.comparison import engine

        engine.analyze_unknown_batches = lambda batches: []
        engine.analyze = lambda *models: None

    print_server(args.scale)
    if args.reuse:
        from django.db import connection as conn

        with conn.cursor() as c:
            c.execute("TRUNCATE enforcement_taskevent, enforcement_task, enforcement_comparisonrun CASCADE")
        counts: dict[str, float] = {"reused": 1}
    else:
        counts = generate(args.scale, args.seed)
    print("rows:", ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in counts.items()))
    first, s1 = timed_run("first run (started right after the load, as after the pushes)")
    base_before = baseline()  # after the first run: the raw SQL gets no statistics of its own
    second, s2 = timed_run("immediate second run (same snapshots)")
    base = baseline()
    print("\n== baseline: the three core anti-joins as raw SQL (same process)")
    for k, v in base.items():
        print(f"   {k:28s} {v}")
    print(f"   (measured between the runs too: total {base_before['total']} s)")
    print(
        f"\nSUMMARY scale={args.scale} first_run_s={first:.2f} rerun_s={second:.2f} "
        f"baseline_s={base['total']:.3f} ratio_first_to_baseline={first / max(base['total'], 1e-9):.1f} "
        f"ratio_rerun_to_baseline={second / max(base['total'], 1e-9):.1f} "
        f"rerun_opened={sum(s2.opened.values())} rerun_closed={sum(s2.closed.values())}"
    )


if __name__ == "__main__":
    main()
