"""Writes: the parameters (with their history) and the monthly indicator snapshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from assessment import parameters, selectors
from assessment.models import AssessmentParameter, AssessmentParameterChange, IndicatorSnapshot
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
