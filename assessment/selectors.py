"""Reads: the six district indicators of a year, defined once each as a row query, so the
counts on the ranking and the rows of the drill-down come from the same SQL; the ranking;
the trend from the monthly snapshots; the department assessment.

Each indicator's row query selects (key, name, district_code, street_code, hit, …extra):
`hit` is true for a row the numerator counts; the denominator counts every row.
Counting groups it by district (one statement per indicator for all districts).

The period of a year Y is 1 January Y to D = min(today, 31 December Y), Asia/Shanghai:
snapshots are those current as of D, tasks are those opened in the period and closed by
the end of D, postings those dated in the period. A past year is therefore fixed at its
year end and reproducible (the 31 December monthly snapshot agrees with it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment import parameters as P
from assessment import scoring
from assessment.models import AssessmentParameter, AssessmentParameterChange, IndicatorSnapshot
from enforcement.comparison.facts import (
    Snapshots,
    age_cutoff,
    person_facts_sql,
    required_employers_sql,
    subsidized_persons_sql,
)
from enforcement.models import Task
from enrollment import selectors as enrollment_selectors
from enrollment.models import (
    KIND_DEPARTMENT,
    ROW_MODELS,
    ConstructionProjectRow,
    InsuranceProjectRow,
    RosterBatch,
    RosterKind,
)
from outreach.models import PublicityPosting
from wuhai_coverage.core import sql as dialect
from wuhai_coverage.core.models import Community, Department, District, Street

FIRST_YEAR = 2000  # the earliest year accepted (the policy is from 2020; older data is history)
PENSION_AGE = 60
CLOSED_AS_DONE = (Task.Resolution.RECTIFIED, Task.Resolution.RESOLVED_BY_DATA)


class BadYear(ValueError):
    """The year is not a whole number between FIRST_YEAR and this year."""


@dataclass(frozen=True)
class Period:
    year: int
    as_of: dt.date

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime(self.year, 1, 1, tzinfo=timezone.get_current_timezone())

    @property
    def end_at(self) -> dt.datetime:
        """The first instant after D (exclusive end)."""
        return dt.datetime.combine(
            self.as_of + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone()
        )

    @property
    def last_year(self) -> Period:
        return Period(self.year - 1, dt.date(self.year - 1, 12, 31))


def parse_year(raw, *, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    if raw in (None, ""):
        return today.year
    try:
        year = int(str(raw).strip())
    except ValueError:
        raise BadYear(
            f"年度应为四位数字，如 {today.year} / year must be a number like {today.year}"
        ) from None
    if not FIRST_YEAR <= year <= today.year:
        raise BadYear(
            f"年度应在 {FIRST_YEAR} 与 {today.year} 之间 / year must be between {FIRST_YEAR} and {today.year}"
        )
    return year


def period_of(year: int, *, as_of: dt.date | None = None, today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    end = dt.date(year, 12, 31)
    return Period(year, min(end, as_of or today))


def current_parameters() -> dict:
    values = P.defaults()
    for row in AssessmentParameter.objects.all():
        if row.name in values:
            values[row.name] = row.value
    return values


def parameter_history(limit: int = 200):
    return AssessmentParameterChange.objects.select_related("changed_by")[:limit]


# ---------------------------------------------------------------------------------------
# The indicators' row queries.


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass(frozen=True)
class RowQuery:
    sql: str | None  # None: not measurable, `missing` says which snapshot is absent
    params: list
    missing: str = ""
    # Extra columns (alias, label) the drill-down shows after key and name.
    columns: tuple[tuple[str, str], ...] = ()


def _missing(ind: P.Indicator, batches: dict) -> str:
    for alternatives in ind.needs:
        if not any(k in batches for k in alternatives):
            return "/".join(str(RosterKind(k).label) for k in alternatives)
    return ""


def _employer_rows(period: Period, batches: dict) -> RowQuery:
    # None: the comparison's thresholds in force (registration_grace_days …), as the nightly run uses.
    sql, params = required_employers_sql(period.as_of, None, Snapshots(period.as_of, batches))
    return RowQuery(
        f"SELECT f.uscc AS key, f.name AS name, f.district_code, f.street_code, f.enrolled AS hit FROM ({sql}) f",
        list(params),
        columns=(("hit", _("已参保")),),
    )


def _project_rows(period: Period, batches: dict) -> RowQuery:
    sql = f"""
        SELECT c.project_code AS key, c.project_name AS name, c.district_code, NULL AS street_code,
               (ip.project_code IS NOT NULL) AS hit, c.builder_name, c.start_date, c.planned_workers,
               ip.enrolled_on
        FROM {_t(ConstructionProjectRow)} c
        LEFT JOIN {_t(InsuranceProjectRow)} ip ON ip.batch_id = %s AND ip.project_code = c.project_code
        WHERE c.batch_id = %s AND c.start_date >= %s AND c.start_date <= %s"""
    return RowQuery(
        sql,
        [
            batches[RosterKind.INSURANCE_PROJECTS].pk,
            batches[RosterKind.CONSTRUCTION_PROJECTS].pk,
            dialect.param(period.start),
            dialect.param(period.as_of),
        ],
        columns=(
            ("builder_name", _("建设单位")),
            ("start_date", _("开工日期")),
            ("planned_workers", _("计划用工")),
            ("hit", _("已参保")),
            ("enrolled_on", _("参保日期")),
        ),
    )


def _subsidized_rows(period: Period, batches: dict) -> RowQuery:
    sql, params = subsidized_persons_sql(period.as_of, None, Snapshots(period.as_of, batches))
    return RowQuery(
        f"SELECT f.id_number AS key, f.name AS name, f.district_code, f.street_code, f.covered AS hit FROM ({sql}) f",
        list(params),
        columns=(("hit", _("已参保")),),
    )


def _interruption_rows(period: Period, batches: dict) -> RowQuery:
    """Pension rows (one per person; terminated counts as none) that are active or
    interrupted, of persons under 60 at D, in the district the comparison routes the
    person to (household registry, then civil_affairs, poverty, disability). A person
    found in none of those is in no district's count."""
    sql, params = person_facts_sql(period.as_of, None, Snapshots(period.as_of, batches))
    return RowQuery(
        f"""SELECT pf.id_number AS key, pf.name AS name, pf.district_code, pf.street_code,
                   (pf.pension_status = 'interrupted') AS hit, pf.scheme, pf.pension_status, pf.last_paid_period,
                   pf.birth_date
            FROM ({sql}) pf
            WHERE pf.pension_status IN ('active', 'interrupted') AND pf.birth_date > %s""",
        [*params, dialect.param(age_cutoff(period.as_of, PENSION_AGE))],
        columns=(
            ("scheme", _("参保类型")),
            ("pension_status", _("参保状态")),
            ("last_paid_period", _("最近缴费所属期")),
            ("birth_date", _("出生年份")),
            ("hit", _("中断缴费")),
        ),
    )


