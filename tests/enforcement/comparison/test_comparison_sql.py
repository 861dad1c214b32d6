"""The comparison's raw SQL: every statement holds its own named parameters, and every
rule gives the same tasks on PostgreSQL (production) and on SQLite (the demo)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import traceback
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from enforcement.comparison import facts, rules
from enforcement.comparison.engine import run_comparison
from enforcement.comparison.parameters import Parameters
from enforcement.kinds import KINDS, SubjectType, kinds_of
from enforcement.models import ComparisonRun
from enrollment.demo import load_demo_rosters
from wuhai_coverage.core.models import AverageWage

ROOT = Path(__file__).resolve().parents[3]
COMPARISON_DIR = str(ROOT / "enforcement" / "comparison")
D = dt.date(2025, 6, 15)
POSITIONAL = re.compile(r"(?<!%)%s")
NAMED = re.compile(r"(?<!%)%\(([a-z0-9_]+)\)s")


def _context() -> rules.Context:
    return rules.Context(
        as_of=D,
        params=Parameters(average_monthly_wage=Decimal("7000"), average_wage_year=2025),
        snapshots=facts.Snapshots(as_of=D),
        running=tuple(KINDS),
        skipped=frozenset({"enroll_person"}),  # a held kind: the EXISTS over the task table too
        persons=tuple((s.code.value, s.condition) for s in kinds_of(SubjectType.PERSON) if s.condition),
    )


@pytest.mark.parametrize("code", list(KINDS))
def test_every_rule_uses_named_parameters_that_it_passes(code):
    sql, params = KINDS[code].rule(_context(), KINDS[code])
    assert isinstance(params, dict)
    assert not POSITIONAL.search(sql), sql
    assert set(NAMED.findall(sql)) <= set(params), set(NAMED.findall(sql)) - set(params)


def test_the_facts_statements_use_named_parameters_that_they_pass(db):
    params = Parameters(average_monthly_wage=Decimal("7000"))
    snaps = facts.Snapshots(as_of=D)
    for sql, values in (
        facts.employer_facts_sql(D, params, snaps),
        facts.required_employers_sql(D, params, snaps),
        facts.person_facts_sql(D, params, snaps),
        facts.person_facts_sql(D, params, snaps, candidates_only=True),
        facts.subsidized_persons_sql(D, params, snaps),
    ):
        assert not POSITIONAL.search(sql), sql
        assert set(NAMED.findall(sql)) <= set(values)


def _demo_world() -> None:
    AverageWage.objects.update_or_create(year=2025, defaults={"value": Decimal("7000.00"), "source": "test"})
    load_demo_rosters(scale=0.3, today=D)


def _from_the_comparison(stack: list[traceback.FrameSummary]) -> bool:
    """A statement the comparison wrote itself: the innermost frame outside Django's
    backends (and this test's wrapper) is in enforcement/comparison."""
    for frame in reversed(stack):
        if "/django/db/backends/" in frame.filename or frame.filename == __file__:
            continue  # the cursor wrappers, and the recording wrapper itself
        return frame.filename.startswith(COMPARISON_DIR)
    return False


@pytest.mark.django_db
def test_every_statement_of_a_run_holds_named_parameters():
    # Given rosters of every kind and A, so that every rule runs
    _demo_world()
    seen: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):
        if _from_the_comparison(traceback.extract_stack()):
            seen.append((sql, params))
        return execute(sql, params, many, context)

    # When a run executes
    with connection.execute_wrapper(record):
        summary = run_comparison(as_of=D, trigger="test")

    # Then every rule ran, and no statement it wrote took positional parameters
    assert summary.skipped == []
    assert sum(summary.opened.values()) > 0
    assert len(seen) > 3 * len(KINDS)
    for sql, params in seen:
        assert params is None or isinstance(params, Mapping), sql
        assert not POSITIONAL.search(sql), sql
        assert set(NAMED.findall(sql)) <= set(params or {}), sql


SQLITE_RUN = """
import datetime as dt, json, django
from decimal import Decimal
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from enforcement.comparison.engine import run_comparison
from enrollment.demo import load_demo_rosters
from wuhai_coverage.core.models import AverageWage
AverageWage.objects.update_or_create(year=2025, defaults={"value": Decimal("7000.00"), "source": "test"})
D = dt.date(2025, 6, 15)
load_demo_rosters(scale=0.3, today=D)
s = run_comparison(as_of=D, trigger="test")
from django.db import connection
from enforcement.models import Task
tasks = sorted([k, t, p] for k, t, p in Task.objects.values_list("kind", "subject_key", "priority"))
# A task closed by staff, then two more runs: the first executes that task's rule only, the
# second skips every rule (the rerun's inputs, closed_at included, read on SQLite too).
from django.utils import timezone
from enforcement.models import ComparisonRun, RuleRun
first = Task.objects.order_by("pk").first()
Task.objects.filter(pk=first.pk).update(status="closed", resolution="dismissed", closed_at=timezone.now())
run_comparison(as_of=D, trigger="test")
run_comparison(as_of=D, trigger="test")
runs = list(ComparisonRun.objects.order_by("pk"))
statuses = [r.status for r in runs]
unchanged = [sorted(RuleRun.objects.filter(run=r, status="unchanged").values_list("kind", flat=True)) for r in runs]
print(json.dumps({"vendor": connection.vendor, "opened": s.opened, "skipped": s.skipped, "tasks": tasks,
                  "runs": statuses, "unchanged": unchanged, "closed_kind": first.kind}))
"""


@pytest.mark.django_db
def test_every_rule_gives_the_same_tasks_on_sqlite_as_on_postgresql(tmp_path):
    assert connection.vendor == "postgresql"
    # Given the same demo rosters on PostgreSQL (here) and on SQLite (the demo's database)
    _demo_world()
    summary = run_comparison(as_of=D, trigger="test")
    from enforcement.models import Task

    tasks = sorted([k, s, p] for k, s, p in Task.objects.values_list("kind", "subject_key", "priority"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_"))}
    env.update(WUHAI_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="wuhai_coverage.settings")

    # When the SQLite demo runs the comparison over them
    out = subprocess.run(
        [sys.executable, "-c", SQLITE_RUN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-3000:]
    sqlite = json.loads(out.stdout.strip().splitlines()[-1])

    # Then every rule ran there too, and opened the same tasks
    assert sqlite["vendor"] == "sqlite" and sqlite["skipped"] == [] and summary.skipped == []
    assert all(summary.opened[code] > 0 for code in KINDS), summary.opened
    assert sqlite["opened"] == summary.opened
    assert sqlite["tasks"] == tasks
    # And reruns work there: every run finished; after a staff change only that task's rule
    # executed, and a rerun over nothing new executed none.
    assert sqlite["runs"] == ["finished"] * 3
    assert sqlite["closed_kind"] not in sqlite["unchanged"][1]
    assert len(sqlite["unchanged"][1]) == len(KINDS) - 1
    assert len(sqlite["unchanged"][2]) == len(KINDS)
    assert ComparisonRun.objects.get().status == ComparisonRun.Status.FINISHED
