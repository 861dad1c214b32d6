"""TEMPORARY thin adapter — the comparison's definitions of required employers and of
persons eligible for 代缴 (comparison.md), with the exact signatures of
enforcement/comparison/facts.py, which the COMPARISON branch is committing. When it is
merged this module re-exports those functions and this SQL goes.

Both return (sql, params) selecting
  required_employers_sql → (uscc, name, district_code, street_code, enrolled)
  subsidized_persons_sql → (id_number, name, district_code, street_code, covered)
over the current snapshots as of `as_of`. `params` (the comparison's thresholds) is
accepted for the signature; this adapter uses the defaults (30-day grace, 3 months).
"""
from __future__ import annotations

import datetime as dt

from enrollment.models import (
    CivilAffairsRow,
    DisabilityRow,
    HouseholdRow,
    InsuranceEmployerRow,
    InsurancePersonRow,
    MarketEntityRow,
    PovertyRow,
    RosterKind,
    TaxPayrollRow,
)

NO_BATCH = -1
GRACE_DAYS = 30
INTERRUPTION_MONTHS = 3


def _ids(as_of: dt.date) -> dict[str, int]:
    from enrollment.selectors import current_batches

    return {k: b.pk for k, b in current_batches(as_of=as_of).items()}


def _age_cutoff(as_of: dt.date, years: int) -> dt.date:
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:
        return dt.date(as_of.year - years, 2, 28)


def required_employers_sql(as_of: dt.date, params=None) -> tuple[str, list]:
    ids = _ids(as_of)
    m, t, ie = (ids.get(RosterKind.MARKET_ENTITIES, NO_BATCH), ids.get(RosterKind.TAX_PAYROLL, NO_BATCH),
                ids.get(RosterKind.INSURANCE_EMPLOYERS, NO_BATCH))
    by = as_of - dt.timedelta(days=GRACE_DAYS)
    sql = f"""
SELECT k.uscc, COALESCE(mm.name, tt.name) AS name,
       COALESCE(mm.district_code, tt.district_code, ie.district_code) AS district_code,
       CASE WHEN mm.district_code IS NOT NULL THEN mm.street_code END AS street_code,
       (ie.uscc IS NOT NULL) AS enrolled
FROM (SELECT uscc FROM {MarketEntityRow._meta.db_table} WHERE batch_id = %s
      UNION SELECT uscc FROM {TaxPayrollRow._meta.db_table} WHERE batch_id = %s) k
LEFT JOIN {MarketEntityRow._meta.db_table} mm ON mm.batch_id = %s AND mm.uscc = k.uscc
LEFT JOIN (SELECT x.uscc, x.name, x.district_code, x.payroll_headcount FROM {TaxPayrollRow._meta.db_table} x
           JOIN (SELECT uscc, MAX(period) AS period FROM {TaxPayrollRow._meta.db_table} WHERE batch_id = %s
                 GROUP BY uscc) lp ON lp.uscc = x.uscc AND lp.period = x.period
           WHERE x.batch_id = %s) tt ON tt.uscc = k.uscc
LEFT JOIN {InsuranceEmployerRow._meta.db_table} ie ON ie.batch_id = %s AND ie.uscc = k.uscc
WHERE (mm.uscc IS NOT NULL AND mm.status = 'active' AND mm.established_on <= %s
       AND (mm.entity_type IN ('enterprise', 'coop', 'branch')
            OR (mm.entity_type = 'individual'
                AND (COALESCE(mm.employees_reported, 0) >= 1 OR COALESCE(tt.payroll_headcount, 0) >= 1))))
   OR (COALESCE(tt.payroll_headcount, 0) >= 1
       AND (mm.uscc IS NULL OR (mm.status = 'active' AND mm.established_on <= %s)))"""
    return sql, [m, t, m, t, t, ie, by, by]


def subsidized_persons_sql(as_of: dt.date, params=None) -> tuple[str, list]:
    ids = _ids(as_of)
    hh, ca, pv, ds, ip = (ids.get(k, NO_BATCH) for k in (
        RosterKind.HOUSEHOLD_REGISTRY, RosterKind.CIVIL_AFFAIRS, RosterKind.POVERTY_REGISTRY,
        RosterKind.DISABILITY_REGISTRY, RosterKind.INSURANCE_PERSONS))
    m = as_of.year * 12 + as_of.month - INTERRUPTION_MONTHS
    min_period = ((m - 1) // 12) * 100 + (m - 1) % 12 + 1
    sql = f"""
SELECT e.id_number, e.name, loc.district_code, loc.street_code,
       EXISTS (SELECT 1 FROM {InsurancePersonRow._meta.db_table} p
               WHERE p.batch_id = %s AND p.id_number = e.id_number AND p.insurance_type = 'pension'
                 AND (p.status = 'retired'
                      OR (p.status = 'active' AND p.last_paid_period >= %s
                          AND (p.scheme IN ('employee', 'flexible') OR (p.scheme = 'resident' AND p.subsidized)))))
       AS covered
FROM (SELECT id_number, MIN(name) AS name, MIN(birth_date) AS birth_date FROM (
        SELECT id_number, name, birth_date FROM {CivilAffairsRow._meta.db_table}
        WHERE batch_id = %s AND category IN ('dibao', 'tekun') AND valid_from <= %s
          AND (valid_to IS NULL OR valid_to >= %s)
        UNION ALL SELECT id_number, name, birth_date FROM {PovertyRow._meta.db_table}
        WHERE batch_id = %s AND status = 'active'
        UNION ALL SELECT id_number, name, birth_date FROM {DisabilityRow._meta.db_table}
        WHERE batch_id = %s AND disability_level IN (1, 2)) u GROUP BY id_number) e
LEFT JOIN (SELECT id_number, district_code, street_code FROM (
             SELECT s.*, ROW_NUMBER() OVER (PARTITION BY id_number ORDER BY pref) AS n FROM (
               SELECT id_number, district_code, street_code, 0 AS pref FROM {HouseholdRow._meta.db_table} WHERE batch_id = %s
               UNION ALL SELECT id_number, district_code, street_code, 1 FROM {CivilAffairsRow._meta.db_table} WHERE batch_id = %s
               UNION ALL SELECT id_number, district_code, street_code, 2 FROM {PovertyRow._meta.db_table} WHERE batch_id = %s
               UNION ALL SELECT id_number, district_code, street_code, 3 FROM {DisabilityRow._meta.db_table} WHERE batch_id = %s
             ) s WHERE district_code IS NOT NULL) r WHERE n = 1) loc ON loc.id_number = e.id_number
WHERE e.birth_date <= %s AND e.birth_date > %s"""
    return sql, [ip, min_period, ca, as_of, as_of, pv, ds, hh, ca, pv, ds,
                 _age_cutoff(as_of, 16), _age_cutoff(as_of, 60)]