def _task_rows(period: Period, batches: dict) -> RowQuery:
    sql = f"""
        SELECT t.id AS key, t.subject_name AS name, t.district_id AS district_code, t.street_id AS street_code,
               (t.status = 'closed' AND t.resolution IN (%s, %s) AND t.closed_at < %s) AS hit,
               t.kind, t.subject_type, t.subject_key, t.status, t.resolution, t.opened_at, t.closed_at
        FROM {_t(Task)} t
        WHERE t.opened_at >= %s AND t.opened_at < %s AND t.district_id IS NOT NULL"""
    end_at = dialect.param(period.end_at)
    return RowQuery(
        sql,
        [*CLOSED_AS_DONE, end_at, dialect.param(period.start_at), end_at],
        columns=(
            ("kind", _("任务类型")),
            ("subject_key", _("对象编码")),
            ("status", _("状态")),
            ("resolution", _("办结方式")),
            ("opened_at", _("生成时间")),
            ("closed_at", _("关闭时间")),
            ("hit", _("计入办结")),
        ),
    )


def _community_rows(period: Period, batches: dict) -> RowQuery:
    sql = f"""
        SELECT c.code AS key, c.name AS name, s.district_id AS district_code, c.street_id AS street_code,
               (COALESCE(p.n, 0) > 0) AS hit, s.name AS street_name, COALESCE(p.n, 0) AS postings, p.last_on
        FROM {_t(Community)} c
        JOIN {_t(Street)} s ON s.code = c.street_id
        LEFT JOIN (SELECT community_id, COUNT(*) AS n, MAX(posted_on) AS last_on FROM {_t(PublicityPosting)}
                   WHERE posted_on >= %s AND posted_on <= %s GROUP BY community_id) p ON p.community_id = c.code"""
    return RowQuery(
        sql,
        [dialect.param(period.start), dialect.param(period.as_of)],
        columns=(
            ("street_name", _("街道")),
            ("postings", _("本年张贴次数")),
            ("last_on", _("最近张贴日期")),
            ("hit", _("已覆盖")),
        ),
    )


ROW_QUERIES = {
    P.EMPLOYER_COVERAGE: _employer_rows,
    P.CONSTRUCTION_INJURY_RATE: _project_rows,
    P.SUBSIDIZED_COVERAGE: _subsidized_rows,
    P.INTERRUPTION_RATE: _interruption_rows,
    P.TASK_CLOSURE_RATE: _task_rows,
    P.PUBLICITY_COVERAGE: _community_rows,
}


def snapshot_batches(as_of: dt.date) -> dict:
    return enrollment_selectors.batches_current_get(as_of=as_of)


