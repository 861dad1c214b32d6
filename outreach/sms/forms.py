from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from enforcement.kinds import KINDS, SubjectType
from enforcement.models import Task
from outreach.sms.services import DEFAULT_TEMPLATE, OPEN_STATUSES, PLACEHOLDERS, TEMPLATE_MAX_CHARS
from wuhai_coverage.core import access
from wuhai_coverage.core.models import District, Street

DEFAULT_DEADLINE_DAYS = 30


class CampaignForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("任务类型"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("请选择至少一种人员类任务")},
    )
    statuses = forms.MultipleChoiceField(
        label=gettext_lazy("任务状态"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("请选择至少一种未关闭的任务状态")},
    )
    district = forms.ModelChoiceField(
        label=gettext_lazy("区"),
        queryset=District.objects.all(),
        required=False,
        empty_label=gettext_lazy("全市"),
    )
    street = forms.ModelChoiceField(
        label=gettext_lazy("街道"),
        queryset=Street.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部街道"),
        error_messages={"invalid_choice": gettext_lazy("请选择辖区内的街道")},
    )
    template = forms.CharField(
        label=gettext_lazy("短信模板"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEMPLATE_MAX_CHARS,
        help_text=gettext_lazy("可用占位符：%(names)s")
        % {"names": "、".join("{" + p + "}" for p in PLACEHOLDERS)},
    )
    deadline = forms.DateField(
        label=gettext_lazy("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        j = access.jurisdiction_of(user)
        self.fields["kinds"].choices = [  # type: ignore[attr-defined]
            (code, spec.label) for code, spec in KINDS.items() if spec.subject == SubjectType.PERSON
        ]
        self.fields["statuses"].choices = [  # type: ignore[attr-defined]
            (s, Task.Status(s).label) for s in OPEN_STATUSES
        ]
        streets = Street.objects.select_related("district").order_by("code")
        street_field = self.fields["street"]
        assert isinstance(street_field, forms.ModelChoiceField)
        if j.city:
            street_field.queryset = streets
        else:  # a caseworker: their district, chosen for them
            street_field.queryset = streets.filter(district_id=j.district_code)
            del self.fields["district"]
        self.fields["statuses"].initial = list(OPEN_STATUSES)
        self.fields["template"].initial = DEFAULT_TEMPLATE
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=DEFAULT_DEADLINE_DAYS)


class OptOutForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("手机号"), max_length=20)
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)
