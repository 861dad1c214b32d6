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
from enrollment import snapshots
from enrollment.models import MarketEntityRow, RosterBatch
from enrollment.selectors import batch_current_get
from tests.conftest import token_client
from tests.enforcement.comparison.comparison_world import World
from tests.enrollment.factories import bulk_market_csv
from tests.factories import make_user
from wuhai_coverage.outbox.models import OutboxMessage

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

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
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
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
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": broker,
            "WUHAI_VAR_DIR": str(tmp_path),
            "OUTBOX_FLUSH_SECONDS": "1",
            "FAULT_SWEEP_SECONDS": "2",
            **env,
        }
        self.procs: dict[str, subprocess.Popen] = {}
        self._n = 0

    def start(self, what: str, *args: str, prelude: str = "") -> subprocess.Popen:
        """`celery -A wuhai_coverage worker|beat ARGS`; `prelude` is Python run first (after
        django.setup()) in the same process — a fault planted in the product's code."""
        self._n += 1
        name = f"{what}{self._n}"
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 — kept open for the process
        if what == "worker":
            argv = [
                "celery",
                "-A",
                "wuhai_coverage",
                "worker",
                "--loglevel=INFO",
                "-n",
                f"{name}-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
                *args,
            ]
        else:
            argv = [
                "celery",
                "-A",
                "wuhai_coverage",
                "beat",
                "--loglevel=INFO",
                "-s",
                str(self.tmp / "beat-schedule"),
                *args,
            ]
        cmd = (
            [sys.executable, "-m", *argv]
            if not prelude
            else [
                sys.executable,
                "-c",
                (
                    "import sys, django, os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'wuhai_coverage.settings')\n"
                    f"django.setup()\n{prelude}\nfrom celery.__main__ import main\nsys.argv = {argv!r}\nmain()\n"
                ),
            ]
        )
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        if what == "worker":
            wait_for(
                lambda: b"ready." in (self.tmp / f"{name}.log").read_bytes() or proc.poll() is not None,
                timeout=60,
                what=f"{name} to start",
            )
            assert proc.poll() is None, (self.tmp / f"{name}.log").read_text(errors="replace")
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the whole process group: the worker and any pool child."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}" for p in self.tmp.glob("*.log")
        )

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


def _forget_pools(app) -> None:
    """Drop the app's references to its broker pools without closing them: kombu keeps one
    pool per broker URL for the whole process, and the test broker's pool (used by the
    in-process worker of other tests) must stay open."""
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def publishing_to(broker: str, settings):
    """This process (the web side) publishes to `broker`, not eagerly."""
    from wuhai_coverage.celery import app

    old_url, old_eager = app.conf.broker_url, app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(CELERY_BROKER_URL=broker, CELERY_TASK_ALWAYS_EAGER=False)
    _forget_pools(app)
    try:
        yield app
    finally:
        app.conf.update(CELERY_BROKER_URL=old_url, CELERY_TASK_ALWAYS_EAGER=old_eager)
        _forget_pools(app)


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
        return client.post(
            "/api/v1/rosters/", {"kind": kind, "file": fh, "snapshot_date": "2026-11-01"}, format="multipart"
        )


def _batch(pk: int) -> RosterBatch:
    return RosterBatch.objects.get(pk=pk)


# --- Redis down ------------------------------------------------------------------------------


def test_a_push_while_redis_is_down_is_accepted_and_loaded_once_redis_is_back(
    tmp_path, settings, redis, stack
):
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
        assert OutboxMessage.objects.filter(
            key__endswith=f'{{"batch_id":{first}}}', sent_at__isnull=True
        ).exists()

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
            wait_for(
                lambda pk=pk: _batch(pk).status != "processing",
                timeout=90,
                what=f"batch {pk} to be processed\n{stack.logs()}",
            )
            b = _batch(pk)
            assert (b.status, b.rows_loaded, b.attempts) == ("loaded", 3_000, 1), b.message
    assert not OutboxMessage.objects.exists()
    assert batch_current_get(kind="market_entities", as_of=FAR).pk == second


