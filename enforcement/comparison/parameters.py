"""The thresholds of comparison.md, each declared once as a field of `Parameters` (its
default, its label, whether it is a count or a ratio); edits in `RuleParameter` (with
their history in `RuleParameterChange`, services.rule_parameter_update); A from
`core.AverageWage`. A run records the values it used (`Parameters.as_record()`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

# What RuleParameter.value holds: 12 digits, 4 of them decimals.
DECIMAL_PLACES = 4
MAX_VALUE = Decimal("1e8")


def _count(default: int, label: StrOrPromise) -> Any:
    """A threshold that counts days, months or persons: a positive whole number."""
    return field(default=default, metadata={"label": label})


def _ratio(default: str, label: StrOrPromise) -> Any:
    """A threshold that is a ratio: an exact decimal from 0 to 1."""
    return field(default=Decimal(default), metadata={"label": label})


@dataclass(frozen=True)
class Parameters:
    registration_grace_days: int = _count(30, _("成立后应参保宽限天数"))
    missed_min_gap: int = _count(2, _("漏保最少人数差"))
    missed_min_ratio: Decimal = _ratio("0.05", _("漏保最低比例"))
    base_tolerance: Decimal = _ratio("0.85", _("缴费基数容差"))
    interruption_months: int = _count(3, _("断缴认定月数"))
    dismissal_snooze_days: int = _count(180, _("不予处理后暂停天数"))
    hrss_max_age_days: int = _count(7, _("人社名册最长时效（天）"))
    max_rejected_ratio: Decimal = _ratio("0.01", _("名册最高退回比例"))
    # A, the regional average monthly wage for D's year (None: no AverageWage at all).
    average_monthly_wage: Decimal | None = None
    average_wage_year: int | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, object] | None) -> Parameters:
        values = dict(values or {})
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            v = values.get(f.name)
            if v is None:
                continue
            integer = f.name == "average_wage_year" or (f.name in THRESHOLDS and THRESHOLDS[f.name].integer)
            kwargs[f.name] = int(Decimal(str(v))) if integer else Decimal(str(v))
        return cls(**kwargs)

    def as_record(self) -> dict[str, object]:
        """JSON-safe: integers as numbers, decimals as exact strings."""
        out: dict[str, object] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = str(v) if isinstance(v, Decimal) else v
        return out


@dataclass(frozen=True)
class Threshold:
    name: str
    default: Decimal
    label: StrOrPromise
    integer: bool  # a positive whole number; else a ratio from 0 to 1

    def error(self, value: Decimal) -> StrOrPromise | None:
        """Why `value` cannot be this threshold, or None."""
        exponent = value.as_tuple().exponent  # a letter for NaN and infinities
        if not isinstance(exponent, int) or exponent < -DECIMAL_PLACES:
            return _("须为数字，最多4位小数")
        if self.integer and (value != value.to_integral_value() or value < 1 or value >= MAX_VALUE):
            return _("须为正整数")
        if not self.integer and not (0 <= value <= 1):
            return _("须为0到1之间的比例")
        return None


# name → threshold, in the order of the dataclass (the thresholds page shows them so).
THRESHOLDS: dict[str, Threshold] = {
    f.name: Threshold(
        name=f.name,
        default=Decimal(str(f.default)),
        label=f.metadata["label"],
        integer=isinstance(f.default, int),
    )
    for f in fields(Parameters)
    if "label" in f.metadata
}


def average_wage_for(as_of: dt.date) -> tuple[int | None, Decimal | None]:
    """A for D: the entry with the greatest year ≤ D's year, else the earliest (comparison.md)."""
    from wuhai_coverage.core.models import AverageWage

    row = AverageWage.objects.filter(year__lte=as_of.year).order_by("-year").first()
    if row is None:
        row = AverageWage.objects.order_by("year").first()
    return (row.year, row.value) if row else (None, None)


def stored_thresholds() -> dict[str, Decimal]:
    """The thresholds in force: RuleParameter edits over the defaults."""
    from enforcement.models import RuleParameter

    values = {name: th.default for name, th in THRESHOLDS.items()}
    values.update(RuleParameter.objects.filter(name__in=THRESHOLDS).values_list("name", "value"))
    return values


def load_parameters(as_of: dt.date) -> Parameters:
    """The thresholds in force and A for `as_of`."""
    values: dict[str, object] = dict(stored_thresholds())
    year, wage = average_wage_for(as_of)
    values["average_monthly_wage"] = wage
    values["average_wage_year"] = year
    return Parameters.from_mapping(values)


def resolve(params: Parameters | Mapping[str, object] | None, as_of: dt.date) -> Parameters:
    """Accept a Parameters, a plain mapping of overrides (assessment), or None (what is in force)."""
    if isinstance(params, Parameters):
        return params
    if params is None:
        return load_parameters(as_of)
    base = load_parameters(as_of).as_record()
    base.update(params)
    return Parameters.from_mapping(base)
