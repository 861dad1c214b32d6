"""Real faults against the real parts: a private Redis stopped and started, real `celery
worker` and `celery beat` subprocesses (the ones the README starts) SIGKILLed mid-ingest
and mid-run. Every batch and run ends in a true state, nothing is half-written, and
nothing needs a human: the outbox and the sweeps do the recovery.

The shared Redis on 6379 is never touched: each test starts its own redis-server on a
free port (append-only file on, as in production), and stops it with SHUTDOWN.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from enforcement.models import ComparisonRun, Task, TaskEvent
from enrollment.models import MarketEntityRow, RosterBatch
from enrollment.selectors import current_batch
from tests.conftest import _reset_broker_pools, token_client
from tests.enforcement.comparison_world import World
from tests.enrollment.factories import bulk_market_csv
from tests.factories import make_user
from wuhai_coverage.outbox.models import OutboxMessage

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
D = dt.date(2025, 6, 15)
FAR = dt.date(2100, 1, 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


class PrivateRedis:
    """A throw-away redis-server with an append-only file, as production runs it."""

    def __init__(self, directory: Path):
        self.port = _free_port()
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _ping(self) -> bool:
        out = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True)
        return out.stdout.strip() == "PONG"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--save", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._ping, timeout=10, what="the private redis-server", every=0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            subprocess.run(["redis-cli", "-p", str(self.port), "shutdown"], capture_output=True)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Stack:
    """`celery worker` and `celery beat` subprocesses on the test database and a broker."""

    def __init__(self, tmp_path: Path, broker: str, **env):
        db = connection.settings_dict
        self.tmp = tmp_path
        self.env = {**os.environ,
                    "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
                    "CELERY_BROKER_URL": broker, "WUHAI_VAR_DIR": str(tmp_path),
                    "OUTBOX_FLUSH_SECONDS": "1", "FAULT_SWEEP_SECONDS": "2", **env}
        self.procs: dict[str, subprocess.Popen] = {}
        self._n = 0

    def start(self, what: str, *args: str, prelude: str = "") -> subprocess.Popen:
        """`celery -A wuhai_coverage worker|beat ARGS`; `prelude` is Python run first (after
        django.setup()) in the same process — a fault planted in the product's code."""
        self._n += 1
        name = f"{what}{self._n}"
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 — kept open for the process
        if what == "worker":
            argv = ["celery", "-A", "wuhai_coverage", "worker", "--loglevel=INFO",
                    "-n", f"{name}-{os.getpid()}@%h", "--without-gossip", "--without-mingle", *args]
        else:
            argv = ["celery", "-A", "wuhai_coverage", "beat", "--loglevel=INFO",
                    "-s", str(self.tmp / "beat-schedule"), *args]
        cmd = [sys.executable, "-m", *argv] if not prelude else [sys.executable, "-c", (
            "import sys, django, os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'wuhai_coverage.settings')\n"
            f"django.setup()\n{prelude}\nfrom celery.__main__ import main\nsys.argv = {argv!r}\nmain()\n")]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs[name] = proc
        if what == "worker":
            wait_for(lambda: b"ready." in (self.tmp / f"{name}.log").read_bytes() or proc.poll() is not None,
                     timeout=60, what=f"{name} to start")
            assert proc.poll() is None, (self.tmp / f"{name}.log").read_text(errors="replace")
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the whole process group: the worker and any pool child."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}" for p in self.tmp.glob("*.log"))

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill(proc)


@contextlib.contextmanager
def publishing_to(broker: str, settings):
    """This process (the web side) publishes to `broker`, not eagerly."""
    from wuhai_coverage.celery import app

    old_url, old_eager = app.conf.broker_url, app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(CELERY_BROKER_URL=broker, CELERY_TASK_ALWAYS_EAGER=False)
    _reset_broker_pools(app)
    try:
        yield app
    finally:
        app.conf.update(CELERY_BROKER_URL=old_url, CELERY_TASK_ALWAYS_EAGER=old_eager)
        _reset_broker_pools(app)


@pytest.fixture
def redis(tmp_path):
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stack(tmp_path, redis):
    s = Stack(tmp_path, redis.url)
    yield s
    s.stop()
    print(s.logs()[-3000:])


def _push_file(client, path: Path, kind: str = "market_entities"):
    with open(path, "rb") as fh:
        return client.post("/api/v1/rosters/", {"kind": kind, "file": fh, "snapshot_date": "2026-11-01"},
                           format="multipart")


def _batch(pk: int) -> RosterBatch:
    return RosterBatch.objects.get(pk=pk)


# --- Redis down ------------------------------------------------------------------------------

