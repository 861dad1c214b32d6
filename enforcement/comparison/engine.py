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
2. *Plan, then evaluate in parts* — the plan (`_plan`: guards, inputs, statistics) is
   written into the run's UNLOGGED staging table `cmp_r<run>_plan`; each part
   (`execute_part`: the facts of one subject, or one rule's candidates) writes into the
   run's staging tables `cmp_r<run>_employer|person|cand` in its own transaction. Nothing
   durable is written but the run's progress; staging tables of a dead run are dropped by
   the sweep. In one process (`run_comparison`) the parts run one after the other; with
   the fan-out (`COMPARISON_FANOUT`) they are Celery tasks on every worker of the
   `comparison` queue, joined on the run's row (see "the fan-out" below).
3. *Write* — every rule's task changes (close, refresh, open, their TaskEvents) and the
   run's final figures are written in ONE transaction (`_apply`), from the staging
   tables: a kill rolls all of it back.

Each rule's writes are a handful of set-based statements: `UPDATE … WHERE NOT EXISTS`
(close), `UPDATE … FROM` (refresh, only where something differs), `INSERT … SELECT …
ORDER BY subject_key` (open, filtered with NOT EXISTS against open and snoozed tasks).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
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
from enrollment.models import RosterBatch
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
# A queued run whose worker finds the lock held waits this long for it (polling), then is
# tried again by its task (LockBusy): the lock is held a moment past the previous run's end.
QUEUED_LOCK_WAIT_SECONDS = 30.0
QUEUED_LOCK_POLL_SECONDS = 0.2
# Executions of a run before a worker that died with it makes it fail (redelivery, retry).
MAX_RUN_ATTEMPTS = 2
TASK_NAME = "enforcement.tasks.comparison_run_task"
# SQLite (the demo) has no advisory locks: a claimed run older than this is taken as dead.
SQLITE_DEAD_AFTER = dt.timedelta(hours=2)

# A run's staging tables, shared by the workers that execute its parts: cmp_r<run>_plan,
# _cand (candidates), _employer and _person (facts). The rules are written against the
# canonical names cmp_employer / cmp_person (their statements' digests do not change with
# the run id) and `staged` names the run's tables when they are executed.
STAGING_PREFIX = "cmp_r"
STAGING_RE = re.compile(r"^cmp_r([0-9]+)_(plan|cand|employer|person)$")
_CANONICAL = re.compile(rf"\b({rules.EMPLOYER_FACTS}|{rules.PERSON_FACTS})\b")
FACTS_PART = "facts:"
RULE_PART = "rule:"


def staging_names(run_id: int) -> dict[str, str]:
    run_id = int(run_id)
    return {part: f"{STAGING_PREFIX}{run_id}_{part}" for part in ("plan", "cand", "employer", "person")}


def staged(sql: str, run_id: int) -> str:
    """A rule's SQL reading the run's facts tables instead of the canonical names."""
    names = staging_names(run_id)
    return _CANONICAL.sub(
        lambda m: names["employer"] if m.group(1) == rules.EMPLOYER_FACTS else names["person"], sql
    )


class RunInProgress(Exception):
    """Another comparison run is running; this one was refused (never interleaved)."""


class LockBusy(RunInProgress):
    """A queued run found the comparison's lock held for longer than QUEUED_LOCK_WAIT_SECONDS
    (another execution): still queued, it is to be tried again, not dropped."""


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
    fanned = [run for run in running.filter(progress__fanout=True) if dialect.is_pg()]
    dead = [run.pk for run in fanned if _reap_fanout_locked(run)]
    dead += list(
        running.exclude(progress__phase="queued")
        .exclude(pk__in=[run.pk for run in fanned])
        .values_list("pk", flat=True)
    )
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
    sweep_staging()
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
    """Start a run and execute it in the foreground, in this process (`_foreground`)."""
    summary = _foreground(as_of=as_of, trigger=trigger, user=user, on_progress=on_progress, force=force)
    if summary is None:  # pragma: no cover — only a fan-out returns none
        raise RuntimeError("the comparison run returned no summary")
    return summary


def dispatch_comparison(*, as_of: dt.date | None = None, trigger: str = "beat") -> Summary | None:
    """The nightly with the fan-out: plan a run here and hand its parts to the workers
    (None), or, when no rule executes, its Summary."""
    return _foreground(as_of=as_of, trigger=trigger, user=None, on_progress=None, force=False, fanout=True)


def _foreground(
    *,
    as_of: dt.date | None,
    trigger: str,
    user,
    on_progress: Callable[[dict], None] | None,
    force: bool,
    fanout: bool = False,
) -> Summary | None:
    """Start a run and execute it in the foreground (command, beat), holding the lock from
    before the row exists to after its figures are written. A rule whose inputs equal those
    of its last execution is not executed again (comparison/inputs.py) unless `force`.

    `fanout` (the nightly with `fanout_enabled()`): plan the run here, then hand its parts to
    the comparison queue's workers and return None; the last part's worker writes it."""
    if not _try_lock():
        raise RunInProgress(_("另一比对正在运行"))
    run_id = None
    dispatched = False
    try:
        _reap_locked()
        _run_queued_locked()
        run = _create_run(as_of=as_of, trigger=trigger, user=user, phase="starting", force=force)
        run_id = run.pk
        if fanout:
            summary = _dispatch_locked(run)
            dispatched = summary is None
            return summary
        return _run_locked(run, on_progress)
    finally:
        if not dispatched:
            _drop_staging(run_id)
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
            _drop_staging(run.pk)


# --- the run ---------------------------------------------------------------------------------


def execute_run(run: ComparisonRun, *, on_progress: Callable[[dict], None] | None = None) -> Summary:
    """Execute a queued run (the worker's side of `start_run`), in this process."""
    summary = _execute_queued(run, on_progress=on_progress)
    if summary is None:  # pragma: no cover — only a fan-out returns none
        raise RuntimeError("the comparison run returned no summary")
    return summary


def dispatch_run(run: ComparisonRun) -> Summary | None:
    """The worker's side of `start_run` with the fan-out: plan the run, hand its parts to the
    comparison queue and return None (see `_dispatch_locked`)."""
    return _execute_queued(run, on_progress=None, fanout=True)


def _lock_for_queued(run: ComparisonRun) -> None:
    """Take the lock for a queued run. The run before it is marked finished inside its write
    and unlocked just after: a run queued in that instant (the runs page or the API starts it
    as soon as the last one reads finished) waits for the lock instead of being dropped. A
    run no longer queued is another delivery's (the same message delivered twice): left be."""
    deadline = time.monotonic() + QUEUED_LOCK_WAIT_SECONDS
    while not _try_lock():
        queued = ComparisonRun.objects.filter(
            pk=run.pk, status=ComparisonRun.Status.RUNNING, progress__phase="queued"
        ).exists()
        if not queued:
            raise RunInProgress(_("另一比对正在运行"))
        if time.monotonic() >= deadline:
            raise LockBusy(_("另一比对正在运行"))
        time.sleep(QUEUED_LOCK_POLL_SECONDS)


def _execute_queued(
    run: ComparisonRun, *, on_progress: Callable[[dict], None] | None, fanout: bool = False
) -> Summary | None:
    _lock_for_queued(run)
    dispatched = False
    try:
        current = ComparisonRun.objects.filter(pk=run.pk, status=ComparisonRun.Status.RUNNING).first()
        if current is None:
            raise RunInProgress(_("比对运行 %(run)s 已结束") % {"run": run.pk})
        if (current.progress or {}).get("fanout"):
            dispatched = True  # its parts are on the workers already (a message delivered twice)
            raise RunInProgress(_("比对运行 %(run)s 已分发") % {"run": run.pk})
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
        if fanout:
            summary = _dispatch_locked(current)
            dispatched = summary is None
            return summary
        return _run_locked(current, on_progress)
    finally:
        if not dispatched:
            _drop_staging(run.pk)
        _unlock()


# For the run's session only: JIT compiles the facts queries for ~1 s and saves nothing at
# this size; the facts' hashes and sorts and the bulk index builds spill to disk with the
# server's default 4 MB (one run at a time: the memory is taken once).
SESSION_SETTINGS = {"jit": "off", "work_mem": "64MB", "maintenance_work_mem": "256MB"}


def _session_settings(on: bool) -> None:
    if dialect.is_pg():
        try:
            with connection.cursor() as c:
                for name, value in SESSION_SETTINGS.items():
                    c.execute(f"SET {name} = '{value}'" if on else f"RESET {name}")
        except Exception:
            if on:
                raise
            log.debug("could not reset the session settings", exc_info=True)  # the session ends anyway


def _fail(run_id: int, exc: BaseException | None, started: float | None = None, error: str = "") -> None:
    fields: dict = {"status": ComparisonRun.Status.FAILED, "finished_at": timezone.now()}
    if started is not None:
        fields["duration_s"] = round(time.monotonic() - started, 3)
    fields["error"] = error or f"{type(exc).__name__}: {exc}"[:2000]
    ComparisonRun.objects.filter(pk=run_id, status=ComparisonRun.Status.RUNNING).update(**fields)


def _run_locked(run: ComparisonRun, on_progress: Callable[[dict], None] | None) -> Summary:
    started = time.monotonic()
    _session_settings(True)
    attempt = int((run.progress or {}).get("attempt", 0)) + 1
    run.progress = {**(run.progress or {}), "phase": "evaluating", "attempt": attempt}
    ComparisonRun.objects.filter(pk=run.pk).update(progress=run.progress)  # claimed
    try:
        return _execute(run, started, on_progress)
    except BaseException as exc:
        _fail(run.pk, exc, started)
        raise
    finally:
        _session_settings(False)


def _progress(run: ComparisonRun, progress: dict, on_progress: Callable[[dict], None] | None) -> None:
    progress = {**progress, "attempt": (run.progress or {}).get("attempt", 1)}
    if (run.progress or {}).get("parts"):
        progress = {**progress, "fanout": True, "parts": run.progress["parts"], "t0": run.progress.get("t0")}
    run.progress = progress
    ComparisonRun.objects.filter(pk=run.pk).update(progress=progress)
    if on_progress:
        on_progress(progress)


# --- the fan-out -----------------------------------------------------------------------------
#
# The run's parts (facts per subject, candidates per rule) are Celery tasks on the
# `comparison` queue, executed by as many workers as consume it; each writes into the run's
# UNLOGGED staging tables and commits only there. The join is counted on the run's row
# (`progress.parts`, updated under its row lock in the transaction that commits the part's
# rows): the part that completes a stage sends the next stage's parts, the last one sends
# the write (`comparison_apply_task`), through the outbox in that same transaction — a
# chord whose counter cannot disagree with the staged rows, and needs no result backend.
# The write takes the comparison's lock and applies everything in ONE transaction.

PART_TASK = "enforcement.tasks.comparison_part_task"
APPLY_TASK = "enforcement.tasks.comparison_apply_task"
# pg_try_advisory_lock(PART_LOCK_CLASS, <crc of run:part>) is held by the worker executing
# a part: the sweep tells a part whose worker died from one still running.
PART_LOCK_CLASS = 0x57434D50  # "WCMP"


def fanout_enabled() -> bool:
    """COMPARISON_FANOUT (True/False) or, unset, on with PostgreSQL and a real broker: the
    demo (SQLite, eager Celery) runs in one process."""
    setting = getattr(settings, "COMPARISON_FANOUT", None)
    if not dialect.is_pg():
        return False
    if setting is not None:
        return bool(setting)
    return not outbox.eager()


def _part_lock_key(run_id: int, part: str) -> int:
    return zlib.crc32(f"{run_id}:{part}".encode()) & 0x7FFFFFFF


def _try_part_lock(run_id: int, part: str, *, xact: bool = False) -> bool:
    fn = "pg_try_advisory_xact_lock" if xact else "pg_try_advisory_lock"
    with connection.cursor() as c:
        c.execute(
            f"SELECT {fn}(%(cls)s, %(key)s)", {"cls": PART_LOCK_CLASS, "key": _part_lock_key(run_id, part)}
        )
        row = c.fetchone()
        return bool(row and row[0])


def _part_unlock(run_id: int, part: str) -> None:
    with connection.cursor() as c:
        c.execute(
            "SELECT pg_advisory_unlock(%(cls)s, %(key)s)",
            {"cls": PART_LOCK_CLASS, "key": _part_lock_key(run_id, part)},
        )


def _dispatch_locked(run: ComparisonRun) -> Summary | None:
    """Plan a run (holding the lock) and send its first stage's parts; None once sent. A run
    that executes no rule is written right here (its Summary)."""
    started = time.monotonic()
    attempt = int((run.progress or {}).get("attempt", 0)) + 1
    run.progress = {**(run.progress or {}), "phase": "evaluating", "attempt": attempt, "t0": time.time()}
    ComparisonRun.objects.filter(pk=run.pk).update(progress=run.progress)  # claimed
    _session_settings(True)
    try:
        plan = _plan(run)
        if not plan.stages:
            return _apply(run, plan, started, None)
        parts = {
            part: {"stage": i, "state": "queued" if i == 0 else "waiting", "attempt": 0}
            for i, stage in enumerate(plan.stages)
            for part in stage
        }
        with transaction.atomic():
            run.progress = {
                "phase": "evaluating",
                "fanout": True,
                "attempt": attempt,
                "t0": run.progress["t0"],
                "done": 0,
                "total": len(parts),
                "current": "",
                "parts": parts,
            }
            ComparisonRun.objects.filter(pk=run.pk).update(progress=run.progress)
            for part in plan.stages[0]:
                outbox.enqueue(PART_TASK, run_id=run.pk, part=part)
        log.info("comparison run %s: %s parts in %s stages sent", run.pk, len(parts), len(plan.stages))
        return None
    except BaseException as exc:
        _fail(run.pk, exc, started)
        raise
    finally:
        _session_settings(False)


def _running_parts(parts: dict) -> str:
    kinds = [p.removeprefix(RULE_PART) for p, v in parts.items() if v["state"] == "running"]
    return kinds[0] if len(kinds) == 1 and kinds[0] in KINDS else ""


def _part_written(run_id: int, part: str) -> None:
    """Called in a part's transaction after its rows are written, before its commit (a hook
    for the fault tests, which plant a pause here to kill the worker mid-part)."""


def run_part(run_id: int, part: str, *, worker: str = "") -> str:
    """A part task's body: evaluate `part` of run `run_id` into the staging tables and count
    it on the run's row; the part completing a stage sends the next. Returns what it did."""
    if not _try_part_lock(run_id, part):
        return "busy"  # a duplicate message: another worker executes this part
    try:
        with transaction.atomic():
            run = (
                ComparisonRun.objects.select_for_update()
                .filter(pk=run_id, status=ComparisonRun.Status.RUNNING)
                .first()
            )
            progress = (run.progress or {}) if run else {}
            info = (progress.get("parts") or {}).get(part)
            if run is None or info is None or info["state"] in ("done", "waiting"):
                return "ended"
            if info["attempt"] >= MAX_RUN_ATTEMPTS:
                # Claimed MAX_RUN_ATTEMPTS times by workers that died: the run fails.
                _fail(run_id, None, error=_dead_run_error(info["attempt"]))
                transaction.on_commit(lambda: _drop_staging(run_id))
                return "failed"
            info.update(state="running", attempt=info["attempt"] + 1, worker=worker, started=time.time())
            progress["current"] = _running_parts(progress["parts"])
            ComparisonRun.objects.filter(pk=run_id).update(progress=progress)
        plan = load_plan(run_id)
        _session_settings(True)
        try:
            with transaction.atomic():
                seconds = execute_part(run, plan, part)
                _part_written(run_id, part)
                run = (
                    ComparisonRun.objects.select_for_update()
                    .filter(pk=run_id, status=ComparisonRun.Status.RUNNING)
                    .first()
                )
                if run is None or not (run.progress or {}).get("fanout"):
                    transaction.set_rollback(True)  # failed meanwhile: its staging is dropped
                    return "ended"
                progress = run.progress
                parts = progress["parts"]
                parts[part].update(state="done", seconds=seconds, finished=time.time())
                stage = parts[part]["stage"]
                if all(v["state"] == "done" for v in parts.values() if v["stage"] == stage):
                    following = [p for p, v in parts.items() if v["stage"] == stage + 1]
                    for p in following:
                        parts[p]["state"] = "queued"
                        outbox.enqueue(PART_TASK, run_id=run_id, part=p)
                    if not following:
                        progress["phase"] = "joined"
                        outbox.enqueue(APPLY_TASK, run_id=run_id)
                progress["done"] = sum(1 for v in parts.values() if v["state"] == "done")
                progress["current"] = _running_parts(parts)
                ComparisonRun.objects.filter(pk=run_id).update(progress=progress)
            return "done"
        except Exception as exc:
            log.exception("comparison run %s: part %s failed", run_id, part)
            _fail(run_id, exc)
            _drop_staging(run_id)
            raise
        finally:
            _session_settings(False)
    finally:
        _part_unlock(run_id, part)


def apply_run(run_id: int) -> Summary | None:
    """The chord's callback: with the comparison's lock, write every part's staged rows in
    one transaction (`_apply`), then drop the run's staging tables."""
    deadline = time.monotonic() + 60
    while not _try_lock():  # a sweep holds it for an instant; a foreground run cannot (one running run)
        if time.monotonic() > deadline:
            raise RunInProgress(_("另一比对正在运行"))
        time.sleep(0.5)
    try:
        run = ComparisonRun.objects.filter(pk=run_id, status=ComparisonRun.Status.RUNNING).first()
        progress = (run.progress or {}) if run else {}
        if run is None or progress.get("phase") != "joined":
            return None  # ended (a message delivered twice), or not joined yet
        t0 = float(progress.get("t0") or time.time())
        started = time.monotonic() - (time.time() - t0)
        _session_settings(True)
        try:
            return _apply(run, load_plan(run_id), started, None)
        except BaseException as exc:
            _fail(run_id, exc, started)
            raise
        finally:
            _session_settings(False)
    finally:
        _drop_staging(run_id)
        _unlock()


def _reap_fanout_locked(run: ComparisonRun) -> bool:
    """A fan-out run, with the comparison's lock held: True when it is dead (its write's
    worker died: we hold the lock the write holds). A part whose worker died (its part lock
    is free) is sent again, or fails the run after MAX_RUN_ATTEMPTS executions."""
    if (run.progress or {}).get("phase") == "writing":
        return True
    with transaction.atomic():
        current = (
            ComparisonRun.objects.select_for_update()
            .filter(pk=run.pk, status=ComparisonRun.Status.RUNNING)
            .first()
        )
        if current is None:
            return False
        progress = current.progress or {}
        parts = progress.get("parts") or {}
        dead = [
            p for p, v in parts.items() if v["state"] == "running" and _try_part_lock(run.pk, p, xact=True)
        ]
        if not dead:
            return False
        if any(parts[p]["attempt"] >= MAX_RUN_ATTEMPTS for p in dead):
            attempts = max(parts[p]["attempt"] for p in dead)
            _fail(run.pk, None, error=_dead_run_error(attempts))
            transaction.on_commit(lambda: _drop_staging(run.pk))
            log.warning("comparison run %s: parts %s died %s times: failed", run.pk, dead, attempts)
            return False
        for p in dead:
            parts[p]["state"] = "queued"
            outbox.enqueue(PART_TASK, run_id=run.pk, part=p)
        progress["current"] = _running_parts(parts)
        ComparisonRun.objects.filter(pk=run.pk).update(progress=progress)
        log.warning("comparison run %s: the workers of parts %s died: sent again", run.pk, dead)
    return False


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


@dataclass
class Plan:
    """What a run executes, decided once under the lock (phase 1) and read by every part and
    by the write: JSON in the run's staging table `cmp_r<run>_plan`, so a part on another
    worker reads the same decision."""

    skipped: list[dict[str, str]]
    executing: list[str]
    unchanged: list[str]
    fingerprints: dict[str, dict]
    states: dict[str, list]  # inputs.task_states before the writes
    seconds: dict[str, float]
    # The parts, in stages: a stage's parts are independent (they run in parallel under the
    # fan-out); stage 1 holds the facts and the rules that read no facts, stage 2 the others.
    stages: list[list[str]]

    def parts(self) -> list[str]:
        return [p for stage in self.stages for p in stage]


def _stages(executing: list[str] | tuple[str, ...]) -> list[list[str]]:
    facts = []
    if any(k in inputs.EMPLOYER_FACT_KINDS for k in executing):
        facts.append(f"{FACTS_PART}employer")
    if any(k in inputs.PERSON_KINDS for k in executing):
        facts.append(f"{FACTS_PART}person")
    free = [f"{RULE_PART}{k}" for k in executing if _reads_facts(k) is None]
    bound = [f"{RULE_PART}{k}" for k in executing if _reads_facts(k) is not None]
    stages = [facts + free, bound]
    return [stage for stage in stages if stage]


def _reads_facts(kind: str) -> str | None:
    if kind in inputs.PERSON_KINDS:
        return "person"
    if kind in inputs.EMPLOYER_FACT_KINDS:
        return "employer"
    return None


def _context(run: ComparisonRun, skipped: list[dict[str, str]]) -> rules.Context:
    """The rules' context from what the run recorded at its start (its parameters and its
    snapshots' batch ids), not from what is current now: a part executed later, on another
    worker, while a push loads a new batch or a threshold is edited, reads what the plan read."""
    params = Parameters.from_mapping(run.parameters)
    ids = {kind: rec["batch"] for kind, rec in (run.snapshots or {}).items()}
    batches = {b.kind: b for b in RosterBatch.objects.filter(pk__in=ids.values())}
    snaps = Snapshots(as_of=run.as_of, batches={k: batches[k] for k in ids if k in batches})
    skipped_kinds = frozenset(s["rule"] for s in skipped)
    return rules.Context(
        as_of=run.as_of,
        params=params,
        snapshots=snaps,
        skipped=skipped_kinds,
        running=tuple(k for k in KINDS if k not in skipped_kinds),
        persons=tuple(
            (spec.code.value, spec.condition) for spec in kinds_of(SubjectType.PERSON) if spec.condition
        ),
    )


def _plan(run: ComparisonRun) -> Plan:
    """Phase 1: guards, the inputs of every rule against its last execution, statistics of
    the batches an executing rule reads, and the run's staging tables (plan, candidates)."""
    as_of = run.as_of
    params = load_parameters(as_of)
    snaps = current_snapshots(as_of)
    skipped: list[dict[str, str]] = []
    for kind in KINDS:
        reason = guards.skip_reason(kind, snaps, params)
        if reason:
            skipped.append({"rule": kind, "reason": reason})
    ComparisonRun.objects.filter(pk=run.pk).update(
        parameters=params.as_record(), snapshots=_snapshot_record(snaps), skipped=skipped
    )
    run.parameters, run.snapshots, run.skipped = params.as_record(), _snapshot_record(snaps), skipped
    ctx = _context(run, skipped)
    running = ctx.running
    seconds: dict[str, float] = {}
    snooze_from = _snooze_from(as_of, params)

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
    executing = [k for k in running if k not in unchanged]
    seconds["_inputs"] = round(time.monotonic() - t0, 3)

    if executing:
        # Statistics first: a snapshot loaded seconds ago whose loader died before its ANALYZE
        # (or rows written by hand) would make the facts statements pick nested loops.
        t0 = time.monotonic()
        read = {roster for kind in executing for roster in inputs.READS[kind]}
        analyze_unknown_batches({k: b for k, b in snaps.batches.items() if k in read})
        seconds["_statistics"] = round(time.monotonic() - t0, 3)
    plan = Plan(
        skipped=skipped,
        executing=executing,
        unchanged=unchanged,
        fingerprints=fingerprints,
        states=states,
        seconds=seconds,
        stages=_stages(executing),
    )
    _staging_create(run.pk, plan)
    return plan


def _execute(run: ComparisonRun, started: float, on_progress: Callable[[dict], None] | None) -> Summary:
    """The run in this process: the plan, every part one after the other (the same code as
    the fan-out's part tasks, through the same staging tables), then the write."""
    plan = _plan(run)
    parts = plan.parts()
    for i, part in enumerate(parts):
        current = part.removeprefix(RULE_PART) if part.startswith(RULE_PART) else ""
        _progress(
            run, {"phase": "evaluating", "done": i, "total": len(parts), "current": current}, on_progress
        )
        with transaction.atomic():
            plan.seconds[_part_key(part)] = execute_part(run, plan, part)
    return _apply(run, plan, started, on_progress)


def _part_key(part: str) -> str:
    """The part's entry in the run's seconds: a rule's kind, `_facts_<subject>` for facts."""
    if part.startswith(RULE_PART):
        return part.removeprefix(RULE_PART)
    return "_facts_" + part.removeprefix(FACTS_PART)


def execute_part(run: ComparisonRun, plan: Plan, part: str) -> float:
    """Evaluate one part into the run's staging tables, in the caller's transaction; its
    seconds. Idempotent: a part executed again (a redelivered message) replaces its rows.

    `facts:employer|person` — the facts as an UNLOGGED table of the run, analysed;
    `rule:<kind>` — the kind's candidates into the run's candidates table."""
    t0 = time.monotonic()
    names = staging_names(run.pk)
    ctx = _context(run, plan.skipped)
    unlogged = "UNLOGGED " if dialect.is_pg() else ""
    with connection.cursor() as c:
        if part.startswith(FACTS_PART):
            subject = part.removeprefix(FACTS_PART)
            sql, sql_params = (
                employer_facts_sql(ctx.as_of, ctx.params, ctx.snapshots)
                if subject == "employer"
                else person_facts_sql(ctx.as_of, ctx.params, ctx.snapshots, candidates_only=True)
            )
            c.execute(f"DROP TABLE IF EXISTS {names[subject]}")
            c.execute(f"CREATE {unlogged}TABLE {names[subject]} AS {sql}", sql_params)
            if dialect.is_pg():
                c.execute(f"ANALYZE {names[subject]}")  # autovacuum is not to be waited for
        elif part.startswith(RULE_PART):
            kind = part.removeprefix(RULE_PART)
            sql, sql_params = KINDS[kind].rule(ctx, KINDS[kind])
            facts = _facts_statement(kind, ctx.as_of, ctx.params, ctx.snapshots)
            expected = plan.fingerprints[kind]["statement"]
            if inputs.statement_digest((sql, sql_params), facts) != expected:
                raise RuntimeError(f"the statement of {kind} differs from the run's plan")
            c.execute(f"DELETE FROM {names['cand']} WHERE kind = %(kind)s", {"kind": kind})
            c.execute(
                f"INSERT INTO {names['cand']} (kind, {', '.join(rules.CANDIDATE_COLUMNS)}) "
                f"SELECT %(candidate_kind)s, x.* FROM ({staged(sql, run.pk)}) x",
                {**sql_params, "candidate_kind": kind},
            )
        else:
            raise ValueError(f"unknown part {part!r}")
    return round(time.monotonic() - t0, 3)


def _apply(
    run: ComparisonRun, plan: Plan, started: float, on_progress: Callable[[dict], None] | None
) -> Summary:
    """Phase 3: every task change and the run's figures in ONE transaction, from the run's
    staging tables (the chord's callback under the fan-out)."""
    as_of = run.as_of
    kinds = list(KINDS)
    total = len(kinds)
    params = Parameters.from_mapping(run.parameters)
    snooze_from = _snooze_from(as_of, params)
    executing = tuple(plan.executing)
    states = plan.states
    seconds = dict(plan.seconds)
    cand = staging_names(run.pk)["cand"]
    skipped_kinds = frozenset(s["rule"] for s in plan.skipped)
    _progress(run, {"phase": "writing", "done": total, "total": total, "current": ""}, on_progress)
    opened = dict.fromkeys(kinds, 0)
    closed = dict.fromkeys(kinds, 0)
    refreshed = dict.fromkeys(kinds, 0)
    now = timezone.now()
    with transaction.atomic():
        if executing:
            t0 = time.monotonic()
            _index_candidates(cand)
            seconds["_index"] = round(time.monotonic() - t0, 3)
        if dialect.is_pg() and executing:
            # Check the foreign keys statement by statement (Django declares them DEFERRABLE
            # INITIALLY DEFERRED): the same work, but inside each rule's time rather than in an
            # unaccounted COMMIT, and no queue of millions of deferred trigger events.
            with connection.cursor() as c:
                c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        t0 = time.monotonic()
        bulk = _bulk_begin(states, cand) if executing else None
        if bulk is not None:
            seconds["_bulk_drop"] = round(time.monotonic() - t0, 3)
        for kind in executing:
            t0 = time.monotonic()
            closed[kind], refreshed[kind], opened[kind] = _write_rule(kind, run.pk, now, snooze_from, cand)
            seconds[kind] = round(seconds.get(kind, 0) + time.monotonic() - t0, 3)
        if bulk is not None:
            t0 = time.monotonic()
            _bulk_end(bulk)
            seconds["_bulk_rebuild"] = round(time.monotonic() - t0, 3)
        after = inputs.task_states(snooze_from) if executing else states
        _record_rules(
            run,
            kinds,
            skipped_kinds,
            executing,
            plan.fingerprints,
            after,
            opened,
            refreshed,
            closed,
            seconds,
        )
        open_counts = {kind: int((after.get(kind) or [0])[0]) for kind in kinds}
        duration = round(time.monotonic() - started, 3)
        done = {"phase": "done", "done": total, "total": total, "current": ""}
        if (run.progress or {}).get("parts"):  # the fan-out's parts stay on the page
            done = {**done, "fanout": True, "parts": run.progress["parts"]}
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
        skipped=plan.skipped,
        duration_s=duration,
        unchanged=[{"rule": k, "batches": plan.fingerprints[k]["batches"]} for k in plan.unchanged],
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


def _bulk_begin(states: dict[str, list], cand: str) -> _Bulk | None:
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
            f"""SELECT COUNT(*) FROM {cand} c WHERE c.opens AND NOT EXISTS (
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


def _staging_create(run_id: int, plan: Plan) -> None:
    """The run's plan and (when a rule executes) its empty candidates table. UNLOGGED on
    PostgreSQL: shared by every worker's session (a TEMP table is not), no WAL; a crash
    empties them, and the run then fails without having written anything."""
    names = staging_names(run_id)
    unlogged = "UNLOGGED " if dialect.is_pg() else ""
    _staging_drop(run_id)
    with connection.cursor() as c:
        c.execute(f"CREATE {unlogged}TABLE {names['plan']} (plan text NOT NULL)")
        c.execute(
            f"INSERT INTO {names['plan']} (plan) VALUES (%(plan)s)",
            {"plan": json.dumps(asdict(plan), cls=DjangoJSONEncoder)},
        )
        if plan.executing:
            c.execute(f"""CREATE {unlogged}TABLE {names["cand"]} (
                kind varchar(32) NOT NULL, subject_type varchar(10) NOT NULL, subject_key varchar(40) NOT NULL,
                subject_name varchar(200) NOT NULL, district_code varchar(6), street_code varchar(9),
                priority varchar(8) NOT NULL, due_date date, evidence {dialect.json_type()} NOT NULL,
                opens {dialect.bool_type()} NOT NULL)""")


def load_plan(run_id: int) -> Plan:
    with connection.cursor() as c:
        c.execute(f"SELECT plan FROM {staging_names(run_id)['plan']}")
        return Plan(**json.loads(c.fetchone()[0]))


def _staging_drop(run_id: int) -> None:
    with connection.cursor() as c:
        for name in staging_names(run_id).values():
            c.execute(f"DROP TABLE IF EXISTS {name}")


def _drop_staging(run_id: int | None) -> None:
    """Drop a run's staging tables, outside of any failed transaction (best effort: the
    sweep drops what is left)."""
    if run_id is None:
        return
    try:
        _staging_drop(run_id)
    except Exception:  # the connection may be unusable after a failure; the sweep drops them
        log.debug("could not drop the staging tables of run %s", run_id, exc_info=True)


def staging_tables() -> dict[str, int]:
    """Every staging table in the database → its run id."""
    with connection.cursor() as c:
        if dialect.is_pg():
            c.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE %(p)s",
                {"p": STAGING_PREFIX + "%"},
            )
        else:
            c.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE %(p)s",
                {"p": STAGING_PREFIX + "%"},
            )
        names = [row[0] for row in c.fetchall()]
    out = {}
    for name in names:
        m = STAGING_RE.match(name)
        if m:
            out[name] = int(m.group(1))
    return out


def sweep_staging() -> list[str]:
    """Drop the staging tables of runs that are not running (a worker killed mid-part, a
    run failed or finished without its clean-up): they are never read again."""
    tables = staging_tables()
    live = set(
        ComparisonRun.objects.filter(
            pk__in=set(tables.values()), status=ComparisonRun.Status.RUNNING
        ).values_list("pk", flat=True)
    )
    dropped = [name for name, run_id in tables.items() if run_id not in live]
    with connection.cursor() as c:
        for name in dropped:
            c.execute(f"DROP TABLE IF EXISTS {name}")
    if dropped:
        log.info("dropped the staging tables of dead or ended comparison runs: %s", dropped)
    return dropped


def _index_candidates(cand: str) -> None:
    with connection.cursor() as c:
        c.execute(f"CREATE UNIQUE INDEX {cand}_key ON {cand} (kind, subject_key)")
        if dialect.is_pg():
            c.execute(f"ANALYZE {cand}")


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


def _write_rule(
    kind: str, run_id: int, now: dt.datetime, snooze_from: dt.datetime, cand: str
) -> tuple[int, int, int]:
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
          AND NOT EXISTS (SELECT 1 FROM {cand} c WHERE c.kind = %(kind)s AND c.subject_key = {task}.subject_key)"""
    # Refresh: still-true tasks whose evidence (or name, priority, due date) changed — only those.
    refresh = f"""
        UPDATE {task} SET evidence = c.evidence, subject_name = c.subject_name, priority = c.priority,
                          due_date = c.due_date, refreshed_at = %(now)s, last_run_id = %(run_id)s
        FROM {cand} c
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
        FROM {cand} c
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
    "LockBusy",
    "Summary",
    "dispatch_comparison",
    "dispatch_run",
    "execute_run",
    "fanout_enabled",
    "reap_dead_runs",
    "run_comparison",
    "start_run",
]
