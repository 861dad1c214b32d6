"""The estimator's first parameters, read from the repository's fixtures/pension_parameters.json
(a copy of the research data, with each value's source and unverified flag). Loaded into
PensionParameter on first use (selectors.pension_rows); never read again after that."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from outreach.pension import calculator as calc

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "pension_parameters.json"
# The national rules of 国发〔2005〕38号 (rate, 8 %, the months table) apply from 2006.
RULES_FROM = 2006
# The residents' scheme was unified by 国发〔2014〕8号.
RESIDENTS_FROM = 2014


@dataclass(frozen=True)
class SeedRow:
    row: calc.ParamRow
    source: str


def _row(name: str, year: int, value: Any, unverified: bool, source: str) -> SeedRow:
    return SeedRow(calc.ParamRow(name, year, Decimal(str(value)), bool(unverified)), source[:300])


def seed_rows(data: dict[str, Any] | None = None) -> list[SeedRow]:
    """Every parameter the calculator needs, from the fixture's data."""
    if data is None:
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    ent = data["enterprise_employee_basic_pension"]
    res = data["urban_rural_residents_basic_pension"]
    rows = [
        _row(calc.CALC_BASE, b["applies_to_retirements_in"], b["value"], b["unverified"], b["source"])
        for b in data["inner_mongolia"]["pension_calculation_base_monthly"]
    ]
    for name, key in ((calc.BASIC_RATE, "basic_pension_rate_per_contribution_year"),
                      (calc.ACCOUNT_RATE, "personal_account_contribution_rate")):  # fmt: skip
        rows.append(_row(name, RULES_FROM, ent[key]["value"], ent[key]["unverified"], ent[key]["source"]))
    table = ent["payout_months_by_retirement_age"]
    for age, months in table["table"].items():
        rows.append(
            _row(calc.payout_name(int(age)), RULES_FROM, months, table["unverified"], table["source"])
        )
    for m in res["national_min_basic_pension_monthly"]:
        rows.append(
            _row(calc.RESIDENTS_NATIONAL_MIN, m["from_year"], m["value"], m["unverified"], m["source"])
        )
    local = res["inner_mongolia"]["min_basic_pension_monthly"]
    # Not found in the data (null): 0 until a city manager enters the regional top-up, flagged.
    rows.append(_row(calc.RESIDENTS_LOCAL_BASIC, RESIDENTS_FROM, local["value"] or 0, True, local["source"]))
    divisor = res["account_divisor"]
    rows.append(
        _row(
            calc.RESIDENTS_DIVISOR, RESIDENTS_FROM, divisor["value"], divisor["unverified"], divisor["source"]
        )
    )
    subsidy = res["national_min_government_subsidy"]
    low, high = subsidy["lowest_tier"], subsidy["tier_500_and_above"]
    rows.append(
        _row(calc.RESIDENTS_SUBSIDY_LOW, RESIDENTS_FROM, low["value"], low["unverified"], low["source"])
    )
    rows.append(
        _row(calc.RESIDENTS_SUBSIDY_HIGH, RESIDENTS_FROM, high["value"], high["unverified"], high["source"])
    )
    rows.append(
        _row(calc.RESIDENTS_SUBSIDY_THRESHOLD, RESIDENTS_FROM, 500, high["unverified"], high["source"])
    )
    return rows
