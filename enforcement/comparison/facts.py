"""Set-based building blocks of the comparison, shared with `assessment`.

Each function returns `(sql, params)`: one SELECT with named parameters and their dict,
portable between PostgreSQL and SQLite, over the *current snapshots* as of D
(rosters.md). A kind with no current snapshot reads as empty (batch id NO_BATCH). Use
them as a subquery:

    sql, params = required_employers_sql(as_of, None)
    cursor.execute(f"SELECT district_code, COUNT(*) FROM ({sql}) r WHERE NOT r.enrolled GROUP BY 1", params)

`params` may be a `Parameters`, a mapping of overrides, or None (the thresholds in force).

Definitions (comparison.md → Derived facts, Employer rules, Person rules):
- employer facts: one row per uscc seen in market_entities, tax_payroll (latest period),
  insurance_employers or dust_hazard; H, W, Ip, Ii, Iu …; routing from the first source
  with a district (market, tax, insurance_employers).
- required employer: (a) an active market entity established ≤ D − grace of a type that
  must enrol, or (b) a uscc with H ≥ 1 not in the market roster or active and past grace.
- person facts: one row per id_number seen in household, civil_affairs, poverty,
  disability or a non-terminated pension row; eligibility for 代缴, the pension row,
  `current` and `covered`; routing from household, civil_affairs, poverty, disability.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from enforcement.comparison.parameters import Parameters, resolve
from enrollment import routing
from enrollment.models import (
    CivilAffairsRow,
    DisabilityRow,
    DustHazardRow,
    Enrollment,
    HouseholdRow,
    InsuranceEmployerRow,
    InsurancePersonRow,
    MarketEntityRow,
    PovertyRow,
    RosterBatch,
    RosterKind,
    TaxPayrollRow,
)
from wuhai_coverage.core import sql as dialect
from wuhai_coverage.core.models import IndustryDivision, KeyIndustry
from wuhai_coverage.core.sql import NO_BATCH, t

# Raw SQL here holds its own parameters: `%(name)s` placeholders and a dict. Fragments
# that are combined share one namespace (a name means one value in a whole statement).
Params = dict[str, Any]  # one value per name: what Django's cursor takes (dates, decimals, ints, str)
Statement = tuple[str, Params]

REQUIRED_ENTITY_TYPES = (
    MarketEntityRow.EntityType.ENTERPRISE.value,
    MarketEntityRow.EntityType.COOP.value,
    MarketEntityRow.EntityType.BRANCH.value,
)


@dataclass(frozen=True)
class Snapshots:
    """The current snapshot (batch) of every kind as of D; missing kinds are absent."""

    as_of: dt.date
    batches: Mapping[str, RosterBatch] = field(default_factory=dict)

    def id(self, kind: str) -> int:
        batch = self.batches.get(kind)
        return batch.pk if batch is not None else NO_BATCH

    def has(self, kind: str) -> bool:
        return kind in self.batches


def current_snapshots(as_of: dt.date) -> Snapshots:
    from enrollment.selectors import batches_current_get

    return Snapshots(as_of=as_of, batches=batches_current_get(as_of=as_of))


# --- dates -------------------------------------------------------------------------------


def age_cutoff(as_of: dt.date, years: int) -> dt.date:
    """The latest birth date of someone aged ≥ `years` (completed) at `as_of`.

    age ≥ n  ⇔  birth_date ≤ age_cutoff(D, n). A birthday on D counts; a 29 February
    birthday falls on 1 March in other years: for D = 1 March of a common year the
    cut-off is 1 March (a 29 Feb baby has had its birthday), for D = 28 February it is
    28 February (it has not); for D = 29 February and a common birth year, 28 February."""
    year = as_of.year - years
    try:
        return as_of.replace(year=year)
    except ValueError:  # D is 29 February, the birth year is common
        return dt.date(year, 2, 28)


def period_of(months_total: int) -> int:
    """YYYYMM of months(x) = 12·year + month."""
    year, month = divmod(months_total - 1, 12)
    return year * 100 + month + 1


def current_min_period(as_of: dt.date, interruption_months: int) -> int:
    """A pension row is current when months(D) − months(P) ≤ interruption_months, i.e.
    P ≥ this period (equivalent for every valid YYYYMM, and usable by an index)."""
    return period_of(as_of.year * 12 + as_of.month - interruption_months)


def age_expr(birth_col: str, as_of: dt.date) -> Statement:
    """Completed years at D as SQL (evidence only; the rules use `age_cutoff`)."""
    return f"((%(as_of_yyyymmdd)s - {dialect.yyyymmdd(birth_col)}) / 10000)", {
        "as_of_yyyymmdd": as_of.year * 10000 + as_of.month * 100 + as_of.day
    }


def in_list(name: str, values: Sequence[str]) -> Statement:
    """`(%(name_0)s, %(name_1)s, …)` and its parameters, for `x IN …` over a list of values."""
    keys = [f"{name}_{i}" for i in range(len(values))]
    return "(" + ", ".join(f"%({k})s" for k in keys) + ")", dict(zip(keys, values, strict=True))


# --- employers ---------------------------------------------------------------------------


def _norm_industry(col: str) -> str:
    """A code without its section letter ('0610') takes it from its division (defensive:
    the intake already normalises to 'B0610')."""
    return (
        f"CASE WHEN substr({col}, 1, 1) BETWEEN '0' AND '9' THEN "
        f"(SELECT dv.section_id FROM {t(IndustryDivision)} dv WHERE substr(dv.code, 2, 2) = substr({col}, 1, 2)) || {col} "
        f"ELSE {col} END"
    )


def employer_facts_sql(
    as_of: dt.date, params: Parameters | Mapping | None = None, snapshots: Snapshots | None = None
) -> Statement:
    """One row per uscc in a current market, tax, insurance_employers or dust_hazard snapshot.

    Columns: uscc, name, in_market, in_tax, enrolled, in_dust, entity_type, market_status,
    established_on, employees_reported, industry_code, h, w, payroll_period, ip, ii, iu,
    base_total, arrears, last_paid_period, hazard_factor, exposed_workers, key_industry,
    district_code, street_code."""
    snaps = snapshots or current_snapshots(as_of)
    f = dialect.false()
    norm = _norm_industry("m.industry_code")
    market, tax, insured, dust = (
        t(MarketEntityRow),
        t(TaxPayrollRow),
        t(InsuranceEmployerRow),
        t(DustHazardRow),
    )
    sql = f"""
