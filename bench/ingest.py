"""Roster intake benchmark: API push → loaded, queryable snapshot, on PostgreSQL.

Generates a market_entities CSV (default 1,000,000 rows), an insurance_persons CSV
(default 2,000,000 rows) and a household_registry CSV (default 560,000 rows, Wuhai's
residents), then for each:

1. the baseline: a raw `COPY … FROM STDIN (FORMAT csv, HEADER)` of the same file into a
   logged table with a primary key on the natural key, timed in this run;
2. end to end: POST /api/v1/rosters/ through Django's test client (token auth, the real
   view, service and storage), processed by a real Celery worker (a separate process,
   solo pool), polled until `loaded`; the snapshot is then read back through
   enrollment.selectors.batch_current_get.

Prints rows/s, the ratio to the raw COPY, and the peak RSS (VmHWM) of the worker process
that did the processing (a fresh worker per file). Then the pushed snapshot is purged the
way retention purges a superseded one (enrollment.services.roster_rows_purge: detach and
drop its partition on PostgreSQL), timed, beside the same-run baseline of a `DELETE` of
the same rows from the raw table (what the purge was before snapshots were partitions).

    .venv/bin/python bench/ingest.py                      # full size
    .venv/bin/python bench/ingest.py --market 100000 --persons 200000 --household 100000  # quick

Environment: BENCH_DATABASE_URL (default postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_intake_bench,
created if missing), BENCH_BROKER_URL (default redis://127.0.0.1:6379/11).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from benchdb import ensure_database  # noqa: E402 — bench/ is on sys.path when run as a script

if TYPE_CHECKING:
    from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_intake_bench")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/11")
VAR = ROOT / "var" / "bench"

os.environ.update(
    {
        "DATABASE_URL": DB_URL,
        "CELERY_BROKER_URL": BROKER,
        "WUHAI_VAR_DIR": str(VAR),
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "wuhai_coverage.settings",
    }
)

MARKET_HEADER = (
    "统一社会信用代码,企业名称,主体类型,登记状态,成立日期,所属区划代码,街道代码,行业代码,"
    "法定代表人,住所,联系电话,从业人数"
)
HOUSEHOLD_HEADER = "公民身份号码,姓名,区划代码,街道代码,社区,联系电话"
PERSONS_HEADER = (
    "公民身份号码,姓名,险种,参保类型,参保状态,单位信用代码,最近缴费所属期,缴费基数,政府代缴,联系电话"
)

RAW_TABLES = {
    "market_entities": """CREATE TABLE bench_raw_market (
        uscc varchar(18) PRIMARY KEY, name varchar(200), entity_type varchar(16), status varchar(16),
        established_on date, district_code varchar(6), street_code varchar(9), industry_code varchar(5),
        legal_representative varchar(200), address varchar(200), phone varchar(20), employees_reported integer)""",
    "insurance_persons": """CREATE TABLE bench_raw_persons (
        id_number varchar(18), name varchar(200), insurance_type varchar(16), scheme varchar(16),
        status varchar(16), employer_uscc varchar(18), last_paid_period varchar(7), contribution_base numeric(16,2),
        subsidized varchar(5), phone varchar(20), PRIMARY KEY (id_number, insurance_type))""",
    "household_registry": """CREATE TABLE bench_raw_household (
        id_number varchar(18) PRIMARY KEY, name varchar(200), district_code varchar(6), street_code varchar(9),
        community varchar(200), phone varchar(20))""",
}
RAW_NAME = {
    "market_entities": "bench_raw_market",
    "insurance_persons": "bench_raw_persons",
    "household_registry": "bench_raw_household",
}


# --------------------------------------------------------------------------- files


def write_market(path: Path, n: int) -> None:
    from wuhai_coverage.core.validators import USCC_ALPHABET, uscc_check_char

    rng = random.Random(1)
    streets = ["150302001", "150302002", "150302003", "150303001", "150303002", "150304002", "150304003"]
    types = ["企业", "有限责任公司", "个体工商户", "农民专业合作社", "分支机构"]
    statuses = ["存续", "存续", "存续", "在营", "注销", "吊销"]
    industries = ["B0610", "C3011", "F5191", "H6210", "E4710", "", "0610"]
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(MARKET_HEADER + "\r\n")
        lines = []
        for i in range(n):
            street = streets[i % 7]
            body = "9115" + street[2:6] + "".join(rng.choice(USCC_ALPHABET) for _ in range(3)) + f"{i:06d}"
            lines.append(
                f"{body}{uscc_check_char(body)},乌海市{surnames[i % 20]}氏{i}商贸有限公司,{types[i % 5]},"
                f"{statuses[i % 6]},{2000 + i % 25}-{i % 12 + 1:02d}-{i % 28 + 1:02d},{street[:6]},{street},"
                f"{industries[i % 7]},{surnames[(i * 7) % 20]}伟,乌海市海勃湾区滨河路{i % 999}号,"
                f"{'13' if i % 3 else '+86 15'}9{i % 100000000:08d},{i % 300}\r\n"
            )
            if len(lines) == 10_000:
                fh.write("".join(lines))
                lines.clear()
        fh.write("".join(lines))


def write_persons(path: Path, n: int) -> None:
    from wuhai_coverage.core.validators import ric_check_char

    types = ["养老", "工伤", "失业"]
    schemes = ["企业职工", "灵活就业", "城乡居民"]
    statuses = ["正常", "正常", "中断", "退休"]
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    regions = ["150302", "150303", "150304"]
    base = dt.date(1950, 1, 1).toordinal()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(PERSONS_HEADER + "\r\n")
        lines = []
        for i in range(n):
            person = i // 2  # two insurance types per person; (region, birth, seq) unique below 60M
            birth = dt.date.fromordinal(base + (person // 1000) % 20000)
            first17 = f"{regions[(person // 20_000_000) % 3]}{birth:%Y%m%d}{person % 1000:03d}"
            status = statuses[i % 4]
            period = f"2026-{i % 9 + 1:02d}" if status != "退休" else ""
            lines.append(
                f"{first17}{ric_check_char(first17)},{surnames[person % 20]}{'伟芳娜敏静'[person % 5]},"
                f"{types[i % 2 + (person % 2)]},{schemes[person % 3]},{status},,{period},{4000 + i % 8000},"
                f"{'否' if i % 10 else '是'},13{i % 1000000000:09d}\r\n"
            )
            if len(lines) == 10_000:
                fh.write("".join(lines))
                lines.clear()
        fh.write("".join(lines))


def write_household(path: Path, n: int) -> None:
    from wuhai_coverage.core.validators import ric_check_char

    streets = ["150302001", "150302002", "150302003", "150303001", "150303002", "150304002", "150304003"]
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    base = dt.date(1940, 1, 1).toordinal()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(HOUSEHOLD_HEADER + "\r\n")
        lines = []
        for i in range(n):
            street = streets[i % 7]
            birth = dt.date.fromordinal(base + (i // 1000) % 28000)
            first17 = f"{street[:6]}{birth:%Y%m%d}{i % 1000:03d}"
            lines.append(
                f"{first17}{ric_check_char(first17)},{surnames[i % 20]}{'伟芳娜敏静'[i % 5]},{street[:6]},{street},"
                f"第{i % 40 + 1}社区,{'13' if i % 4 else ''}{f'9{i % 100000000:08d}' if i % 4 else ''}\r\n"
            )
            if len(lines) == 10_000:
                fh.write("".join(lines))
                lines.clear()
        fh.write("".join(lines))


# --------------------------------------------------------------------------- measuring


def raw_copy(kind: str, path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {RAW_NAME[kind]}")
        cur.execute(RAW_TABLES[kind])
    connection.commit() if not connection.get_autocommit() else None
    start = time.perf_counter()
    with connection.cursor() as cur, open(path, "rb") as fh:
        cur.copy_expert(f"COPY {RAW_NAME[kind]} FROM STDIN WITH (FORMAT csv, HEADER true)", fh, size=1 << 20)
    elapsed = time.perf_counter() - start
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {RAW_NAME[kind]}")
        assert cur.fetchone()[0] > 0
    return elapsed


def raw_delete(kind: str) -> float:
    """The same-run baseline of the purge: DELETE every row of the raw table (the rows of
    one snapshot, as the purge did when the row table held all snapshots), committed."""
    from django.db import connection, transaction

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {RAW_NAME[kind]}")
    elapsed = time.perf_counter() - start
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE {RAW_NAME[kind]}")
    return elapsed


def purge(batch) -> float:
    """Purge a snapshot's rows the way retention does, timed (its commit included)."""
    from enrollment import services

    start = time.perf_counter()
    if hasattr(services, "roster_rows_purge"):
        services.roster_rows_purge(batch)
    else:  # the code before partitioned snapshots: roster_retention's DELETE
        from django.db import transaction

        from enrollment.models import ROW_MODELS

        with transaction.atomic():
            ROW_MODELS[batch.kind]._default_manager.filter(batch_id=batch.pk).delete()
    return time.perf_counter() - start