def test_a_run_requested_while_redis_is_down_is_recorded_and_runs_once_redis_is_back(
    settings, redis, stack, city_manager
):
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
        wait_for(
            lambda: ComparisonRun.objects.get(pk=run_id).status != "running",
            timeout=90,
            what=f"the queued run to be executed\n{stack.logs()}",
        )
    run = ComparisonRun.objects.get(pk=run_id)
    assert run.status == "finished" and run.opened["enroll_employer"] == 1, run.error
    assert not OutboxMessage.objects.exists()


# --- SIGKILL ---------------------------------------------------------------------------------


def test_a_worker_sigkilled_mid_ingest_leaves_nothing_and_the_batch_is_loaded_by_the_next(
    tmp_path, settings, redis, stack
):
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
    # its own table (enrollment.snapshots) went with the transaction: neither a partial
    # partition nor a standalone table is left
    assert [x for x in snapshots.tables() if x.batch_id == pk] == []

    stack.start("worker", "-P", "solo")
    stack.start("beat")  # its roster-sweep finds the batch nobody holds and sends it again
    wait_for(
        lambda: _batch(pk).status != "processing", timeout=180, what=f"the batch to be loaded\n{stack.logs()}"
    )
    b = _batch(pk)
    assert (b.status, b.rows_loaded, b.attempts) == ("loaded", 150_000, 2), b.message
    assert MarketEntityRow.objects.filter(batch_id=pk).count() == 150_000
    assert batch_current_get(kind="market_entities", as_of=FAR).pk == pk
    assert [x for x in snapshots.tables() if x.batch_id == pk] == [
        snapshots.Leftover("market_entities", pk, True)
    ]


def test_a_batch_that_kills_every_worker_ends_failed_and_never_blocks_a_re_push(
    tmp_path, settings, redis, stack
):
    """A file whose reading kills the process (here: SIGKILL from inside the reader, as a
    calamine abort does) — each worker child dies, the message is given back
    (reject_on_worker_lost) and redelivered; after MAX_ATTEMPTS starts the batch is failed
    with the reason, and the same file pushed again is accepted as a new batch."""
    from enrollment import services

    die = (
        "import os, signal\nfrom enrollment import services\nreal = services._load\n"
        "def dying(batch):\n"
        "    if 'deadly' in batch.filename:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(batch)\n"
        "services._load = dying\n"
    )
    stack.start("worker", "-P", "prefork", "-c", "1", prelude=die)
    stack.start("beat")
    client = token_client(make_user("partner", department="market"))
    path = tmp_path / "deadly.csv"
    bulk_market_csv(path, 100, seed=51)
    with publishing_to(redis.url, settings):
        res = _push_file(client, path)
        assert res.status_code == 202
        pk = res.json()["id"]
        wait_for(
            lambda: _batch(pk).status != "processing",
            timeout=120,
            what=f"the batch to be given up\n{stack.logs()}",
        )
        b = _batch(pk)
        assert b.status == "failed" and b.attempts == services.MAX_ATTEMPTS, (b.status, b.attempts, b.message)
        assert "处理进程已中断 3 次" in b.message
        assert MarketEntityRow.objects.filter(batch_id=pk).count() == 0

        res = _push_file(client, path)  # the same file again: a new batch, not 200 "existing"
        assert res.status_code == 202 and res.json()["id"] != pk


