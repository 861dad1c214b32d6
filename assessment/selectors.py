"""Reads: the six district indicators of a year, defined once each as a row query, so the
counts on the ranking and the rows of the drill-down come from the same SQL; the ranking;
the trend from the monthly snapshots; the department assessment.

Each indicator's row query selects (key, name, district_code, street_code, hit, …extra):
`hit` is true for a row the numerator counts; the denominator counts every row.
Counting groups it by district (one statement per indicator for all districts). The four
snapshot indicators are also materialised each night (IndicatorRun / IndicatorRow /
IndicatorCount, keyed by the digest of their inputs): when the current inputs have a
materialisation, the ranking reads its counts and the drill-down pages its rows by index;
otherwise both run the row query live, as described here, and one is queued.

The period of a year Y is 1 January Y to D = min(today, 31 December Y), Asia/Shanghai:
snapshots are those current as of D, tasks are those opened in the period and closed by
the end of D, postings those dated in the period. A past year is therefore fixed at its
year end and reproducible (the 31 December monthly snapshot agrees with it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessment import parameters, scoring
from assessment.models import (
    AssessmentParameter,
    AssessmentParameterChange,
    IndicatorCount,
    IndicatorRow,
    IndicatorRun,
    IndicatorSnapshot,
)
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
    Enrollment,
    InsuranceProjectRow,
    RosterBatch,
    RosterKind,
)
from outreach.models import PublicityPosting
from wuhai_coverage.core import sql as dialect
from wuhai_coverage.core.models import Community, Department, District, Street
from wuhai_coverage.core.sql import t

FIRST_YEAR = 2000  # the earliest year accepted (the policy is from 2020; older data is history)
PENSION_AGE = 60
CLOSED_AS_DONE = (Task.Resolution.RECTIFIED, Task.Resolution.RESOLVED_BY_DATA)
ROW_SUBSETS = ("all", "numerator", "gap")  # the drill-down's subsets: denominator, numerator, gap
ROWS_PAGE_SIZE = 50

Params = dict[str, Decimal]


class BadYear(ValueError):
    """The year is not a whole number between FIRST_YEAR and this year."""


class BadRowsQuery(ValueError):
    """A drill-down's subset or page is not one it knows."""


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


