from __future__ import annotations

from typing import IO, Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuhai_coverage.core.models import Community

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# 50 megapixels (8,660 × 5,770) is more than any phone camera; decoded, 150 MB of RGB.
PHOTO_MAX_PIXELS = 50_000_000


class CommunityField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Community) -> str:
        return f"{obj.street.name} · {obj.name}"


class PostingForm(forms.Form):
    community = CommunityField(
        label=gettext_lazy("社区"),
        queryset=Community.objects.none(),  # the user's jurisdiction, set in __init__
        error_messages={"invalid_choice": gettext_lazy("请选择辖区内的社区")},
    )
    posted_on = forms.DateField(
        label=gettext_lazy("张贴日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)
    photo = forms.FileField(label=gettext_lazy("照片（可选，JPEG/PNG，5 MB 以内）"), required=False)

    def __init__(self, *args: Any, communities: QuerySet[Community], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, CommunityField)  # declared above; narrows Field
        field.queryset = communities
        self.fields["posted_on"].initial = timezone.localdate()

    def clean_photo(self) -> UploadedFile | None:
        photo = self.cleaned_data.get("photo")
        if not photo:
            return photo
        if photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("照片不能超过 5 MB"))
        fmt = photo_format(photo)
        photo.seek(0)
        photo.name = f"posting{PHOTO_FORMATS[fmt]}"  # never keep a client-chosen file name
        return photo


def photo_format(photo: IO[bytes]) -> str:
    """The photo's format, read from its header only: a 68-byte PNG may claim 200,000 ×
    200,000 pixels, and nothing here decodes a pixel. Raises ValidationError with a
    clear message for anything that is not a JPEG/PNG/WebP of at most PHOTO_MAX_PIXELS."""
    import warnings

    from PIL import Image

    not_an_image = forms.ValidationError(_("照片应为 JPEG 或 PNG 图片"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only these decoders are tried (no TIFF, PSD, … parsers reached by a crafted header).
            with Image.open(photo, formats=list(PHOTO_FORMATS)) as img:
                fmt, (width, height) = img.format, img.size
                if width * height > PHOTO_MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                img.verify()  # chunk checksums and structure; still no pixel decoded
    except forms.ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(None, None) from None
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError, struct.error… on a crafted file
        raise not_an_image from None
    if fmt not in PHOTO_FORMATS:
        raise not_an_image
    return fmt


def _too_many_pixels(width: int | None, height: int | None) -> forms.ValidationError:
    limit = PHOTO_MAX_PIXELS // 1_000_000
    if width:
        message = _("照片尺寸 %(width)s × %(height)s 像素超过 %(limit)s 百万像素的上限，请缩小后再上传")
        return forms.ValidationError(message % {"width": width, "height": height, "limit": limit})
    return forms.ValidationError(
        _("照片尺寸超过 %(limit)s 百万像素的上限，请缩小后再上传") % {"limit": limit}
    )