def row_query(code: str, period: Period, batches: dict | None = None) -> RowQuery:
    batches = snapshot_batches(period.as_of) if batches is None else batches
    ind = P.BY_CODE[code]
    missing = _missing(ind, batches)
    if missing:
        return RowQuery(None, [], missing=missing)
    return ROW_QUERIES[code](period, batches)


# Indicators read only from roster snapshots: their counts cannot change until a new
# snapshot is loaded or the comparison's thresholds are edited, so they are cached under a
# key made of both (at full Wuhai size the person facts take seconds; tasks and postings,
# which change all day, are cheap and always counted live).
SNAPSHOT_INDICATORS = frozenset(
    {P.EMPLOYER_COVERAGE, P.CONSTRUCTION_INJURY_RATE, P.SUBSIDIZED_COVERAGE, P.INTERRUPTION_RATE}
)
# A day and a bit: the 02:30 warm-up's counts last until the next warm-up (the key holds the
# date, the snapshots and the thresholds, so a longer life never serves another day's counts).
COUNTS_CACHE_SECONDS = 26 * 3600


def _counts_cache_key(code: str, period: Period, batches: dict) -> str:
    from enforcement.comparison.parameters import resolve

    snapshots = ",".join(f"{k}:{b.pk}:{b.sha256}" for k, b in sorted(batches.items()))
    thresholds = json.dumps(resolve(None, period.as_of).as_record(), sort_keys=True, default=str)
    digest = hashlib.sha256(f"{snapshots}|{thresholds}".encode()).hexdigest()[:32]
    return f"assessment:counts:{code}:{period.as_of.isoformat()}:{digest}"


def indicator_counts(
    code: str, period: Period, batches: dict | None = None
) -> tuple[dict[str, tuple[int, int]], str]:
    """({district_code: (numerator, denominator)}, missing snapshot or '') for one indicator."""
    batches = snapshot_batches(period.as_of) if batches is None else batches
    key = _counts_cache_key(code, period, batches) if code in SNAPSHOT_INDICATORS else None
    if key and (hit := cache.get(key)) is not None:
        return hit
    q = row_query(code, period, batches)
    if q.sql is None:
        return {}, q.missing
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT r.district_code, SUM(CASE WHEN r.hit THEN 1 ELSE 0 END), COUNT(*) "
            f"FROM ({q.sql}) r WHERE r.district_code IS NOT NULL GROUP BY r.district_code",
            q.params,
        )
        result = {code_: (int(num), int(den)) for code_, num, den in cur.fetchall()}, ""
    if key:
        cache.set(key, result, COUNTS_CACHE_SECONDS)
    return result


@dataclass(frozen=True)
class Counts:
    """One district's counts of one indicator (None when not measurable)."""

    numerator: int | None
    denominator: int | None
    baseline_numerator: int | None = None
    baseline_denominator: int | None = None
    missing: str = ""


def measure(period: Period) -> dict[str, dict[str, Counts]]:
    """{district_code: {indicator: Counts}} for every district, as of the period's D."""
    batches = snapshot_batches(period.as_of)
    districts = list(District.objects.values_list("code", flat=True))
    out: dict[str, dict[str, Counts]] = {d: {} for d in districts}
    for ind in P.INDICATORS:
        counts, missing = indicator_counts(ind.code, period, batches)
        base: dict[str, tuple[int, int]] = {}
        if ind.lower_is_better:
            last = period.last_year
            base, base_missing = indicator_counts(ind.code, last, snapshot_batches(last.as_of))
        for d in districts:
            num, den = (None, None) if missing else counts.get(d, (0, 0))
            bnum, bden = base.get(d, (None, None)) if ind.lower_is_better else (None, None)
            out[d][ind.code] = Counts(num, den, bnum, bden, missing)
    return out


def score_counts(counts: dict[str, dict[str, Counts]], params: dict) -> list[scoring.DistrictResult]:
    names = dict(District.objects.values_list("code", "name"))
    results = []
    for code, by_ind in counts.items():
        indicators = [
            scoring.score_indicator(
                code=ind.code,
                numerator=c.numerator,
                denominator=c.denominator,
                params=params,
                baseline_numerator=c.baseline_numerator,
                baseline_denominator=c.baseline_denominator,
                missing=c.missing,
            )
            for ind in P.INDICATORS
            if (c := by_ind.get(ind.code)) is not None
        ]
        results.append(scoring.DistrictResult(code=code, name=names.get(code, code), indicators=indicators))
    return scoring.rank_districts(results, params)


def ranking(period: Period, params: dict | None = None) -> list[scoring.DistrictResult]:
    """The districts of the year, scored and ranked with the current parameters."""
    return score_counts(measure(period), current_parameters() if params is None else params)