SELECT k.uscc AS uscc,
       COALESCE(m.name, t.name, ie.name, dh.name) AS name,
       (m.uscc IS NOT NULL) AS in_market,
       (t.uscc IS NOT NULL) AS in_tax,
       (ie.uscc IS NOT NULL) AS enrolled,
       (dh.uscc IS NOT NULL) AS in_dust,
       m.entity_type AS entity_type,
       m.status AS market_status,
       m.established_on AS established_on,
       COALESCE(m.employees_reported, 0) AS employees_reported,
       COALESCE(m.industry_code, dh.industry_code) AS industry_code,
       COALESCE(t.payroll_headcount, 0) AS h,
       COALESCE(t.payroll_total, 0) AS w,
       t.period AS payroll_period,
       COALESCE(ie.insured_pension, 0) AS ip,
       COALESCE(ie.insured_injury, 0) AS ii,
       COALESCE(ie.insured_unemployment, 0) AS iu,
       COALESCE(ie.declared_base_total, 0) AS base_total,
       COALESCE(ie.arrears_amount, 0) AS arrears,
       ie.last_paid_period AS last_paid_period,
       dh.hazard_factor AS hazard_factor,
       COALESCE(dh.exposed_workers, 0) AS exposed_workers,
       (dh.uscc IS NOT NULL OR COALESCE(EXISTS (
            SELECT 1 FROM {t(KeyIndustry)} ki
            WHERE substr({norm}, 1, length(ki.code)) = ki.code), {f})) AS key_industry,
       {routing.EMPLOYER_DISTRICT} AS district_code,
       {routing.EMPLOYER_STREET} AS street_code
