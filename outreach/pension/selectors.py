"""Reads of the pension estimator's parameters (seeded from the fixture on first use)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from outreach.models import PensionParameter, PensionParameterChange
from outreach.pension import calculator as calc
from outreach.pension import seed


def pension_rows() -> list[calc.ParamRow]:
    """Every stored parameter row, as the calculator takes them; the first call on an
    empty table loads the fixture (concurrent first calls insert nothing twice)."""
    rows = list(PensionParameter.objects.values_list("name", "from_year", "value", "unverified"))
    if not rows:
        seed_load()
        rows = list(PensionParameter.objects.values_list("name", "from_year", "value", "unverified"))
    return [calc.ParamRow(*r) for r in rows]


@transaction.atomic
def seed_load() -> int:
    """Insert the fixture's rows that are missing; returns how many were inserted."""
    rows = [
        PensionParameter(
            name=s.row.name,
            from_year=s.row.from_year,
            value=s.row.value,
            unverified=s.row.unverified,
            source=s.source,
        )
        for s in seed.seed_rows()
    ]
    before = PensionParameter.objects.count()
    PensionParameter.objects.bulk_create(rows, ignore_conflicts=True)
    return PensionParameter.objects.count() - before


def parameter_list() -> QuerySet[PensionParameter]:
    pension_rows()  # seeds an empty table
    return PensionParameter.objects.all()


def parameter_history_list(limit: int = 200) -> QuerySet[PensionParameterChange]:
    return PensionParameterChange.objects.select_related("changed_by")[:limit]


def estimate(*, scheme: str, data: dict[str, Any], today: dt.date) -> calc.Result:
    """The computation for a scheme from validated input (the form's or the API's cleaned
    data); calc.InputError for input the calculator's rules refuse."""
    rows = pension_rows()
    if scheme == calc.ENTERPRISE:
        entry = calc.EnterpriseInput(
            birth=data["birth"],
            category=data["category"],
            years=data["years"],
            indexes=tuple(data["indexes"]),
            balance=data.get("balance"),
            monthly_base=data.get("monthly_base"),
            shift_months=data.get("shift_months") or 0,
        )
        return calc.enterprise_compute(entry, rows, today)
    resident = calc.ResidentInput(
        birth=data["birth"], tier=data["tier"], years=data["years"], balance=data.get("balance") or Decimal(0)
    )
    return calc.resident_compute(resident, rows, today)


def parameters_shown(*, scheme: str, year: int) -> list[calc.Param]:
    """The scheme's parameters for a year, as the calculator page lists them (unverified flagged)."""
    params = calc.parameters_for(pension_rows(), year)
    names = SCHEME_PARAMETERS[scheme]
    return [params[n] for n in names]


SCHEME_PARAMETERS = {
    calc.ENTERPRISE: (calc.CALC_BASE, calc.BASIC_RATE, calc.ACCOUNT_RATE, calc.payout_name(60)),
    calc.RESIDENTS: (
        calc.RESIDENTS_NATIONAL_MIN,
        calc.RESIDENTS_LOCAL_BASIC,
        calc.RESIDENTS_SUBSIDY_LOW,
        calc.RESIDENTS_SUBSIDY_HIGH,
        calc.RESIDENTS_DIVISOR,
    ),
}
