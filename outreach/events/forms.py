"""The form of an event: kind, title, place, date, district, reach and photos."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach.forms import MAX_PHOTO_BYTES, PHOTO_FORMATS, photo_format
from outreach.models import OutreachEvent
from wuhai_coverage.core.models import District

MAX_PHOTOS = 6
MAX_REACH = 1_000_000  # more than Wuhai's population: a typo, not a crowd


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data]
        return [one(data, initial)] if data else []


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("活动类型"), choices=OutreachEvent.Kind.choices)
    title = forms.CharField(label=gettext_lazy("活动名称"), max_length=200)
    place = forms.CharField(label=gettext_lazy("地点"), max_length=200)
    held_on = forms.DateField(
        label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    district = forms.ModelChoiceField(
        label=gettext_lazy("所属区"),
        queryset=District.objects.none(),  # the user's jurisdiction, set in __init__
        required=False,
        empty_label=gettext_lazy("全市"),
        error_messages={"invalid_choice": gettext_lazy("请选择辖区内的区")},
    )
    reach = forms.IntegerField(
        label=gettext_lazy("覆盖人数"),
        min_value=0,
        max_value=MAX_REACH,
        initial=0,
        error_messages={
            "min_value": gettext_lazy("覆盖人数不能为负数"),
            "max_value": gettext_lazy("覆盖人数不能超过 %(limit_value)s"),
        },
    )
    photos = MultipleFileField(
        label=gettext_lazy("照片（可多选，JPEG/PNG，每张 5 MB 以内，最多 6 张）"), required=False
    )

    def __init__(self, *args: Any, districts: QuerySet[District], city_wide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.ModelChoiceField)  # declared above; narrows Field
        field.queryset = districts
        if not city_wide:  # a district's staff record their district's events only
            field.required = True
            field.empty_label = None
        self.fields["held_on"].initial = timezone.localdate()

    def clean_photos(self) -> list[UploadedFile]:
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(_("最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS})
        for photo in photos:
            if not photo.size:
                raise forms.ValidationError(_("照片文件是空的"))
            if photo.size > MAX_PHOTO_BYTES:
                raise forms.ValidationError(_("照片不能超过 5 MB"))
            fmt = photo_format(photo)
            if fmt not in ("JPEG", "PNG"):
                raise forms.ValidationError(_("照片应为 JPEG 或 PNG 图片"))
            photo.seek(0)
            photo.name = f"event{PHOTO_FORMATS[fmt]}"  # never keep a client-chosen file name
        return photos
