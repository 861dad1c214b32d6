"""Forms of the task page, the queue's bulk assignment and the street worker's visit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.models import Notice
from enforcement.services import (
    CONTACT_CHANNELS,
    CONTACT_OUTCOMES,
    DISMISS_OTHER,
    MAX_TEXT,
    dismiss_reasons_for,
)
from wuhai_coverage.core.models import User

# A notice's default period to put things right (days).
NOTICE_DEFAULT_DAYS = 15


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        street = getattr(obj, "street", None)
        return f"{obj}（{street}）" if street else str(obj)


def _set_staff(form: forms.Form, staff: QuerySet[User]) -> None:
    field = form.fields["assignee"]
    assert isinstance(field, StaffChoiceField)
    field.queryset = staff


class AssignForm(forms.Form):
    assignee = StaffChoiceField(label=_("分派给"), queryset=None, empty_label=None)

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_staff(self, staff)


class DistrictAssignForm(forms.Form):
    """The fallback when the task's street has no street worker: `to` is "district" (the
    district's caseworkers as a team) or the pk of a named colleague of the district."""

    DISTRICT = "district"

    to = forms.CharField(label=_("交由"), max_length=20)

    def __init__(self, *args: Any, colleagues: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.colleagues = colleagues

    def clean_to(self) -> User | None:
        value = self.cleaned_data["to"].strip()
        if value == self.DISTRICT:
            return None
        colleague = self.colleagues.filter(pk=int(value)).first() if value.isdigit() else None
        if colleague is None:
            raise forms.ValidationError(_("请选择本区经办人员或区级队列"), code="invalid_choice")
        return colleague


class BulkAssignForm(forms.Form):
    """The queue's bulk assignment: a street worker and the ticked tasks (`task`, one per
    checkbox, non-numbers ignored) plus `ids`, a comma- or space-separated list."""

    assignee = StaffChoiceField(label=_("分派给"), queryset=None)
    ids = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_staff(self, staff)

    def clean_ids(self) -> list[int]:
        try:
            ids = [int(x) for x in (self.cleaned_data["ids"] or "").replace(",", " ").split()]
        except ValueError:
            raise forms.ValidationError(_("任务编号应为整数"), code="invalid") from None
        ticked = self.data.getlist("task") if isinstance(self.data, QueryDict) else []
        return ids + [int(x) for x in ticked if x.isdigit()]


class ContactForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("方式"),
        choices=list(CONTACT_CHANNELS.items()),
        widget=forms.RadioSelect,
        initial="phone",
    )
    outcome = forms.ChoiceField(label=_("结果"), choices=list(CONTACT_OUTCOMES.items()))
    note = forms.CharField(
        label=_("备注"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("文书类型"), choices=Notice.Kind.choices)
    deadline = forms.DateField(
        label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    issuing_office = forms.CharField(label=_("发文机关"), max_length=120, required=False)
    # How many notices the task had when the form was drawn (services.notice_issue: a
    # second submit of the same form adds none).
    seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    @staticmethod
    def default_deadline() -> dt.date:
        return timezone.localdate() + dt.timedelta(days=NOTICE_DEFAULT_DAYS)

    def clean_deadline(self) -> dt.date:
        deadline = self.cleaned_data["deadline"]
        today = timezone.localdate()
        if deadline <= today:
            raise forms.ValidationError(_("整改期限应晚于今天"))
        if deadline > today + dt.timedelta(days=366):
            raise forms.ValidationError(_("整改期限不能超过一年"))
        return deadline


class RectifyForm(forms.Form):
    what_changed = forms.CharField(
        label=_("整改情况（发生了什么变化）"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DismissForm(forms.Form):
    """A preset reason, a note ("其他" requires one) and the box that confirms it: the
    confirmation works without JavaScript."""

    reason_code = forms.ChoiceField(label=_("不予处理理由"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("说明"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(
        label=_("我确认不予处理此任务"), error_messages={"required": _("请勾选确认")}
    )

    def __init__(self, *args: Any, subject_type: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = dismiss_reasons_for(subject_type)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["note"] = (data.get("note") or "").strip()
        if data.get("reason_code") == DISMISS_OTHER and not data["note"]:
            self.add_error("note", _("选择“其他”时请填写说明"))
        return data


class EscalateForm(forms.Form):
    note = forms.CharField(
        label=_("移交说明"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_("我确认移交劳动保障监察立案"), error_messages={"required": _("请勾选确认")}
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("备注"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}))