def test_a_worker_sigkilled_mid_run_writes_nothing_and_the_rerun_is_correct(
    settings, redis, stack, city_manager
):
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
    blocker = psycopg2.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"]
    )
    try:
        with blocker.cursor() as c:
            c.execute(f"LOCK TABLE {Task._meta.db_table} IN SHARE MODE")  # reads pass, writes wait
        with publishing_to(redis.url, settings):
            res = client.post("/api/v1/comparison-runs/", {"as_of": D.isoformat()}, format="json")
        assert res.status_code == 202
        run_id = res.json()["id"]

        def waiting() -> str:
            with connection.cursor() as c:
                c.execute(
                    "SELECT wait_event_type, state, left(query, 200) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                return f"{ComparisonRun.objects.get(pk=run_id).progress} {c.fetchall()}"

        wait_for(
            lambda: (ComparisonRun.objects.get(pk=run_id).progress or {}).get("phase") == "writing",
            timeout=60,
            what=f"the run to reach its write\n{waiting()}",
        )
        time.sleep(0.5)  # inside the write transaction, waiting for the task table
        stack.kill(worker)
    finally:
        blocker.rollback()
        blocker.close()
    assert Task.objects.count() == 0 and TaskEvent.objects.filter(run_id=run_id).count() == 0
    stack.start("worker", "-P", "solo")
    stack.start("beat")  # comparison-sweep: the run nobody executes any more is failed
    wait_for(
        lambda: ComparisonRun.objects.get(pk=run_id).status != "running",
        timeout=60,
        what=f"the dead run to be reaped\n{stack.logs()}",
    )
    dead = ComparisonRun.objects.get(pk=run_id)
    assert dead.status == "failed" and "未写入任何任务" in dead.error
    assert Task.objects.count() == 0

    with publishing_to(redis.url, settings):
        res = client.post("/api/v1/comparison-runs/", {"as_of": D.isoformat()}, format="json")
        assert res.status_code == 202, res.content
        rerun_id = res.json()["id"]
        wait_for(
            lambda: ComparisonRun.objects.get(pk=rerun_id).status != "running",
            timeout=90,
            what=f"the rerun\n{stack.logs()}",
        )
    rerun = ComparisonRun.objects.get(pk=rerun_id)
    assert rerun.status == "finished", rerun.error
    assert rerun.opened["enroll_employer"] == 3
    assert Task.objects.filter(opened_by_run_id=rerun_id).count() == sum(rerun.opened.values())
    assert not Task.objects.exclude(opened_by_run_id=rerun_id).exists()


# --- PostgreSQL restart ----------------------------------------------------------------------

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on a free port (initdb + pg_ctl as the postgres OS
    user), migrated: the shared server on 5432 is never restarted."""

    def __init__(self):
        import tempfile

        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="wuhai-faults-pg-", dir="/tmp"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        subprocess.run(["chown", "postgres", str(self.root)], check=True)
        self.url = f"postgres://wuhai:wuhai@127.0.0.1:{self.port}/wuhai_faults_private"

    def _as_postgres(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *cmd], check=check, capture_output=True, text=True
        )

    def pg_ctl(self, action: str, *extra: str) -> None:
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c autovacuum=off",
            *extra,
            action,
        )

    def create(self) -> None:
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.pg_ctl("start")
        psql = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q", "-c"]
        self._as_postgres(*psql, "CREATE ROLE wuhai LOGIN CREATEDB PASSWORD 'wuhai'")
        self._as_postgres(*psql, "CREATE DATABASE wuhai_faults_private OWNER wuhai")

    def destroy(self) -> None:
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False
        )
        subprocess.run(["rm", "-rf", str(self.root)], check=False)

    def connect(self):
        return psycopg2.connect(
            host="127.0.0.1", port=self.port, user="wuhai", password="wuhai", dbname="wuhai_faults_private"
        )


PAGES_ACROSS_A_RESTART = """
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuhai_coverage.settings")
django.setup()
from wsgiref.util import setup_testing_defaults
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from tests.factories import make_user
client = Client()
client.force_login(make_user("city_manager"))
cookie = client.cookies["sessionid"].value
handler = WSGIHandler()  # the real one (the test Client keeps its connection unchecked)

def get(path):
    environ = {}
    setup_testing_defaults(environ)
    environ.update(PATH_INFO=path, HTTP_COOKIE="sessionid=" + cookie)
    status = []
    response = handler(environ, lambda s, h, exc_info=None: status.append(s))
    b"".join(response)
    response.close()
    return status[0].split()[0]

print(get("/comparison-runs/"), flush=True)
sys.stdin.readline()  # PostgreSQL restarts meanwhile; the connection kept (CONN_MAX_AGE) is dead
print(get("/comparison-runs/"), flush=True)
"""

SEED_WORLD = """
import datetime as dt, django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuhai_coverage.settings")
django.setup()
from tests.enforcement.comparison.comparison_world import World
w = World(dt.date(2025, 6, 15))
for _ in range(3):
    w.market()
w.household()
from enforcement.comparison.engine import start_run
print(start_run(as_of=dt.date(2025, 6, 15), trigger="test").pk)
"""


def test_a_postgresql_restart_mid_run_is_retried_and_nothing_is_half_written(tmp_path, redis):
    """The run is held inside its write transaction (a SHARE lock on the task table), then
    the private PostgreSQL restarts (fast: every session ends). The worker's connection is
    gone: nothing of the write survives; the task retries on a new connection and executes
    the run again (attempt 2) — or, if the sweep saw the run first, it is failed with nothing
    written and a new run gives the result a clean run gives."""
    assert PG_BIN is not None, "PostgreSQL server binaries are missing: run the README's test command"
    pg = PrivatePostgres()
    try:
        pg.create()
        env = {
            **os.environ,
            "DATABASE_URL": pg.url,
            "CELERY_BROKER_URL": redis.url,
            "WUHAI_VAR_DIR": str(tmp_path),
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        run_id = int(
            subprocess.run(
                [sys.executable, "-c", SEED_WORLD],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()[-1]
        )
        stack = Stack(tmp_path, redis.url, DATABASE_URL=pg.url)
        try:
            blocker = pg.connect()
            with blocker.cursor() as c:
                c.execute("LOCK TABLE enforcement_task IN SHARE MODE")  # reads pass, the write waits
            stack.start("worker", "-P", "solo")
            stack.start("beat")  # the outbox-flush sends the run start_run recorded

            def phase():
                with pg.connect() as conn, conn.cursor() as c:
                    c.execute(
                        "SELECT status, progress FROM enforcement_comparisonrun WHERE id = %s", [run_id]
                    )
                    return c.fetchone()

            wait_for(
                lambda: phase()[1].get("phase") == "writing",
                timeout=90,
                what=f"the run to reach its write\n{stack.logs()}",
            )
            time.sleep(0.5)
            pg.pg_ctl("restart", "-m", "fast")
            with contextlib.suppress(Exception):
                blocker.close()
            wait_for(lambda: phase()[0] != "running", timeout=120, what=f"the run to end\n{stack.logs()}")
            status, progress = phase()
            with pg.connect() as conn, conn.cursor() as c:
                c.execute("SELECT count(*) FROM enforcement_task")
                written = c.fetchone()[0]
            # Either true end: retried and finished (attempt 2), or reaped as failed by the
            # comparison-sweep while the retry waited — then with nothing written at all.
            assert status in ("finished", "failed"), (status, stack.logs())
            if status == "failed":
                assert written == 0
                rerun = subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        SEED_WORLD.split("w = World")[0]
                        + (
                            "from enforcement.comparison.engine import start_run\n"
                            "print(start_run(as_of=dt.date(2025, 6, 15), trigger='test').pk)\n"
                        ),
                    ],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                run_id = int(rerun.stdout.split()[-1])
                wait_for(lambda: phase()[0] != "running", timeout=90, what=f"the rerun\n{stack.logs()}")
                status, progress = phase()
            else:
                assert progress.get("attempt") == 2 and "Retry in" in stack.logs()
            with pg.connect() as conn, conn.cursor() as c:
                c.execute("SELECT opened, error FROM enforcement_comparisonrun WHERE id = %s", [run_id])
                opened, error = c.fetchone()
                c.execute("SELECT count(*), count(DISTINCT opened_by_run_id) FROM enforcement_task")
                tasks, runs = c.fetchone()
                c.execute("SELECT count(*) FROM enforcement_taskevent WHERE kind = 'opened'")
                events = c.fetchone()[0]
            assert status == "finished", (status, error, stack.logs())
            assert opened["enroll_employer"] == 3 and tasks == sum(opened.values()) == events and runs == 1

            # Pages: the connection a process keeps is checked before reuse (CONN_HEALTH_CHECKS),
            # so the first request after a restart is answered, not a 500.
            pages = subprocess.Popen(
                [sys.executable, "-c", PAGES_ACROSS_A_RESTART],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert pages.stdout.readline().strip() == "200", pages.stderr.read()
            pg.pg_ctl("restart", "-m", "fast")
            out, err = pages.communicate("\n", timeout=60)
            assert out.strip() == "200", err[-2000:]
        finally:
            stack.stop()
    finally:
        pg.destroy()
