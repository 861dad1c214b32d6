"""The rules of comparison.md, one set-based SELECT per task kind (enforcement/kinds.py
says which rule belongs to which kind).

Every rule yields candidate rows with the columns of `CANDIDATE_COLUMNS`, read from the
run's materialised facts (`cmp_employer`, `cmp_person`) or a snapshot table. A candidate
is a subject for which the rule's condition holds: its open task is kept (evidence
refreshed), a missing one is opened when `opens`; open tasks of the kind that are not
candidates are closed as resolved_by_data (engine.py).

A rule returns a `Statement`: SQL with *named* parameters (`%(as_of)s`) and their dict.
Fragments that are combined share one namespace, so a name means one value everywhere
in a statement (`as_of` is D, `cutoff_60` the birth date of someone turning 60 on D…).
This module imports no model at import time: `enforcement.kinds`, imported by the
models, imports it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from enforcement.comparison.facts import (
    PENSION_VALUES,
    Params,
    Snapshots,
    Statement,
    age_cutoff,
    age_expr,
    in_list,
    required_predicate,
)
from enforcement.comparison.parameters import Parameters
from enrollment.models import ConstructionProjectRow, InsuranceProjectRow, RosterKind
from wuhai_coverage.core import sql as dialect
from wuhai_coverage.core.sql import t

if TYPE_CHECKING:
    from enforcement.kinds import KindSpec

EMPLOYER_FACTS = "cmp_employer"
PERSON_FACTS = "cmp_person"

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
    # Person kinds in order of precedence, with their condition C_k (from enforcement.kinds).
    persons: tuple[tuple[str, ConditionFn], ...] = ()


RuleFn = Callable[[Context, "KindSpec"], Statement]
ConditionFn = Callable[[Context], Statement]


def _task_values() -> Params:
    """Task status and priority values the rules write or compare, from the model's choices."""
    from enforcement.models import Task

    return {
        "priority_high": Task.Priority.HIGH.value,
        "priority_normal": Task.Priority.NORMAL.value,
        "status_closed": Task.Status.CLOSED.value,
    }


def _employer(where: str, evidence: list[tuple[str, str]], *, priority: str = "%(priority_normal)s") -> str:
    """An employer rule's SELECT over the employer facts `e` (parameters: `_common_params`)."""
    return f"""
SELECT %(subject_type)s, e.uscc, COALESCE(e.name, ''), e.district_code, e.street_code,
       {priority}, {dialect.cast_date("NULL")}, {dialect.json_object(evidence)}, {dialect.true()}
FROM {EMPLOYER_FACTS} e
WHERE {where}"""


def _common_params(spec: KindSpec, **more: object) -> Params:
    """The parameters every rule's SELECT list takes (its subject type, the task values)."""
    return {"subject_type": spec.subject.value, **_task_values(), **more}


def enroll_employer(ctx: Context, spec: KindSpec) -> Statement:
    required, params = required_predicate("e", ctx.as_of, ctx.params)
    both, market, tax = (
        dialect.json_array(["'market'", "'tax'"]),
        dialect.json_array(["'market'"]),
        dialect.json_array(["'tax'"]),
    )
    sources = (
        f"CASE WHEN e.in_market AND e.in_tax THEN {both} WHEN e.in_market THEN {market}"
        f" WHEN e.in_tax THEN {tax} ELSE {dialect.json_array([])} END"
    )
    evidence = [
        ("sources", sources),
        ("H", "e.h"),
        ("W", dialect.money("e.w")),
        ("payroll_period", "e.payroll_period"),
        ("employees_reported", "e.employees_reported"),
        ("entity_type", "e.entity_type"),
        ("established_on", "e.established_on"),
    ]
    sql = _employer(
        f"NOT e.enrolled AND {required}",
        evidence,
        priority="CASE WHEN e.h >= 1 THEN %(priority_high)s ELSE %(priority_normal)s END",
    )
    return sql, _common_params(spec, **params)


def missed_employees(ctx: Context, spec: KindSpec) -> Statement:
    # H − Ip ≥ max(gap, ⌈ratio·H⌉). For an integer gap, gap ≥ ⌈x⌉ ⇔ gap ≥ x; the ratio has 4
    # decimal places (RuleParameter), so scale by 10 000 and stay in exact integers.
    gap = "(e.h - e.ip)"
    threshold = dialect.greatest("%(min_gap)s", "((e.h * %(ratio_e4)s + 9999) / 10000)")
    where = f"e.enrolled AND {gap} >= %(min_gap)s AND {gap} * 10000 >= %(ratio_e4)s * e.h"
    evidence = [
        ("H", "e.h"),
        ("Ip", "e.ip"),
        ("gap", gap),
        ("threshold", threshold),
        ("payroll_period", "e.payroll_period"),
    ]
    return _employer(where, evidence), _common_params(
        spec, min_gap=ctx.params.missed_min_gap, ratio_e4=int(ctx.params.missed_min_ratio * 10000)
    )


