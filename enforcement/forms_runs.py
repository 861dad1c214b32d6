"""Forms of the comparison runs pages: the thresholds and A (the runs page's start form
takes one optional date and is read by its view)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from enforcement.comparison.parameters import DECIMAL_PLACES, THRESHOLDS, Threshold
from enforcement.comparison.services import average_wage_set, rule_parameter_update
from enforcement.models import RuleParameterChange
from wuhai_coverage.core.models import User

FIRST_WAGE_YEAR, LAST_WAGE_YEAR = 1990, 2100


class ThresholdField(forms.DecimalField):
    """One threshold: checked by the threshold's own rule (the service checks it again)."""

    def __init__(self, threshold: Threshold, **kwargs: Any) -> None:
        self.threshold = threshold
        super().__init__(label=threshold.label, max_digits=12, decimal_places=DECIMAL_PLACES, **kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            problem = self.threshold.error(value)
            if problem:
                raise forms.ValidationError(problem)


class RuleParametersForm(forms.Form):
    """Every threshold (initially what is in force), a reason when any changes, and
    optionally A for one year."""

    reason = forms.CharField(label=_("修改理由"), required=False, max_length=500)
    wage_year = forms.IntegerField(
        label=_("年度"), required=False, min_value=FIRST_WAGE_YEAR, max_value=LAST_WAGE_YEAR
    )
    wage_value = forms.DecimalField(
        label=_("月平均工资（元）"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
    )

    def __init__(self, *args: Any, in_force: dict[str, Decimal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_force = in_force
        for name, threshold in THRESHOLDS.items():
            self.fields[name] = ThresholdField(threshold, initial=in_force[name])

    def threshold_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in THRESHOLDS]

    def changes(self) -> dict[str, Decimal]:
        """The thresholds whose posted value differs from what is in force."""
        return {
            name: self.cleaned_data[name]
            for name in THRESHOLDS
            if self.cleaned_data.get(name) is not None and self.cleaned_data[name] != self.in_force[name]
        }

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if self.changes() and not (self.cleaned_data.get("reason") or "").strip():
            self.add_error("reason", _("修改比对参数须填写理由"))
        if (self.cleaned_data.get("wage_year") is None) != (self.cleaned_data.get("wage_value") is None):
            self.add_error("wage_value", _("年度和平均工资须同时填写"))
        return data

    @transaction.atomic
    def save(self, *, actor: User) -> list[RuleParameterChange]:
        """Apply the changes through the services, all or nothing."""
        changed = [
            change
            for name, value in self.changes().items()
            if (
                change := rule_parameter_update(
                    actor=actor, name=name, value=value, reason=self.cleaned_data["reason"]
                )
            )
        ]
        if self.cleaned_data.get("wage_year") is not None:
            average_wage_set(
                actor=actor, year=self.cleaned_data["wage_year"], value=self.cleaned_data["wage_value"]
            )
        return changed
