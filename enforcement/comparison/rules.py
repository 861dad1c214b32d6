"""The eleven task kinds of comparison.md, each one set-based SELECT.

Every rule yields candidate rows with the columns of `CANDIDATE_COLUMNS`, read from the
run's materialised facts (`cmp_employer`, `cmp_person`) or a snapshot table. A candidate
is a subject for which the rule's condition holds: its open task is kept (evidence
refreshed), a missing one is opened when `opens`; open tasks of the kind that are not
candidates are closed as resolved_by_data (engine.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from enforcement.comparison.facts import (
    T_INS_PROJECTS,
    T_PROJECTS,
    Snapshots,
    age_cutoff,
    age_expr,
    required_predicate,
)
from enforcement.comparison.parameters import Parameters
from enforcement.models import PERSON_KINDS, Task, TaskKind
from enrollment.models import RosterKind
from wuhai_coverage.core import sql as q

EMPLOYER_FACTS = "cmp_employer"
PERSON_FACTS = "cmp_person"
TASK_TABLE = Task._meta.db_table

CANDIDATE_COLUMNS = (
    "subject_type",
    "subject_key",
    "subject_name",
    "district_code",
    "street_code",
    "priority",
    "due_date",
    "evidence",
    "opens",
)


@dataclass(frozen=True)
class Context:
    as_of: dt.date
    params: Parameters
    snapshots: Snapshots
    skipped: frozenset[str] = field(default_factory=frozenset)  # kinds skipped by a guard this run
    running: tuple[str, ...] = ()  # kinds that run, in order


@dataclass(frozen=True)
class Rule:
    kind: str
    subject_type: str
    select: Callable[[Context], tuple[str, list]]


def _employer(kind: str, where: str, evidence: list[tuple[str, str]], *, priority: str = "'normal'") -> str:
    return f"""
SELECT 'employer', e.uscc, COALESCE(e.name, ''), e.district_code, e.street_code,
       {priority}, {q.cast_date("NULL")}, {q.json_object(evidence)}, {q.true()}
