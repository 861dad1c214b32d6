"""Reference data carried in fixtures/ (copied from the shared data at build time; the
product never reads outside its own tree). Loaded by a data migration; idempotent."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def read_csv(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def pension_parameters() -> dict:
    with open(FIXTURES / "pension_parameters.json", encoding="utf-8") as fh:
        return json.load(fh)


def load_reference_data(apps) -> None:
    """Upsert districts, streets, communities, GB/T 4754 sections and divisions, the
    pneumoconiosis key-industry list and the average-wage parameters."""
    District = apps.get_model("core", "District")
    Street = apps.get_model("core", "Street")
    Community = apps.get_model("core", "Community")
    IndustrySection = apps.get_model("core", "IndustrySection")
    IndustryDivision = apps.get_model("core", "IndustryDivision")
    KeyIndustry = apps.get_model("core", "KeyIndustry")
    AverageWage = apps.get_model("core", "AverageWage")

    for r in read_csv("wuhai_districts.csv"):
        District.objects.update_or_create(code=r["code"], defaults={"name": r["name"]})
    for r in read_csv("wuhai_streets.csv"):
        Street.objects.update_or_create(
            code=r["code"], defaults={"name": r["name"], "district_id": r["district_code"]}
        )
    for r in read_csv("wuhai_communities.csv"):
        Community.objects.update_or_create(
            code=r["code"], defaults={"name": r["name"], "street_id": r["street_code"]}
        )
    for r in read_csv("industry_sections.csv"):
        IndustrySection.objects.update_or_create(code=r["code"], defaults={"name": r["name"]})
    for r in read_csv("industry_divisions.csv"):
        IndustryDivision.objects.update_or_create(
            code=r["code"], defaults={"name": r["name"], "section_id": r["section"]}
        )
    for r in read_csv("pneumoconiosis_industries.csv"):
        KeyIndustry.objects.update_or_create(
            code=r["code"], defaults={"name": r["name"], "group": r["group"]}
        )
    for entry in pension_parameters()["inner_mongolia"]["pension_calculation_base_monthly"]:
        AverageWage.objects.get_or_create(
            year=entry["applies_to_retirements_in"],
            defaults={"value": Decimal(str(entry["value"])), "source": entry.get("source", "")},
        )
