"""Forms of the blacklist's pages: the proposal from a case, and one form per step."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from enforcement.blacklist.services import MAX_TEXT
from enforcement.blacklist.vocabulary import Measure
from enforcement.models import EnforcementCase


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.employer_name}（{obj.employer_uscc}）· {obj.get_case_type_display()}"


class ProposeForm(forms.Form):
    case = CaseChoiceField(label=_("案件"), queryset=EnforcementCase.objects.none(), empty_label=None)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=80)
    reason = forms.CharField(
        label=_("列入事由（留空则按案件生成）"), required=False, max_length=MAX_TEXT, widget=forms.Textarea
    )

    def __init__(self, *args: Any, cases: QuerySet[EnforcementCase], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        assert isinstance(field, CaseChoiceField)
        field.queryset = cases


class EmptyForm(forms.Form):
    """A step that takes nothing but the click (prior notice, period lapsed)."""


class StatementForm(forms.Form):
    statement = forms.CharField(label=_("陈述申辩内容"), max_length=MAX_TEXT, widget=forms.Textarea)


class DecisionForm(forms.Form):
    decision = forms.CharField(label=_("审核决定"), max_length=MAX_TEXT, widget=forms.Textarea)


class ApproveForm(DecisionForm):
    measures = forms.MultipleChoiceField(
        label=_("联合惩戒措施"),
        choices=Measure.choices,
        initial=Measure.values,
        widget=forms.CheckboxSelectMultiple,
    )


class RepairForm(forms.Form):
    application = forms.CharField(label=_("申请内容"), max_length=MAX_TEXT, widget=forms.Textarea)
    rectified = forms.BooleanField(label=_("已整改违法行为"))
    paid = forms.BooleanField(label=_("已补缴欠费"))