def start_worker() -> subprocess.Popen:
    from wuhai_coverage.celery import app

    worker = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            "-A",
            "wuhai_coverage",
            "worker",
            "-P",
            "solo",
            "-c",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
            "-n",
            f"bench-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5, destination=[f"bench-{os.getpid()}@{os.uname().nodename}"]):
            return worker
        if worker.poll() is not None:
            raise SystemExit("the Celery worker did not start")
    raise SystemExit("the Celery worker did not answer a ping")


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def push_and_wait(client: Client, kind: str, path: Path) -> tuple[float, dict]:
    from enrollment.selectors import batch_current_get

    start = time.perf_counter()
    with open(path, "rb") as fh:
        response = client.post("/api/v1/rosters/", {"kind": kind, "file": fh})
    assert response.status_code in (201, 202), response.content[:500]
    body = response.json()
    while body["status"] == "processing":
        time.sleep(0.1)  # 600 polls a minute: under the API's per-user rate (API_THROTTLE_USER, 1200/min)
        body = client.get(f"/api/v1/rosters/{body['id']}/").json()
    elapsed = time.perf_counter() - start
    assert body["status"] == "loaded", body
    batch = batch_current_get(kind=kind, as_of=dt.date.fromisoformat(body["snapshot_date"]))
    assert batch is not None and batch.pk == body["id"]
    return elapsed, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--market", type=int, default=1_000_000)
    parser.add_argument("--persons", type=int, default=2_000_000)
    parser.add_argument("--household", type=int, default=560_000)
    args = parser.parse_args()

    ensure_database(DB_URL)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from enrollment.models import ROW_MODELS, RosterBatch
    from wuhai_coverage.core.models import User
    from wuhai_coverage.core.services import api_token_issue

    call_command("migrate", verbosity=0)
    VAR.mkdir(parents=True, exist_ok=True)
    jobs = [
        ("market_entities", args.market, write_market, "market"),
        ("insurance_persons", args.persons, write_persons, "hrss"),
        ("household_registry", args.household, write_household, "public_security"),
    ]
    print(f"roster intake benchmark on {DB_URL.rsplit('@', 1)[-1]}, {os.cpu_count()} CPUs")
    for kind, n, writer, department in jobs:
        if not n:
            continue
        path = VAR / f"{kind}-{n}.csv"
        if not path.exists():
            t = time.perf_counter()
            writer(path, n)
            print(
                f"  generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s"
            )
        # A fresh file each run (idempotency would otherwise answer 200 with the earlier batch).
        for old in RosterBatch.objects.filter(kind=kind):
            purge(old)
        RosterBatch.objects.filter(kind=kind).delete()
        ROW_MODELS[kind]._default_manager.all().delete()
        user, _ = User.objects.get_or_create(
            username=f"bench-{department}", defaults={"role": "partner", "department": department}
        )
        key = api_token_issue(username=user.username, rotate=True)
        client = Client(headers={"Authorization": f"Token {key}"})

        raw = raw_copy(kind, path)
        worker = start_worker()
        try:
            from django.utils import timezone

            t_push = timezone.now()
            cpu_before = cpu_seconds(worker.pid)
            e2e, body = push_and_wait(client, kind, path)
            worker_cpu = cpu_seconds(worker.pid) - cpu_before
            rss = peak_rss_mb(worker.pid)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        rows = body["rows_loaded"]
        print(f"\n{kind}: {n:,} rows, {path.stat().st_size / 1e6:.0f} MB")
        print(f"  raw COPY into a logged table with a primary key: {raw:6.2f} s  {n / raw:>9,.0f} rows/s")
        print(
            f"  API push → loaded snapshot (end to end):         {e2e:6.2f} s  {rows / e2e:>9,.0f} rows/s "
            f"({rows:,} loaded, {body['rows_rejected']:,} rejected, {body['warnings']:,} warnings)"
        )
        batch = RosterBatch.objects.get(pk=body["id"])
        # A loaded batch has all three instants (roster_process stamps them).
        assert batch.received_at and batch.started_at and batch.finished_at
        upload = (batch.received_at - t_push).total_seconds()
        queued = (batch.started_at - batch.received_at).total_seconds()
        work = (batch.finished_at - batch.started_at).total_seconds()
        print(
            f"    of which: request + hash + store {upload:.2f} s, queue {queued:.2f} s, "
            f"worker read/check/COPY {work:.2f} s ({rows / work:,.0f} rows/s), poll {e2e - upload - queued - work:.2f} s"
        )
        print(
            f"    the worker's CPU time for it (Python: read, check, format; the database's is not in it): "
            f"{worker_cpu:.2f} s ({rows / worker_cpu:,.0f} rows/s)"
        )
        print(f"  ratio end to end / raw COPY:                     {e2e / raw:6.2f}x")
        print(f"  peak RSS of the worker process:                  {rss:6.0f} MB")
        deleted = raw_delete(kind)
        purged = purge(batch)
        print(f"  purge of this snapshot ({rows:,} rows):           {purged:6.2f} s")
        print(f"    same-run baseline, DELETE of the raw table:    {deleted:6.2f} s")


if __name__ == "__main__":
    main()