FROM (SELECT uscc FROM {market} WHERE batch_id = %(market_batch)s
      UNION SELECT uscc FROM {tax} WHERE batch_id = %(tax_batch)s
      UNION SELECT uscc FROM {insured} WHERE batch_id = %(insured_employers_batch)s
      UNION SELECT uscc FROM {dust} WHERE batch_id = %(dust_batch)s) k
LEFT JOIN {market} m ON m.batch_id = %(market_batch)s AND m.uscc = k.uscc
LEFT JOIN (SELECT tt.uscc, tt.name, tt.period, tt.payroll_headcount, tt.payroll_total, tt.district_code
           FROM {tax} tt
           JOIN (SELECT uscc, MAX(period) AS period FROM {tax} WHERE batch_id = %(tax_batch)s GROUP BY uscc) lp
             ON lp.uscc = tt.uscc AND lp.period = tt.period
           WHERE tt.batch_id = %(tax_batch)s) t ON t.uscc = k.uscc
LEFT JOIN {insured} ie ON ie.batch_id = %(insured_employers_batch)s AND ie.uscc = k.uscc
LEFT JOIN {dust} dh ON dh.batch_id = %(dust_batch)s AND dh.uscc = k.uscc
"""
    return sql, {
        "market_batch": snaps.id(RosterKind.MARKET_ENTITIES),
        "tax_batch": snaps.id(RosterKind.TAX_PAYROLL),
        "insured_employers_batch": snaps.id(RosterKind.INSURANCE_EMPLOYERS),
        "dust_batch": snaps.id(RosterKind.DUST_HAZARD),
    }


def required_predicate(alias: str, as_of: dt.date, params: Parameters) -> Statement:
    """The SQL condition "a required employer" over an employer-facts row `alias`."""
    registered_by = as_of - dt.timedelta(days=params.registration_grace_days)
    types, types_params = in_list("required_type", REQUIRED_ENTITY_TYPES)
    a = alias
    sql = (
        f"(({a}.in_market AND {a}.market_status = %(market_active)s AND {a}.established_on <= %(registered_by)s"
        f" AND ({a}.entity_type IN {types}"
        f"      OR ({a}.entity_type = %(individual)s AND ({a}.employees_reported >= 1 OR {a}.h >= 1))))"
        f" OR ({a}.h >= 1 AND (NOT {a}.in_market"
        f"      OR ({a}.market_status = %(market_active)s AND {a}.established_on <= %(registered_by)s))))"
    )
    return sql, {
        "registered_by": dialect.param(registered_by),
        "market_active": MarketEntityRow.Status.ACTIVE.value,
        "individual": MarketEntityRow.EntityType.INDIVIDUAL.value,
        **types_params,
    }


def required_employers_sql(
    as_of: dt.date, params: Parameters | Mapping | None = None, snapshots: Snapshots | None = None
) -> Statement:
    """Required employers: columns (uscc, name, district_code, street_code, enrolled)."""
    p = resolve(params, as_of)
    facts, facts_params = employer_facts_sql(as_of, p, snapshots)
    pred, pred_params = required_predicate("e", as_of, p)
    sql = f"SELECT e.uscc, e.name, e.district_code, e.street_code, e.enrolled FROM ({facts}) e WHERE {pred}"
    return sql, {**facts_params, **pred_params}


# --- persons -----------------------------------------------------------------------------

# routing's civil_affairs fragments are shared with the registry refresh (enrollment): both
# name their date parameter `as_of`.
_CIVIL_ELIGIBLE = routing.civil_eligible("as_of")
_CIVIL_ROW_ORDER = routing.civil_row_order("as_of")


# The pension rows' vocabulary, from the registry's model: the insurance_persons roster
# spec accepts exactly these values (enrollment/roster_specs.py).
PENSION_VALUES: Params = {
    "pension": Enrollment.InsuranceType.PENSION.value,
    "pension_active": Enrollment.Status.ACTIVE.value,
    "pension_interrupted": Enrollment.Status.INTERRUPTED.value,
    "pension_retired": Enrollment.Status.RETIRED.value,
    "pension_terminated": Enrollment.Status.TERMINATED.value,
    "scheme_employee": Enrollment.Scheme.EMPLOYEE.value,
    "scheme_flexible": Enrollment.Scheme.FLEXIBLE.value,
    "scheme_resident": Enrollment.Scheme.RESIDENT.value,
}


def person_facts_sql(
    as_of: dt.date,
    params: Parameters | Mapping | None = None,
    snapshots: Snapshots | None = None,
    *,
    candidates_only: bool = False,
) -> Statement:
    """One row per id_number in a current household, civil_affairs, poverty or disability
    snapshot or with a pension row that is not terminated (a terminated row counts as none).

    Columns: id_number, name, birth_date, sex, in_household, community, civil_category,
    poverty_active, disability_level, eligible, has_pension, pension_status, scheme,
    subsidized, last_paid_period, current, covered, district_code, street_code.

    `candidates_only` (the comparison) keeps only persons some person rule could match:
    household persons without a pension row (rules 3, 4), registry persons (rule 1), and
    active/interrupted pension rows that are not current (rule 2) — a fraction of the
    population, so the joins that follow stay small."""
    p = resolve(params, as_of)
    snaps = snapshots or current_snapshots(as_of)
    household, civil, poverty = t(HouseholdRow), t(CivilAffairsRow), t(PovertyRow)
    disability, insured = t(DisabilityRow), t(InsurancePersonRow)
    f = dialect.false()
    current = "(ip.status = %(pension_active)s AND ip.last_paid_period >= %(min_period)s)"
    if candidates_only:
        universe = f"""SELECT hu.id_number FROM {household} hu WHERE hu.batch_id = %(household_batch)s
              AND NOT EXISTS (SELECT 1 FROM {insured} pu WHERE pu.batch_id = %(insured_persons_batch)s
                              AND pu.id_number = hu.id_number AND pu.insurance_type = %(pension)s
                              AND pu.status <> %(pension_terminated)s)
      UNION SELECT id_number FROM {civil} WHERE batch_id = %(civil_batch)s
      UNION SELECT id_number FROM {poverty} WHERE batch_id = %(poverty_batch)s
      UNION SELECT id_number FROM {disability} WHERE batch_id = %(disability_batch)s
      UNION SELECT pu.id_number FROM {insured} pu
            WHERE pu.batch_id = %(insured_persons_batch)s AND pu.insurance_type = %(pension)s
              AND pu.status IN (%(pension_active)s, %(pension_interrupted)s)
              AND NOT COALESCE(pu.status = %(pension_active)s AND pu.last_paid_period >= %(min_period)s, {f})"""
    else:
        universe = f"""SELECT id_number FROM {household} WHERE batch_id = %(household_batch)s
      UNION SELECT id_number FROM {civil} WHERE batch_id = %(civil_batch)s
      UNION SELECT id_number FROM {poverty} WHERE batch_id = %(poverty_batch)s
      UNION SELECT id_number FROM {disability} WHERE batch_id = %(disability_batch)s
      UNION SELECT id_number FROM {insured}
            WHERE batch_id = %(insured_persons_batch)s AND insurance_type = %(pension)s AND status <> %(pension_terminated)s"""
    sql = f"""
