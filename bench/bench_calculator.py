"""Benchmark of the public pension estimator: the latency of /calculator/ with a query
(the form, the parameters read from the database, the computation and every step
rendered) against /healthz/ (one `SELECT 1`) as the baseline, in the same process on the
same database. Prints p50/p95/p99 of each and the ratio of the p95s; asserts nothing.

Two modes:
- `client` (default): Django's test client, one request after another — the view's own cost.
- `live`: a threaded WSGI server in this process, hit by `--concurrency` client threads
  over HTTP — the page under load (each request on a new thread and a new database
  connection, closed after it: at most `--concurrency` connections at a time).

    DATABASE_URL=postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_pension_bench \
      DJANGO_SECURE_SSL_REDIRECT=0 .venv/bin/python bench/bench_calculator.py --mode live --concurrency 8

Use a scratch database: it is migrated and the estimator's parameters are seeded in it.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuhai_coverage.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

CALCULATOR = (
    "/calculator/?scheme=enterprise&birth=1980-06&category=female_50&years=20"
    "&indexes=0.5,1,3.2,2,1.1,0.9,1.4,1.0&balance=50000&monthly_base=6000"
)
HEALTHZ = "/healthz/"


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds."""
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000, "n": len(samples)}


def run_client(path: str, requests: int) -> list[float]:
    from django.test import Client

    client = Client()
    samples = []
    for _ in range(requests):
        t = time.perf_counter()
        r = client.get(path)
        samples.append(time.perf_counter() - t)
        assert r.status_code == 200, (path, r.status_code)
    return samples


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 256  # socketserver's 5 refuses connections under concurrency


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def run_live(port: int, path: str, requests: int, concurrency: int) -> tuple[list[float], float]:
    """(latencies, requests per second) of `requests` GETs shared by `concurrency` threads,
    each on its own keep-alive-less connection per request (like separate phones)."""
    samples: list[float] = []
    lock = threading.Lock()
    per_thread = requests // concurrency

    failures: list[str] = []

    def worker() -> None:
        mine = []
        try:
            for _ in range(per_thread):
                t = time.perf_counter()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                conn.close()
                mine.append(time.perf_counter() - t)
                if response.status != 200:
                    raise RuntimeError(f"{path} answered {response.status}")
        except Exception as exc:  # reported below, not lost in the thread
            with lock:
                failures.append(repr(exc))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if failures:
        raise SystemExit(f"{len(failures)} client threads failed, e.g. {failures[0]}")
    return samples, len(samples) / (time.perf_counter() - start)


def report(name: str, figures: dict[str, float], rate: float | None = None) -> None:
    extra = f"  {rate:8.1f} req/s" if rate is not None else ""
    print(
        f"{name:12s} n={figures['n']:<6.0f} p50 {figures['p50']:7.2f} ms  p95 {figures['p95']:7.2f} ms"
        f"  p99 {figures['p99']:7.2f} ms{extra}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=("client", "live"), default="client")
    ap.add_argument("--requests", type=int, default=2000, help="requests per URL")
    ap.add_argument("--concurrency", type=int, default=8, help="live mode: client threads")
    ap.add_argument("--warmup", type=int, default=50)
    args = ap.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    call_command("migrate", verbosity=0)
    from outreach.pension import selectors

    selectors.pension_rows()  # seeds the parameters, as the first visitor would
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}  mode: {args.mode}")

    figures: dict[str, dict[str, float]] = {}
    if args.mode == "client":
        for name, path in (("healthz", HEALTHZ), ("calculator", CALCULATOR)):
            run_client(path, args.warmup)
            figures[name] = percentiles(run_client(path, args.requests))
            report(name, figures[name])
    else:
        # A thread per request here: persistent connections (CONN_MAX_AGE 60) would be left
        # open by each finished thread and exhaust the server's slots; close each one instead
        # (both URLs pay the same connect).
        settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
        server = make_server(
            "127.0.0.1", 0, get_wsgi_application(), server_class=_Server, handler_class=_Quiet
        )
        port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        runner: Callable[[str, int], tuple[list[float], float]] = lambda p, n: run_live(  # noqa: E731
            port, p, n, args.concurrency
        )
        for name, path in (("healthz", HEALTHZ), ("calculator", CALCULATOR)):
            runner(path, args.warmup)
            samples, rate = runner(path, args.requests)
            figures[name] = percentiles(samples)
            report(name, figures[name], rate)
        server.shutdown()
    ratio = figures["calculator"]["p95"] / figures["healthz"]["p95"]
    print(f"p95 ratio calculator / healthz: {ratio:.1f}×")


if __name__ == "__main__":
    main()
