"""Enrollment's words in the label registry (wuhai_coverage.core.labels): the roster values
stored without choices (rosters.md) and the vocabularies they share with the registry's
models. Called from EnrollmentConfig.ready."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wuhai_coverage.core import labels

SEX = {"M": _("男"), "F": _("女")}
CIVIL_CATEGORY = {"dibao": _("低保"), "tekun": _("特困")}
DISABILITY_LEVEL = {"1": _("一级"), "2": _("二级"), "3": _("三级"), "4": _("四级")}

# Roster fields stored as plain text → the vocabulary of their values.
FIELDS = {
    "enrollment.InsurancePersonRow.insurance_type": "enrollment.Enrollment.insurance_type",
    "enrollment.InsurancePersonRow.scheme": "enrollment.Enrollment.scheme",
    "enrollment.InsurancePersonRow.status": "enrollment.Enrollment.status",
    "enrollment.Employer.market_status": "enrollment.MarketEntityRow.status",
    "enrollment.Employer.entity_type": "enrollment.MarketEntityRow.entity_type",
    "enrollment.CivilAffairsRow.category": "roster.civil_affairs_category",
    "enrollment.DisabilityRow.disability_level": "roster.disability_level",
}


def register() -> None:
    labels.register_vocabulary("roster.sex", SEX)
    labels.register_vocabulary("roster.civil_affairs_category", CIVIL_CATEGORY)
    labels.register_vocabulary("roster.disability_level", DISABILITY_LEVEL)
    for model in (
        "CivilAffairsRow",
        "PovertyRow",
        "DisabilityRow",
        "HouseholdRow",
        "InsurancePersonRow",
        "Person",
    ):
        labels.register_field(f"enrollment.{model}.sex", "roster.sex")
    for field, vocabulary in FIELDS.items():
        labels.register_field(field, vocabulary)
    from enrollment.roster_specs import SPECS

    for kind, spec in SPECS.items():  # a column's name as the departments' files head it
        labels.register_vocabulary(
            f"roster.columns.{kind}", {c.key: c.aliases[0] for c in spec.columns if c.aliases}
        )
