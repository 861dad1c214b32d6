"""The domain registry — Employer, Person, Enrollment — refreshed set-based from the
current snapshots (rosters.md) as of a date.

One refresh is one transaction of a few statements (no Python loop over rows):

1. enrollments whose (person, insurance_type) left the current insurance_persons → deleted
2. persons in no current household / civil_affairs / poverty / disability /
   insurance_persons snapshot → deleted (step 1 already removed their enrollments; the
   database FK has no ON DELETE CASCADE, Django's CASCADE lives in Python)
3. employers in no current market / tax / insurance_employers snapshot → deleted
4. employers, 5. persons, 6. enrollments: `INSERT … SELECT … ON CONFLICT DO UPDATE`
   of the rows that are new or differ from what is stored.

Step 4–6 filter with `NOT EXISTS (an identical stored row)` before the upsert. Without
it a refresh over unchanged snapshots would still take a row lock on every conflicting
row (PostgreSQL locks the row even when `DO UPDATE … WHERE` is false), i.e. rewrite every
page of the table; with it, a second refresh over the same snapshots reads and writes
nothing — and `refreshed_at` is the time a row last changed. Rows go in sorted by the
key, so the unique index is filled in order rather than at random.

Routing follows comparison.md → "Where a task goes": district and street together from
the first source that has a district (employer: market, tax, insurance_employers; person:
household, civil_affairs, poverty, disability), so a registry row sits in the same
jurisdiction as its tasks. A street that is not one of the district's is dropped (null).
For civil_affairs, whose key is (id_number, category, valid_from), the row chosen is the
one the comparison chooses: eligible at D first, then the latest valid_from, then category.

The SQL is portable: PostgreSQL (production, tests) and SQLite ≥ 3.39 (the demo), which
has `ON CONFLICT DO UPDATE` and `IS NOT DISTINCT FROM` too.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from enrollment import routing
from enrollment.loading import analyze_unknown_batches
from enrollment.models import (
    ROW_MODELS,
    CivilAffairsRow,
    DisabilityRow,
    Employer,
    Enrollment,
    HouseholdRow,
    InsuranceEmployerRow,
    InsurancePersonRow,
    MarketEntityRow,
    Person,
    PovertyRow,
    RosterKind,
    TaxPayrollRow,
)
from enrollment.selectors import batch_current_get
from wuhai_coverage.core import sql as dialect
from wuhai_coverage.core.models import District, Street
from wuhai_coverage.core.sql import NO_BATCH, t

log = logging.getLogger(__name__)

# Transaction-scoped advisory lock: a second refresh waits for the first, never interleaves.
LOCK_KEY = 0x5748_5245_4749  # "WHREGI"
# After this many rows written to a registry table, ANALYZE it before the next step joins
# it (a first refresh fills an empty table whose statistics still say "0 rows").
ANALYZE_AFTER_ROWS = 10_000
# Per hash/sort node, for this transaction only: the person joins over ~600k rows spill to
# disk in 16 batches at the default 4 MB. A few nodes × 32 MB is affordable once a night.
WORK_MEM = "32MB"

# The snapshots an employer or a person is found in (a registry row outside all of them goes).
EMPLOYER_KINDS = (RosterKind.MARKET_ENTITIES, RosterKind.TAX_PAYROLL, RosterKind.INSURANCE_EMPLOYERS)
PERSON_KINDS = (
    RosterKind.HOUSEHOLD_REGISTRY,
    RosterKind.CIVIL_AFFAIRS,
    RosterKind.POVERTY_REGISTRY,
    RosterKind.DISABILITY_REGISTRY,
    RosterKind.INSURANCE_PERSONS,
)
KINDS = (*EMPLOYER_KINDS, *PERSON_KINDS)

T_EMPLOYER = t(Employer)
T_PERSON = t(Person)
T_ENROLLMENT = t(Enrollment)
T_DISTRICT = t(District)
T_STREET = t(Street)
T_MARKET = t(MarketEntityRow)
T_TAX = t(TaxPayrollRow)
T_INS_EMPLOYERS = t(InsuranceEmployerRow)
T_HOUSEHOLD = t(HouseholdRow)
T_CIVIL = t(CivilAffairsRow)
T_POVERTY = t(PovertyRow)
T_DISABILITY = t(DisabilityRow)
T_INS_PERSONS = t(InsurancePersonRow)

# Columns written by the refresh (besides the key and refreshed_at), in SELECT order.
EMPLOYER_COLUMNS = (
    "name",
    "entity_type",
    "market_status",
    "established_on",
    "industry_code",
    "district_id",
    "street_id",
    "payroll_headcount",
    "enrolled",
    "insured_pension",
    "insured_injury",
    "insured_unemployment",
    "arrears_amount",
)
PERSON_COLUMNS = ("name", "birth_date", "sex", "district_id", "street_id", "community", "phone")
ENROLLMENT_COLUMNS = (
    "scheme",
    "status",
    "employer_uscc",
    "last_paid_period",
    "contribution_base",
    "subsidized",
)


@dataclass
class RefreshSummary:
    as_of: dt.date
    batches: dict[str, int | None]
    written: dict[str, int] = field(default_factory=dict)  # rows inserted or changed, per table
    deleted: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)  # rows after the refresh
    seconds: dict[str, float] = field(default_factory=dict)  # per step
    duration_s: float = 0.0

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "batches": self.batches,
            "written": self.written,
            "deleted": self.deleted,
            "totals": self.totals,
            "seconds": self.seconds,
            "duration_s": self.duration_s,
        }


# --- the SELECTs: one row per key, as the registry should hold it ------------------------


def batch_params(b: dict[str, int]) -> dict[str, int]:
    """The current batch ids as named SQL parameters: `%(market_entities)s` … (one per kind)."""
    return {str(kind): b[kind] for kind in KINDS}


def employer_source_sql(b: dict[str, int]) -> tuple[str, dict]:
    """Columns: uscc, *EMPLOYER_COLUMNS."""
    route_district, route_street = routing.EMPLOYER_DISTRICT, routing.EMPLOYER_STREET
    sql = f"""