def test_a_push_while_redis_is_down_is_accepted_and_loaded_once_redis_is_back(tmp_path, settings, redis, stack):
    """Redis stops: pushes answer 202 within ~2 s (refused connection, or a hung server),
    the batches and their outbox messages are recorded; Redis starts again: the worker
    and beat the README starts load them, nobody touches anything."""
    stack.start("worker", "-P", "solo")
    stack.start("beat")
    client = token_client(make_user("partner", department="market"))
    files = []
    for seed in (31, 32):
        path = tmp_path / f"m{seed}.csv"
        bulk_market_csv(path, 3_000, seed=seed)
        files.append(path)
    with publishing_to(redis.url, settings):
        redis.stop()
        t0 = time.monotonic()
        res = _push_file(client, files[0])
        refused = time.monotonic() - t0
        assert res.status_code == 202, res.content
        first = res.json()["id"]
        assert _batch(first).status == "processing"  # recorded, with its message unsent
        assert OutboxMessage.objects.filter(key__endswith=f'{{"batch_id":{first}}}', sent_at__isnull=True).exists()

        redis.start()  # and hangs: accepts connections, answers nothing (SIGSTOP)
        os.kill(redis.proc.pid, signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            res = _push_file(client, files[1])
            hung = time.monotonic() - t0
        finally:
            os.kill(redis.proc.pid, signal.SIGCONT)
        assert res.status_code == 202, res.content
        second = res.json()["id"]
        print(f"push with Redis down: {refused:.2f} s (connection refused), {hung:.2f} s (Redis hung)")
        assert refused < 3 and hung < 4

        for pk in (first, second):
            wait_for(lambda pk=pk: _batch(pk).status != "processing", timeout=90,
                     what=f"batch {pk} to be processed\n{stack.logs()}")
            b = _batch(pk)
            assert (b.status, b.rows_loaded, b.attempts) == ("loaded", 3_000, 1), b.message
    assert not OutboxMessage.objects.exists()
    assert current_batch(kind="market_entities", as_of=FAR).pk == second


def test_a_run_requested_while_redis_is_down_is_recorded_and_runs_once_redis_is_back(settings, redis, stack,
                                                                                    city_manager):
    w = World(D)
    w.market()
    w.household()
    stack.start("worker", "-P", "solo")
    stack.start("beat")
    client = token_client(city_manager)
    with publishing_to(redis.url, settings):
        redis.stop()
        t0 = time.monotonic()
        res = client.post("/api/v1/comparison-runs/", {"as_of": D.isoformat()}, format="json")
        took = time.monotonic() - t0
        assert res.status_code == 202 and took < 3, (res.status_code, took)
        run_id = res.json()["id"]
        assert res.json()["progress"]["phase"] == "queued"
        assert client.post("/api/v1/comparison-runs/", {}, format="json").status_code == 409  # one at a time
        redis.start()
        wait_for(lambda: ComparisonRun.objects.get(pk=run_id).status != "running", timeout=90,
                 what=f"the queued run to be executed\n{stack.logs()}")
    run = ComparisonRun.objects.get(pk=run_id)
    assert run.status == "finished" and run.opened["enroll_employer"] == 1, run.error
    assert not OutboxMessage.objects.exists()


# --- SIGKILL ---------------------------------------------------------------------------------

def test_a_worker_sigkilled_mid_ingest_leaves_nothing_and_the_batch_is_loaded_by_the_next(tmp_path, settings,
                                                                                          redis, stack):
    """kill -9 of the `celery worker` loading a file: no row of it is visible, the batch
    stays processing (attempt 1); the sweep sends it again and the next worker loads it
    (attempt 2) — the same rows as a clean load."""
    client = token_client(make_user("partner", department="market"))
    big = tmp_path / "big.csv"
    bulk_market_csv(big, 150_000, seed=41)
    worker = stack.start("worker", "-P", "solo")
    with publishing_to(redis.url, settings):
        res = _push_file(client, big)
    assert res.status_code == 202, res.content
    pk = res.json()["id"]
    wait_for(lambda: _batch(pk).rows_read > 0, timeout=90, what=f"progress\n{stack.logs()}", every=0.05)
    stack.kill(worker)
    b = _batch(pk)
    assert (b.status, b.attempts) == ("processing", 1) and b.rows_read < 150_000
    assert MarketEntityRow.objects.filter(batch_id=pk).count() == 0

    stack.start("worker", "-P", "solo")
    stack.start("beat")  # its roster-sweep finds the batch nobody holds and sends it again
    wait_for(lambda: _batch(pk).status != "processing", timeout=180, what=f"the batch to be loaded\n{stack.logs()}")
    b = _batch(pk)
    assert (b.status, b.rows_loaded, b.attempts) == ("loaded", 150_000, 2), b.message
    assert MarketEntityRow.objects.filter(batch_id=pk).count() == 150_000
    assert current_batch(kind="market_entities", as_of=FAR).pk == pk


def test_a_batch_that_kills_every_worker_ends_failed_and_never_blocks_a_re_push(tmp_path, settings, redis, stack):
    """A file whose reading kills the process (here: SIGKILL from inside the reader, as a
    calamine abort does) — each worker child dies, the message is given back
    (reject_on_worker_lost) and redelivered; after MAX_ATTEMPTS starts the batch is failed
    with the reason, and the same file pushed again is accepted as a new batch."""
    from enrollment import services

    die = ("import os, signal\nfrom enrollment import services\nreal = services._load\n"
           "def dying(batch):\n"
           "    if 'deadly' in batch.filename:\n"
           "        os.kill(os.getpid(), signal.SIGKILL)\n"
           "    return real(batch)\n"
           "services._load = dying\n")
    stack.start("worker", "-P", "prefork", "-c", "1", prelude=die)
    stack.start("beat")
    client = token_client(make_user("partner", department="market"))
    path = tmp_path / "deadly.csv"
    bulk_market_csv(path, 100, seed=51)
    with publishing_to(redis.url, settings):
        res = _push_file(client, path)
        assert res.status_code == 202
        pk = res.json()["id"]
        wait_for(lambda: _batch(pk).status != "processing", timeout=120,
                 what=f"the batch to be given up\n{stack.logs()}")
        b = _batch(pk)
        assert b.status == "failed" and b.attempts == services.MAX_ATTEMPTS, (b.status, b.attempts, b.message)
        assert "stopped 3 times" in b.message
        assert MarketEntityRow.objects.filter(batch_id=pk).count() == 0

        res = _push_file(client, path)  # the same file again: a new batch, not 200 "existing"
        assert res.status_code == 202 and res.json()["id"] != pk


def test_a_worker_sigkilled_mid_run_writes_nothing_and_the_rerun_is_correct(settings, redis, stack, city_manager):
    """kill -9 of the `celery worker` while the run writes its tasks (held at the write by
    a lock on the task table): no task and no event of it exist, the sweep marks it failed,
    and a new run opens exactly what a clean run opens."""
    w = World(D)
    for _ in range(3):
        w.market()
    w.household()
    w.insured(ip=5, ii=1, arrears=10)
    worker = stack.start("worker", "-P", "solo")
    client = token_client(city_manager)
    s = connection.settings_dict
    blocker = psycopg2.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"],
                               port=s["PORT"])
    try:
        with blocker.cursor() as c:
            c.execute(f"LOCK TABLE {Task._meta.db_table} IN SHARE MODE")  # reads pass, writes wait
        with publishing_to(redis.url, settings):
            res = client.post("/api/v1/comparison-runs/", {"as_of": D.isoformat()}, format="json")
        assert res.status_code == 202
        run_id = res.json()["id"]
        def waiting() -> str:
            with connection.cursor() as c:
                c.execute("SELECT wait_event_type, state, left(query, 200) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                return f"{ComparisonRun.objects.get(pk=run_id).progress} {c.fetchall()}"

        wait_for(lambda: (ComparisonRun.objects.get(pk=run_id).progress or {}).get("phase") == "writing",
                 timeout=60, what=f"the run to reach its write\n{waiting()}")
        time.sleep(0.5)  # inside the write transaction, waiting for the task table
        stack.kill(worker)
    finally:
        blocker.rollback()
        blocker.close()
    assert Task.objects.count() == 0 and TaskEvent.objects.filter(run_id=run_id).count() == 0
    stack.start("worker", "-P", "solo")
    stack.start("beat")  # comparison-sweep: the run nobody executes any more is failed
    wait_for(lambda: ComparisonRun.objects.get(pk=run_id).status != "running", timeout=60,
             what=f"the dead run to be reaped\n{stack.logs()}")
    dead = ComparisonRun.objects.get(pk=run_id)
    assert dead.status == "failed" and "no task was written" in dead.error
    assert Task.objects.count() == 0

    with publishing_to(redis.url, settings):
        res = client.post("/api/v1/comparison-runs/", {"as_of": D.isoformat()}, format="json")
        assert res.status_code == 202, res.content
        rerun_id = res.json()["id"]
        wait_for(lambda: ComparisonRun.objects.get(pk=rerun_id).status != "running", timeout=90,
                 what=f"the rerun\n{stack.logs()}")
    rerun = ComparisonRun.objects.get(pk=rerun_id)
    assert rerun.status == "finished", rerun.error
    assert rerun.opened["enroll_employer"] == 3
    assert Task.objects.filter(opened_by_run_id=rerun_id).count() == sum(rerun.opened.values())
    assert not Task.objects.exclude(opened_by_run_id=rerun_id).exists()