SELECT k.id_number AS id_number,
       COALESCE(h.name, c.name, pv.name, ds.name, ip.name) AS name,
       COALESCE(h.birth_date, c.birth_date, pv.birth_date, ds.birth_date, ip.birth_date) AS birth_date,
       COALESCE(h.sex, c.sex, pv.sex, ds.sex, ip.sex) AS sex,
       (h.id_number IS NOT NULL) AS in_household,
       h.community AS community,
       CASE WHEN c.eligible = 1 THEN c.category ELSE NULL END AS civil_category,
       COALESCE(pv.status = %(poverty_active)s, {f}) AS poverty_active,
       ds.disability_level AS disability_level,
       (COALESCE(c.eligible = 1, {f}) OR COALESCE(pv.status = %(poverty_active)s, {f})
        OR COALESCE(ds.disability_level IN (1, 2), {f})) AS eligible,
       (ip.id_number IS NOT NULL) AS has_pension,
       ip.status AS pension_status,
       ip.scheme AS scheme,
       COALESCE(ip.subsidized, {f}) AS subsidized,
       ip.last_paid_period AS last_paid_period,
       COALESCE({current}, {f}) AS current,
       COALESCE(ip.status = %(pension_retired)s
                OR ({current} AND (ip.scheme IN (%(scheme_employee)s, %(scheme_flexible)s)
                                   OR (ip.scheme = %(scheme_resident)s AND ip.subsidized))), {f}) AS covered,
       {routing.PERSON_DISTRICT} AS district_code,
       {routing.PERSON_STREET} AS street_code
