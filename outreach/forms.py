from __future__ import annotations

from django import forms
from django.utils import timezone

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


class PostingForm(forms.Form):
    community = forms.ModelChoiceField(label="社区 / community", queryset=None,
                                       error_messages={"invalid_choice": "请选择辖区内的社区 / choose a community "
                                                                         "in your jurisdiction"})
    posted_on = forms.DateField(label="张贴日期 / date", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="备注 / note", max_length=200, required=False)
    photo = forms.FileField(label="照片（可选，JPEG/PNG，5 MB 以内） / photo", required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["community"].label_from_instance = lambda c: f"{c.street.name} · {c.name}"
        self.fields["posted_on"].initial = timezone.localdate()

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo:
            return photo
        if photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError("照片不能超过 5 MB / the photo is larger than 5 MB")
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(photo) as img:
                fmt = img.format
                img.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise forms.ValidationError("照片应为 JPEG 或 PNG 图片 / the photo must be a JPEG or PNG image") from None
        if fmt not in PHOTO_FORMATS:
            raise forms.ValidationError("照片应为 JPEG 或 PNG 图片 / the photo must be a JPEG or PNG image")
        photo.seek(0)
        photo.name = f"posting{PHOTO_FORMATS[fmt]}"   # never keep a client-chosen file name
        return photo
