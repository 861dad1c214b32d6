"""Region bench: every roster of Inner Mongolia pushed through the API, the comparison run
twice, the registry refreshed and the ranking warmed — as the product does it every night,
with a real gunicorn, a real Celery worker and PostgreSQL.

    BENCH_DATABASE_URL=postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_region_bench \\
        .venv/bin/python bench/region.py --scale 0.25        # a quarter of the region
    .venv/bin/python bench/region.py --scale 1               # the region (~58 M rows, 5 GB of CSV)
    .venv/bin/python bench/region.py --scale wuhai           # Wuhai itself (1/43), minutes

Steps, each printed with its wall time, rows/s where rows move, and the WAL it wrote:

1. generate the files (bench/regiondata.py; deterministic by --seed, reused when present);
2. baseline A: a raw `COPY` of the household file into a logged table keyed like the
   product's (id_number primary key), in this run;
3. push every file: a streamed multipart POST /api/v1/rosters/ to gunicorn, processed by
   a Celery worker, polled until `loaded` (the household push is compared with baseline A);
4. comparison run 1 and run 2 over the same snapshots (POST /api/v1/comparison-runs/,
   its parts executed by `--workers` Celery workers (2 by default), polled until finished);
5. baseline B: the three core anti-joins as bare SQL (bench/comparison.py's baseline);
6. the registry refresh and the ranking warm-up — the assessment's materialisation, then the
   cold ranking from its counts, a weight change re-scored and the drill-down's first,
   middle and last page, all timed (the nightly tasks' functions, run in a child process
   that stands for the worker, so that its peak RSS is measured alone).

At the end: the peak RSS (VmHWM) of every process (gunicorn master and workers, the Celery
worker, the bench itself, each child), the database size and the WAL written, and the
issue's targets with the margin by which each is met or missed. Run on a 2-core, 24 GB
machine with 80 GB free disk; docs/scaling.md gives the figures and the time it takes.

The database named in BENCH_DATABASE_URL is EMPTIED of rosters, tasks and runs first (its
name must contain "bench").
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

from benchdb import ensure_database  # noqa: E402 — bench/ is on sys.path when run as a script
from regiondata import D, generate, parse_scale  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_region_bench")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12")
VAR = ROOT / "var" / "region"
SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
# A region household file is ~2.3 GB: the bench raises the upload limit as a region
# deployment would (ROSTER_MAX_BYTES, ROSTER_MAX_CELLS; docs/scaling.md).
ENV = {
    "DATABASE_URL": DB_URL,
    "CELERY_BROKER_URL": BROKER,
    "WUHAI_VAR_DIR": str(VAR / "portal"),
    "DJANGO_SECRET_KEY": SECRET,
    "DJANGO_DEBUG": "0",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "wuhai_coverage.settings",
    "ROSTER_MAX_BYTES": str(16 * 1024**3),
    "ROSTER_MAX_CELLS": str(2_000_000_000),
    "API_THROTTLE_USER": "100000/min",
}
os.environ.update(ENV)

TARGETS = {  # issue 14's targets, printed beside the figures (never asserted)
    "first_run_s": 600,
    "rerun_s": 60,
    "household_rows_per_s": 150_000,
    "household_ratio_to_copy": 2.0,
    "rss_mb": 1024,
}


# --- processes ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "wuhai_coverage.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "3600",  # a multi-GB upload is read and hashed inside one request
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ},
    )
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def start_worker(name: str) -> subprocess.Popen:
    from wuhai_coverage.celery import app

    worker = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            "-A",
            "wuhai_coverage",
            "worker",
            "-Q",
            "celery,roster,comparison",
            "-P",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
            "-n",
            f"{name}@%h",
        ],
        cwd=ROOT,
        env={**os.environ},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5, destination=[f"{name}@{os.uname().nodename}"]):
            return worker
        if worker.poll() is not None:
            raise SystemExit("the Celery worker did not start")
    raise SystemExit("the Celery worker did not answer a ping")


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Peaks:
    """The highest VmHWM seen per process label (gunicorn workers may be recycled)."""

    def __init__(self) -> None:
        self.mb: dict[str, float] = {}

    def see(self, label: str, pid: int) -> None:
        value = peak_rss_mb(pid)
        if value == value:  # not NaN
            self.mb[label] = max(self.mb.get(label, 0.0), value)


# --- the database -------------------------------------------------------------------------------


def wal_lsn() -> str:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT pg_current_wal_lsn()::text")
        return c.fetchone()[0]


def wal_since(lsn: str) -> float:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", [lsn])
        return float(c.fetchone()[0]) / 1e6


def db_size_mb() -> float:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT pg_database_size(current_database())")
        return c.fetchone()[0] / 1e6


def empty_database() -> None:
    from django.db import connection

    from enforcement.models import ComparisonRun, Task, TaskEvent
    from enrollment.models import ROW_MODELS, Employer, Enrollment, Person, RosterBatch

    tables = [m._meta.db_table for m in ROW_MODELS.values()] + [
        Enrollment._meta.db_table,
        Person._meta.db_table,
        Employer._meta.db_table,
        TaskEvent._meta.db_table,
        Task._meta.db_table,
        ComparisonRun._meta.db_table,
        RosterBatch._meta.db_table,
    ]
    with connection.cursor() as c:
        c.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")  # a bench database only


def raw_copy_household(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS bench_raw_household")
        c.execute(
            """CREATE TABLE bench_raw_household (id_number varchar(18) PRIMARY KEY, name varchar(200),
            district_code varchar(6), street_code varchar(9), community varchar(200), phone varchar(20))"""
        )
    start = time.perf_counter()
    with connection.cursor() as c, open(path, "rb") as fh:
        c.copy_expert("COPY bench_raw_household FROM STDIN WITH (FORMAT csv, HEADER true)", fh, size=1 << 20)
    elapsed = time.perf_counter() - start
    with connection.cursor() as c:
        c.execute("DROP TABLE bench_raw_household")
    return elapsed


# --- HTTP ---------------------------------------------------------------------------------------


def push(port: int, token: str, kind: str, path: Path) -> dict:
    """POST the file as a multipart form, streamed from disk (the bench never holds it)."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="snapshot_date"\r\n\r\n{D.isoformat()}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    conn.putrequest("POST", "/api/v1/rosters/")
    conn.putheader("Authorization", f"Token {token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(head) + path.stat().st_size + len(tail)))
    conn.endheaders()
    conn.send(head)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            conn.send(chunk)
    conn.send(tail)
    response = conn.getresponse()
    body = json.loads(response.read() or b"{}")
    if response.status not in (200, 201, 202):
        raise SystemExit(f"push of {kind} answered {response.status}: {body}")
    return body


def api_get(port: int, token: str, path: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", path, headers={"Authorization": f"Token {token}"})
    response = conn.getresponse()
    body = json.loads(response.read() or b"{}")
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}: {body}")
    return body


def api_post_json(port: int, token: str, path: str, payload: dict) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request(
        "POST",
        path,
        body=json.dumps(payload),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def wait_batch(port: int, token: str, batch_id: int, watch) -> dict:
    while True:
        body = api_get(port, token, f"/api/v1/rosters/{batch_id}/")
        watch()
        if body["status"] != "processing":
            return body
        time.sleep(0.5)


def run_comparison(port: int, token: str, watch) -> tuple[float, dict]:
    start = time.perf_counter()
    status, body = api_post_json(port, token, "/api/v1/comparison-runs/", {"as_of": D.isoformat()})
    if status not in (200, 201, 202):
        raise SystemExit(f"starting a run answered {status}: {body}")
    while body.get("status") in ("queued", "running"):
        time.sleep(0.1)
        watch()
        body = api_get(port, token, f"/api/v1/comparison-runs/{body['id']}/")
    return time.perf_counter() - start, body


# --- the nightly follow-ups in a child process --------------------------------------------------


def child_step(step: str) -> None:
    """Run inside the child: `--child registry` or `--child ranking`."""
    import django

    django.setup()
    if step == "registry":
        from enrollment.registry import registry_refresh

        summary = registry_refresh(as_of=D)
        print(json.dumps({"summary": summary.as_dict(), "vmhwm_mb": peak_rss_mb(os.getpid())}, default=str))
    else:
        from django.core.cache import cache

        from assessment import parameters, selectors, services

        # What the 02:30 warm-up does: materialise the snapshot indicators (this year and
        # last year's baseline), then the first ranking view, cold (no cached counts).
        period = selectors.period_get(D.year, as_of=D, today=D)
        start = time.perf_counter()
        runs = services.indicators_materialise(period=period)
        runs += services.indicators_materialise(period=period.last_year)
        materialise_s = time.perf_counter() - start
        cache.clear()
        start = time.perf_counter()
        params = selectors.parameters_current_get()
        districts = len(selectors.ranking_list(period, params))
        ranking_s = time.perf_counter() - start
        # A weight change: the same counts re-scored (median of 3), tasks and postings live.
        heavier = dict(params, **{parameters.weight_name(parameters.EMPLOYER_COVERAGE): Decimal("40")})
        rescores = []
        for _ in range(3):
            start = time.perf_counter()
            selectors.ranking_list(period, heavier)
            rescores.append(time.perf_counter() - start)
        # The drill-down of the largest person indicator: first, middle and last page by keyset.
        code, district, size = parameters.INTERRUPTION_RATE, "150302", selectors.ROWS_PAGE_SIZE
        first = selectors.indicator_rows_page_get(
            code, period, district_code=district, subset="all", page_no=1
        )
        total = first.total
        pages_ms = {}
        for name, n in (
            ("first", 1),
            ("middle", max(1, total // size // 2)),
            ("last", max(1, -(-total // size))),
        ):
            start = time.perf_counter()
            selectors.indicator_rows_page_get(code, period, district_code=district, subset="all", page_no=n)
            pages_ms[name] = round((time.perf_counter() - start) * 1000, 1)
        print(
            json.dumps(
                {
                    "districts": districts,
                    "materialise_s": round(materialise_s, 2),
                    "materialised_rows": sum(r.rows for r in runs),
                    "ranking_cold_s": round(ranking_s, 3),
                    "rescore_s": round(sorted(rescores)[1], 3),
                    "rows_page_ms": pages_ms,
                    "rows_total": total,
                    "vmhwm_mb": peak_rss_mb(os.getpid()),
                }
            )
        )


def timed_child(step: str) -> tuple[float, float, str]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", step], cwd=ROOT, env={**os.environ}, stdout=subprocess.PIPE
    )
    out = proc.stdout.read().decode() if proc.stdout else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"the {step} step failed ({proc.returncode})")
    # ru_maxrss survives exec (it would report the bench's own peak): the child's own
    # VmHWM, read by itself before it exits, is its peak.
    del usage
    rss = float(json.loads(out.strip().splitlines()[-1]).get("vmhwm_mb", "nan"))
    return time.perf_counter() - start, rss, out.strip()


# --- main ---------------------------------------------------------------------------------------


def fmt_target(value: float, target: float, *, higher_is_better: bool = False) -> str:
    met = value >= target if higher_is_better else value <= target
    if met:
        return f"met (target {target:,g})"
    by = (target / value) if higher_is_better else (value / target)
    return f"MISSED by {by:.2f}x (target {target:,g})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="0.25", help="1 = the region, 0.25 a quarter, 'wuhai' = 1/43")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="Celery workers (solo pool each): the comparison's parts run on all",
    )
    parser.add_argument("--child", choices=["registry", "ranking"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_step(args.child)
        return

    scale = parse_scale(args.scale)
    started = time.perf_counter()
    t = time.perf_counter()
    folder, manifest = generate(scale=scale, seed=args.seed, out=VAR)
    files_s = time.perf_counter() - t
    kinds = manifest["kinds"]
    total_rows = sum(k["rows"] for k in kinds.values())
    print(
        f"region bench, scale {scale:g} (seed {args.seed}): {total_rows:,} rows in {len(kinds)} files, "
        f"{sum(k['bytes'] for k in kinds.values()) / 1e9:.2f} GB under {folder} "
        f"({'reused' if files_s < 1 else f'generated in {files_s:.0f} s'})"
    )

    ensure_database(DB_URL)
    import django

    django.setup()
    from django.core.management import call_command

    from wuhai_coverage.core.models import User
    from wuhai_coverage.core.services import api_token_issue

    call_command("migrate", verbosity=0)
    empty_database()
    from benchdb import print_server

    print_server(args.scale)
    tokens: dict[str, str] = {}
    for department in sorted({k["department"] for k in kinds.values()}):
        user, _ = User.objects.get_or_create(
            username=f"region-{department}", defaults={"role": "partner", "department": department}
        )
        tokens[department] = api_token_issue(username=user.username, rotate=True)
    manager, _ = User.objects.get_or_create(username="region-manager", defaults={"role": "city_manager"})
    tokens["manager"] = api_token_issue(username=manager.username, rotate=True)

    peaks = Peaks()
    lsn0 = wal_lsn()
    rows = {}

    # 2. baseline A
    household = folder / "household_registry.csv"
    raw = raw_copy_household(household)
    n_house = kinds["household_registry"]["rows"]
    print(f"\nbaseline A: raw COPY of the household file, keyed: {raw:.1f} s, {n_house / raw:,.0f} rows/s")

    port = free_port()
    web = start_gunicorn(port, args.gunicorn_workers)
    workers = [start_worker(f"region-{os.getpid()}-{i}") for i in range(max(1, args.workers))]

    def watch() -> None:
        peaks.see("gunicorn master", web.pid)
        for pid in children(web.pid):
            peaks.see("gunicorn worker", pid)
        for i, worker in enumerate(workers):
            peaks.see(f"celery worker {i + 1}", worker.pid)

    try:
        # 3. pushes
        print("\npushes (API → Celery worker → loaded snapshot):")
        push_total = 0.0
        for kind, k in kinds.items():
            lsn = wal_lsn()
            t = time.perf_counter()
            body = push(port, tokens[k["department"]], kind, folder / f"{kind}.csv")
            body = wait_batch(port, tokens[k["department"]], body["id"], watch)
            elapsed = time.perf_counter() - t
            push_total += elapsed
            if body["status"] != "loaded":
                raise SystemExit(f"{kind} ended {body['status']}: {body}")
            rows[kind] = (elapsed, body["rows_loaded"])
            print(
                f"  {kind:24s} {body['rows_loaded']:>12,} rows {elapsed:8.1f} s "
                f"{body['rows_loaded'] / elapsed:>10,.0f} rows/s  WAL {wal_since(lsn):>8,.0f} MB"
            )
        hh_s, hh_rows = rows["household_registry"]
        print(f"  all pushes: {push_total:.1f} s")

        # 4. comparison twice
        lsn = wal_lsn()
        first_s, first = run_comparison(port, tokens["manager"], watch)
        print(f"\ncomparison run 1: {first_s:.1f} s ({first.get('status')}), WAL {wal_since(lsn):,.0f} MB")
        print(
            f"  {json.dumps({k: first.get(k) for k in ('opened', 'refreshed', 'closed')}, ensure_ascii=False)}"
        )
        lsn = wal_lsn()
        second_s, second = run_comparison(port, tokens["manager"], watch)
        print(
            f"comparison run 2 (unchanged rosters): {second_s:.1f} s ({second.get('status')}), WAL {wal_since(lsn):,.0f} MB"
        )
        watch()
    finally:
        for proc in (web, *workers):
            proc.send_signal(signal.SIGTERM)
        for proc in (web, *workers):
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()

    # 5. baseline B
    from comparison import baseline

    base = baseline()
    print(f"\nbaseline B: the three core anti-joins as bare SQL: {base['total']:.2f} s {base}")

    # 6. nightly follow-ups
    lsn = wal_lsn()
    reg_s, reg_rss, reg_out = timed_child("registry")
    print(
        f"\nregistry refresh: {reg_s:.1f} s, peak RSS {reg_rss:.0f} MB, WAL {wal_since(lsn):,.0f} MB  {reg_out[:300]}"
    )
    rank_s, rank_rss, rank_out = timed_child("ranking")
    ranked = json.loads(rank_out.splitlines()[-1])
    print(
        f"ranking warm-up: {rank_s:.1f} s in all (child start-up included), peak RSS {rank_rss:.0f} MB; "
        f"materialisation {ranked['materialise_s']:.1f} s ({ranked['materialised_rows']:,} rows), "
        f"then the cold ranking from the counts {ranked['ranking_cold_s']:.3f} s"
    )
    print(
        f"weight change re-scored: {ranked['rescore_s']:.3f} s; drill-down pages by keyset "
        f"({ranked['rows_total']:,} rows of 海勃湾区's interruption indicator): {ranked['rows_page_ms']} ms"
    )
    peaks.mb["registry child"] = reg_rss
    peaks.mb["ranking child"] = rank_rss
    peaks.mb["bench"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print("\npeak RSS per process (MB):")
    for label, mb in sorted(peaks.mb.items()):
        print(f"  {label:18s} {mb:8.0f}  {fmt_target(mb, TARGETS['rss_mb'])}")
    print(f"\ndatabase size {db_size_mb():,.0f} MB; WAL written by the whole bench {wal_since(lsn0):,.0f} MB")
    print(f"wall time of the bench: {(time.perf_counter() - started) / 60:.1f} min")

    hh_rate = hh_rows / hh_s
    print(
        f"\nSUMMARY scale={scale:g} rows={total_rows} first_run_s={first_s:.1f} rerun_s={second_s:.1f} "
        f"baseline_antijoins_s={base['total']:.2f} ratio_first={first_s / max(base['total'], 1e-9):.1f} "
        f"ratio_rerun={second_s / max(base['total'], 1e-9):.1f} household_rows_per_s={hh_rate:,.0f} "
        f"household_ratio_to_copy={hh_s / raw:.2f} registry_s={reg_s:.1f} ranking_s={rank_s:.1f} "
        f"materialise_s={ranked['materialise_s']:.1f} ranking_cold_s={ranked['ranking_cold_s']:.3f}"
    )
    factor = 1 / scale  # targets are for the whole region: a smaller scale is held to its share
    print("targets (region size; at a smaller scale the time targets are divided by 1/scale):")
    print(f"  first run    {fmt_target(first_s, TARGETS['first_run_s'] / factor)}")
    print(f"  rerun        {fmt_target(second_s, TARGETS['rerun_s'] / factor)}")
    print(
        f"  household    {fmt_target(hh_rate, TARGETS['household_rows_per_s'], higher_is_better=True)} rows/s"
    )
    print(f"  vs raw COPY  {fmt_target(hh_s / raw, TARGETS['household_ratio_to_copy'])}")


if __name__ == "__main__":
    main()