FROM ({universe}) k
LEFT JOIN {household} h ON h.batch_id = %(household_batch)s AND h.id_number = k.id_number
LEFT JOIN (SELECT x.* FROM (
             SELECT cc.id_number, cc.name, cc.birth_date, cc.sex, cc.category, cc.district_code, cc.street_code,
                    {_CIVIL_ELIGIBLE} AS eligible,
                    ROW_NUMBER() OVER (PARTITION BY cc.id_number ORDER BY {_CIVIL_ROW_ORDER}) AS rn
             FROM {civil} cc WHERE cc.batch_id = %(civil_batch)s) x
           WHERE x.rn = 1) c ON c.id_number = k.id_number
LEFT JOIN {poverty} pv ON pv.batch_id = %(poverty_batch)s AND pv.id_number = k.id_number
LEFT JOIN {disability} ds ON ds.batch_id = %(disability_batch)s AND ds.id_number = k.id_number
LEFT JOIN {insured} ip ON ip.batch_id = %(insured_persons_batch)s AND ip.id_number = k.id_number
      AND ip.insurance_type = %(pension)s AND ip.status <> %(pension_terminated)s
"""
    return sql, {
        "household_batch": snaps.id(RosterKind.HOUSEHOLD_REGISTRY),
        "civil_batch": snaps.id(RosterKind.CIVIL_AFFAIRS),
        "poverty_batch": snaps.id(RosterKind.POVERTY_REGISTRY),
        "disability_batch": snaps.id(RosterKind.DISABILITY_REGISTRY),
        "insured_persons_batch": snaps.id(RosterKind.INSURANCE_PERSONS),
        "min_period": current_min_period(as_of, p.interruption_months),
        "as_of": dialect.param(as_of),
        "poverty_active": PovertyRow.Status.ACTIVE.value,
        **PENSION_VALUES,
    }


def age_window_predicate(
    alias: str, as_of: dt.date, *, min_age: int | None = None, max_age: int | None = None
) -> Statement:
    """min_age ≤ age < max_age at D over a row with `birth_date`, via cut-off dates
    (parameters `cutoff_<age>`, the same values as the person rules' `cutoff_16`, `cutoff_60`)."""
    parts: list[str] = []
    out: Params = {}
    if min_age is not None:
        parts.append(f"{alias}.birth_date <= %(cutoff_{min_age})s")
        out[f"cutoff_{min_age}"] = dialect.param(age_cutoff(as_of, min_age))
    if max_age is not None:
        parts.append(f"{alias}.birth_date > %(cutoff_{max_age})s")
        out[f"cutoff_{max_age}"] = dialect.param(age_cutoff(as_of, max_age))
    return "(" + " AND ".join(parts or ["1 = 1"]) + ")", out


def subsidized_persons_sql(
    as_of: dt.date, params: Parameters | Mapping | None = None, snapshots: Snapshots | None = None
) -> Statement:
    """Persons eligible for 代缴 (16 ≤ age < 60 and in civil_affairs dibao/tekun valid at D,
    poverty active, or disability level 1–2): columns (id_number, name, district_code,
    street_code, covered). `covered` as rule 1 of comparison.md: a pension row that is
    retired, or current with scheme employee/flexible, or current resident and subsidised."""
    p = resolve(params, as_of)
    facts, facts_params = person_facts_sql(as_of, p, snapshots)
    ages, age_params = age_window_predicate("pf", as_of, min_age=16, max_age=60)
    sql = (
        f"SELECT pf.id_number, pf.name, pf.district_code, pf.street_code, pf.covered "
        f"FROM ({facts}) pf WHERE pf.eligible AND {ages}"
    )
    return sql, {**facts_params, **age_params}
