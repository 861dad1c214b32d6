"""Reads of the pension estimator's parameters (seeded from the fixture on first use)."""

from __future__ import annotations

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
            name=s.row.name, from_year=s.row.from_year, value=s.row.value, unverified=s.row.unverified, source=s.source
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
