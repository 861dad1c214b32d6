"""What each rule reads, as a fingerprint: a rerun costs what changed.

A rule's result (which tasks it opens, refreshes and closes) is a function of
- the **batches** of the roster kinds it reads (`READS`; a batch's rows never change once
  loaded, so its id stands for its contents);
- the **date** D where the rule depends on it (`DATED`: ages, cut-offs, grace periods,
  validity windows, start dates, due dates) — recorded as `as_of`;
- the **parameters** it uses (`PARAMETERS`, hashed), including A for the underreported base;
- its **statement**: the SQL text of its rule and of the facts it reads with every value
  bound to it (a hash) — this catches what the three above might miss: a date-derived
  cut-off, the person rules' precedence over the rules that run this time, a new release
  of the rule's code;
- the **reference tables** the statements and the writes read (districts, streets, key
  industries, industry divisions; a hash of their rows);
- the **state of its tasks** (`task_states`): open and closed counts, the greatest id and
  closing time, and how many dismissals still snooze at D. Taken right after a run's
  writes, it changes when staff close, rectify, dismiss or escalate a task, when a task is
  added by hand, and when a dismissal's snooze runs out (dismissal_snooze_days before D):
  everything that would make the same candidates open or close something. The person
  rules read the tasks of all person kinds (a person holding a task of a rule skipped by a
  guard gets no new one), so theirs cover all of them.

The work calendar is not an input: no rule and no write of the comparison reads it (it
sets case deadlines, enforcement/workdays). The guards are evaluated on every run, before
any of this: a guarded rule is skipped as before.

A rule whose fingerprint equals that of its last *execution* (in a finished run: a failed
run's rows roll back with it) is **unchanged**: executing it would open, refresh and close
nothing (comparison.md: "running the comparison twice on the same snapshots opens and
closes nothing the second time"), so it is not executed, and the runs page says so with
the batches it would have read. A forced run executes every rule the guards allow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import fields

from django.db import connection

from enforcement.comparison.facts import Snapshots, Statement
from enforcement.comparison.parameters import Parameters
from enrollment.models import RosterKind
from wuhai_coverage.core.sql import param, t

# Bump when the engine's writes (close, refresh, open) change meaning: every rule executes once.
VERSION = 1

_EMPLOYER_CORE = (RosterKind.MARKET_ENTITIES, RosterKind.TAX_PAYROLL, RosterKind.INSURANCE_EMPLOYERS)
_PERSONS = (
    RosterKind.HOUSEHOLD_REGISTRY,
    RosterKind.CIVIL_AFFAIRS,
    RosterKind.POVERTY_REGISTRY,
    RosterKind.DISABILITY_REGISTRY,
    RosterKind.INSURANCE_PERSONS,
)

# The roster kinds each rule's candidates depend on. The employer rules read the employer
# facts: names and routing come from market, tax and insurance_employers (a dust_hazard
# name is only reached for a uscc in none of them, which no rule but injury_key_industry
# can select); every person rule reads the five person rosters (names, routing, precedence).
READS: dict[str, tuple[str, ...]] = {
    "enroll_employer": _EMPLOYER_CORE,
    "missed_employees": _EMPLOYER_CORE,
    "selective_enrollment": _EMPLOYER_CORE,
    "underreported_base": _EMPLOYER_CORE,
    "injury_key_industry": (*_EMPLOYER_CORE, RosterKind.DUST_HAZARD),
    "collect_arrears": _EMPLOYER_CORE,
    "construction_injury": (RosterKind.CONSTRUCTION_PROJECTS, RosterKind.INSURANCE_PROJECTS),
    "subsidized_enrollment": _PERSONS,
    "resume_contributions": _PERSONS,
    "enroll_person": _PERSONS,
    "elderly_enrollment": _PERSONS,
}
PERSON_KINDS = ("subsidized_enrollment", "resume_contributions", "enroll_person", "elderly_enrollment")
EMPLOYER_FACT_KINDS = tuple(k for k in READS if k != "construction_injury" and k not in PERSON_KINDS)

# Rules whose result depends on D itself (beyond the snooze, which `task_states` covers):
# registration grace (enroll_employer), start dates (construction_injury), ages, validity
# windows, "current" pension rows and due dates (every person rule).
DATED = frozenset({"enroll_employer", "construction_injury", *PERSON_KINDS})

# The parameters each rule uses; every rule uses dismissal_snooze_days (its writes), and the
# guards' own thresholds are checked on every run.
_PERSON_PARAMETERS = ("interruption_months", "dismissal_snooze_days")
PARAMETERS: dict[str, tuple[str, ...]] = {
    "enroll_employer": ("registration_grace_days", "dismissal_snooze_days"),
    "missed_employees": ("missed_min_gap", "missed_min_ratio", "dismissal_snooze_days"),
    "selective_enrollment": ("dismissal_snooze_days",),
    "underreported_base": ("base_tolerance", "average_monthly_wage", "dismissal_snooze_days"),
    "injury_key_industry": ("dismissal_snooze_days",),
    "collect_arrears": ("dismissal_snooze_days",),
    "construction_injury": ("dismissal_snooze_days",),
    **dict.fromkeys(PERSON_KINDS, _PERSON_PARAMETERS),
}
_KNOWN = {f.name for f in fields(Parameters)}
assert all(set(names) <= _KNOWN for names in PARAMETERS.values()), "PARAMETERS names an unknown parameter"


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _bound(statement: Statement) -> list:
    """A statement with its values, without the batch ids (those are recorded by kind)."""
    sql, params = statement
    return [sql, {k: v for k, v in params.items() if not k.endswith("_batch")}]


def reference_state() -> str:
    """A hash of the reference tables the rules and the writes read."""
    from wuhai_coverage.core.models import District, IndustryDivision, KeyIndustry, Street

    parts = []
    with connection.cursor() as c:
        for model, columns in (
            (District, "code"),
            (Street, "code, district_id"),
            (KeyIndustry, "code"),
            (IndustryDivision, "code, section_id"),
        ):
            c.execute(f"SELECT {columns} FROM {t(model)} ORDER BY 1")
            parts.append([list(row) for row in c.fetchall()])
    return _digest(parts)


def task_states(snooze_from: dt.datetime) -> dict[str, list]:
    """Per kind: [not closed, closed, greatest id, latest closed_at, dismissals still
    snoozing at D] — one scan of the tasks."""
    from enforcement.models import Task

    closed, dismissed = Task.Status.CLOSED.value, Task.Resolution.DISMISSED.value
    out: dict[str, list] = {}
    with connection.cursor() as c:
        c.execute(
            f"""SELECT kind, COUNT(*) FILTER (WHERE status <> %(closed)s), COUNT(*) FILTER (WHERE status = %(closed)s),
                       MAX(id), MAX(closed_at),
                       COUNT(*) FILTER (WHERE status = %(closed)s AND resolution = %(dismissed)s
                                        AND closed_at >= %(snooze_from)s)
                FROM {t(Task)} GROUP BY kind""",
            {"closed": closed, "dismissed": dismissed, "snooze_from": param(snooze_from)},
        )
        for kind, active, n_closed, max_id, last_closed, snoozing in c.fetchall():
            # SQLite answers MAX() of a datetime column as its stored text: a token either way.
            last = last_closed.isoformat() if isinstance(last_closed, dt.datetime) else last_closed
            out[kind] = [active, n_closed, max_id, last, snoozing]
    return out


def tasks_token(kind: str, states: Mapping[str, list]) -> str:
    kinds: Iterable[str] = PERSON_KINDS if kind in PERSON_KINDS else (kind,)
    return _digest([[k, states.get(k)] for k in kinds])


def statement_digest(rule: Statement, facts: Statement | None) -> str:
    """The digest of a rule's SQL and of its facts' SQL with their bound values."""
    return _digest([_bound(rule), _bound(facts) if facts else None])


def fingerprint(
    kind: str,
    *,
    as_of: dt.date,
    params: Parameters,
    snapshots: Snapshots,
    rule: Statement,
    facts: Statement | None,
    reference: str,
) -> dict:
    """The inputs of `kind`'s rule in this run, without the state of its tasks (added by
    the engine: `tasks_token`)."""
    record = params.as_record()
    used = {name: record[name] for name in PARAMETERS[kind]}
    # Through JSON, as it is stored: plain strings and numbers compare equal to what is read back.
    return json.loads(
        json.dumps(
            {
                "version": VERSION,
                "batches": {str(roster): snapshots.id(roster) for roster in READS[kind]},
                "as_of": as_of.isoformat() if kind in DATED else None,
                "parameters": _digest(used),
                "statement": statement_digest(rule, facts),
                "reference": reference,
            },
            default=str,
        )
    )


def same_inputs(current: Mapping, last: Mapping | None) -> bool:
    """Whether a rule's fingerprint equals that of its last execution."""
    return last is not None and dict(current) == dict(last)
