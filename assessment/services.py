"""Writes: the parameters (with their history), the monthly indicator snapshots and the
nightly materialisation of the snapshot indicators' rows and counts."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils.translation import gettext as _

from assessment import parameters, selectors
from assessment.models import (
    AssessmentParameter,
    AssessmentParameterChange,
    IndicatorCount,
    IndicatorRow,
    IndicatorRun,
    IndicatorSnapshot,
)
from enrollment.loading import analyze
from wuhai_coverage.core.models import User


class ParameterError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@transaction.atomic
def parameters_update(
    *, actor: User, changes: dict[str, object], reason: str = ""
) -> list[AssessmentParameterChange]:
    """Set some parameters; each value that actually changes is written with a history row
    (who, when, old → new). The whole set is validated together (e.g. weights not all 0)."""
    # Lock the parameter rows so two managers editing at once validate against each other's result.
    list(AssessmentParameter.objects.select_for_update().all())
    current = selectors.parameters_current_get()
    new = dict(current)
    errors: dict[str, str] = {}
    for name, raw in changes.items():
        if name not in current:
            errors[name] = _("未知参数")
            continue
        try:
            value = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            value = Decimal("NaN")
        if not value.is_finite():
            errors[name] = _("应为数字")
            continue
        new[name] = value.quantize(Decimal("0.0001"))
    errors.update(parameters.validate(new) if not errors else {})
    if errors:
        raise ParameterError(errors)
    written = []
    for name, value in new.items():
        if value == current[name]:
            continue
        AssessmentParameter.objects.update_or_create(
            name=name, defaults={"value": value, "updated_by": actor}
        )
        written.append(
            AssessmentParameterChange.objects.create(
                name=name, old_value=current[name], new_value=value, changed_by=actor, reason=reason[:200]
            )
        )
    return written


def month_end_before(day: dt.date) -> dt.date:
    """The last day of the month before `day`'s month."""
    return day.replace(day=1) - dt.timedelta(days=1)


@transaction.atomic
def snapshot_take(*, as_of: dt.date) -> int:
    """Store every district's indicator counts as of `as_of` (for the year of as_of);
    taking the same day again replaces it. Returns the number of rows written."""
    period = selectors.period_get(as_of.year, as_of=as_of)
    written = 0
    for district, by_ind in selectors.district_counts_get(period).items():
        for code, c in by_ind.items():
            IndicatorSnapshot.objects.update_or_create(
                as_of=period.as_of,
                district_id=district,
                indicator=code,
                defaults={
                    "year": period.year,
                    "numerator": c.numerator,
                    "denominator": c.denominator,
                    "baseline_numerator": c.baseline_numerator,
                    "baseline_denominator": c.baseline_denominator,
                    "note": c.missing[:200],
                },
            )
            written += 1
    return written


def snapshot_backfill(*, year: int, today: dt.date) -> list[dt.date]:
    """Take the month-end snapshots of `year` that are in the past (the trend of a year
    that started before the portal did, or after the beat was down)."""
    done = []
    for month in range(1, 13):
        end = (dt.date(year, month, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        if end >= today:
            break
        snapshot_take(as_of=end)
        done.append(end)
    return done


def _purge_runs(cur, run_ids: list[int]) -> None:
    """DELETE by run: the tables are UNLOGGED, so the rows' deletion writes no WAL; the dead
    rows are reused by the next night's materialisation once autovacuum has passed (a
    partition per run would make the purge a DROP, at the price of DDL, an ACCESS EXCLUSIVE
    lock on the parent and a catalogue entry per run, for tables that hold two or three
    runs per indicator)."""
    if not run_ids:
        return
    for model in (IndicatorRow, IndicatorCount):
        cur.execute(f"DELETE FROM {model._meta.db_table} WHERE run_id = ANY(%s)", [run_ids])
    IndicatorRun.objects.filter(pk__in=run_ids).delete()


@transaction.atomic
def indicator_materialise(*, code: str, period: selectors.Period) -> IndicatorRun | None:
    """Write the rows of one snapshot indicator for the period as its row query gives them
    now (one INSERT … SELECT), their counts per district and street (one INSERT … SELECT
    … GROUP BY over them), and purge the indicator's other materialisations of that year:
    one per indicator and year is kept (a past year's period is fixed at 31 December, so
    its materialisation stays valid until a snapshot of it is replaced). Does nothing when
    the current inputs are already materialised, or when the indicator cannot be measured
    (a snapshot missing) or is not materialised (tasks, postings). Returns the run, or None."""
    if not selectors.materialisable(code):
        return None
    started = time.perf_counter()
    with connection.cursor() as cur:
        # One materialisation of an indicator at a time (the nightly job and a queued one).
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"assessment.materialise:{code}"])
        batches = selectors.snapshot_batches_get(period.as_of)
        q = selectors.row_query_get(code, period, batches)
        if q.sql is None:
            return None
        digest = selectors.inputs_digest(period, batches)
        existing = selectors.indicator_run_get(code, period, digest)
        if existing is not None:
            return existing
        run = IndicatorRun.objects.create(indicator=code, year=period.year, as_of=period.as_of, digest=digest)
        extras = [alias for alias, _label in q.columns if alias != "hit"]
        data = (
            "jsonb_build_object({})".format(", ".join(f"'{a}', r.{a}" for a in extras))
            if extras
            else "'{}'::jsonb"
        )
        cur.execute(
            f"""INSERT INTO {IndicatorRow._meta.db_table}
                    (run_id, district_code, street_code, key, name, hit, pos, sub_pos, data)
                SELECT %(materialise_run)s, r.district_code, r.street_code, r.key::text, r.name,
                       COALESCE(r.hit, FALSE),
                       row_number() OVER (PARTITION BY r.district_code ORDER BY r.key),
                       row_number() OVER (PARTITION BY r.district_code, COALESCE(r.hit, FALSE) ORDER BY r.key),
                       {data}
                FROM ({q.sql}) r
                WHERE r.district_code IS NOT NULL""",
            selectors._merged(q.params, {"materialise_run": run.pk}),
        )
        rows = cur.rowcount
        cur.execute(
            f"""INSERT INTO {IndicatorCount._meta.db_table}
                    (run_id, district_code, street_code, numerator, denominator)
                SELECT %s, district_code, street_code, SUM(CASE WHEN hit THEN 1 ELSE 0 END), COUNT(*)
                FROM {IndicatorRow._meta.db_table} WHERE run_id = %s
                GROUP BY district_code, street_code""",
            [run.pk, run.pk],
        )
        stale = list(
            IndicatorRun.objects.filter(indicator=code, year=period.year)
            .exclude(pk=run.pk)
            .values_list("pk", flat=True)
        )
        _purge_runs(cur, stale)
    # The pages read the new rows by index at once: statistics now, not at autovacuum's pace.
    analyze(IndicatorRow, IndicatorCount)
    IndicatorRun.objects.filter(pk=run.pk).update(rows=rows, seconds=time.perf_counter() - started)
    run.rows, run.seconds = rows, time.perf_counter() - started
    return run


def indicators_materialise(*, period: selectors.Period) -> list[IndicatorRun]:
    """Materialise every snapshot indicator of the period (each in its own transaction)."""
    runs = []
    for code in sorted(selectors.SNAPSHOT_INDICATORS):
        run = indicator_materialise(code=code, period=period)
        if run is not None:
            runs.append(run)
    return runs