FROM {EMPLOYER_FACTS} e
WHERE {where}"""


def enroll_employer(ctx: Context) -> tuple[str, list]:
    required, params = required_predicate("e", ctx.as_of, ctx.params)
    both, market, tax = (
        q.json_array(["'market'", "'tax'"]),
        q.json_array(["'market'"]),
        q.json_array(["'tax'"]),
    )
    sources = (
        f"CASE WHEN e.in_market AND e.in_tax THEN {both} WHEN e.in_market THEN {market}"
        f" WHEN e.in_tax THEN {tax} ELSE {q.json_array([])} END"
    )
    evidence = [
        ("sources", sources),
        ("H", "e.h"),
        ("W", q.money("e.w")),
        ("payroll_period", "e.payroll_period"),
        ("employees_reported", "e.employees_reported"),
        ("entity_type", "e.entity_type"),
        ("established_on", "e.established_on"),
    ]
    sql = _employer(
        TaskKind.ENROLL_EMPLOYER,
        f"NOT e.enrolled AND {required}",
        evidence,
        priority="CASE WHEN e.h >= 1 THEN 'high' ELSE 'normal' END",
    )
    return sql, params


def missed_employees(ctx: Context) -> tuple[str, list]:
    # H − Ip ≥ max(gap, ⌈ratio·H⌉). For an integer gap, gap ≥ ⌈x⌉ ⇔ gap ≥ x; the ratio has 4
    # decimal places (RuleParameter), so scale by 10 000 and stay in exact integers.
    ratio = int(ctx.params.missed_min_ratio * 10000)
    gap = "(e.h - e.ip)"
    threshold = q.greatest(str(ctx.params.missed_min_gap), f"((e.h * {ratio} + 9999) / 10000)")
    where = f"e.enrolled AND {gap} >= {ctx.params.missed_min_gap} AND {gap} * 10000 >= {ratio} * e.h"
    evidence = [
        ("H", "e.h"),
        ("Ip", "e.ip"),
        ("gap", gap),
        ("threshold", threshold),
        ("payroll_period", "e.payroll_period"),
    ]
    return _employer(TaskKind.MISSED_EMPLOYEES, where, evidence), []


def selective_enrollment(ctx: Context) -> tuple[str, list]:
    where = "e.enrolled AND e.ip >= 1 AND (e.ii < e.ip OR e.iu < e.ip)"
    evidence = [("Ip", "e.ip"), ("Ii", "e.ii"), ("Iu", "e.iu")]
    return _employer(TaskKind.SELECTIVE_ENROLLMENT, where, evidence), []


def underreported_base(ctx: Context) -> tuple[str, list]:
    # base/Ip < t·clamp(W/H, 0.6A, 3A), cross-multiplied so that it stays exact decimal:
    #   W < lo·H → base < t·lo·Ip;  W > hi·H → base < t·hi·Ip;  else base·H < t·W·Ip.
    p = ctx.params
    a = p.average_monthly_wage
    lo, hi, t = q.param(a * 6 / 10), q.param(a * 3), q.param(p.base_tolerance)
    dec = q.decimal
    where = (
        "e.enrolled AND e.h >= 1 AND e.w > 0 AND e.ip >= 1 AND "
        "(CASE WHEN e.w < %s * e.h THEN e.base_total < %s * %s * e.ip "
        "      WHEN e.w > %s * e.h THEN e.base_total < %s * %s * e.ip "
        "      ELSE e.base_total * e.h < %s * e.w * e.ip END)"
    )
    where_params = [lo, t, lo, hi, t, hi, t]
    reference = f"(CASE WHEN e.w < %s * e.h THEN %s WHEN e.w > %s * e.h THEN %s ELSE {dec('e.w')} / e.h END)"
    ref_params = [lo, lo, hi, hi]
    evidence = [
        ("declared_average", q.money(f"{dec('e.base_total')} / e.ip")),
        ("wage_average", q.money(f"{dec('e.w')} / e.h")),
        ("A", q.money("%s")),
        ("reference", q.money(reference)),
        ("ratio", f"ROUND({dec('e.base_total')} / e.ip / {reference}, 4)"),
        ("tolerance", "%s"),
        ("H", "e.h"),
        ("W", q.money("e.w")),
        ("Ip", "e.ip"),
        ("declared_base_total", q.money("e.base_total")),
    ]
    ev_params = [q.param(a)] + ref_params + ref_params + [t]
    sql = _employer(TaskKind.UNDERREPORTED_BASE, where, evidence)
    # the evidence (SELECT list) comes before the WHERE clause
    return sql, ev_params + where_params


def injury_key_industry(ctx: Context) -> tuple[str, list]:
    required = q.greatest("e.exposed_workers", "e.h", "1")
    where = (
        f"e.key_industry AND COALESCE(e.market_status, '') NOT IN ('deregistered', 'revoked', 'suspended')"
        f" AND e.ii < {required}"
    )
    evidence = [
        ("industry_code", "e.industry_code"),
        ("hazard_factor", "e.hazard_factor"),
        ("in_dust_hazard_roster", "e.in_dust"),
        ("exposed_workers", "e.exposed_workers"),
        ("H", "e.h"),
        ("required", required),
        ("insured", "e.ii"),
    ]
    return _employer(TaskKind.INJURY_KEY_INDUSTRY, where, evidence), []


def collect_arrears(ctx: Context) -> tuple[str, list]:
    evidence = [("arrears_amount", q.money("e.arrears")), ("last_paid_period", "e.last_paid_period")]
    return _employer(TaskKind.COLLECT_ARREARS, "e.enrolled AND e.arrears > 0", evidence), []


def construction_injury(ctx: Context) -> tuple[str, list]:
    s = ctx.snapshots
    evidence = [
        ("builder_uscc", "cp.builder_uscc"),
        ("builder_name", "cp.builder_name"),
        ("start_date", "cp.start_date"),
        ("planned_workers", "cp.planned_workers"),
        ("contract_amount", q.money("cp.contract_amount", nullable=True)),
    ]
    sql = f"""
SELECT 'project', cp.project_code, cp.project_name, cp.district_code, NULL,
       'normal', {q.cast_date("NULL")}, {q.json_object(evidence)}, {q.true()}
FROM {T_PROJECTS} cp
WHERE cp.batch_id = %s AND cp.start_date <= %s
  AND NOT EXISTS (SELECT 1 FROM {T_INS_PROJECTS} ip
                  WHERE ip.batch_id = %s AND ip.project_code = cp.project_code)"""
    return sql, [
        s.id(RosterKind.CONSTRUCTION_PROJECTS),
        q.param(ctx.as_of),
        s.id(RosterKind.INSURANCE_PROJECTS),
    ]


# --- persons: first match wins ---------------------------------------------------------------


def person_conditions(ctx: Context) -> dict[str, tuple[str, list]]:
    """C_k over a person-facts row `p`, for each person kind (age by cut-off dates)."""
    c16, c60 = q.param(age_cutoff(ctx.as_of, 16)), q.param(age_cutoff(ctx.as_of, 60))
    return {
        TaskKind.SUBSIDIZED_ENROLLMENT: (
            "(p.eligible AND p.birth_date <= %s AND p.birth_date > %s AND NOT p.covered)",
            [c16, c60],
        ),
        TaskKind.RESUME_CONTRIBUTIONS: (
            "(p.birth_date > %s AND p.has_pension AND p.pension_status IN ('active', 'interrupted')"
            " AND NOT p.current)",
            [c60],
        ),
        TaskKind.ENROLL_PERSON: (
            "(p.in_household AND p.birth_date <= %s AND p.birth_date > %s AND NOT p.has_pension)",
            [c16, c60],
        ),
        TaskKind.ELDERLY_ENROLLMENT: ("(p.in_household AND p.birth_date <= %s AND NOT p.has_pension)", [c60]),
    }


def _person(
    kind: str, evidence: list[tuple[str, str]], ev_params: list, ctx: Context, due_date: dt.date | None = None
) -> tuple[str, list]:
    """Candidates of a person rule: C_k and no earlier running rule matched (precedence);
    a person holding an open task of a rule skipped this run keeps what it has but gets
    nothing new (`opens` false)."""
    conds = person_conditions(ctx)
    own, own_params = conds[kind]
    earlier = [k for k in PERSON_KINDS[: PERSON_KINDS.index(kind)] if k in ctx.running]
    earlier_sql = " OR ".join(conds[k][0] for k in earlier) or q.false()
    earlier_params = [x for k in earlier for x in conds[k][1]]
    held_kinds = [k for k in PERSON_KINDS if k in ctx.skipped]
    if held_kinds:
        kinds = ", ".join(f"'{k}'" for k in held_kinds)
        held = (
            f"EXISTS (SELECT 1 FROM {TASK_TABLE} ht WHERE ht.subject_key = p.id_number"
            f" AND ht.kind IN ({kinds}) AND ht.status <> 'closed')"
        )
    else:
        held = q.false()
    sql = f"""
