"""Benchmark: the caseworker's queue and task pages under concurrent users.

Builds (set-based, on PostgreSQL) a portal with --tasks open inspection tasks (148,000 by
default, issue 13's measurement) spread over Wuhai's districts and streets, their
timeline events and roster rows, starts gunicorn (4 workers) on a free loopback port,
signs in --users users (20: caseworkers, city managers, street staff) and has them hit,
back to back, the issue's mix: half queue pages — a kind filter, a status filter, the
due-date sort and a Chinese name search of 2–3 Han characters in equal shares — and half
task pages, for a bounded number of requests each. Then the same users hit /healthz/
(one trivial query) under the same concurrency: the baseline. Prints p50/p95 and
requests/s per page type and the ratio of each p95 to the baseline's p95 (target ≤ 6×).

    DATABASE_URL=postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_portal_bench \\
        .venv/bin/python bench/portal.py [--tasks 148000] [--users 20] [--requests 40]

The database named in DATABASE_URL is created if missing and its tasks are replaced.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from benchdb import ensure_database  # noqa: E402 — bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_portal_bench"
PASSWORD = "bench-pass-2026"
SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SECRET_KEY", SECRET)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuhai_coverage.settings")
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_SECURE_COOKIES"] = "0"
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# Share of each kind (out of 20) and its subject type — person tasks dominate, as at Wuhai.
KIND_SLOTS = (
    ["enroll_employer"] * 4
    + [
        "missed_employees",
        "selective_enrollment",
        "underreported_base",
        "injury_key_industry",
        "collect_arrears",
        "construction_injury",
    ]
    + ["subsidized_enrollment"] * 3
    + ["resume_contributions"] * 3
    + ["enroll_person"] * 3
    + ["elderly_enrollment"]
)


def build_data(n_tasks: int) -> None:
    """Replace every task with n_tasks open ones (+10 % closed), set-based."""
    from django.db import connection

    from enrollment.models import RosterBatch
    from wuhai_coverage.core.models import Street, User

    t0 = time.perf_counter()
    streets = list(Street.objects.order_by("code").values_list("code", flat=True))
    for code in streets:  # one street worker per street, for assignments
        user, created = User.objects.get_or_create(
            username=f"bench-st-{code}",
            defaults={"role": "street_staff", "street_id": code, "district_id": code[:6]},
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
    kinds_sql = "ARRAY[" + ",".join(f"'{k}'" for k in KIND_SLOTS) + "]"
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE enforcement_taskevent, enforcement_notice, enforcement_caseevent, "
            "enforcement_enforcementcase, enforcement_task RESTART IDENTITY CASCADE"
        )
        total = n_tasks + n_tasks // 10
        cur.execute(
            f"""
            WITH s AS (SELECT array_agg(code ORDER BY code) AS codes FROM core_street),
            g AS (
              SELECT i, ({kinds_sql})[1 + i %% 20] AS kind,
                     s.codes[1 + (i / 20) %% cardinality(s.codes)] AS street,
                     CASE WHEN i > %(n)s THEN 'closed'
                          WHEN i %% 20 < 12 THEN 'open' WHEN i %% 20 < 15 THEN 'assigned'
                          WHEN i %% 20 < 17 THEN 'contacted' WHEN i %% 20 < 19 THEN 'notice_issued'
                          ELSE 'escalated' END AS status
              FROM generate_series(1, %(total)s) i, s
            )
            INSERT INTO enforcement_task (kind, subject_type, subject_key, subject_name, district_id, street_id,
                priority, status, resolution, evidence, opened_at, refreshed_at, due_date, assignee_id, closed_at)
            SELECT g.kind,
                   CASE WHEN g.i %% 20 < 9 THEN 'employer' WHEN g.i %% 20 = 9 THEN 'project' ELSE 'person' END,
                   CASE WHEN g.i %% 20 < 9 THEN '9115' || lpad(g.i::text, 14, '0')
                        WHEN g.i %% 20 = 9 THEN 'PRJ-' || lpad(g.i::text, 10, '0')
                        ELSE left(g.street, 6) || to_char(date '1966-01-01' + (g.i %% 20000), 'YYYYMMDD')
                             || lpad(((g.i / 20000) %% 1000)::text, 3, '0') || 'X' END,
                   CASE WHEN g.i %% 20 < 10
                        THEN '乌海市' || (ARRAY['红星','金山','海勃','乌达','黄河','新华','凤凰','千里','滨河','巴音'])
                             [1 + g.i %% 10] || (ARRAY['煤业','建材','商贸','物流','化工','餐饮','建筑','科技'])
                             [1 + (g.i / 10) %% 8] || g.i || '有限公司'
                        ELSE (ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴'])[1 + g.i %% 10]
                             || (ARRAY['建国','秀英','志强','丽','伟','敏','军','霞','海','娟'])[1 + (g.i / 10) %% 10] END,
                   st.district_id,
                   CASE WHEN g.i %% 50 = 0 THEN NULL ELSE g.street END,
                   CASE WHEN g.i %% 7 = 0 THEN 'high' ELSE 'normal' END,
                   g.status,
                   CASE WHEN g.status = 'closed' THEN 'resolved_by_data' ELSE '' END,
                   jsonb_build_object('H', g.i %% 50, 'W', (g.i %% 50) * 4500, 'sources',
                                      jsonb_build_array('market', 'tax'), 'employees_reported', g.i %% 7),
                   now() - ((g.i %% 2000) || ' hours')::interval,
                   now() - interval '1 day',
                   CASE WHEN g.status IN ('notice_issued', 'escalated')
                        THEN current_date + (g.i %% 40) - 10 END,
                   CASE WHEN g.status IN ('assigned', 'contacted') AND g.i %% 50 <> 0 THEN u.id END,
                   CASE WHEN g.status = 'closed' THEN now() END
            FROM g JOIN core_street st ON st.code = g.street
            LEFT JOIN core_user u ON u.username = 'bench-st-' || g.street
            ORDER BY g.i
        """,
            {"n": n_tasks, "total": total},
        )
        cur.execute("""
            INSERT INTO enforcement_taskevent (task_id, kind, actor_id, at, run_id, data)
            SELECT id, 'opened', NULL::bigint, opened_at, NULL::bigint, '{}'::jsonb FROM enforcement_task
            UNION ALL
            SELECT id, 'assigned', NULL::bigint, opened_at + interval '1 hour', NULL::bigint,
                   jsonb_build_object('assignee', assignee_id) FROM enforcement_task WHERE assignee_id IS NOT NULL
        """)
    # Roster rows for the subjects, so that the task page does its real lookups.
    RosterBatch.objects.filter(sha256__startswith="bench").delete()
    batches = {}
    for kind, dept in (
        ("market_entities", "market"),
        ("tax_payroll", "tax"),
        ("insurance_employers", "hrss"),
        ("household_registry", "public_security"),
        ("insurance_persons", "hrss"),
    ):
        batches[kind] = RosterBatch.objects.create(
            kind=kind,
            department=dept,
            status="loaded",
            snapshot_date=time.strftime("%Y-%m-%d"),
            sha256=f"bench-{kind}",
        ).pk
    with connection.cursor() as cur:
        for table in (
            "marketentityrow",
            "taxpayrollrow",
            "insuranceemployerrow",
            "householdrow",
            "insurancepersonrow",
        ):
            cur.execute(f"TRUNCATE enrollment_{table}")
        cur.execute(
            """
            INSERT INTO enrollment_marketentityrow (batch_id, uscc, name, entity_type, status, established_on,
                district_code, street_code, industry_code, phone, employees_reported)
            SELECT %s, subject_key, subject_name, 'enterprise', 'active', date '2018-01-01',
                   district_id, street_id, 'C3011', '1384730' || lpad((id %% 10000)::text, 4, '0'), id %% 7
            FROM enforcement_task WHERE subject_type = 'employer' AND status <> 'closed'""",
            [batches["market_entities"]],
        )
        cur.execute(
            """
            INSERT INTO enrollment_taxpayrollrow (batch_id, uscc, name, period, payroll_headcount, payroll_total,
                district_code)
            SELECT %s, subject_key, subject_name, p, id %% 50, (id %% 50) * 4500, district_id
            FROM enforcement_task, (VALUES (202609), (202610)) AS periods(p)
            WHERE subject_type = 'employer' AND status <> 'closed'""",
            [batches["tax_payroll"]],
        )
        cur.execute(
            """
            INSERT INTO enrollment_householdrow (batch_id, id_number, name, district_code, street_code, community,
                phone, birth_date, sex)
            SELECT DISTINCT ON (subject_key) %s, subject_key, subject_name, district_id, coalesce(street_id, '150302001'),
                   NULL, '1390473' || lpad((id %% 10000)::text, 4, '0'),
                   to_date(substr(subject_key, 7, 8), 'YYYYMMDD'), 'M'
            FROM enforcement_task WHERE subject_type = 'person' ORDER BY subject_key""",
            [batches["household_registry"]],
        )
        cur.execute(
            """
            INSERT INTO enrollment_insurancepersonrow (batch_id, id_number, name, insurance_type, scheme, status,
                last_paid_period, subsidized, birth_date, sex)
            SELECT DISTINCT ON (subject_key) %s, subject_key, subject_name, 'pension', 'resident', 'interrupted',
                   202401, false, to_date(substr(subject_key, 7, 8), 'YYYYMMDD'), 'M'
            FROM enforcement_task WHERE kind = 'resume_contributions' ORDER BY subject_key""",
            [batches["insurance_persons"]],
        )
    # The statistics the product itself takes: after a comparison writes its tasks
    # (engine: analyze(Task, TaskEvent)) and after each roster load (services.roster_process).
    # No VACUUM: the product does not run one, and with autovacuum off (as on the test
    # machines) the capped COUNT is then not an index-only scan (29 ms instead of 2 ms for
    # a district's kind, measured with a VACUUM): these figures are what a fresh install sees.
    from enforcement.models import Task, TaskEvent
    from enrollment.loading import analyze
    from enrollment.models import ROW_MODELS

    analyze(Task, TaskEvent, *ROW_MODELS.values())
    print(f"data: {total:,} tasks ({n_tasks:,} open) built in {time.perf_counter() - t0:.1f} s", flush=True)


def make_users(n_users: int) -> list[dict]:
    """Caseworkers of the three districts, city managers and street staff (about 70/15/15)."""
    from wuhai_coverage.core.models import User

    districts = ["150302", "150303", "150304"]
    streets = ["150302001", "150303001", "150304002"]
    specs = []
    for i in range(n_users):
        if i % 20 < 14:
            specs.append({"role": "district_caseworker", "district": districts[i % 3], "street": None})
        elif i % 20 < 17:
            specs.append({"role": "city_manager", "district": None, "street": None})
        else:
            specs.append({"role": "street_staff", "district": streets[i % 3][:6], "street": streets[i % 3]})
    for i, spec in enumerate(specs):
        spec["username"] = f"bench-user-{i}"
        user, _ = User.objects.update_or_create(
            username=spec["username"],
            defaults={"role": spec["role"], "district_id": spec["district"], "street_id": spec["street"]},
        )
        user.set_password(PASSWORD)
        user.save()
    return specs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", SECRET),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "wuhai_coverage.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
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


def _cpu_seconds(pid: int) -> float:
    """utime + stime of one process (Linux /proc), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(proc: subprocess.Popen) -> float:
    """CPU seconds used so far by gunicorn's workers (Django's share of a request; PostgreSQL
    and the load generator are not counted). Other processes on the machine do not inflate
    it, unlike the latencies."""
    try:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    except OSError:
        return 0.0
    return sum(_cpu_seconds(int(c)) for c in children)


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine from /proc/stat."""
    vals = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = vals[3] + vals[4]
    return sum(vals) - idle, sum(vals)


class Session:
    """One signed-in user on one keep-alive connection, cookies by hand."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        hdrs = {"Cookie": self._cookie_header(), **(headers or {})}
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return resp.status, data

    def login(self, username: str) -> None:
        status, _ = self.request("GET", "/accounts/login/")
        token = self.cookies["csrftoken"]
        body = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login failed for {username}: {status}")


QUEUE_KINDS = [
    "enroll_employer",
    "enroll_person",
    "resume_contributions",
    "subsidized_enrollment",
    "collect_arrears",
    "missed_employees",
]
QUEUE_STATUSES = ["open", "assigned", "contacted", "notice_issued", "escalated"]
# Names a caseworker types: 2–3 Han characters (a company's word, a person's given or full
# name, one that matches nothing). Two-character queries are what a trigram index cannot
# serve (see enforcement/search.py).
NAME_QUERIES = ["煤业", "红星", "李秀英", "商贸", "王丽", "秀英", "金山", "张建国"]
# The mix of queue requests, in equal shares: a kind filter, a status filter, the
# due-date sort and a Chinese name search (each on the queue's default status scope).
QUEUE_MIX = ("kind", "status", "due_date", "name")
# The issue's target: each page's p95 at most this many times /healthz/'s p95 of the same run.
TARGET_RATIO = 6.0


def queue_url(rng: random.Random) -> tuple[str, str]:
    """(mix entry, a queue URL) as a caseworker would ask for it: one of QUEUE_MIX."""
    which = rng.choice(QUEUE_MIX)
    params: dict[str, str] = {}
    if which == "kind":
        params["kind"] = rng.choice(QUEUE_KINDS)
    elif which == "status":
        params["status"] = rng.choice(QUEUE_STATUSES)
    elif which == "due_date":
        params["sort"] = "due_date"
    else:
        params["q"] = rng.choice(NAME_QUERIES)
    return which, "/tasks/?" + urllib.parse.urlencode(params)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def run_load(
    sessions: list[tuple[Session, dict]], requests_each: int, pick, label: str, think_ms: int = 0
) -> tuple[dict[str, list[float]], float]:
    """Every session in its own thread, `requests_each` requests; between two requests a
    think time drawn uniformly from [0.5, 1.5] × think_ms (none when 0). Returns the
    latencies (ms) per page type and the wall time (s)."""
    results: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(sessions))

    def worker(idx: int, sess: Session, spec: dict) -> None:
        rng = random.Random(idx * 7919)
        barrier.wait()
        for _ in range(requests_each):
            if think_ms:
                time.sleep(rng.uniform(0.5, 1.5) * think_ms / 1000)
            page, path = pick(rng, spec)
            t = time.perf_counter()
            status, _body = sess.request("GET", path)
            ms = (time.perf_counter() - t) * 1000
            with lock:
                if status != 200:
                    errors.append(f"{status} {path}")
                results.setdefault(page, []).append(ms)

    threads = [threading.Thread(target=worker, args=(i, s, spec)) for i, (s, spec) in enumerate(sessions)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    n = sum(len(v) for v in results.values())
    print(
        f"{label}: {n} requests in {wall:.1f} s ({n / wall:.0f} req/s), errors: {len(errors)}"
        + (f" e.g. {errors[:3]}" if errors else ""),
        flush=True,
    )
    return results, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=148_000, help="open tasks (default 148,000)")
    ap.add_argument("--users", type=int, default=20, help="concurrent users (default 20)")
    ap.add_argument("--requests", type=int, default=40, help="requests per user per phase (default 40)")
    ap.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    ap.add_argument("--reuse", action="store_true", help="keep the data if it already has --tasks open tasks")
    ap.add_argument(
        "--think-ms",
        type=int,
        default=0,
        help="also a second run with this mean think time between two pages (default 0: only "
        "the issue's run, users back to back)",
    )
    args = ap.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_DB
    if not url.startswith("postgres"):
        raise SystemExit("the benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    ensure_database(url)
    setup_django(url)
    from enforcement.models import Task

    if not (args.reuse and Task.objects.exclude(status="closed").count() == args.tasks):
        build_data(args.tasks)
    specs = make_users(args.users)
    # Task ids each user may open (inside their jurisdiction), sampled once.
    rng = random.Random(1)
    for spec in specs:
        qs = Task.objects.exclude(status="closed")
        if spec["role"] == "district_caseworker":
            qs = qs.filter(district_id=spec["district"])
        elif spec["role"] == "street_staff":
            qs = qs.filter(street_id=spec["street"])
        ids = list(qs.order_by("?").values_list("pk", flat=True)[:400])
        spec["task_ids"] = ids or [1]
        rng.shuffle(spec["task_ids"])

    port = free_port()
    proc = start_gunicorn(url, port, args.workers)
    try:
        sessions = []
        for spec in specs:
            s = Session(port)
            s.login(spec["username"])
            sessions.append((s, spec))

        def pick_pages(rng: random.Random, spec: dict):
            """Half queue pages (QUEUE_MIX in equal shares), half task pages."""
            if rng.random() < 0.5:
                which, path = queue_url(rng)
                return f"queue:{which}", path
            return "task", f"/tasks/{rng.choice(spec['task_ids'])}/"

        def pick_health(rng: random.Random, spec: dict):
            return "healthz", "/healthz/"

        run_load(sessions, 3, pick_pages, "warm-up")
        runs = []
        for think in [0] + ([args.think_ms] if args.think_ms else []):
            label = "back to back" if not think else f"think time ~{think} ms"
            cpu0, (busy0, total0) = server_cpu(proc), machine_busy()
            pages, wall = run_load(sessions, args.requests, pick_pages, f"pages, {label}", think)
            cpu1, (busy1, total1) = server_cpu(proc), machine_busy()
            n_pages = sum(len(v) for v in pages.values())
            print(
                f"  gunicorn workers' CPU per page request: {(cpu1 - cpu0) / n_pages * 1000:.1f} ms; "
                f"machine busy {100 * (busy1 - busy0) / max(1, total1 - total0):.0f}% "
                f"(load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            health, health_wall = run_load(sessions, args.requests, pick_health, f"baseline, {label}", think)
            runs.append((label, pages, wall, health, health_wall))
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    print(
        f"\n{args.tasks:,} open tasks · {args.users} concurrent users · {args.requests} requests each · "
        f"gunicorn {args.workers} workers · {os.cpu_count()} CPUs · target p95 ≤ {TARGET_RATIO:g}× /healthz/ p95"
    )
    for label, pages, wall, health, health_wall in runs:
        base = health["healthz"]
        base_p95 = percentile(base, 95)
        queue_all = [ms for page, v in pages.items() if page.startswith("queue:") for ms in v]
        rows = [("queue (all filters)", queue_all, "")]
        rows += [(f"  queue: {w}", pages.get(f"queue:{w}", []), "") for w in QUEUE_MIX]
        rows += [("task page", pages.get("task", []), "")]
        n_pages = sum(len(v) for v in pages.values())
        print(f"\n[{label}] pages: {n_pages / wall:.1f} req/s over {wall:.1f} s")
        print(
            f"{'page':<24}{'n':>6}{'req/s':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'p95/healthz':>14}"
        )
        for name, v, _note in rows:
            if not v:
                continue
            p50, p95 = percentile(v, 50), percentile(v, 95)
            ratio = p95 / base_p95
            print(
                f"{name:<24}{len(v):>6}{len(v) / wall:>8.1f}{p50:>10.1f}{p95:>10.1f}{max(v):>10.1f}{ratio:>13.1f}x"
                + ("" if ratio <= TARGET_RATIO or name.startswith("  ") else f"   (over {TARGET_RATIO:g}x)")
            )
        print(
            f"{'/healthz/':<24}{len(base):>6}{len(base) / health_wall:>8.1f}{percentile(base, 50):>10.1f}"
            f"{base_p95:>10.1f}{max(base):>10.1f}{1:>13.1f}x"
        )


if __name__ == "__main__":
    main()