def selective_enrollment(ctx: Context, spec: KindSpec) -> Statement:
    where = "e.enrolled AND e.ip >= 1 AND (e.ii < e.ip OR e.iu < e.ip)"
    evidence = [("Ip", "e.ip"), ("Ii", "e.ii"), ("Iu", "e.iu")]
    return _employer(where, evidence), _common_params(spec)


def underreported_base(ctx: Context, spec: KindSpec) -> Statement:
    # base/Ip < t·clamp(W/H, 0.6A, 3A), cross-multiplied so that it stays exact decimal:
    #   W < lo·H → base < t·lo·Ip;  W > hi·H → base < t·hi·Ip;  else base·H < t·W·Ip.
    p = ctx.params
    a = p.average_monthly_wage
    if a is None:  # the guard skips this rule without A (Needs.average_wage)
        raise ValueError("underreported_base needs the average monthly wage A")
    dec = dialect.decimal
    where = (
        "e.enrolled AND e.h >= 1 AND e.w > 0 AND e.ip >= 1 AND "
        "(CASE WHEN e.w < %(wage_lo)s * e.h THEN e.base_total < %(tolerance)s * %(wage_lo)s * e.ip "
        "      WHEN e.w > %(wage_hi)s * e.h THEN e.base_total < %(tolerance)s * %(wage_hi)s * e.ip "
        "      ELSE e.base_total * e.h < %(tolerance)s * e.w * e.ip END)"
    )
    reference = (
        "(CASE WHEN e.w < %(wage_lo)s * e.h THEN %(wage_lo)s WHEN e.w > %(wage_hi)s * e.h THEN %(wage_hi)s"
        f" ELSE {dec('e.w')} / e.h END)"
    )
    evidence = [
        ("declared_average", dialect.money(f"{dec('e.base_total')} / e.ip")),
        ("wage_average", dialect.money(f"{dec('e.w')} / e.h")),
        ("A", dialect.money("%(wage_a)s")),
        ("reference", dialect.money(reference)),
        ("ratio", f"ROUND({dec('e.base_total')} / e.ip / {reference}, 4)"),
        ("tolerance", "%(tolerance)s"),
        ("H", "e.h"),
        ("W", dialect.money("e.w")),
        ("Ip", "e.ip"),
        ("declared_base_total", dialect.money("e.base_total")),
    ]
    return _employer(where, evidence), _common_params(
        spec,
        wage_a=dialect.param(a),
        wage_lo=dialect.param(a * 6 / 10),
        wage_hi=dialect.param(a * 3),
        tolerance=dialect.param(p.base_tolerance),
    )