SELECT k.uscc AS uscc,
       COALESCE(m.name, t.name, ie.name) AS name,
       COALESCE(m.entity_type, '') AS entity_type,
       COALESCE(m.status, '') AS market_status,
       m.established_on AS established_on,
       COALESCE(m.industry_code, '') AS industry_code,
       dd.code AS district_id,
       ss.code AS street_id,
       COALESCE(t.payroll_headcount, 0) AS payroll_headcount,
       (ie.uscc IS NOT NULL) AS enrolled,
       COALESCE(ie.insured_pension, 0) AS insured_pension,
       COALESCE(ie.insured_injury, 0) AS insured_injury,
       COALESCE(ie.insured_unemployment, 0) AS insured_unemployment,
       COALESCE(ie.arrears_amount, 0) AS arrears_amount
FROM (SELECT uscc FROM {T_MARKET} WHERE batch_id = %(market_entities)s
      UNION SELECT uscc FROM {T_TAX} WHERE batch_id = %(tax_payroll)s
      UNION SELECT uscc FROM {T_INS_EMPLOYERS} WHERE batch_id = %(insurance_employers)s) k
LEFT JOIN {T_MARKET} m ON m.batch_id = %(market_entities)s AND m.uscc = k.uscc
LEFT JOIN (SELECT tt.uscc, tt.name, tt.payroll_headcount, tt.district_code
           FROM {T_TAX} tt
           JOIN (SELECT uscc, MAX(period) AS period FROM {T_TAX} WHERE batch_id = %(tax_payroll)s GROUP BY uscc) lp
             ON lp.uscc = tt.uscc AND lp.period = tt.period
           WHERE tt.batch_id = %(tax_payroll)s) t ON t.uscc = k.uscc
LEFT JOIN {T_INS_EMPLOYERS} ie ON ie.batch_id = %(insurance_employers)s AND ie.uscc = k.uscc
LEFT JOIN {T_DISTRICT} dd ON dd.code = {route_district}
LEFT JOIN {T_STREET} ss ON ss.code = {route_street} AND ss.district_id = dd.code
"""
    return sql, batch_params(b)


def person_source_sql(b: dict[str, int], as_of: dt.date) -> tuple[str, dict]:
    """Columns: id_number, *PERSON_COLUMNS."""
    route_district, route_street = routing.PERSON_DISTRICT, routing.PERSON_STREET
    sql = f"""
SELECT k.id_number AS id_number,
       COALESCE(h.name, c.name, pv.name, ds.name, ipx.name) AS name,
       COALESCE(h.birth_date, c.birth_date, pv.birth_date, ds.birth_date, ipx.birth_date) AS birth_date,
       COALESCE(h.sex, c.sex, pv.sex, ds.sex, ipx.sex) AS sex,
       dd.code AS district_id,
       ss.code AS street_id,
       COALESCE(h.community, '') AS community,
       COALESCE(h.phone, ipx.phone, '') AS phone
FROM (SELECT id_number FROM {T_HOUSEHOLD} WHERE batch_id = %(household_registry)s
      UNION SELECT id_number FROM {T_CIVIL} WHERE batch_id = %(civil_affairs)s
      UNION SELECT id_number FROM {T_POVERTY} WHERE batch_id = %(poverty_registry)s
      UNION SELECT id_number FROM {T_DISABILITY} WHERE batch_id = %(disability_registry)s
      UNION SELECT id_number FROM {T_INS_PERSONS} WHERE batch_id = %(insurance_persons)s) k
