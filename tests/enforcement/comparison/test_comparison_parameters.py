"""The thresholds, declared once: their bounds, and their edits through the service with
a history row (who, when, old → new, why)."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from decimal import Decimal

import pytest

from enforcement.comparison.parameters import THRESHOLDS, Parameters, load_parameters
from enforcement.comparison.services import ParameterError, rule_parameter_update
from enforcement.forms_runs import RuleParametersForm
from enforcement.models import RuleParameter, RuleParameterChange

D = dt.date(2025, 6, 15)
COUNTS = {
    "registration_grace_days",
    "missed_min_gap",
    "interruption_months",
    "dismissal_snooze_days",
    "hrss_max_age_days",
}
RATIOS = {"missed_min_ratio", "base_tolerance", "max_rejected_ratio"}


def test_the_eight_thresholds_are_the_dataclass_fields_with_their_defaults():
    assert set(THRESHOLDS) == COUNTS | RATIOS
    assert {name for name, th in THRESHOLDS.items() if th.integer} == COUNTS
    defaults = Parameters()
    for f in fields(Parameters):
        if f.name in THRESHOLDS:
            assert THRESHOLDS[f.name].default == getattr(defaults, f.name)
            assert str(THRESHOLDS[f.name].label)
    assert Parameters.from_mapping({"missed_min_gap": "3.0000", "base_tolerance": "0.9"}) == Parameters(
        missed_min_gap=3, base_tolerance=Decimal("0.9")
    )


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("base_tolerance", "0", True),
        ("base_tolerance", "1", True),
        ("base_tolerance", "0.0001", True),
        ("base_tolerance", "1.0001", False),
        ("base_tolerance", "-0.0001", False),
        ("missed_min_ratio", "0.00001", False),  # 4 decimal places at most
        ("max_rejected_ratio", "NaN", False),
        ("missed_min_gap", "1", True),
        ("missed_min_gap", "0", False),
        ("missed_min_gap", "-1", False),
        ("interruption_months", "2.5", False),
        ("interruption_months", "3.0", True),
        ("dismissal_snooze_days", "99999999", True),
        ("dismissal_snooze_days", "100000000", False),
        ("hrss_max_age_days", "Infinity", False),
    ],
)
def test_threshold_bounds(name, value, ok):
    assert (THRESHOLDS[name].error(Decimal(value)) is None) is ok


@pytest.mark.django_db
def test_an_edit_writes_the_value_and_its_history(city_manager):
    change = rule_parameter_update(
        actor=city_manager, name="missed_min_gap", value=Decimal("4"), reason="试点街道口径"
    )
    assert change is not None
    assert (change.name, change.old_value, change.new_value, change.changed_by, change.reason) == (
        "missed_min_gap",
        Decimal("2"),
        Decimal("4"),
        city_manager,
        "试点街道口径",
    )
    assert change.changed_at is not None
    assert RuleParameter.objects.get(name="missed_min_gap").updated_by == city_manager
    assert load_parameters(D).missed_min_gap == 4
    # the next edit records the stored value as old; the same value again writes nothing
    again = rule_parameter_update(
        actor=city_manager, name="missed_min_gap", value=Decimal("5"), reason="再调整"
    )
    assert again is not None and again.old_value == 4
    assert (
        rule_parameter_update(actor=city_manager, name="missed_min_gap", value=Decimal("5"), reason="x")
        is None
    )
    assert RuleParameterChange.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("no_such_threshold", "1", "r"),
        ("base_tolerance", "1.5", "r"),
        ("missed_min_gap", "0", "r"),
        ("missed_min_gap", "3", "   "),
    ],
)
def test_a_bad_edit_is_refused_and_changes_nothing(city_manager, name, value, reason):
    with pytest.raises(ParameterError):
        rule_parameter_update(actor=city_manager, name=name, value=Decimal(value), reason=reason)
    assert not RuleParameter.objects.exists() and not RuleParameterChange.objects.exists()


@pytest.mark.django_db
def test_the_form_saves_only_what_changed_through_the_service(city_manager):
    in_force = {name: th.default for name, th in THRESHOLDS.items()}
    data = {name: str(v) for name, v in in_force.items()}
    form = RuleParametersForm({**data, "base_tolerance": "0.8", "reason": "复核"}, in_force=in_force)
    assert form.is_valid(), form.errors
    assert form.changes() == {"base_tolerance": Decimal("0.8")}
    [change] = form.save(actor=city_manager)
    assert (change.name, change.new_value) == ("base_tolerance", Decimal("0.8"))

    bad = RuleParametersForm({**data, "base_tolerance": "1.2", "missed_min_gap": "0"}, in_force=in_force)
    assert not bad.is_valid()
    assert set(bad.errors) >= {"base_tolerance", "missed_min_gap"}
    half = RuleParametersForm({**data, "wage_year": "2030"}, in_force=in_force)
    assert not half.is_valid() and "wage_value" in half.errors
