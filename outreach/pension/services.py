"""Writes of the pension estimator's parameters: each change with a history row (who,
when, old → new, why)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from outreach.models import PensionParameter, PensionParameterChange
from outreach.pension import calculator as calc
from outreach.pension import selectors
from wuhai_coverage.core.models import User

FIRST_YEAR = 2000
LAST_YEAR = 2100
MAX_VALUE = Decimal("9999999999")  # max_digits 14, 4 places


class ParameterError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _check(name: str, from_year: int, value: Decimal, reason: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if name not in calc.PARAMETER_NAMES:
        errors["name"] = _("未知参数")
    if not FIRST_YEAR <= from_year <= LAST_YEAR:
        errors["from_year"] = _("起始年度应在 %(low)s～%(high)s 之间") % {
            "low": FIRST_YEAR,
            "high": LAST_YEAR,
        }
    if not value.is_finite() or value < 0 or value > MAX_VALUE:
        errors["value"] = _("取值应为不小于 0 的数字")
    elif name in (calc.BASIC_RATE, calc.ACCOUNT_RATE) and value > 1:
        errors["value"] = _("比例应在 0～1 之间（如 0.08 表示 8%）")
    elif (name.startswith(calc.PAYOUT_PREFIX) or name == calc.RESIDENTS_DIVISOR) and value <= 0:
        errors["value"] = _("计发月数应大于 0")
    if not reason.strip():
        errors["reason"] = _("请填写修改说明")
    return errors


@transaction.atomic
def parameter_set(
    *, actor: User, name: str, from_year: int, value: Decimal, unverified: bool, reason: str
) -> PensionParameterChange | None:
    """Set a parameter's value from a year on (a new year adds a row). Returns the history
    row, or None when nothing changed."""
    errors = _check(name, from_year, value, reason)
    if errors:
        raise ParameterError(errors)
    selectors.pension_rows()  # seeds an empty table, so that the first edit has an old value
    value = value.quantize(Decimal("0.0001"))
    row = PensionParameter.objects.select_for_update().filter(name=name, from_year=from_year).first()
    if row is not None and row.value == value and row.unverified == unverified:
        return None
    old_value, old_unverified = (row.value, row.unverified) if row else (None, None)
    PensionParameter.objects.update_or_create(
        name=name,
        from_year=from_year,
        defaults={"value": value, "unverified": unverified, "updated_by": actor},
    )
    return PensionParameterChange.objects.create(
        name=name,
        from_year=from_year,
        old_value=old_value,
        new_value=value,
        old_unverified=old_unverified,
        new_unverified=unverified,
        changed_by=actor,
        reason=reason.strip()[:200],
    )