def indicator_rows(
    code: str, period: Period, *, district_code: str, subset: str = "all", limit: int = 50, offset: int = 0
) -> tuple[RowQuery, int, list[dict]]:
    """The rows an indicator counts for one district: subset `numerator` (hit), `gap`
    (not hit) or `all` (the denominator). Returns (query, total, page of rows)."""
    q = row_query(code, period)
    if q.sql is None:
        return q, 0, []
    where = {"numerator": " AND r.hit", "gap": " AND NOT r.hit"}.get(subset, "")
    base = f"FROM ({q.sql}) r WHERE r.district_code = %s{where}"
    with connection.cursor() as cur:
        # One pass: the total rides along on every row (the row query can be heavy).
        cur.execute(
            f"SELECT r.*, COUNT(*) OVER () AS total_rows {base} ORDER BY r.key LIMIT %s OFFSET %s",
            [*q.params, district_code, limit, offset],
        )
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        if rows:
            total = rows[0]["total_rows"]
        else:  # past the last page (or nothing at all): count on its own
            cur.execute(f"SELECT COUNT(*) {base}", [*q.params, district_code])
            total = cur.fetchone()[0]
    for row in rows:
        row.pop("total_rows")
    return q, total, rows


# ---------------------------------------------------------------------------------------
# Trend: the monthly snapshots of a year, scored with the current parameters.


def snapshot_counts(year: int) -> dict[dt.date, dict[str, dict[str, Counts]]]:
    """{as_of: {district: {indicator: Counts}}} from the stored monthly snapshots."""
    out: dict[dt.date, dict[str, dict[str, Counts]]] = {}
    for s in IndicatorSnapshot.objects.filter(year=year).order_by("as_of"):
        missing = s.note if s.numerator is None else ""
        out.setdefault(s.as_of, {}).setdefault(s.district_id, {})[s.indicator] = Counts(
            s.numerator, s.denominator, s.baseline_numerator, s.baseline_denominator, missing
        )
    return out


def trend(year: int, params: dict | None = None) -> dict[str, list[tuple[dt.date, object]]]:
    """{district_code: [(as_of, score or None), …]} from the monthly snapshots of the year."""
    params = current_parameters() if params is None else params
    series: dict[str, list[tuple[dt.date, object]]] = {}
    for as_of, counts in snapshot_counts(year).items():
        for r in score_counts(counts, params):
            series.setdefault(r.code, []).append((as_of, r.score))
    return series


# ---------------------------------------------------------------------------------------
# Department assessment.


@dataclass(frozen=True)
class KindDelivery:
    kind: str
    label: str
    months_loaded: int
    months: int
    rows_total: int
    rows_rejected: int

    @property
    def share(self):
        return scoring.ratio(self.months_loaded, self.months)

    @property
    def rejected_rate(self):
        return scoring.ratio(self.rows_rejected, self.rows_total)


@dataclass(frozen=True)
class DepartmentResult:
    department: str
    label: str
    kinds: list[KindDelivery]

    @property
    def rows_total(self) -> int:
        return sum(k.rows_total for k in self.kinds)

    @property
    def rows_rejected(self) -> int:
        return sum(k.rows_rejected for k in self.kinds)

    @property
    def rejected_rate(self):
        return scoring.ratio(self.rows_rejected, self.rows_total)


def department_assessment(period: Period) -> list[DepartmentResult]:
    """For each partner department and each of its kinds: the share of the year's months
    (January to D's month) with a loaded snapshot dated in that month, and the rejected-row
    rate Σ rows_rejected / Σ rows_total over its loaded and rejected batches dated in the
    period (a batch that failed in processing is the bureau's fault, not the department's).
    A snapshot whose rows retention has since dropped still counts as delivered."""
    months = period.as_of.month
    loaded: dict[str, set[int]] = {}
    totals: dict[str, list[int]] = {}
    batches = RosterBatch.objects.filter(
        snapshot_date__gte=period.start,
        snapshot_date__lte=period.as_of,
        status__in=[RosterBatch.Status.LOADED, RosterBatch.Status.REJECTED],
    )
    for kind, status, snap, total, rejected in batches.values_list(
        "kind", "status", "snapshot_date", "rows_total", "rows_rejected"
    ):
        if status == RosterBatch.Status.LOADED:
            loaded.setdefault(kind, set()).add(snap.month)
        t = totals.setdefault(kind, [0, 0])
        t[0] += total
        t[1] += rejected
    results = []
    for dept in Department:
        kinds = [k for k in ROW_MODELS if KIND_DEPARTMENT[k] == dept.value]
        if not kinds:
            continue
        results.append(
            DepartmentResult(
                dept.value,
                str(dept.label),
                [
                    KindDelivery(
                        k,
                        str(RosterKind(k).label),
                        len(loaded.get(k, ())),
                        months,
                        totals.get(k, [0, 0])[0],
                        totals.get(k, [0, 0])[1],
                    )
                    for k in kinds
                ],
            )
        )
    return results