LEFT JOIN {T_HOUSEHOLD} h ON h.batch_id = %(household_registry)s AND h.id_number = k.id_number
LEFT JOIN (SELECT x.* FROM (
             SELECT cc.id_number, cc.name, cc.birth_date, cc.sex, cc.district_code, cc.street_code,
                    ROW_NUMBER() OVER (PARTITION BY cc.id_number ORDER BY {routing.civil_row_order("as_of")}) AS rn
             FROM {T_CIVIL} cc WHERE cc.batch_id = %(civil_affairs)s) x
           WHERE x.rn = 1) c ON c.id_number = k.id_number
LEFT JOIN {T_POVERTY} pv ON pv.batch_id = %(poverty_registry)s AND pv.id_number = k.id_number
LEFT JOIN {T_DISABILITY} ds ON ds.batch_id = %(disability_registry)s AND ds.id_number = k.id_number
LEFT JOIN (SELECT id_number, MAX(name) AS name, MIN(birth_date) AS birth_date, MAX(sex) AS sex,
                  MAX(phone) AS phone
           FROM {T_INS_PERSONS} WHERE batch_id = %(insurance_persons)s GROUP BY id_number) ipx ON ipx.id_number = k.id_number
LEFT JOIN {T_DISTRICT} dd ON dd.code = {route_district}
LEFT JOIN {T_STREET} ss ON ss.code = {route_street} AND ss.district_id = dd.code
"""
    return sql, {**batch_params(b), "as_of": dialect.param(as_of)}


def enrollment_source_sql(b: dict[str, int]) -> tuple[str, dict]:
    """Columns: person_id, insurance_type, *ENROLLMENT_COLUMNS (persons must be refreshed first)."""
    sql = f"""
SELECT p.id AS person_id, ip.insurance_type AS insurance_type, ip.scheme AS scheme, ip.status AS status,
       COALESCE(ip.employer_uscc, '') AS employer_uscc, ip.last_paid_period AS last_paid_period,
       ip.contribution_base AS contribution_base, ip.subsidized AS subsidized
FROM {T_INS_PERSONS} ip
JOIN {T_PERSON} p ON p.id_number = ip.id_number
WHERE ip.batch_id = %(insurance_persons)s
"""
    return sql, batch_params(b)


# --- the writes ------------------------------------------------------------------------------


def _upsert(
    cursor, *, table: str, keys: tuple[str, ...], columns: tuple[str, ...], source: tuple[str, dict], now
) -> int:
    """Insert the source rows that are new, update those that differ; identical rows are
    filtered out before the upsert (module docstring). Returns the rows written."""
    src_sql, src_params = source
    key_match = " AND ".join(f"r.{k} = s.{k}" for k in keys)
    same = (
        f"({', '.join(f'r.{c}' for c in columns)}) IS NOT DISTINCT FROM "
        f"({', '.join(f's.{c}' for c in columns)})"
    )
    all_cols = (*keys, *columns, "refreshed_at") if table != T_ENROLLMENT else (*keys, *columns)
    select_cols = [f"s.{c}" for c in (*keys, *columns)] + (
        ["%(refreshed_at)s"] if "refreshed_at" in all_cols else []
    )
    updates = [f"{c} = excluded.{c}" for c in all_cols if c not in keys]
    sql = f"""
INSERT INTO {table} ({", ".join(all_cols)})
SELECT {", ".join(select_cols)}
FROM ({src_sql}) s
WHERE NOT EXISTS (SELECT 1 FROM {table} r WHERE {key_match} AND {same})
ORDER BY {", ".join(f"s.{k}" for k in keys)}
ON CONFLICT ({", ".join(keys)}) DO UPDATE SET {", ".join(updates)}
"""
    params = {**src_params, "refreshed_at": dialect.param(now)} if "refreshed_at" in all_cols else src_params
    cursor.execute(sql, params)
    return max(cursor.rowcount, 0)


def _analyze(cursor, table: str, written: int) -> None:
    if written >= ANALYZE_AFTER_ROWS:
        cursor.execute(f"ANALYZE {table}")


def _current_batch_ids(as_of: dt.date) -> dict[str, int]:
    out: dict[str, int] = {}
    for kind in KINDS:
        batch = batch_current_get(kind=kind, as_of=as_of)
        out[kind] = batch.pk if batch is not None else NO_BATCH
    return out


@transaction.atomic
def registry_refresh(*, as_of: dt.date | None = None) -> RefreshSummary:
    """Bring Employer, Person and Enrollment in line with the current snapshots as of
    `as_of` (default: today in Asia/Shanghai). Running it twice changes nothing the second time."""
    as_of = as_of or timezone.localdate()
    started = time.monotonic()
    now = timezone.now()
    b = _current_batch_ids(as_of)
    analyze_unknown_batches(
        b
    )  # snapshots loaded by other means than roster_process, or whose ANALYZE was lost
    summary = RefreshSummary(
        as_of=as_of, batches={str(k): (v if v != NO_BATCH else None) for k, v in b.items()}
    )
    batches = batch_params(b)

    def step(name: str, fn):
        t0 = time.monotonic()
        result = fn()
        summary.seconds[name] = round(time.monotonic() - t0, 3)
        return result

    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SELECT pg_advisory_xact_lock(%(key)s)", {"key": LOCK_KEY})
            # Django's FKs are DEFERRABLE INITIALLY DEFERRED: checked at commit, outside any
            # step. Checked per statement instead, each step's time includes its own checks.
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # JIT compiles these big plans for ~1.3 s at Wuhai scale and wins nothing back.
            c.execute("SET LOCAL jit = off")
            c.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")

        def delete_enrollments():
            c.execute(
                f"""
