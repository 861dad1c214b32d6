"""A comparison run: one at a time, evaluated set-based, written all-or-nothing.

Design (why a run killed mid-way leaves no partial state):
1. *Start* — a `ComparisonRun` row with status `running` (a partial unique index allows one)
   and, on PostgreSQL, a session advisory lock held while the run executes. A row that is
   `running` while nobody holds the lock belongs to a dead worker: the next start marks it
   `failed` (`reap_dead_runs`, also the beat's comparison-sweep). A run requested through
   the API or the portal is queued: its row and its outbox message are written in one
   transaction (wuhai_coverage/outbox), so a request while Redis is down is recorded and
   executed once Redis is back. A worker that dies mid-run has its message redelivered
   (acks_late): the run is executed again, at most MAX_RUN_ATTEMPTS times in all, else
   failed. The nightly (and `manage.py run_comparison`) first executes any queued run
   still waiting for its worker, then its own: a queued run never makes it skip.
2. *Evaluate* — facts and each rule's candidates go into session TEMP tables (`cmp_*`);
   nothing durable is written but the run's progress. A kill here loses only temp tables.
3. *Write* — every rule's task changes (close, refresh, open, their TaskEvents) and the
   run's final figures are written in ONE transaction: a kill rolls all of it back.

Each rule's writes are a handful of set-based statements: `UPDATE … WHERE NOT EXISTS`
(close), `UPDATE … FROM` (refresh, only where something differs), `INSERT … SELECT …
ORDER BY subject_key` (open, filtered with NOT EXISTS against open and snoozed tasks).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.comparison import guards, inputs, rules
from enforcement.comparison.facts import (
    Params,
    Snapshots,
    Statement,
    current_snapshots,
    employer_facts_sql,
    person_facts_sql,
)
from enforcement.comparison.parameters import Parameters, load_parameters
from enforcement.kinds import KINDS, SubjectType, kinds_of
from enforcement.models import ComparisonRun, RuleRun, Task, TaskEvent
from enrollment.loading import analyze, analyze_unknown_batches
from wuhai_coverage.core import sql as dialect
from wuhai_coverage.core.models import District, Street
from wuhai_coverage.core.sql import t
from wuhai_coverage.core.text import in_site_language
from wuhai_coverage.outbox import services as outbox

log = logging.getLogger(__name__)

# pg_advisory_lock key of the comparison ("WUHAI-CMP" in spirit; any constant unique to it).
ADVISORY_LOCK_KEY = 0x57554841_434D50
# A run queued by the API that no worker has claimed after this long, and whose outbox
# message is gone, is given up.
QUEUED_TIMEOUT = dt.timedelta(hours=6)
# Executions of a run before a worker that died with it makes it fail (redelivery, retry).
MAX_RUN_ATTEMPTS = 2
TASK_NAME = "enforcement.tasks.comparison_run_task"
# SQLite (the demo) has no advisory locks: a claimed run older than this is taken as dead.
SQLITE_DEAD_AFTER = dt.timedelta(hours=2)

CAND = "cmp_cand"
TEMP_TABLES = (CAND, rules.EMPLOYER_FACTS, rules.PERSON_FACTS)


class RunInProgress(Exception):
    """Another comparison run is running; this one was refused (never interleaved)."""


@dataclass
class Summary:
    run_id: int
    as_of: dt.date
    opened: dict[str, int]
    closed: dict[str, int]
    open: dict[str, int]
    skipped: list[dict[str, str]]
    duration_s: float
    # Rules not executed because their inputs equal those of their last execution, with the
    # batches they would have read: [{"rule", "batches": {roster kind: batch id}}].
    unchanged: list[dict] = field(default_factory=list)
    forced: bool = False

    def as_json(self) -> dict:
        """The contract's summary (comparison.md → Running it); the unchanged rules are on the
        run's RuleRun rows (the runs page and API) and on the command's stderr."""
        return {
            "run_id": self.run_id,
            "as_of": self.as_of.isoformat(),
            "opened": self.opened,
            "closed": self.closed,
            "open": self.open,
            "skipped": self.skipped,
            "duration_s": self.duration_s,
        }


# --- one at a time ---------------------------------------------------------------------------


def _try_lock() -> bool:
    if not dialect.is_pg():
        return True
    with connection.cursor() as c:
        c.execute("SELECT pg_try_advisory_lock(%(key)s)", {"key": ADVISORY_LOCK_KEY})
        row = c.fetchone()
        return bool(row and row[0])


def _unlock() -> None:
    if dialect.is_pg():
        with connection.cursor() as c:
            c.execute("SELECT pg_advisory_unlock(%(key)s)", {"key": ADVISORY_LOCK_KEY})


def _reap_locked() -> int:
    """With the lock held (nobody executes a run): mark `running` rows failed when a worker
    had claimed them (it died), or when queued and never claimed for QUEUED_TIMEOUT."""
    now = timezone.now()
    running = ComparisonRun.objects.filter(status=ComparisonRun.Status.RUNNING)
    dead = list(running.exclude(progress__phase="queued").values_list("pk", flat=True))
    dead += [
        pk
        for pk in running.filter(progress__phase="queued", started_at__lt=now - QUEUED_TIMEOUT).values_list(
            "pk", flat=True
        )
        if not outbox.pending(TASK_NAME, run_id=pk)
    ]
    if not dialect.is_pg():  # no advisory locks on SQLite: only a claimed run this old is taken as dead
        dead = list(
            running.filter(pk__in=dead, started_at__lt=now - SQLITE_DEAD_AFTER).values_list("pk", flat=True)
        )
    if dead:
        ComparisonRun.objects.filter(pk__in=dead, status=ComparisonRun.Status.RUNNING).update(
            status=ComparisonRun.Status.FAILED,
            finished_at=now,
            error=_dead_run_error(1),
        )
        log.warning("comparison runs %s were left running by a dead worker: marked failed", dead)
    return len(dead)


@in_site_language
def _dead_run_error(attempts: int) -> str:
    """The error kept on a run whose worker died (in the site's language: it is a record)."""
    if attempts == 1:
        return _("运行中断（进程终止），未写入任何任务")
    return _("运行中断 %(attempts)s 次（进程终止），未写入任何任务") % {"attempts": attempts}


def reap_dead_runs() -> int:
    """Mark as failed the `running` rows whose worker died (see the module docstring)."""
    if not _try_lock():
        return 0  # a live worker holds the lock: its run is not dead
    try:
        return _reap_locked()
    finally:
        _unlock()


def _create_run(
    *, as_of: dt.date | None, trigger: str, user, phase: str, force: bool = False
) -> ComparisonRun:
    try:
        with transaction.atomic():
            return ComparisonRun.objects.create(
                as_of=as_of or timezone.localdate(),
                trigger=trigger,
                forced=force,
                triggered_by=user if getattr(user, "pk", None) else None,
                progress={"phase": phase, "done": 0, "total": len(KINDS)},
            )
    except IntegrityError:
        raise RunInProgress(_("另一比对正在运行")) from None


def start_run(
    *, as_of: dt.date | None = None, trigger: str = "api", user=None, force: bool = False
) -> ComparisonRun:
    """Queue a run for a worker (`execute_run`): its `running` row and its outbox message in
    one transaction (sent after the commit), refused with RunInProgress if one is running
    already. `force`: execute every rule, even those whose inputs are unchanged."""
    reap_dead_runs()
    with transaction.atomic():
        run = _create_run(as_of=as_of, trigger=trigger, user=user, phase="queued", force=force)
        if not outbox.eager():  # eager (no broker): comparison_request_run runs inline, never queues
            outbox.enqueue(TASK_NAME, run_id=run.pk)
    return run


def run_comparison(
    *,
    as_of: dt.date | None = None,
    trigger: str = "command",
    user=None,
    on_progress: Callable[[dict], None] | None = None,
    force: bool = False,
) -> Summary:
    """Start a run and execute it in the foreground (command, beat), holding the lock from
    before the row exists to after its figures are written. A rule whose inputs equal those
    of its last execution is not executed again (comparison/inputs.py) unless `force`."""
    if not _try_lock():
        raise RunInProgress(_("另一比对正在运行"))
    try:
        _reap_locked()
        _run_queued_locked()
        run = _create_run(as_of=as_of, trigger=trigger, user=user, phase="starting", force=force)
        return _run_locked(run, on_progress)
    finally:
        _drop_temp_tables()
        _unlock()


def _run_queued_locked() -> None:
    """Execute the runs queued by the API or the portal that no worker has claimed yet
    (their message waits behind a long task, or the broker was down): a queued run must
    not make the nightly run skip. Its message, when it comes, finds it finished."""
    queued = ComparisonRun.objects.filter(status=ComparisonRun.Status.RUNNING, progress__phase="queued")
    for run in queued.order_by("id"):
        outbox.claim(TASK_NAME, run_id=run.pk)
        try:
            _run_locked(run, None)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # marked failed by _run_locked; our own run still goes ahead
            log.exception("queued comparison run %s failed", run.pk)
        finally:
            _drop_temp_tables()


# --- the run ---------------------------------------------------------------------------------


def execute_run(run: ComparisonRun, *, on_progress: Callable[[dict], None] | None = None) -> Summary:
    """Execute a queued run (the worker's side of `start_run`)."""
    if not _try_lock():
        # Another worker executes a run (the same message delivered twice): leave it be.
        raise RunInProgress(_("另一比对正在运行"))
    try:
        current = ComparisonRun.objects.filter(pk=run.pk, status=ComparisonRun.Status.RUNNING).first()
        if current is None:
            raise RunInProgress(_("比对运行 %(run)s 已结束") % {"run": run.pk})
        attempts = int((current.progress or {}).get("attempt", 0))
        if (current.progress or {}).get("phase") != "queued" and attempts >= MAX_RUN_ATTEMPTS:
            # Claimed MAX_RUN_ATTEMPTS times by workers that died (we hold the lock): give up.
            ComparisonRun.objects.filter(pk=run.pk, status=ComparisonRun.Status.RUNNING).update(
                status=ComparisonRun.Status.FAILED,
                finished_at=timezone.now(),
                error=_dead_run_error(attempts),
            )
            raise RunInProgress(
                _("比对运行 %(run)s 已中断 %(attempts)s 次") % {"run": run.pk, "attempts": attempts}
            )
        return _run_locked(current, on_progress)
    finally:
        _drop_temp_tables()
        _unlock()


# For the run's session only: JIT compiles the facts queries for ~1 s and saves nothing at
# this size; the facts' hashes and sorts and the bulk index builds spill to disk with the
# server's default 4 MB (one run at a time: the memory is taken once).
SESSION_SETTINGS = {"jit": "off", "work_mem": "64MB", "maintenance_work_mem": "256MB"}


def _session_settings(on: bool) -> None:
    if dialect.is_pg():
        with connection.cursor() as c:
            for name, value in SESSION_SETTINGS.items():
                c.execute(f"SET {name} = '{value}'" if on else f"RESET {name}")


def _run_locked(run: ComparisonRun, on_progress: Callable[[dict], None] | None) -> Summary:
    started = time.monotonic()
    _session_settings(True)
    attempt = int((run.progress or {}).get("attempt", 0)) + 1
    run.progress = {**(run.progress or {}), "phase": "evaluating", "attempt": attempt}
    ComparisonRun.objects.filter(pk=run.pk).update(progress=run.progress)  # claimed
    try:
        return _execute(run, started, on_progress)
    except BaseException as exc:
        ComparisonRun.objects.filter(pk=run.pk, status=ComparisonRun.Status.RUNNING).update(
            status=ComparisonRun.Status.FAILED,
            finished_at=timezone.now(),
            duration_s=round(time.monotonic() - started, 3),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    finally:
        try:
            _session_settings(False)
        except Exception:  # a broken connection: the session ends anyway
            log.debug("could not reset the session settings", exc_info=True)


def _progress(run: ComparisonRun, progress: dict, on_progress: Callable[[dict], None] | None) -> None:
    progress = {**progress, "attempt": (run.progress or {}).get("attempt", 1)}
    run.progress = progress
    ComparisonRun.objects.filter(pk=run.pk).update(progress=progress)
    if on_progress:
        on_progress(progress)


def _drop_temp_tables() -> None:
    try:
        with connection.cursor() as c:
            for table in TEMP_TABLES:
                c.execute(f"DROP TABLE IF EXISTS {table}")
    except Exception:  # the connection may be unusable after a failure; the session ends anyway
        log.debug("could not drop the comparison's temp tables", exc_info=True)


def _snapshot_record(snaps: Snapshots) -> dict:
    return {
        kind: {
            "batch": b.pk,
            "snapshot_date": b.snapshot_date.isoformat(),
            "rows_total": b.rows_total,
            "rows_rejected": b.rows_rejected,
        }
        for kind, b in sorted(snaps.batches.items())
    }


def _facts_statement(kind: str, as_of: dt.date, params: Parameters, snaps: Snapshots) -> Statement | None:
    """The facts a kind's rule reads (None: it reads a snapshot table itself)."""
    if kind in inputs.PERSON_KINDS:
        return person_facts_sql(as_of, params, snaps, candidates_only=True)
    if kind in inputs.EMPLOYER_FACT_KINDS:
        return employer_facts_sql(as_of, params, snaps)
    return None


def _last_executions(kinds: list[str]) -> dict[str, dict]:
    """Each kind's fingerprint at its last execution in a finished run."""
    out: dict[str, dict] = {}
    for kind in kinds:
        row = (
            RuleRun.objects.filter(
                kind=kind, status=RuleRun.Status.EXECUTED, run__status=ComparisonRun.Status.FINISHED
            )
            .order_by("-run_id")
            .values_list("inputs", flat=True)
            .first()
        )
        if row is not None:
            out[kind] = row
    return out


def _execute(run: ComparisonRun, started: float, on_progress: Callable[[dict], None] | None) -> Summary:
    as_of = run.as_of
    params = load_parameters(as_of)
    snaps = current_snapshots(as_of)
    kinds = list(KINDS)
    skipped: list[dict[str, str]] = []
    for kind in kinds:
        reason = guards.skip_reason(kind, snaps, params)
        if reason:
            skipped.append({"rule": kind, "reason": reason})
    skipped_kinds = frozenset(s["rule"] for s in skipped)
    running = tuple(k for k in kinds if k not in skipped_kinds)
    ComparisonRun.objects.filter(pk=run.pk).update(
        parameters=params.as_record(), snapshots=_snapshot_record(snaps), skipped=skipped
    )
    ctx = rules.Context(
        as_of=as_of,
        params=params,
        snapshots=snaps,
        skipped=skipped_kinds,
        running=running,
        persons=tuple(
            (spec.code.value, spec.condition) for spec in kinds_of(SubjectType.PERSON) if spec.condition
        ),
    )
    seconds: dict[str, float] = {}
    total = len(kinds)
    snooze_from = _snooze_from(as_of, params)

    # Phase 1: what each rule would read, against its last execution (comparison/inputs.py).
    t0 = time.monotonic()
    statements = {kind: KINDS[kind].rule(ctx, KINDS[kind]) for kind in running}
    reference = inputs.reference_state()
    states = inputs.task_states(snooze_from)
    fingerprints = {
        kind: {
            **inputs.fingerprint(
                kind,
                as_of=as_of,
                params=params,
                snapshots=snaps,
                rule=statements[kind],
                facts=_facts_statement(kind, as_of, params, snaps),
                reference=reference,
            ),
            "tasks": inputs.tasks_token(kind, states),
        }
        for kind in running
    }
    last = {} if run.forced else _last_executions(list(running))
    unchanged = [k for k in running if inputs.same_inputs(fingerprints[k], last.get(k))]
    executing = tuple(k for k in running if k not in unchanged)
    seconds["_inputs"] = round(time.monotonic() - t0, 3)

    if executing:
        # Statistics first: a snapshot loaded seconds ago whose loader died before its ANALYZE
        # (or rows written by hand) would make the facts statements pick nested loops.
        t0 = time.monotonic()
        read = {roster for kind in executing for roster in inputs.READS[kind]}
        analyze_unknown_batches({k: b for k, b in snaps.batches.items() if k in read})
        seconds["_statistics"] = round(time.monotonic() - t0, 3)

        # Phase 2: evaluate into temp tables (only the facts an executing rule reads).
        _drop_temp_tables()
        t0 = time.monotonic()
        _materialise_facts(
            as_of,
            params,
            snaps,
            employers=any(k in inputs.EMPLOYER_FACT_KINDS for k in executing),
            persons=any(k in inputs.PERSON_KINDS for k in executing),
        )
        seconds["_facts"] = round(time.monotonic() - t0, 3)
        _create_candidates()
        for i, spec in enumerate(KINDS.values()):
            kind = spec.code.value
            _progress(run, {"phase": "evaluating", "done": i, "total": total, "current": kind}, on_progress)
            if kind not in executing:
                continue
            t0 = time.monotonic()
            sql, sql_params = statements[kind]
            with connection.cursor() as c:
                c.execute(
                    f"INSERT INTO {CAND} (kind, {', '.join(rules.CANDIDATE_COLUMNS)}) "
                    f"SELECT %(candidate_kind)s, x.* FROM ({sql}) x",
                    {**sql_params, "candidate_kind": kind},
                )
            seconds[kind] = round(time.monotonic() - t0, 3)
        t0 = time.monotonic()
        _index_candidates()
        seconds["_index"] = round(time.monotonic() - t0, 3)

    # Phase 3: write every task change and the run's figures in one transaction.
    _progress(run, {"phase": "writing", "done": total, "total": total, "current": ""}, on_progress)
    opened = dict.fromkeys(kinds, 0)
    closed = dict.fromkeys(kinds, 0)
    refreshed = dict.fromkeys(kinds, 0)
    now = timezone.now()
    with transaction.atomic():
        if dialect.is_pg() and executing:
            # Check the foreign keys statement by statement (Django declares them DEFERRABLE
            # INITIALLY DEFERRED): the same work, but inside each rule's time rather than in an
            # unaccounted COMMIT, and no queue of millions of deferred trigger events.
            with connection.cursor() as c:
                c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        t0 = time.monotonic()
        bulk = _bulk_begin(states) if executing else None
        if bulk is not None:
            seconds["_bulk_drop"] = round(time.monotonic() - t0, 3)
        for kind in executing:
            t0 = time.monotonic()
            closed[kind], refreshed[kind], opened[kind] = _write_rule(kind, run.pk, now, snooze_from)
            seconds[kind] = round(seconds.get(kind, 0) + time.monotonic() - t0, 3)
        if bulk is not None:
            t0 = time.monotonic()
            _bulk_end(bulk)
            seconds["_bulk_rebuild"] = round(time.monotonic() - t0, 3)
        after = inputs.task_states(snooze_from) if executing else states
        _record_rules(
            run, kinds, skipped_kinds, executing, fingerprints, after, opened, refreshed, closed, seconds
        )
        open_counts = {kind: int((after.get(kind) or [0])[0]) for kind in kinds}
        duration = round(time.monotonic() - started, 3)
        done = {"phase": "done", "done": total, "total": total, "current": ""}
        ComparisonRun.objects.filter(pk=run.pk).update(
            status=ComparisonRun.Status.FINISHED,
            finished_at=timezone.now(),
            duration_s=duration,
            opened=opened,
            closed=closed,
            open=open_counts,
            rule_seconds=seconds,
            progress=done,
        )
    if any(opened.values()) or any(closed.values()) or any(refreshed.values()):
        # The queue, task pages and assessment join on the tasks just written.
        analyze(Task, TaskEvent)
    if on_progress:
        on_progress(done)
    return Summary(
        run_id=run.pk,
        as_of=as_of,
        opened=opened,
        closed=closed,
        open=open_counts,
        skipped=skipped,
        duration_s=duration,
        unchanged=[{"rule": k, "batches": fingerprints[k]["batches"]} for k in unchanged],
        forced=run.forced,
    )


# A write that opens at least this many tasks, and at least as many as the table holds (the
# first run, a new city), drops the tasks' and events' secondary indexes and the foreign keys
# they check row by row, and rebuilds them after the writes (one sort per index, one join per
# key) — in the run's transaction.
BULK_MIN_OPENS = 10_000


@dataclass
class _Bulk:
    indexes: list[str]  # CREATE INDEX statements to run again
    constraints: list[tuple[str, str, str]]  # (table, name, definition)


def _bulk_begin(states: dict[str, list]) -> _Bulk | None:
    """Drop what each inserted row would maintain when the run opens at least BULK_MIN_OPENS
    tasks and at least as many as the table holds; None (nothing dropped) otherwise.

    Kept: the primary keys, the unique index of one open task per (kind, subject) (the opens'
    conflict target), and the keys to users (NULL in every row the run writes, and a lock on
    the users table would hold up logins). The drops take the tasks table's ACCESS EXCLUSIVE
    lock until the commit: pages reading tasks wait for the writes (seconds, on the first
    run) instead of reading a table without its indexes."""
    if not dialect.is_pg():
        return None
    rows = sum(int(s[0]) + int(s[1]) for s in states.values())
    task = t(Task)
    with connection.cursor() as c:
        c.execute(
            f"""SELECT COUNT(*) FROM {CAND} c WHERE c.opens AND NOT EXISTS (
                    SELECT 1 FROM {task} t WHERE t.kind = c.kind AND t.subject_key = c.subject_key
                      AND t.status <> %(closed)s)""",
            {"closed": Task.Status.CLOSED.value},
        )
        opens = int(c.fetchone()[0])
        if opens < BULK_MIN_OPENS or opens < rows:
            return None
        tables = [task, t(TaskEvent)]
        c.execute(
            """SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
               WHERE indrelid = ANY(%(tables)s::regclass[]) AND NOT indisprimary AND NOT indisunique
               ORDER BY 1""",
            {"tables": tables},
        )
        indexes = c.fetchall()
        c.execute(
            """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = ANY(%(tables)s::regclass[]) AND contype = 'f'
                 AND confrelid = ANY(%(referenced)s::regclass[])
               ORDER BY 1, 2""",
            {"tables": tables, "referenced": [task, t(District), t(Street)]},
        )
        constraints = c.fetchall()
        for table, name, _definition in constraints:
            c.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            c.execute(f"DROP INDEX {name}")
    log.info(
        "bulk write of %s tasks: %s indexes and %s keys rebuilt after", opens, len(indexes), len(constraints)
    )
    return _Bulk(indexes=[d for _n, d in indexes], constraints=constraints)


def _bulk_end(bulk: _Bulk) -> None:
    with connection.cursor() as c:
        for definition in bulk.indexes:
            c.execute(definition)
        for table, name, definition in bulk.constraints:
            c.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _record_rules(
    run: ComparisonRun,
    kinds: list[str],
    guarded: frozenset[str],
    executing: tuple[str, ...],
    fingerprints: dict[str, dict],
    after: dict[str, list],
    opened: dict[str, int],
    refreshed: dict[str, int],
    closed: dict[str, int],
    seconds: dict[str, float],
) -> None:
    """One RuleRun per kind. An executed rule's fingerprint takes the state of its tasks
    after the writes: the next run compares with that."""
    rows = []
    for kind in kinds:
        if kind in guarded:
            rows.append(RuleRun(run=run, kind=kind, status=RuleRun.Status.GUARDED))
            continue
        fp = fingerprints[kind]
        if kind in executing:
            fp = {**fp, "tasks": inputs.tasks_token(kind, after)}
            status = RuleRun.Status.EXECUTED
        else:
            status = RuleRun.Status.UNCHANGED
        rows.append(
            RuleRun(
                run=run,
                kind=kind,
                status=status,
                inputs=fp,
                opened=opened[kind],
                refreshed=refreshed[kind],
                closed=closed[kind],
                seconds=seconds.get(kind),
            )
        )
    RuleRun.objects.bulk_create(rows)


def _snooze_from(as_of: dt.date, params: Parameters) -> dt.datetime:
    """A dismissal at or after this instant still snoozes (kind, subject) at D: dismissed on
    day X, it is not reopened on X … X + snooze − 1 and may be on X + snooze."""
    day = as_of - dt.timedelta(days=params.dismissal_snooze_days - 1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _materialise_facts(
    as_of: dt.date, params: Parameters, snaps: Snapshots, *, employers: bool = True, persons: bool = True
) -> None:
    facts = []
    if employers:
        facts.append((rules.EMPLOYER_FACTS, employer_facts_sql(as_of, params, snaps)))
    if persons:
        facts.append((rules.PERSON_FACTS, person_facts_sql(as_of, params, snaps, candidates_only=True)))
    with connection.cursor() as c:
        for table, (sql, sql_params) in facts:
            c.execute(f"CREATE TEMP TABLE {table} AS {sql}", sql_params)
            if dialect.is_pg():
                c.execute(f"ANALYZE {table}")  # autovacuum never analyses temp tables


def _create_candidates() -> None:
    with connection.cursor() as c:
        c.execute(f"""CREATE TEMP TABLE {CAND} (
            kind varchar(32) NOT NULL, subject_type varchar(10) NOT NULL, subject_key varchar(40) NOT NULL,
            subject_name varchar(200) NOT NULL, district_code varchar(6), street_code varchar(9),
            priority varchar(8) NOT NULL, due_date date, evidence {dialect.json_type()} NOT NULL,
            opens {dialect.bool_type()} NOT NULL)""")


def _index_candidates() -> None:
    with connection.cursor() as c:
        c.execute(f"CREATE UNIQUE INDEX {CAND}_key ON {CAND} (kind, subject_key)")
        if dialect.is_pg():
            c.execute(f"ANALYZE {CAND}")


def _write_values(kind: str, run_id: int, now: dt.datetime, snooze_from: dt.datetime) -> Params:
    """The parameters of one kind's writes: status, resolution and event values come from
    the models' choices, never typed into the SQL."""
    return {
        "kind": kind,
        "run_id": run_id,
        "now": dialect.param(now),
        "snooze_from": dialect.param(snooze_from),
        "open": Task.Status.OPEN.value,
        "closed": Task.Status.CLOSED.value,
        "resolved_by_data": Task.Resolution.RESOLVED_BY_DATA.value,
        "dismissed": Task.Resolution.DISMISSED.value,
        "no_resolution": "",
        "event_closed_by_data": TaskEvent.Kind.CLOSED_BY_DATA.value,
        "event_refreshed": TaskEvent.Kind.REFRESHED.value,
        "event_opened": TaskEvent.Kind.OPENED.value,
    }


def _write_rule(kind: str, run_id: int, now: dt.datetime, snooze_from: dt.datetime) -> tuple[int, int, int]:
    """Close, refresh and open the tasks of one kind from its candidates, each change with its
    TaskEvent. Returns (closed, refreshed, opened).

    On PostgreSQL each step is ONE statement: the task change in a data-modifying CTE whose
    RETURNING feeds the events' INSERT (no second scan of the tasks to find the rows just
    written). SQLite has no such CTE: the events are found by the run's ids afterwards."""
    task, event, district, street = t(Task), t(TaskEvent), t(District), t(Street)
    values = _write_values(kind, run_id, now, snooze_from)
    pg = dialect.is_pg()
    close = f"""
        UPDATE {task} SET status = %(closed)s, resolution = %(resolved_by_data)s, closed_at = %(now)s,
                          last_run_id = %(run_id)s
        WHERE kind = %(kind)s AND status <> %(closed)s
          AND NOT EXISTS (SELECT 1 FROM {CAND} c WHERE c.kind = %(kind)s AND c.subject_key = {task}.subject_key)"""
    # Refresh: still-true tasks whose evidence (or name, priority, due date) changed — only those.
    refresh = f"""
        UPDATE {task} SET evidence = c.evidence, subject_name = c.subject_name, priority = c.priority,
                          due_date = c.due_date, refreshed_at = %(now)s, last_run_id = %(run_id)s
        FROM {CAND} c
        WHERE c.kind = %(kind)s AND {task}.kind = %(kind)s AND {task}.subject_key = c.subject_key
          AND {task}.status <> %(closed)s
          AND ({task}.evidence IS DISTINCT FROM c.evidence OR {task}.subject_name <> c.subject_name
               OR {task}.priority <> c.priority OR {task}.due_date IS DISTINCT FROM c.due_date)"""
    # Open: candidates without an open task, not snoozed by a recent dismissal; sorted by the
    # unique key (much faster on PostgreSQL), filtered with NOT EXISTS before any conflict check.
    # The conflict target names the partial unique index by its predicate, which PostgreSQL
    # must match as written: a literal, taken from the model's choices.
    conflict = (
        f" ON CONFLICT (kind, subject_key) WHERE status <> '{Task.Status.CLOSED.value}' DO NOTHING"
        if pg
        else ""
    )
    open_ = f"""
        INSERT INTO {task} (kind, subject_type, subject_key, subject_name, district_id, street_id, priority,
                            status, resolution, evidence, opened_at, refreshed_at, due_date, assignee_id,
                            closed_at, opened_by_run_id, last_run_id)
        SELECT c.kind, c.subject_type, c.subject_key, c.subject_name,
               (SELECT d.code FROM {district} d WHERE d.code = c.district_code),
               (SELECT s.code FROM {street} s WHERE s.code = c.street_code AND s.district_id = c.district_code),
               c.priority, %(open)s, %(no_resolution)s, c.evidence, %(now)s, %(now)s, c.due_date, NULL, NULL,
               %(run_id)s, %(run_id)s
        FROM {CAND} c
        WHERE c.kind = %(kind)s AND c.opens
          AND NOT EXISTS (SELECT 1 FROM {task} t
                          WHERE t.kind = c.kind AND t.subject_key = c.subject_key AND t.status <> %(closed)s)
          AND NOT EXISTS (SELECT 1 FROM {task} t
                          WHERE t.kind = c.kind AND t.subject_key = c.subject_key AND t.status = %(closed)s
                            AND t.resolution = %(dismissed)s AND t.closed_at >= %(snooze_from)s)
        ORDER BY c.subject_key{conflict}"""
    with connection.cursor() as c:
        if pg:
            counts = []
            for statement, event_kind in (
                (close, "event_closed_by_data"),
                (refresh, "event_refreshed"),
                (open_, "event_opened"),
            ):
                c.execute(
                    f"""WITH changed AS ({statement} RETURNING id)
                        INSERT INTO {event} (task_id, kind, actor_id, at, run_id, data)
                        SELECT id, %({event_kind})s, NULL, %(now)s, %(run_id)s, '{{}}' FROM changed""",
                    values,
                )
                counts.append(c.rowcount)
            return counts[0], counts[1], counts[2]

        c.execute(close, values)
        closed = c.rowcount
        if closed:
            c.execute(
                f"""
                INSERT INTO {event} (task_id, kind, actor_id, at, run_id, data)
                SELECT t.id, %(event_closed_by_data)s, NULL, %(now)s, %(run_id)s, '{{}}' FROM {task} t
                WHERE t.last_run_id = %(run_id)s AND t.kind = %(kind)s AND t.status = %(closed)s
                  AND t.resolution = %(resolved_by_data)s""",
                values,
            )
        c.execute(refresh, values)
        refreshed = c.rowcount
        if refreshed:
            c.execute(
                f"""
                INSERT INTO {event} (task_id, kind, actor_id, at, run_id, data)
                SELECT t.id, %(event_refreshed)s, NULL, %(now)s, %(run_id)s, '{{}}' FROM {task} t
                WHERE t.last_run_id = %(run_id)s AND t.kind = %(kind)s AND t.status <> %(closed)s""",
                values,
            )
        c.execute(open_, values)
        opened = c.rowcount
        if opened:
            c.execute(
                f"""
                INSERT INTO {event} (task_id, kind, actor_id, at, run_id, data)
                SELECT t.id, %(event_opened)s, NULL, %(now)s, %(run_id)s, '{{}}' FROM {task} t
                WHERE t.opened_by_run_id = %(run_id)s AND t.kind = %(kind)s""",
                values,
            )
    return closed, refreshed, opened


__all__ = [
    "RunInProgress",
    "Summary",
    "execute_run",
    "reap_dead_runs",
    "run_comparison",
    "start_run",
]
