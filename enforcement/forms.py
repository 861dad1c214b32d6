"""Forms of the task page, the queue's bulk assignment and the street worker's visit."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.models import Notice
from enforcement.services import CONTACT_CHANNELS, CONTACT_OUTCOMES, MAX_TEXT

# A notice's default period to put things right (days).
NOTICE_DEFAULT_DAYS = 15


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        street = getattr(obj, "street", None)
        return f"{obj}（{street}）" if street else str(obj)


class AssignForm(forms.Form):
    assignee = StaffChoiceField(label=_("分派给 / Assign to"), queryset=None, empty_label=None)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class BulkAssignForm(forms.Form):
    assignee = StaffChoiceField(label=_("分派给 / Assign to"), queryset=None)
    ids = forms.CharField(required=False, widget=forms.HiddenInput)  # filled by the checkboxes

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class ContactForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("方式 / Channel"),
        choices=list(CONTACT_CHANNELS.items()),
        widget=forms.RadioSelect,
        initial="phone",
    )
    outcome = forms.ChoiceField(label=_("结果 / Outcome"), choices=list(CONTACT_OUTCOMES.items()))
    note = forms.CharField(
        label=_("备注 / Note"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("文书类型 / Kind"), choices=Notice.Kind.choices)
    deadline = forms.DateField(label=_("整改期限 / Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    issuing_office = forms.CharField(label=_("发文机关 / Issuing office"), max_length=120, required=False)

    @staticmethod
    def default_deadline() -> dt.date:
        return timezone.localdate() + dt.timedelta(days=NOTICE_DEFAULT_DAYS)

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        today = timezone.localdate()
        if deadline <= today:
            raise forms.ValidationError(_("整改期限应晚于今天 / the deadline must be after today"))
        if deadline > today + dt.timedelta(days=366):
            raise forms.ValidationError(_("整改期限不能超过一年 / the deadline must be within a year"))
        return deadline


class RectifyForm(forms.Form):
    what_changed = forms.CharField(
        label=_("整改情况（发生了什么变化） / What changed"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("不予处理理由（必填） / Reason (required)"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("请填写理由 / a reason is required"))
        return reason


class EscalateForm(forms.Form):
    note = forms.CharField(
        label=_("移交说明 / Note"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("备注 / Note"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