DELETE FROM {T_ENROLLMENT} WHERE NOT EXISTS (
    SELECT 1 FROM {T_PERSON} p JOIN {T_INS_PERSONS} ip ON ip.batch_id = %(insurance_persons)s AND ip.id_number = p.id_number
    WHERE p.id = {T_ENROLLMENT}.person_id AND ip.insurance_type = {T_ENROLLMENT}.insurance_type)""",
                batches,
            )
            return c.rowcount

        def delete_persons():
            gone = " AND ".join(
                f"NOT EXISTS (SELECT 1 FROM {t(ROW_MODELS[kind])} x WHERE x.batch_id = %({kind})s"
                f" AND x.id_number = {T_PERSON}.id_number)"
                for kind in PERSON_KINDS
            )
            c.execute(f"DELETE FROM {T_PERSON} WHERE {gone}", batches)
            return c.rowcount

        def delete_employers():
            gone = " AND ".join(
                f"NOT EXISTS (SELECT 1 FROM {t(ROW_MODELS[kind])} x WHERE x.batch_id = %({kind})s"
                f" AND x.uscc = {T_EMPLOYER}.uscc)"
                for kind in EMPLOYER_KINDS
            )
            c.execute(f"DELETE FROM {T_EMPLOYER} WHERE {gone}", batches)
            return c.rowcount

        summary.deleted["enrollments"] = step("delete_enrollments", delete_enrollments)
        summary.deleted["persons"] = step("delete_persons", delete_persons)
        summary.deleted["employers"] = step("delete_employers", delete_employers)

        summary.written["employers"] = step(
            "upsert_employers",
            lambda: _upsert(
                c,
                table=T_EMPLOYER,
                keys=("uscc",),
                columns=EMPLOYER_COLUMNS,
                source=employer_source_sql(b),
                now=now,
            ),
        )
        summary.written["persons"] = step(
            "upsert_persons",
            lambda: _upsert(
                c,
                table=T_PERSON,
                keys=("id_number",),
                columns=PERSON_COLUMNS,
                source=person_source_sql(b, as_of),
                now=now,
            ),
        )
        step("analyze_persons", lambda: _analyze(c, T_PERSON, summary.written["persons"]))
        summary.written["enrollments"] = step(
            "upsert_enrollments",
            lambda: _upsert(
                c,
                table=T_ENROLLMENT,
                keys=("person_id", "insurance_type"),
                columns=ENROLLMENT_COLUMNS,
                source=enrollment_source_sql(b),
                now=now,
            ),
        )

        def analyze_rest() -> None:
            _analyze(c, T_EMPLOYER, summary.written["employers"])
            _analyze(c, T_ENROLLMENT, summary.written["enrollments"])

        step("analyze", analyze_rest)

    summary.totals = {
        "employers": Employer.objects.count(),
        "persons": Person.objects.count(),
        "enrollments": Enrollment.objects.count(),
    }
    summary.duration_s = round(time.monotonic() - started, 3)
    log.info("registry refresh as of %s: %s", as_of, summary.as_dict())
    return summary


def load_demo_registry(*, seed: int = 17, scale: float = 1.0) -> str:
    """Demo loader (settings.DEMO_DATA_LOADERS, after the demo rosters): fill the registry."""
    s = registry_refresh()
    return gettext(
        "登记库：用人单位 %(employers)s，人员 %(persons)s，参保记录 %(enrollments)s（%(seconds)s 秒）"
    ) % {
        "employers": s.totals["employers"],
        "persons": s.totals["persons"],
        "enrollments": s.totals["enrollments"],
        "seconds": s.duration_s,
    }