def year_parse(raw: object, *, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    if raw in (None, ""):
        return today.year
    try:
        year = int(str(raw).strip())
    except ValueError:
        raise BadYear(gettext("年度应为四位数字，如 %(year)s") % {"year": today.year}) from None
    if not FIRST_YEAR <= year <= today.year:
        raise BadYear(
            gettext("年度应在 %(first)s 与 %(last)s 之间") % {"first": FIRST_YEAR, "last": today.year}
        )
    return year


def period_get(year: int, *, as_of: dt.date | None = None, today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    end = dt.date(year, 12, 31)
    return Period(year, min(end, as_of or today))


def year_choices_list(*, today: dt.date | None = None) -> list[int]:
    """The years the ranking page offers: this year and the five before (not before FIRST_YEAR)."""
    today = today or timezone.localdate()
    return list(range(today.year, max(FIRST_YEAR, today.year - 5) - 1, -1))


def parameters_current_get() -> Params:
    values = parameters.defaults()
    for row in AssessmentParameter.objects.all():
        if row.name in values:
            values[row.name] = row.value
    return values


def parameter_history_list(limit: int = 200) -> QuerySet[AssessmentParameterChange]:
    return AssessmentParameterChange.objects.select_related("changed_by")[:limit]


# ---------------------------------------------------------------------------------------
# The indicators' row queries.


@dataclass(frozen=True)
class RowQuery:
    sql: str | None  # None: not measurable, `missing` says which snapshot is absent
    params: dict[str, Any] = field(default_factory=dict)  # named: %(name)s
    missing: str = ""
    # Extra columns (alias, label) the drill-down shows after key and name.
    columns: tuple[tuple[str, parameters.Label], ...] = ()


def _merged(*parts: Mapping[str, Any]) -> dict[str, Any]:
    """Named parameters of a statement built from pieces; one name may not mean two values."""
    merged: dict[str, Any] = {}
    for part in parts:
        for name, value in part.items():
            if name in merged and merged[name] != value:
                raise ValueError(f"SQL parameter {name!r} is given two values")
            merged[name] = value
    return merged


def _missing(ind: parameters.Indicator, batches: Mapping[str, RosterBatch]) -> str:
    for alternatives in ind.needs:
        if not any(k in batches for k in alternatives):
            return "/".join(str(RosterKind(k).label) for k in alternatives)
    return ""


def _employer_rows(period: Period, batches: Mapping[str, RosterBatch]) -> RowQuery:
    # None: the comparison's thresholds in force (registration_grace_days …), as the nightly run uses.
    sql, params = required_employers_sql(period.as_of, None, Snapshots(period.as_of, dict(batches)))
    return RowQuery(
        f"SELECT f.uscc AS key, f.name AS name, f.district_code, f.street_code, f.enrolled AS hit FROM ({sql}) f",
        params,
        columns=(("hit", _("已参保")),),
    )


def _project_rows(period: Period, batches: Mapping[str, RosterBatch]) -> RowQuery:
    sql = f"""
        SELECT c.project_code AS key, c.project_name AS name, c.district_code, NULL AS street_code,
               (ip.project_code IS NOT NULL) AS hit, c.builder_name, c.start_date, c.planned_workers,
               ip.enrolled_on
        FROM {t(ConstructionProjectRow)} c
        LEFT JOIN {t(InsuranceProjectRow)} ip
          ON ip.batch_id = %(insured_batch)s AND ip.project_code = c.project_code
        WHERE c.batch_id = %(projects_batch)s
          AND c.start_date >= %(period_start)s AND c.start_date <= %(period_as_of)s"""
    return RowQuery(
        sql,
        {
            "insured_batch": batches[RosterKind.INSURANCE_PROJECTS].pk,
            "projects_batch": batches[RosterKind.CONSTRUCTION_PROJECTS].pk,
            "period_start": dialect.param(period.start),
            "period_as_of": dialect.param(period.as_of),
        },
        columns=(
            ("builder_name", _("建设单位")),
            ("start_date", _("开工日期")),
            ("planned_workers", _("计划用工")),
            ("hit", _("已参保")),
            ("enrolled_on", _("参保日期")),
        ),
    )


def _subsidized_rows(period: Period, batches: Mapping[str, RosterBatch]) -> RowQuery:
    sql, params = subsidized_persons_sql(period.as_of, None, Snapshots(period.as_of, dict(batches)))
    return RowQuery(
        f"SELECT f.id_number AS key, f.name AS name, f.district_code, f.street_code, f.covered AS hit FROM ({sql}) f",
        params,
        columns=(("hit", _("已参保")),),
    )


def _interruption_rows(period: Period, batches: Mapping[str, RosterBatch]) -> RowQuery:
    """Pension rows (one per person; terminated counts as none) that are active or
    interrupted, of persons under 60 at D, in the district the comparison routes the
    person to (household registry, then civil_affairs, poverty, disability). A person
    found in none of those is in no district's count."""
    sql, params = person_facts_sql(period.as_of, None, Snapshots(period.as_of, dict(batches)))
    return RowQuery(
        f"""SELECT pf.id_number AS key, pf.name AS name, pf.district_code, pf.street_code,
                   (pf.pension_status = %(pension_interrupted)s) AS hit, pf.scheme, pf.pension_status,
                   pf.last_paid_period, pf.birth_date
            FROM ({sql}) pf
            WHERE pf.pension_status IN (%(pension_active)s, %(pension_interrupted)s)
              AND pf.birth_date > %(pension_born_after)s""",
        _merged(
            params,
            {
                "pension_active": Enrollment.Status.ACTIVE.value,
                "pension_interrupted": Enrollment.Status.INTERRUPTED.value,
                "pension_born_after": dialect.param(age_cutoff(period.as_of, PENSION_AGE)),
            },
        ),
        columns=(
            ("scheme", _("参保类型")),
            ("pension_status", _("参保状态")),
            ("last_paid_period", _("最近缴费所属期")),
            ("birth_date", _("出生年份")),
            ("hit", _("中断缴费")),
        ),
    )


def _task_rows(period: Period, batches: Mapping[str, RosterBatch]) -> RowQuery:
    sql = f"""
        SELECT t.id AS key, t.subject_name AS name, t.district_id AS district_code, t.street_id AS street_code,
               (t.status = %(closed)s AND t.resolution IN (%(done_rectified)s, %(done_by_data)s)
                AND t.closed_at < %(period_end)s) AS hit,
               t.kind, t.subject_type, t.subject_key, t.status, t.resolution, t.opened_at, t.closed_at
        FROM {t(Task)} t
        WHERE t.opened_at >= %(period_start)s AND t.opened_at < %(period_end)s AND t.district_id IS NOT NULL"""
    rectified, by_data = CLOSED_AS_DONE
    return RowQuery(
        sql,
        {
            "closed": Task.Status.CLOSED.value,
            "done_rectified": rectified.value,
            "done_by_data": by_data.value,
            "period_start": dialect.param(period.start_at),
            "period_end": dialect.param(period.end_at),
        },
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


def _community_rows(period: Period, batches: Mapping[str, RosterBatch]) -> RowQuery:
    sql = f"""
        SELECT c.code AS key, c.name AS name, s.district_id AS district_code, c.street_id AS street_code,
               (COALESCE(p.n, 0) > 0) AS hit, s.name AS street_name, COALESCE(p.n, 0) AS postings, p.last_on
        FROM {t(Community)} c
        JOIN {t(Street)} s ON s.code = c.street_id
        LEFT JOIN (SELECT community_id, COUNT(*) AS n, MAX(posted_on) AS last_on FROM {t(PublicityPosting)}
                   WHERE posted_on >= %(period_start)s AND posted_on <= %(period_as_of)s
                   GROUP BY community_id) p ON p.community_id = c.code"""
    return RowQuery(
        sql,
        {"period_start": dialect.param(period.start), "period_as_of": dialect.param(period.as_of)},
        columns=(
            ("street_name", _("街道")),
            ("postings", _("本年张贴次数")),
            ("last_on", _("最近张贴日期")),
            ("hit", _("已覆盖")),
        ),
    )


ROW_QUERIES = {
    parameters.EMPLOYER_COVERAGE: _employer_rows,
    parameters.CONSTRUCTION_INJURY_RATE: _project_rows,
    parameters.SUBSIDIZED_COVERAGE: _subsidized_rows,
    parameters.INTERRUPTION_RATE: _interruption_rows,
    parameters.TASK_CLOSURE_RATE: _task_rows,
    parameters.PUBLICITY_COVERAGE: _community_rows,
}


def snapshot_batches_get(as_of: dt.date) -> dict[str, RosterBatch]:
    return enrollment_selectors.batches_current_get(as_of=as_of)


def row_query_get(code: str, period: Period, batches: Mapping[str, RosterBatch] | None = None) -> RowQuery:
    batches = snapshot_batches_get(period.as_of) if batches is None else batches
    missing = _missing(parameters.BY_CODE[code], batches)
    if missing:
        return RowQuery(None, missing=missing)
    return ROW_QUERIES[code](period, batches)


# Indicators read only from roster snapshots: their counts cannot change until a new
# snapshot is loaded or the comparison's thresholds are edited, so they are cached under a
# key made of both (at full Wuhai size the person facts take seconds; tasks and postings,
# which change all day, are cheap and always counted live).
SNAPSHOT_INDICATORS = frozenset(
    {
        parameters.EMPLOYER_COVERAGE,
        parameters.CONSTRUCTION_INJURY_RATE,
        parameters.SUBSIDIZED_COVERAGE,
        parameters.INTERRUPTION_RATE,
    }
)
# A day and a bit: the 02:30 warm-up's counts last until the next warm-up (the key holds the
# date, the snapshots and the thresholds, so a longer life never serves another day's counts).
COUNTS_CACHE_SECONDS = 26 * 3600

DistrictCounts = dict[str, tuple[int, int]]  # {district_code: (numerator, denominator)}


def inputs_digest(period: Period, batches: Mapping[str, RosterBatch]) -> str:
    """The digest of what a snapshot indicator's rows depend on besides the period: the
    snapshot set current at D and the comparison's thresholds in force."""
    from enforcement.comparison.parameters import resolve

    snapshots = ",".join(f"{k}:{b.pk}:{b.sha256}" for k, b in sorted(batches.items()))
    thresholds = json.dumps(resolve(None, period.as_of).as_record(), sort_keys=True, default=str)
    return hashlib.sha256(f"{snapshots}|{thresholds}".encode()).hexdigest()[:32]


def _counts_cache_key(code: str, period: Period, digest: str) -> str:
    return f"assessment:counts:{code}:{period.as_of.isoformat()}:{digest}"


def materialisable(code: str) -> bool:
    """Snapshot indicators are materialised on PostgreSQL (the row tables are UNLOGGED
    there; on SQLite, the development default, every count and page is live)."""
    return code in SNAPSHOT_INDICATORS and connection.vendor == "postgresql"


def indicator_run_get(code: str, period: Period, digest: str) -> IndicatorRun | None:
    """The materialisation of these very inputs, or None (never an older one)."""
    if not materialisable(code):
        return None
    return IndicatorRun.objects.filter(indicator=code, as_of=period.as_of, digest=digest).first()


# A view that finds no materialisation enqueues one, at most once per indicator and digest
# in this time (the materialisation of the largest indicator takes seconds at Wuhai size).
MATERIALISE_DEBOUNCE_SECONDS = 15 * 60


def _materialise_soon(code: str, period: Period, digest: str) -> None:
    """Queue the materialisation of these inputs (not with in-process Celery: it would run
    inside the page view that only wanted a count; the nightly warm-up writes it there)."""
    from django.conf import settings

    if not materialisable(code) or settings.CELERY_TASK_ALWAYS_EAGER:
        return
    if cache.add(
        f"assessment:materialising:{code}:{period.as_of.isoformat()}:{digest}",
        1,
        MATERIALISE_DEBOUNCE_SECONDS,
    ):
        from assessment.tasks import indicator_materialise_task

        indicator_materialise_task.delay(code=code, year=period.year, as_of=period.as_of.isoformat())


def run_counts_get(run: IndicatorRun) -> DistrictCounts:
    """A materialisation's counts per district (Σ over its streets)."""
    totals: DistrictCounts = {}
    for district, num, den in IndicatorCount.objects.filter(run=run).values_list(
        "district_code", "numerator", "denominator"
    ):
        n, d = totals.get(district, (0, 0))
        totals[district] = (n + num, d + den)
    return totals


def materialised_counts_get(code: str, period: Period, digest: str) -> DistrictCounts | None:
    """The counts per district of the materialisation of these very inputs, or None when
    there is none — one statement, so a run purged meanwhile is never read half-gone."""
    if not materialisable(code):
        return None
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT r.id, c.district_code, SUM(c.numerator), SUM(c.denominator)
                FROM {t(IndicatorRun)} r LEFT JOIN {t(IndicatorCount)} c ON c.run_id = r.id
                WHERE r.indicator = %s AND r.as_of = %s AND r.digest = %s
                GROUP BY r.id, c.district_code""",
            [code, period.as_of, digest],
        )
        found = cur.fetchall()
    if not found:
        return None
    return {district: (int(num), int(den)) for _run, district, num, den in found if district is not None}


def indicator_counts_get(
    code: str, period: Period, batches: Mapping[str, RosterBatch] | None = None, digest: str | None = None
) -> tuple[DistrictCounts, str]:
    """({district_code: (numerator, denominator)}, missing snapshot or '') for one indicator:
    from its materialisation when the current inputs have one, else counted live (and the
    materialisation queued)."""
    batches = snapshot_batches_get(period.as_of) if batches is None else batches
    key = None
    if code in SNAPSHOT_INDICATORS:
        missing = _missing(parameters.BY_CODE[code], batches)
        if missing:
            return {}, missing
        digest = inputs_digest(period, batches) if digest is None else digest
        if (materialised := materialised_counts_get(code, period, digest)) is not None:
            return materialised, ""
        key = _counts_cache_key(code, period, digest)
        if (hit := cache.get(key)) is not None:
            _materialise_soon(code, period, digest)
            return hit
        _materialise_soon(code, period, digest)
    q = row_query_get(code, period, batches)
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


CountsByDistrict = dict[str, dict[str, Counts]]  # {district_code: {indicator: Counts}}


def district_counts_get(period: Period) -> CountsByDistrict:
    """{district_code: {indicator: Counts}} for every district, as of the period's D."""
    batches = snapshot_batches_get(period.as_of)
    digest = inputs_digest(period, batches)  # once: every snapshot indicator has the same inputs
    districts = list(District.objects.values_list("code", flat=True))
    out: CountsByDistrict = {d: {} for d in districts}
    for ind in parameters.INDICATORS:
        counts, missing = indicator_counts_get(ind.code, period, batches, digest)
        base: DistrictCounts = {}
        if ind.lower_is_better:
            last = period.last_year
            base, _base_missing = indicator_counts_get(ind.code, last, snapshot_batches_get(last.as_of))
        for d in districts:
            num, den = (None, None) if missing else counts.get(d, (0, 0))
            bnum, bden = base.get(d, (None, None)) if ind.lower_is_better else (None, None)
            out[d][ind.code] = Counts(num, den, bnum, bden, missing)
    return out


def counts_score(counts: CountsByDistrict, params: Params) -> list[scoring.DistrictResult]:
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
            for ind in parameters.INDICATORS
            if (c := by_ind.get(ind.code)) is not None
        ]
        results.append(scoring.DistrictResult(code=code, name=names.get(code, code), indicators=indicators))
    return scoring.rank_districts(results, params)


def ranking_list(period: Period, params: Params | None = None) -> list[scoring.DistrictResult]:
    """The districts of the year, scored and ranked with the current parameters."""
    return counts_score(district_counts_get(period), parameters_current_get() if params is None else params)


def district_result_get(period: Period, *, district_code: str, params: Params) -> scoring.DistrictResult:
    return next(r for r in ranking_list(period, params) if r.code == district_code)


def rows_page_parse(*, subset: str | None, page: str | None) -> tuple[str, int]:
    """The drill-down's (subset, page number) from the query string; BadRowsQuery when wrong."""
    subset = subset or "all"
    if subset not in ROW_SUBSETS:
        raise BadRowsQuery(gettext("subset 应为 all、numerator 或 gap"))
    try:
        return subset, max(1, int(page or "1"))
    except ValueError:
        raise BadRowsQuery(gettext("页码应为数字")) from None


def indicator_rows_list(
    code: str,
    period: Period,
    *,
    district_code: str,
    subset: str = "all",
    limit: int = ROWS_PAGE_SIZE,
    offset: int = 0,
) -> tuple[RowQuery, int, list[dict[str, Any]]]:
    """The rows an indicator counts for one district: subset `numerator` (hit), `gap`
    (not hit) or `all` (the denominator). Returns (query, total, page of rows)."""
    batches = snapshot_batches_get(period.as_of)
    q = row_query_get(code, period, batches)
    if q.sql is None:
        return q, 0, []
    if code in SNAPSHOT_INDICATORS:
        digest = inputs_digest(period, batches)
        if (run := indicator_run_get(code, period, digest)) is not None:
            total, rows = _run_rows(
                run, district_code=district_code, subset=subset, limit=limit, offset=offset
            )
            return q, total, rows
        _materialise_soon(code, period, digest)
    where = {"numerator": " AND r.hit", "gap": " AND NOT r.hit"}.get(subset, "")
    base = f"FROM ({q.sql}) r WHERE r.district_code = %(rows_district)s{where}"
    params = _merged(q.params, {"rows_district": district_code})
    with connection.cursor() as cur:
        # One pass: the total rides along on every row (the row query can be heavy).
        cur.execute(
            f"SELECT r.*, COUNT(*) OVER () AS total_rows {base} "
            f"ORDER BY r.key LIMIT %(rows_limit)s OFFSET %(rows_offset)s",
            _merged(params, {"rows_limit": limit, "rows_offset": offset}),
        )
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        if rows:
            total = rows[0]["total_rows"]
        else:  # past the last page (or nothing at all): count on its own
            cur.execute(f"SELECT COUNT(*) {base}", params)
            (total,) = cur.fetchone() or (0,)
    for row in rows:
        row.pop("total_rows")
    return q, total, rows


# The extra columns that are dates or instants (stored as JSON text in IndicatorRow.data).
DATE_COLUMNS = frozenset({"start_date", "enrolled_on", "last_on", "birth_date"})
DATETIME_COLUMNS = frozenset({"opened_at", "closed_at"})


def _revived(alias: str, value: Any) -> Any:
    if isinstance(value, str) and alias in DATE_COLUMNS:
        return dt.date.fromisoformat(value)
    if isinstance(value, str) and alias in DATETIME_COLUMNS:
        return dt.datetime.fromisoformat(value)
    return value


def _run_rows(
    run: IndicatorRun, *, district_code: str, subset: str, limit: int, offset: int
) -> tuple[int, list[dict[str, Any]]]:
    """(total, a page of rows) of a materialisation: the rows numbered offset + 1 … offset +
    limit in key order — an index range on (run, district, pos) or (run, district, hit,
    sub_pos), as fast on the last page as on the first. The total is the counts' sum."""
    num, den = run_counts_get(run).get(district_code, (0, 0))
    rows = IndicatorRow.objects.filter(run=run, district_code=district_code)
    if subset == "all":
        total, page = den, rows.filter(pos__gt=offset).order_by("pos")
    else:
        hit = subset == "numerator"
        total = num if hit else den - num
        page = rows.filter(hit=hit, sub_pos__gt=offset).order_by("sub_pos")
    out = []
    for key, name, street, hit_, data in page.values_list("key", "name", "street_code", "hit", "data")[
        :limit
    ]:
        row = {"key": key, "name": name, "district_code": district_code, "street_code": street, "hit": hit_}
        row.update({alias: _revived(alias, value) for alias, value in data.items()})
        out.append(row)
    return total, out


@dataclass(frozen=True)
class RowsPage:
    query: RowQuery
    total: int
    rows: list[dict[str, Any]]
    page: Page[int] | None  # None when there is no row at all


def indicator_rows_page_get(
    code: str, period: Period, *, district_code: str, subset: str, page_no: int
) -> RowsPage:
    """One page (ROWS_PAGE_SIZE rows) of the drill-down, with its paginator."""
    size = ROWS_PAGE_SIZE
    query, total, rows = indicator_rows_list(
        code, period, district_code=district_code, subset=subset, limit=size, offset=(page_no - 1) * size
    )
    page = Paginator(range(total), size).get_page(page_no) if total else None
    return RowsPage(query, total, rows, page)


# ---------------------------------------------------------------------------------------
# Trend: the monthly snapshots of a year, scored with the current parameters.


def snapshot_counts_get(year: int) -> dict[dt.date, CountsByDistrict]:
    """{as_of: {district: {indicator: Counts}}} from the stored monthly snapshots."""
    out: dict[dt.date, CountsByDistrict] = {}
    for s in IndicatorSnapshot.objects.filter(year=year).order_by("as_of"):
        missing = s.note if s.numerator is None else ""
        out.setdefault(s.as_of, {}).setdefault(s.district_id, {})[s.indicator] = Counts(
            s.numerator, s.denominator, s.baseline_numerator, s.baseline_denominator, missing
        )
    return out


Trend = dict[str, list[tuple[dt.date, Decimal | None]]]  # {district_code: [(as_of, score), …]}


def trend_get(year: int, params: Params | None = None) -> Trend:
    """{district_code: [(as_of, score or None), …]} from the monthly snapshots of the year."""
    params = parameters_current_get() if params is None else params
    series: Trend = {}
    for as_of, counts in snapshot_counts_get(year).items():
        for r in counts_score(counts, params):
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
    def share(self) -> Fraction | None:
        return scoring.ratio(self.months_loaded, self.months)

    @property
    def rejected_rate(self) -> Fraction | None:
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
    def rejected_rate(self) -> Fraction | None:
        return scoring.ratio(self.rows_rejected, self.rows_total)


def department_results_list(period: Period) -> list[DepartmentResult]:
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
        tally = totals.setdefault(kind, [0, 0])
        tally[0] += total
        tally[1] += rejected
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