SELECT 'person', p.id_number, COALESCE(p.name, ''), p.district_code, p.street_code,
       'normal', {q.cast_date("%s")}, {q.json_object(evidence)}, (NOT ({earlier_sql}) AND NOT ({held}))
FROM {PERSON_FACTS} p
WHERE {own} AND (NOT ({earlier_sql}) OR {held})"""
    return sql, [q.param(due_date)] + ev_params + earlier_params + own_params + earlier_params


def _person_basics(ctx: Context) -> tuple[list[tuple[str, str]], list]:
    age, age_params = age_expr("p.birth_date", ctx.as_of)
    return [("age", age), ("sex", "p.sex")], age_params


def subsidized_enrollment(ctx: Context) -> tuple[str, list]:
    basics, params = _person_basics(ctx)
    evidence = basics + [
        ("civil_affairs_category", "p.civil_category"),
        ("poverty_active", "p.poverty_active"),
        ("disability_level", "p.disability_level"),
        ("pension_status", "p.pension_status"),
        ("scheme", "p.scheme"),
        ("subsidized", "p.subsidized"),
        ("last_paid_period", "p.last_paid_period"),
    ]
    return _person(TaskKind.SUBSIDIZED_ENROLLMENT, evidence, params, ctx)


def resume_contributions(ctx: Context) -> tuple[str, list]:
    basics, params = _person_basics(ctx)
    d_months = ctx.as_of.year * 12 + ctx.as_of.month
    evidence = basics + [
        ("pension_status", "p.pension_status"),
        ("scheme", "p.scheme"),
        ("last_paid_period", "p.last_paid_period"),
        ("months_unpaid", f"({d_months} - {q.months('p.last_paid_period')})"),
    ]
    # After 31 December of D's year the year can no longer be paid.
    return _person(
        TaskKind.RESUME_CONTRIBUTIONS, evidence, params, ctx, due_date=dt.date(ctx.as_of.year, 12, 31)
    )


def enroll_person(ctx: Context) -> tuple[str, list]:
    basics, params = _person_basics(ctx)
    return _person(TaskKind.ENROLL_PERSON, basics + [("community", "p.community")], params, ctx)


def elderly_enrollment(ctx: Context) -> tuple[str, list]:
    basics, params = _person_basics(ctx)
    return _person(TaskKind.ELDERLY_ENROLLMENT, basics + [("community", "p.community")], params, ctx)


RULES: tuple[Rule, ...] = (
    Rule(TaskKind.ENROLL_EMPLOYER, Task.SubjectType.EMPLOYER, enroll_employer),
    Rule(TaskKind.MISSED_EMPLOYEES, Task.SubjectType.EMPLOYER, missed_employees),
    Rule(TaskKind.SELECTIVE_ENROLLMENT, Task.SubjectType.EMPLOYER, selective_enrollment),
    Rule(TaskKind.UNDERREPORTED_BASE, Task.SubjectType.EMPLOYER, underreported_base),
    Rule(TaskKind.INJURY_KEY_INDUSTRY, Task.SubjectType.EMPLOYER, injury_key_industry),
    Rule(TaskKind.COLLECT_ARREARS, Task.SubjectType.EMPLOYER, collect_arrears),
    Rule(TaskKind.CONSTRUCTION_INJURY, Task.SubjectType.PROJECT, construction_injury),
    Rule(TaskKind.SUBSIDIZED_ENROLLMENT, Task.SubjectType.PERSON, subsidized_enrollment),
    Rule(TaskKind.RESUME_CONTRIBUTIONS, Task.SubjectType.PERSON, resume_contributions),
    Rule(TaskKind.ENROLL_PERSON, Task.SubjectType.PERSON, enroll_person),
    Rule(TaskKind.ELDERLY_ENROLLMENT, Task.SubjectType.PERSON, elderly_enrollment),
)
assert tuple(r.kind for r in RULES) == tuple(TaskKind.values), "one rule per kind, in the model's order"
