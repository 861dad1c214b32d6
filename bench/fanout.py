"""The comparison fanned out on Celery workers, at Wuhai size (bench/comparison.py's world).

Measures, on the same snapshots, each a first run (the task tables emptied before it,
every rule executed):

1. the run in one process (`run_comparison`, what `manage.py run_comparison` does);
2. the fan-out with ONE worker of the `comparison` queue (`celery worker -Q comparison
   --concurrency 1`, a separate process): requested like the API does (`start_run`),
   timed from the request to the run's `finished`;
3. the fan-out with TWO such workers (two processes, `--concurrency 1` each);
4. a household push (560 k rows, through the API, loaded by a `-Q roster` worker) alone,
   then the same push started while a fanned-out run is going (two comparison workers):
   the push's time and the run's time beside their times alone.

Each figure is printed with its ratio to the same-run baseline (the three core anti-joins
as bare SQL, bench/comparison.py) and, for the fan-out, to the one-process run.

    BENCH_DATABASE_URL=postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_fanout_bench \\
    BENCH_BROKER_URL=redis://127.0.0.1:6379/15 .venv/bin/python bench/fanout.py [--reuse]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_fanout_bench")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15")
os.environ.update(
    {
        "DATABASE_URL": DB_URL,
        "CELERY_BROKER_URL": BROKER,
        "DJANGO_SECRET_KEY": os.environ.get(
            "DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
        ),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "COMPARISON_FANOUT": "1",
        "DJANGO_DEBUG": "0",  # a debug cursor has no COPY with a buffer size (the loader uses it)
    }
)

import comparison as world  # noqa: E402 — bench/comparison.py: the Wuhai world, the baseline

D = world.D
HOUSEHOLD_HEADER = "公民身份号码,姓名,区划代码,街道代码,社区,联系电话"


def start_worker(name: str, queues: str) -> subprocess.Popen:
    """`celery worker -Q queues --concurrency 1` (prefork: one child), as a deployment runs it."""
    from wuhai_coverage.celery import app

    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            "-A",
            "wuhai_coverage",
            "worker",
            "-Q",
            queues,
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
            "-n",
            f"{name}-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5, destination=[f"{name}-{os.getpid()}@{os.uname().nodename}"]):
            return proc
        if proc.poll() is not None:
            raise SystemExit(f"the worker {name} did not start")
    raise SystemExit(f"the worker {name} did not answer a ping")


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def reset() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("TRUNCATE enforcement_taskevent, enforcement_task, enforcement_comparisonrun CASCADE")
        c.execute("DELETE FROM outbox_outboxmessage")


def one_process() -> float:
    from enforcement.comparison.engine import run_comparison

    reset()
    t0 = time.monotonic()
    summary = run_comparison(as_of=D, trigger="bench", force=True)
    wall = time.monotonic() - t0
    print(f"   opened {sum(summary.opened.values())}, run.duration_s {summary.duration_s}")
    return wall


def request_run() -> tuple[int, float]:
    from enforcement.comparison.engine import start_run

    t0 = time.monotonic()
    run = start_run(as_of=D, trigger="bench", force=True)
    return run.pk, t0


def wait_run(run_id: int, t0: float) -> float:
    from enforcement.models import ComparisonRun

    t0_epoch = time.time() - (time.monotonic() - t0)
    while True:
        run = ComparisonRun.objects.get(pk=run_id)
        if run.status != "running":
            break
        time.sleep(0.05)
    wall = time.monotonic() - t0
    assert run.status == "finished", run.error
    parts = (run.progress or {}).get("parts") or {}
    workers = sorted({p.get("worker", "?").split("@")[0] for p in parts.values()})
    busy = sum(p.get("seconds") or 0 for p in parts.values())
    first = min((p["started"] for p in parts.values() if p.get("started")), default=0.0)
    last = max((p["finished"] for p in parts.values() if p.get("finished")), default=0.0)
    assert run.finished_at is not None
    print(
        f"   opened {sum(run.opened.values())}, {len(parts)} parts on {workers}: "
        f"parts from first start to last end {last - first:.2f} s (their own seconds: {busy:.2f}), "
        f"plan {first - t0_epoch:.2f} s, write {run.finished_at.timestamp() - last:.2f} s"
    )
    steps = {k: v for k, v in run.rule_seconds.items() if k.startswith("_")}
    print(f"   steps: {steps}")
    return wall


def fanned(workers: int) -> float:
    reset()
    procs = [start_worker(f"cmp{i}", "comparison") for i in range(workers)]
    try:
        run_id, t0 = request_run()
        return wait_run(run_id, t0)
    finally:
        stop(procs)


def write_household(path: Path, n: int, offset: int) -> None:
    """A household file of n valid rows (ID numbers from `offset`, so each push is new)."""
    from wuhai_coverage.core.validators import ric_check_char

    streets = ["150302001", "150302002", "150302003", "150303001", "150303002", "150304002", "150304003"]
    base = dt.date(1940, 1, 1).toordinal()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(HOUSEHOLD_HEADER + "\r\n")
        lines = []
        for j in range(n):
            i = j + offset
            street = streets[i % 7]
            birth = dt.date.fromordinal(base + (i // 1000) % 28000)
            first17 = f"{street[:6]}{birth:%Y%m%d}{i % 1000:03d}"
            lines.append(
                f"{first17}{ric_check_char(first17)},居民{i % 97},{street[:6]},{street},第{i % 40 + 1}社区,\r\n"
            )
            if len(lines) == 10_000:
                fh.write("".join(lines))
                lines.clear()
        fh.write("".join(lines))


def push_client():
    from django.test import Client

    from wuhai_coverage.core.models import User
    from wuhai_coverage.core.services import api_token_issue

    user, _ = User.objects.get_or_create(
        username="bench-public-security", defaults={"role": "partner", "department": "public_security"}
    )
    key = api_token_issue(username=user.username, rotate=True)
    return Client(headers={"Authorization": f"Token {key}"})


def push(client, path: Path) -> tuple[int, float]:
    t0 = time.monotonic()
    with open(path, "rb") as fh:
        res = client.post("/api/v1/rosters/", {"kind": "household_registry", "file": fh})
    assert res.status_code in (201, 202), res.content[:300]
    return res.json()["id"], t0


def wait_push(batch_id: int, t0: float) -> float:
    from enrollment.models import RosterBatch

    while (b := RosterBatch.objects.get(pk=batch_id)).status == "processing":
        time.sleep(0.05)
    assert b.status == "loaded", (b.status, b.message)
    return time.monotonic() - t0


def purge_pushes() -> None:
    from enrollment import services
    from enrollment.models import RosterBatch

    for batch in RosterBatch.objects.filter(pushed_by__username="bench-public-security"):
        services.roster_rows_purge(batch)
        RosterBatch.objects.filter(pk=batch.pk).delete()


def push_during_run(rows: int) -> dict[str, float]:
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    files = [var / f"fanout-household-{k}.csv" for k in ("a", "b")]
    for k, path in enumerate(files):
        write_household(path, rows, offset=10_000_000 * (k + 1) + int(time.time()) % 1_000_000)
    client = push_client()
    purge_pushes()
    reset()
    procs = [start_worker("roster", "roster,celery")] + [
        start_worker(f"cmp{i}", "comparison") for i in range(2)
    ]
    try:
        batch, t0 = push(client, files[0])
        alone = wait_push(batch, t0)
        print(f"   push alone: {alone:.2f} s ({rows / alone:,.0f} rows/s)")
        run_id, t_run = request_run()
        time.sleep(0.5)  # the run is planning: the push lands in the middle of its parts
        batch, t_push = push(client, files[1])
        during = wait_push(batch, t_push)
        run_wall = wait_run(run_id, t_run)
        print(
            f"   push during the run: {during:.2f} s ({rows / during:,.0f} rows/s); the run: {run_wall:.2f} s"
        )
        return {"push_alone": alone, "push_during": during, "run_with_push": run_wall}
    finally:
        stop(procs)
        purge_pushes()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuse", action="store_true", help="keep the generated snapshots of an earlier run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--push-rows", type=int, default=560_000, help="household rows of the pushed file")
    parser.add_argument("--skip-push", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of 1-3 (medians are compared)")
    args = parser.parse_args()
    world.setup_django()
    world.print_server(1)
    from django.conf import settings

    assert settings.COMPARISON_FANOUT and settings.CELERY_BROKER_URL, "needs a broker and the fan-out on"
    if args.reuse:
        reset()
    else:
        counts = world.generate(1, args.seed)
        print(
            "rows:", ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in counts.items())
        )

    singles, ones, twos = [], [], []
    for round_ in range(1, args.repeat + 1):
        print(f"\n== round {round_}/{args.repeat}")
        print("== 1. one process (run_comparison, forced first run)")
        singles.append(one_process())
        print(f"   {singles[-1]:.2f} s")
        print("== 2. fan-out, 1 worker (-Q comparison --concurrency 1)")
        ones.append(fanned(1))
        print(f"   {ones[-1]:.2f} s")
        print("== 3. fan-out, 2 workers (two processes, --concurrency 1 each)")
        twos.append(fanned(2))
        print(f"   {twos[-1]:.2f} s")
    single, one, two = (statistics.median(x) for x in (singles, ones, twos))
    print(
        f"\n== medians of {args.repeat} rounds (each: {[round(x, 2) for x in singles]}, "
        f"{[round(x, 2) for x in ones]}, {[round(x, 2) for x in twos]})"
    )
    base = world.baseline()["total"]
    print(f"\n== baseline: the three core anti-joins as bare SQL, same run: {base:.3f} s")
    push: dict[str, float] | None = {} if args.skip_push else None
    if push is None:
        print(
            "\n== 4. a household push while a fanned-out run is going (roster worker + 2 comparison workers)"
        )
        push = push_during_run(args.push_rows)
        print(f"   the run alone with 2 workers: {two:.2f} s")
    print(
        f"\nSUMMARY one_process_s={single:.2f} ({single / base:.1f}x baseline) "
        f"fanout_1_worker_s={one:.2f} ({one / base:.1f}x, {one / single:.2f}x one process) "
        f"fanout_2_workers_s={two:.2f} ({two / base:.1f}x, {two / single:.2f}x one process, {two / one:.2f}x one worker) "
        f"baseline_s={base:.3f}"
    )
    if push:
        print(
            f"SUMMARY push_alone_s={push['push_alone']:.2f} push_during_run_s={push['push_during']:.2f} "
            f"({push['push_during'] / push['push_alone']:.2f}x alone) run_with_push_s={push['run_with_push']:.2f} "
            f"({push['run_with_push'] / two:.2f}x the run alone)"
        )
    print("two workers not slower than one:", "met" if two <= one * 1.05 else f"MISSED by {two / one:.2f}x")


if __name__ == "__main__":
    main()
