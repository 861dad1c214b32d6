"""The thresholds of comparison.md: defaults in code, edits in `RuleParameter`, A from
`core.AverageWage`. A run records the values it used (`Parameters.as_record()`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# name → (default, label). Integers are day/month/person counts; ratios are exact decimals.
DEFAULTS: dict[str, tuple[Decimal, str]] = {
    "registration_grace_days": (Decimal("30"), _("成立后应参保宽限天数")),
    "missed_min_gap": (Decimal("2"), _("漏保最少人数差")),
    "missed_min_ratio": (Decimal("0.05"), _("漏保最低比例")),
    "base_tolerance": (Decimal("0.85"), _("缴费基数容差")),
    "interruption_months": (Decimal("3"), _("断缴认定月数")),
    "dismissal_snooze_days": (Decimal("180"), _("不予处理后暂停天数")),
    "hrss_max_age_days": (Decimal("7"), _("人社名册最长时效（天）")),
    "max_rejected_ratio": (Decimal("0.01"), _("名册最高退回比例")),
}
INTEGER_PARAMETERS = frozenset(
    {
        "registration_grace_days",
        "missed_min_gap",
        "interruption_months",
        "dismissal_snooze_days",
        "hrss_max_age_days",
    }
)


@dataclass(frozen=True)
class Parameters:
    registration_grace_days: int = 30
    missed_min_gap: int = 2
    missed_min_ratio: Decimal = Decimal("0.05")
    base_tolerance: Decimal = Decimal("0.85")
    interruption_months: int = 3
    dismissal_snooze_days: int = 180
    hrss_max_age_days: int = 7
    max_rejected_ratio: Decimal = Decimal("0.01")
    # A, the regional average monthly wage for D's year (None: no AverageWage at all).
    average_monthly_wage: Decimal | None = None
    average_wage_year: int | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, object] | None) -> Parameters:
        values = dict(values or {})
        kwargs: dict[str, object] = {}
        for f in fields(cls):
            if f.name not in values or values[f.name] is None:
                continue
            v = values[f.name]
            if f.name in INTEGER_PARAMETERS or f.name == "average_wage_year":
                kwargs[f.name] = int(Decimal(str(v)))
            else:
                kwargs[f.name] = Decimal(str(v))
        return cls(**kwargs)

    def as_record(self) -> dict[str, object]:
        """JSON-safe: integers as numbers, decimals as exact strings."""
        out: dict[str, object] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = str(v) if isinstance(v, Decimal) else v
        return out


def average_wage_for(as_of: dt.date) -> tuple[int | None, Decimal | None]:
    """A for D: the entry with the greatest year ≤ D's year, else the earliest (comparison.md)."""
    from wuhai_coverage.core.models import AverageWage

    row = AverageWage.objects.filter(year__lte=as_of.year).order_by("-year").first()
    if row is None:
        row = AverageWage.objects.order_by("year").first()
    return (row.year, row.value) if row else (None, None)


def load_parameters(as_of: dt.date) -> Parameters:
    """The thresholds in force (RuleParameter edits over the defaults) and A for `as_of`."""
    from enforcement.models import RuleParameter

    values: dict[str, object] = {name: default for name, (default, _label) in DEFAULTS.items()}
    for name, value in RuleParameter.objects.filter(name__in=DEFAULTS).values_list("name", "value"):
        values[name] = value
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