def injury_key_industry(ctx: Context, spec: KindSpec) -> Statement:
    required = dialect.greatest("e.exposed_workers", "e.h", "1")
    where = (
        "e.key_industry AND COALESCE(e.market_status, '') NOT IN ('deregistered', 'revoked', 'suspended')"
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
    return _employer(where, evidence), _common_params(spec)


def collect_arrears(ctx: Context, spec: KindSpec) -> Statement:
    evidence = [("arrears_amount", dialect.money("e.arrears")), ("last_paid_period", "e.last_paid_period")]
    return _employer("e.enrolled AND e.arrears > 0", evidence), _common_params(spec)


def construction_injury(ctx: Context, spec: KindSpec) -> Statement:
    s = ctx.snapshots
    evidence = [
        ("builder_uscc", "cp.builder_uscc"),
        ("builder_name", "cp.builder_name"),
        ("start_date", "cp.start_date"),
        ("planned_workers", "cp.planned_workers"),
        ("contract_amount", dialect.money("cp.contract_amount", nullable=True)),
    ]
    sql = f"""
SELECT %(subject_type)s, cp.project_code, cp.project_name, cp.district_code, NULL,
       %(priority_normal)s, {dialect.cast_date("NULL")}, {dialect.json_object(evidence)}, {dialect.true()}
FROM {t(ConstructionProjectRow)} cp
WHERE cp.batch_id = %(projects_batch)s AND cp.start_date <= %(as_of)s
  AND NOT EXISTS (SELECT 1 FROM {t(InsuranceProjectRow)} ip
                  WHERE ip.batch_id = %(insured_projects_batch)s AND ip.project_code = cp.project_code)"""
    return sql, _common_params(
        spec,
        projects_batch=s.id(RosterKind.CONSTRUCTION_PROJECTS),
        insured_projects_batch=s.id(RosterKind.INSURANCE_PROJECTS),
        as_of=dialect.param(ctx.as_of),
    )


# --- persons: first match wins ---------------------------------------------------------------
# C_k over a person-facts row `p`, age by cut-off dates (`cutoff_16`, `cutoff_60`).


def _cutoffs(ctx: Context) -> Params:
    return {
        "cutoff_16": dialect.param(age_cutoff(ctx.as_of, 16)),
        "cutoff_60": dialect.param(age_cutoff(ctx.as_of, 60)),
    }


def subsidized_condition(ctx: Context) -> Statement:
    sql = "(p.eligible AND p.birth_date <= %(cutoff_16)s AND p.birth_date > %(cutoff_60)s AND NOT p.covered)"
    return sql, _cutoffs(ctx)


def resume_condition(ctx: Context) -> Statement:
    sql = (
        "(p.birth_date > %(cutoff_60)s AND p.has_pension"
        " AND p.pension_status IN (%(pension_active)s, %(pension_interrupted)s) AND NOT p.current)"
    )
    return sql, {**_cutoffs(ctx), **PENSION_VALUES}


def enroll_person_condition(ctx: Context) -> Statement:
    sql = "(p.in_household AND p.birth_date <= %(cutoff_16)s AND p.birth_date > %(cutoff_60)s AND NOT p.has_pension)"
    return sql, _cutoffs(ctx)


def elderly_condition(ctx: Context) -> Statement:
    return "(p.in_household AND p.birth_date <= %(cutoff_60)s AND NOT p.has_pension)", _cutoffs(ctx)


def _person(
    ctx: Context,
    spec: KindSpec,
    evidence: list[tuple[str, str]],
    ev_params: Params,
    due_date: dt.date | None = None,
) -> Statement:
    """Candidates of a person rule: C_k and no earlier running rule matched (precedence);
    a person holding an open task of a rule skipped this run keeps what it has but gets
    nothing new (`opens` false)."""
    from enforcement.models import Task

    order = [kind for kind, _condition in ctx.persons]
    conditions = dict(ctx.persons)
    own, params = conditions[spec.code](ctx)
    earlier_sql = []
    for kind in order[: order.index(spec.code)]:
        if kind in ctx.running:
            sql, more = conditions[kind](ctx)
            earlier_sql.append(sql)
            params = {**params, **more}
    earlier = " OR ".join(earlier_sql) or dialect.false()
    held_kinds = [k for k in order if k in ctx.skipped]
    if held_kinds:
        kinds_sql, kinds_params = in_list("held_kind", held_kinds)
        held = (
            f"EXISTS (SELECT 1 FROM {t(Task)} ht WHERE ht.subject_key = p.id_number"
            f" AND ht.kind IN {kinds_sql} AND ht.status <> %(status_closed)s)"
        )
        params = {**params, **kinds_params}
    else:
        held = dialect.false()
    sql = f"""
SELECT %(subject_type)s, p.id_number, COALESCE(p.name, ''), p.district_code, p.street_code,
       %(priority_normal)s, {dialect.cast_date("%(due_date)s")}, {dialect.json_object(evidence)},
       (NOT ({earlier}) AND NOT ({held}))
FROM {PERSON_FACTS} p
WHERE {own} AND (NOT ({earlier}) OR {held})"""
    return sql, {**params, **ev_params, **_common_params(spec), "due_date": dialect.param(due_date)}


def _person_basics(ctx: Context) -> tuple[list[tuple[str, str]], Params]:
    age, age_params = age_expr("p.birth_date", ctx.as_of)
    return [("age", age), ("sex", "p.sex")], age_params


def subsidized_enrollment(ctx: Context, spec: KindSpec) -> Statement:
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
    return _person(ctx, spec, evidence, params)


def resume_contributions(ctx: Context, spec: KindSpec) -> Statement:
    basics, params = _person_basics(ctx)
    evidence = basics + [
        ("pension_status", "p.pension_status"),
        ("scheme", "p.scheme"),
        ("last_paid_period", "p.last_paid_period"),
        ("months_unpaid", f"(%(d_months)s - {dialect.months('p.last_paid_period')})"),
    ]
    params = {**params, "d_months": ctx.as_of.year * 12 + ctx.as_of.month}
    # After 31 December of D's year the year can no longer be paid.
    return _person(ctx, spec, evidence, params, due_date=dt.date(ctx.as_of.year, 12, 31))


def enroll_person(ctx: Context, spec: KindSpec) -> Statement:
    basics, params = _person_basics(ctx)
    return _person(ctx, spec, basics + [("community", "p.community")], params)


def elderly_enrollment(ctx: Context, spec: KindSpec) -> Statement:
    basics, params = _person_basics(ctx)
    return _person(ctx, spec, basics + [("community", "p.community")], params)
