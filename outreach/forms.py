from __future__ import annotations

from django import forms
from django.utils import timezone

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# 50 megapixels (8,660 × 5,770) is more than any phone camera; decoded, 150 MB of RGB.
PHOTO_MAX_PIXELS = 50_000_000


class PostingForm(forms.Form):
    community = forms.ModelChoiceField(
        label="社区 / community",
        queryset=None,
        error_messages={"invalid_choice": "请选择辖区内的社区 / choose a community in your jurisdiction"},
    )
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
        fmt = photo_format(photo)
        photo.seek(0)
        photo.name = f"posting{PHOTO_FORMATS[fmt]}"  # never keep a client-chosen file name
        return photo


def photo_format(photo) -> str:
    """The photo's format, read from its header only: a 68-byte PNG may claim 200,000 ×
    200,000 pixels, and nothing here decodes a pixel. Raises ValidationError with a
    clear message for anything that is not a JPEG/PNG/WebP of at most PHOTO_MAX_PIXELS."""
    import warnings

    from PIL import Image

    not_an_image = forms.ValidationError("照片应为 JPEG 或 PNG 图片 / the photo must be a JPEG or PNG image")
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


def _too_many_pixels(width, height) -> forms.ValidationError:
    zh = f"照片尺寸 {width} × {height} 像素" if width else "照片尺寸"
    en = f"the photo's {width} × {height} pixels" if width else "the photo's size"
    return forms.ValidationError(
        f"{zh}超过 {PHOTO_MAX_PIXELS // 1_000_000} 百万像素的上限，请缩小后再上传 / "
        f"{en} exceeds the limit of {PHOTO_MAX_PIXELS // 1_000_000} megapixels: resize it and upload again"
    )
